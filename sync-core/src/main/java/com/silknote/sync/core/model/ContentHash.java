package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.util.HexFormat;
import java.util.Locale;

/**
 * SHA-256 of a file's content, as 64 lower-case hex digits. Blobs are addressed by it. Not patient data
 * on its own; logs use {@link #shortHex()}.
 */
public record ContentHash(String hex) implements Comparable<ContentHash> {
    public ContentHash {
        requireNonNull(hex, "hex");
        if (hex.length() != 64) {
            throw new IllegalArgumentException("a SHA-256 hash has 64 hex digits, got " + hex.length());
        }
        for (int i = 0; i < 64; i++) {
            char c = hex.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!ok) {
                throw new IllegalArgumentException("not a hex digit at index " + i);
            }
        }
        hex = hex.toLowerCase(Locale.ROOT);
    }

    public static ContentHash ofHex(String hex) {
        return new ContentHash(hex);
    }

    public static ContentHash ofBytes(byte[] sha256) {
        requireNonNull(sha256, "sha256");
        if (sha256.length != 32) {
            throw new IllegalArgumentException("a SHA-256 digest has 32 bytes, got " + sha256.length);
        }
        return new ContentHash(HexFormat.of().formatHex(sha256));
    }

    /** The first 12 hex digits, for log lines. */
    public String shortHex() {
        return hex.substring(0, 12);
    }

    @Override
    public int compareTo(ContentHash other) {
        return hex.compareTo(other.hex);
    }

    @Override
    public String toString() {
        return "sha256:" + shortHex();
    }
}
