package io.fedgate.core.routing;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * The server name of a ClientHello is the downstream's to choose: {@link SniName#parse} must take any string
 * without throwing, give a lowercase host and a port of 0-65535, read a name and its upper-case form (ASCII) alike,
 * and give back what {@link SniName#outbound} writes for a parsed port (hosts that still end in a dot aside). Seeds: the names of the ClientHello corpus
 * and near misses of Istio's form.
 */
class SniNameFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void anyServerNameParses(byte[] input) {
        String serverName = new String(input, StandardCharsets.UTF_8);
        SniName name = SniName.parse(serverName);
        if (!name.host().equals(name.host().toLowerCase(Locale.ROOT)) || name.port() < 0 || name.port() > 65535) {
            throw new AssertionError(serverName + " parsed as " + name);
        }
        if (serverName.chars().allMatch(c -> c < 0x80)) {
            SniName upper = SniName.parse(serverName.toUpperCase(Locale.ROOT));
            if (!upper.equals(name)) {
                throw new AssertionError(serverName + " parsed as " + name + ", in upper case as " + upper);
            }
        }
        // Only one trailing dot is the root's: "host.." keeps one, and such a host is no DNS name to route to.
        if (name.hasPort() && !name.host().endsWith(".")) {
            SniName again = SniName.parse(SniName.outbound(name.port(), name.host()));
            if (!again.equals(name)) {
                throw new AssertionError(serverName + " parsed as " + name + ", its outbound form as " + again);
            }
        }
    }
}
