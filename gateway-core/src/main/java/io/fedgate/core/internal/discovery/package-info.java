/**
 * Internals of {@code io.fedgate.core.discovery}: the Go-compatible structure hashing behind the checksum and the
 * per-channel watch stream. Not API: anything here may change without notice.
 */
package io.fedgate.core.internal.discovery;
