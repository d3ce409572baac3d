package io.fedgate.core.trust;

import static java.util.Objects.requireNonNull;

import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import javax.net.ssl.SSLEngine;

import io.fedgate.core.spiffe.SpiffeId;

/**
 * Decides which SPIFFE IDs a connection accepts from its peer, after {@link SvidVerifier} has established the
 * ID is genuine. The answer may depend on the connection: an ingress accepts exactly the peer's {@code clientID};
 * an egress accepts the {@code serviceAccounts} of the service it is calling, looked up by the host it dialled.
 * Returning the allowed set, rather than a yes/no, lets a refusal say what was expected.
 */
@FunctionalInterface
public interface PeerAuthorizer {

    /**
     * The IDs this connection accepts; an empty set refuses every peer.
     *
     * @param engine the engine doing the handshake; {@link SSLEngine#getPeerHost()} is the host a client dialled
     */
    Set<SpiffeId> allowed(SSLEngine engine);

    /**
     * Refuses {@code presented} unless it is allowed for this connection.
     *
     * @throws PeerRefusedException {@code spiffe-id-mismatch}, naming the presented and the expected IDs
     */
    default void authorize(SpiffeId presented, SSLEngine engine) throws PeerRefusedException {
        requireNonNull(presented, "presented");
        Set<SpiffeId> allowed = allowed(engine);
        if (allowed != null && allowed.contains(presented)) {
            return;
        }
        String expected;
        if (allowed == null || allowed.isEmpty()) {
            String host = engine == null ? null : engine.getPeerHost();
            expected = "no identity (none is allowed" + (host == null ? "" : " for peer host " + host) + ")";
        } else if (allowed.size() == 1) {
            expected = allowed.iterator().next().toString();
        } else {
            Set<String> sorted = new TreeSet<>();
            allowed.forEach(id -> sorted.add(id.toString()));
            expected = "one of " + sorted;
        }
        throw new PeerRefusedException(RefusalReason.SPIFFE_ID_MISMATCH, "presented " + presented + ", expected " + expected);
    }

    /** Accepts exactly {@code id}: an ingress accepting a peer's {@code clientID}. */
    static PeerAuthorizer exactly(SpiffeId id) {
        Set<SpiffeId> allowed = Set.of(requireNonNull(id, "id"));
        return engine -> allowed;
    }

    /** Accepts any of {@code ids} on every connection. */
    static PeerAuthorizer anyOf(Set<SpiffeId> ids) {
        Set<SpiffeId> allowed = Set.copyOf(requireNonNull(ids, "ids"));
        return engine -> allowed;
    }

    /**
     * Accepts, per connection, the IDs {@code lookup} returns for the host the client dialled
     * ({@link SSLEngine#getPeerHost()}, the host given to {@code SslContext.newHandler}); an egress maps the
     * exported host to its service's {@code serviceAccounts}. A {@code null} host or answer refuses every peer.
     */
    static PeerAuthorizer byPeerHost(Function<String, Set<SpiffeId>> lookup) {
        requireNonNull(lookup, "lookup");
        return engine -> {
            String host = engine == null ? null : engine.getPeerHost();
            Set<SpiffeId> allowed = host == null ? null : lookup.apply(host);
            return allowed == null ? Set.of() : allowed;
        };
    }

    /**
     * Accepts any ID in {@code trustDomain} (whose chain {@link SvidVerifier} checked against that trust domain's
     * roots): an egress admitting any workload of its own mesh. An ID of another trust domain is refused as
     * {@code spiffe-id-mismatch}.
     */
    static PeerAuthorizer anyInTrustDomain(String trustDomain) {
        String domain = SpiffeId.validateTrustDomain(requireNonNull(trustDomain, "trustDomain"));
        return new PeerAuthorizer() {
            @Override
            public Set<SpiffeId> allowed(SSLEngine engine) {
                return null;
            }

            @Override
            public void authorize(SpiffeId presented, SSLEngine engine) throws PeerRefusedException {
                requireNonNull(presented, "presented");
                if (!presented.trustDomain().equals(domain)) {
                    throw new PeerRefusedException(RefusalReason.SPIFFE_ID_MISMATCH, "presented " + presented
                            + ", expected any identity in trust domain " + domain);
                }
            }
        };
    }

    /**
     * Accepts every peer whose certificate verified against a trust bundle, leaving authorization to a later layer
     * that can answer in its own protocol: the discovery listener answers a wrong principal with HTTP 403, as the
     * reference does, rather than failing the handshake.
     */
    static PeerAuthorizer anyVerified() {
        return new PeerAuthorizer() {
            @Override
            public Set<SpiffeId> allowed(SSLEngine engine) {
                return null;
            }

            @Override
            public void authorize(SpiffeId presented, SSLEngine engine) {
                requireNonNull(presented, "presented");
            }
        };
    }
}
