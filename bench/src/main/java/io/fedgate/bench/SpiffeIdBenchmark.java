package io.fedgate.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.fedgate.core.spiffe.SpiffeId;

/**
 * Cost of parsing a SPIFFE ID, which runs on every mTLS handshake (the leaf's URI SAN) and for every
 * principal in the config.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SpiffeIdBenchmark {

    private final String uri = "spiffe://green-mesh.local/ns/green-mesh-system/sa/egress-red-mesh-service-account";
    private final String principal = "green-mesh.local/ns/green-mesh-system/sa/egress-red-mesh-service-account";

    @Benchmark
    public SpiffeId parseUri() {
        return SpiffeId.parse(uri);
    }

    @Benchmark
    public SpiffeId parsePrincipal() {
        return SpiffeId.parsePrincipal(principal);
    }
}
