/** JMH microbenchmarks of the gateways' per-connection and per-byte work; run from {@code bench/target/benchmarks.jar}. */
package io.fedgate.bench;
