package io.fedgate.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Bytes moved, reported by JMH as a secondary result {@code :bytes} in the benchmark's throughput unit (bytes/s with
 * {@code ops/s}), next to the operations per second. A benchmark method takes it as a parameter and adds what one
 * invocation moved; JMH requires the public field.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class ByteCounter {
    /** Bytes moved in this iteration so far. */
    public long bytes;

    @Setup(Level.Iteration)
    public void reset() {
        bytes = 0;
    }
}
