package io.fedgate.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

import io.fedgate.core.discovery.DiscoveryChecksum;
import io.fedgate.core.discovery.DiscoveryJson;
import io.fedgate.core.discovery.ServiceListMessage;
import io.fedgate.core.discovery.ServiceMessage;
import io.fedgate.core.discovery.ServicePortMessage;

/**
 * Cost of the discovery API's two per-list steps over 1, 100 and 1000 exported services: the
 * {@link DiscoveryChecksum} of the list (computed whenever the exports change, and compared by every watching peer)
 * and the {@link DiscoveryJson} encoding of the list into a pooled buffer (every {@code GET /v1/services/<peer>} and
 * every full resync). Both grow with the number of services a mesh exports to a peer.
 *
 * <p>The services are shaped like red's exports to green: {@code <name>.<namespace>.svc.green-mesh-exports.local},
 * one HTTP port, and red's ingress for green as the one service account.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class DiscoveryBenchmark {
    private static final List<String> NAMESPACES = List.of("bookinfo", "shop", "payments", "search");
    private static final String SERVICE_ACCOUNT =
            "spiffe://red-mesh.local/ns/red-mesh-system/sa/ingress-green-mesh-service-account";

    /** How many services the list holds. */
    @Param({"1", "100", "1000"})
    public int services;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private List<ServiceMessage> serviceMessages;
    private ServiceListMessage list;

    @Setup
    public void setUp() {
        List<ServiceMessage> messages = new ArrayList<>(services);
        for (int i = 0; i < services; i++) {
            String name = "service-" + i;
            String namespace = NAMESPACES.get(i % NAMESPACES.size());
            messages.add(new ServiceMessage(name, namespace, name + "." + namespace + ".svc.green-mesh-exports.local",
                    List.of(new ServicePortMessage("http", 9080, "HTTP")), List.of(SERVICE_ACCOUNT)));
        }
        serviceMessages = List.copyOf(messages);
        list = ServiceListMessage.of(serviceMessages);
        if (list.services().size() != services) {
            throw new IllegalStateException(list.services().size() + " services in the list, expected " + services);
        }
        ByteBuf encoded = DiscoveryJson.encode(list, alloc);
        try {
            ServiceListMessage decoded = DiscoveryJson.readServiceList(encoded);
            if (!decoded.equals(list) || !decoded.checksumMatches()) {
                throw new IllegalStateException("the encoded list does not read back as itself: " + decoded);
            }
        } finally {
            encoded.release();
        }
    }

    @Benchmark
    public long checksum() {
        return DiscoveryChecksum.serviceList(serviceMessages);
    }

    @Benchmark
    public int encodeJson() {
        ByteBuf encoded = DiscoveryJson.encode(list, alloc);
        try {
            return encoded.readableBytes();
        } finally {
            encoded.release();
        }
    }
}
