package io.fedgate.core.demo;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.fedgate.core.tls.GatewayIdentity;

/** The command line every gateway process starts with, whoever starts it (the demo, tests, the load runner). */
public final class GatewayArguments {
    private GatewayArguments() {
    }

    /**
     * {@code --config-dir --namespace --name --cert-chain --key --root-cert}, the identity files being Istio's three
     * in {@code identityDirectory}; a mutable list, to add listeners' addresses and other options to.
     */
    public static List<String> of(Path configDirectory, String namespace, String name, Path identityDirectory) {
        requireNonNull(configDirectory, "configDirectory");
        requireNonNull(identityDirectory, "identityDirectory");
        return new ArrayList<>(List.of("--config-dir", configDirectory.toString(),
                "--namespace", requireNonNull(namespace, "namespace"), "--name", requireNonNull(name, "name"),
                "--cert-chain", identityDirectory.resolve(GatewayIdentity.CERT_CHAIN_FILE).toString(),
                "--key", identityDirectory.resolve(GatewayIdentity.KEY_FILE).toString(),
                "--root-cert", identityDirectory.resolve(GatewayIdentity.ROOT_CERT_FILE).toString()));
    }
}
