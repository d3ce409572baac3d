/**
 * Parsing internals of {@code io.fedgate.core.config}: the YAML reader, a path-tracking field reader, one reader per
 * resource kind and the cross-resource checks. Not API: anything here may change without notice.
 */
package io.fedgate.core.internal.config;
