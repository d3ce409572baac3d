package io.fedgate.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The versions this build was made with, from {@code build.properties} (filled in by Maven): shaded jars lose the
 * manifests that would otherwise tell, and a start-up log should say exactly which TLS library is running.
 */
public final class BuildInfo {
    private static final Properties PROPERTIES = load();

    private BuildInfo() {
    }

    /** fedgate's own version. */
    public static String version() {
        return PROPERTIES.getProperty("fedgate.version", "unknown");
    }

    /** The Netty version built against. */
    public static String nettyVersion() {
        return PROPERTIES.getProperty("netty.version", "unknown");
    }

    /** The netty-tcnative (BoringSSL) version built against. */
    public static String tcnativeVersion() {
        return PROPERTIES.getProperty("tcnative.version", "unknown");
    }

    private static Properties load() {
        Properties properties = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }
}
