package io.fedgate.core.internal.discovery;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;

/**
 * The value hashing of Go's {@code github.com/mitchellh/hashstructure/v2} in {@code FormatV2}, with its default
 * hasher, 64-bit FNV-1 (multiply, then XOR each byte; not FNV-1a). Callers describe a Go value bottom-up: leaf
 * hashes ({@link #string}, {@link #int64}, {@link #int32}), slices ({@link #unorderedSlice}, {@link #set}) and
 * structs ({@link #struct}). What the library does, and therefore what this class reproduces:
 *
 * <ul>
 *   <li>A string hashes as FNV-1 of its bytes. A number is written little-endian at its size: Go {@code int} is
 *       widened to {@code int64} (8 bytes), {@code int32} takes 4 bytes, {@code uint64} 8.</li>
 *   <li>Pointers are dereferenced; a value behind a pointer hashes like the value.</li>
 *   <li>A struct starts from the hash of its type name (unqualified, e.g. {@code ServiceMessage}). For each exported
 *       field that is not tagged {@code hash:"ignore"}, in declaration order, the hash becomes
 *       {@code finish(h XOR ordered(hash(fieldName), hash(value)))}. An embedded struct is a field named after its
 *       type. Ignored fields contribute nothing, not even a {@code finish}.</li>
 *   <li>{@code ordered(a, b)} is FNV-1 of {@code a} then {@code b}, 8 bytes each little-endian; {@code finish(a)} is
 *       FNV-1 of {@code a}'s 8 bytes.</li>
 *   <li>With {@code SlicesAsSets}, a slice hashes as the XOR of its elements' hashes (0 when empty or nil), without
 *       {@code finish}. Only a field tagged {@code hash:"set"} gets {@code finish} applied to that XOR.</li>
 * </ul>
 */
public final class HashStructure {
    private static final long FNV64_OFFSET_BASIS = 0xcbf29ce484222325L;
    private static final long FNV64_PRIME = 0x100000001b3L;

    private HashStructure() {
    }

    /** A Go {@code string}. */
    public static long string(String value) {
        long hash = FNV64_OFFSET_BASIS;
        for (byte b : requireNonNull(value, "value").getBytes(StandardCharsets.UTF_8)) {
            hash = (hash * FNV64_PRIME) ^ (b & 0xff);
        }
        return hash;
    }

    /** A Go {@code int}, {@code int64} or {@code uint64} (the bits of {@code value}, 8 bytes). */
    public static long int64(long value) {
        return littleEndian(FNV64_OFFSET_BASIS, value, Long.BYTES);
    }

    /** A Go {@code int32} (4 bytes). */
    public static long int32(int value) {
        return littleEndian(FNV64_OFFSET_BASIS, value, Integer.BYTES);
    }

    /** A slice hashed as a set through {@code SlicesAsSets} alone: the XOR of its elements' hashes. */
    public static long unorderedSlice(long... elementHashes) {
        long xor = 0;
        for (long element : elementHashes) {
            xor ^= element;
        }
        return xor;
    }

    /** A slice field tagged {@code hash:"set"}, given the XOR of its elements' hashes. */
    public static long set(long xorOfElementHashes) {
        return finish(xorOfElementHashes);
    }

    /** Starts the hash of a struct whose Go type is named {@code typeName}. */
    public static Struct struct(String typeName) {
        return new Struct(string(typeName));
    }

    private static long ordered(long first, long second) {
        return littleEndian(littleEndian(FNV64_OFFSET_BASIS, first, Long.BYTES), second, Long.BYTES);
    }

    private static long finish(long value) {
        return littleEndian(FNV64_OFFSET_BASIS, value, Long.BYTES);
    }

    private static long littleEndian(long hash, long value, int bytes) {
        for (int i = 0; i < bytes; i++) {
            hash = (hash * FNV64_PRIME) ^ ((value >>> (8 * i)) & 0xff);
        }
        return hash;
    }

    /** A struct's hash being built; add its hashed fields in declaration order. */
    public static final class Struct {
        private long hash;

        private Struct(long typeNameHash) {
            this.hash = typeNameHash;
        }

        /** Adds field {@code name} whose value hashes to {@code valueHash}. */
        public Struct field(String name, long valueHash) {
            hash = finish(hash ^ ordered(string(name), valueHash));
            return this;
        }

        /** The struct's hash. */
        public long hash() {
            return hash;
        }
    }
}
