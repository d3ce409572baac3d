package io.fedgate.core.demo;

/**
 * The few pieces of Kubernetes YAML the config writers share. Every scalar a user could have chosen is written
 * double-quoted, so a name like {@code "on"} or {@code 0755} stays a string.
 */
final class KubernetesYaml {
    private KubernetesYaml() {
    }

    static String metadata(String name, String namespace) {
        return "metadata:\n"
                + "  name: " + quote(name) + "\n"
                + "  namespace: " + quote(namespace) + "\n";
    }

    /** A double-quoted YAML scalar. */
    static String quote(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    static String indent(String text, String prefix) {
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\n")) {
            out.append(prefix).append(line).append('\n');
        }
        return out.toString();
    }
}
