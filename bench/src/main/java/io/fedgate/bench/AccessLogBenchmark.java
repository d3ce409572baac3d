package io.fedgate.bench;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.fedgate.core.listener.ConnectionRecord;
import io.fedgate.core.logging.AccessLog;

/**
 * What the access log costs the event loop per connection: formatting one relayed connection's JSON line (the
 * writing happens on the log's own thread). A full mTLS handshake costs the ingress about 600 us of CPU, so this
 * is the fraction of that the access log adds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class AccessLogBenchmark {
    private ConnectionRecord record;

    @Setup
    public void setUp() {
        record = new ConnectionRecord("service", new InetSocketAddress("10.1.2.3", 48352));
        record.serverName("outbound_.9080_._.ratings.bookinfo.svc.green-mesh-exports.local");
        record.peerSpiffeId("spiffe://green-mesh.local/ns/green-mesh-system/sa/egress-red-mesh-service-account");
        record.relayStarted("outbound|9080||ratings.bookinfo.svc.cluster.local", new InetSocketAddress("10.0.0.7", 9080));
        record.peer("green-mesh");
        record.downstreamClosed();
        if (!record.relayEnded(1_048_576, 1_048_576, null)) {
            throw new IllegalStateException("record not complete");
        }
    }

    @Benchmark
    public String formatLine() {
        return AccessLog.format(record);
    }
}
