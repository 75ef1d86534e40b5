package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.Base64;

/**
 * MD5 of content: the transport checksum blob services verify ({@code Content-MD5}), never an address (that
 * is {@link ContentHash}). Immutable; {@link #bytes()} returns a copy.
 */
public final class ContentMd5 {
    private final byte[] digest;

    private ContentMd5(byte[] digest) {
        this.digest = digest;
    }

    /**
     * @param md5 the 16-byte digest (copied)
     * @throws IllegalArgumentException when it does not have 16 bytes
     */
    public static ContentMd5 ofBytes(byte[] md5) {
        requireNonNull(md5, "md5");
        if (md5.length != 16) {
            throw new IllegalArgumentException("an MD5 digest has 16 bytes, got " + md5.length);
        }
        return new ContentMd5(md5.clone());
    }

    /** The digest; a copy. */
    public byte[] bytes() {
        return digest.clone();
    }

    /** The digest in base64, as HTTP's {@code Content-MD5} carries it. */
    public String base64() {
        return Base64.getEncoder().encodeToString(digest);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContentMd5 other && Arrays.equals(digest, other.digest);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(digest);
    }

    @Override
    public String toString() {
        return "md5:" + base64();
    }
}
