package io.fedgate.core.internal.config;

import java.util.Optional;
import java.util.regex.Pattern;

import io.netty.util.NetUtil;

/**
 * Syntax checks for the names Kubernetes and the federation resources use. Each {@code check*} method returns the
 * reason a value is invalid, phrased to follow the quoted value ({@code 'x' is not ...}), or empty when it is valid.
 */
public final class Names {
    private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern HOST_LABEL = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?");
    private static final Pattern IANA_SERVICE_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern LABEL_NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
    private static final Pattern DOTTED_DIGITS = Pattern.compile("[0-9.]+");

    /** Longest DNS-1123 label (one dot-separated part of a name). */
    public static final int MAX_LABEL_LENGTH = 63;
    /** Longest DNS-1123 subdomain. */
    public static final int MAX_SUBDOMAIN_LENGTH = 253;

    private Names() {
    }

    /** A DNS-1123 label: namespaces, gateway names, port names. */
    public static Optional<String> checkDns1123Label(String value) {
        if (value.length() <= MAX_LABEL_LENGTH && DNS1123_LABEL.matcher(value).matches()) {
            return Optional.empty();
        }
        return Optional.of(quote(value) + " is not a DNS-1123 label "
                + "(lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)");
    }

    /** A DNS-1035 label, as Kubernetes requires for Service names: like a DNS-1123 label, but starts with a letter. */
    public static Optional<String> checkDns1035Label(String value) {
        if (value.length() <= MAX_LABEL_LENGTH && DNS1035_LABEL.matcher(value).matches()) {
            return Optional.empty();
        }
        return Optional.of(quote(value) + " is not a DNS-1035 label "
                + "(lowercase letters, digits and '-', starting with a letter and ending with a letter or digit, "
                + "at most 63 characters)");
    }

    /** A DNS-1123 subdomain: most Kubernetes object names, domain suffixes. */
    public static Optional<String> checkDns1123Subdomain(String value) {
        if (isDns1123Subdomain(value)) {
            return Optional.empty();
        }
        return Optional.of(quote(value) + " is not a DNS-1123 subdomain "
                + "(dot-separated lowercase labels of letters, digits and '-', at most 253 characters)");
    }

    /** Whether {@code value} is a DNS-1123 subdomain. */
    public static boolean isDns1123Subdomain(String value) {
        if (value.isEmpty() || value.length() > MAX_SUBDOMAIN_LENGTH) {
            return false;
        }
        for (String label : value.split("\\.", -1)) {
            if (label.length() > MAX_LABEL_LENGTH || !DNS1123_LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    /**
     * A host to connect to: a DNS name (letters of either case), an IPv4 literal or an IPv6 literal without brackets.
     * Ports are rejected because the federation resources carry ports in fields of their own.
     */
    public static Optional<String> checkHost(String value) {
        if (value.isEmpty()) {
            return Optional.of("'' is not a DNS name or IP address");
        }
        if (value.indexOf(':') >= 0 || value.startsWith("[")) {
            if (NetUtil.isValidIpV6Address(value)) {
                return value.startsWith("[")
                        ? Optional.of(quote(value) + " must be written without brackets")
                        : Optional.empty();
            }
            return Optional.of(quote(value) + " is not a DNS name or IP address (a port does not belong here)");
        }
        if (DOTTED_DIGITS.matcher(value).matches()) {
            return NetUtil.isValidIpV4Address(value)
                    ? Optional.empty()
                    : Optional.of(quote(value) + " is not a valid IPv4 address");
        }
        if (isHostName(value)) {
            return Optional.empty();
        }
        return Optional.of(quote(value) + " is not a DNS name or IP address");
    }

    private static boolean isHostName(String value) {
        if (value.length() > MAX_SUBDOMAIN_LENGTH) {
            return false;
        }
        for (String label : value.split("\\.", -1)) {
            if (label.length() > MAX_LABEL_LENGTH || !HOST_LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    /** An IPv4 literal. */
    public static boolean isIpv4(String value) {
        return NetUtil.isValidIpV4Address(value);
    }

    /** An IPv6 literal without brackets. */
    public static boolean isIpv6(String value) {
        return !value.startsWith("[") && NetUtil.isValidIpV6Address(value);
    }

    /** A DNS name of letters, digits and '-' (either case), such as an EndpointSlice FQDN address. */
    public static boolean isDnsName(String value) {
        return !value.isEmpty() && !DOTTED_DIGITS.matcher(value).matches() && isHostName(value);
    }

    /**
     * An IANA service name, as a named {@code targetPort} must be: at most 15 lowercase letters, digits and '-',
     * with at least one letter, no leading, trailing or doubled '-'.
     */
    public static Optional<String> checkIanaServiceName(String value) {
        boolean valid = value.length() <= 15
                && IANA_SERVICE_NAME.matcher(value).matches()
                && !value.contains("--")
                && value.chars().anyMatch(c -> c >= 'a' && c <= 'z');
        return valid ? Optional.empty() : Optional.of(quote(value) + " is not a port name "
                + "(at most 15 lowercase letters, digits and '-', with at least one letter)");
    }

    /** A label key: an optional DNS-1123 subdomain prefix and '/', then a name of at most 63 characters. */
    public static Optional<String> checkLabelKey(String key) {
        int slash = key.indexOf('/');
        String prefix = slash < 0 ? "" : key.substring(0, slash);
        String name = slash < 0 ? key : key.substring(slash + 1);
        boolean valid = (slash < 0 || isDns1123Subdomain(prefix))
                && name.length() <= MAX_LABEL_LENGTH
                && LABEL_NAME.matcher(name).matches();
        return valid ? Optional.empty() : Optional.of(quote(key) + " is not a label key "
                + "(an optional DNS subdomain and '/', then at most 63 letters, digits, '-', '_' or '.', "
                + "starting and ending with a letter or digit)");
    }

    /** A label value: empty, or at most 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric. */
    public static Optional<String> checkLabelValue(String value) {
        boolean valid = value.isEmpty()
                || (value.length() <= MAX_LABEL_LENGTH && LABEL_NAME.matcher(value).matches());
        return valid ? Optional.empty() : Optional.of(quote(value) + " is not a label value "
                + "(at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)");
    }

    /** Quotes a value for a message, as {@code SpiffeId}'s messages do. */
    public static String quote(String value) {
        return "'" + value + "'";
    }
}
