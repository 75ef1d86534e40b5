package com.silknote.sync.testkit;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.ContentHash;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 helpers for tests. */
public final class TestHashes {
    private TestHashes() {
    }

    /** SHA-256 of {@code bytes}. */
    public static ContentHash sha256(byte[] bytes) {
        requireNonNull(bytes, "bytes");
        try {
            return ContentHash.ofBytes(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** SHA-256 of the UTF-8 encoding of {@code text}. */
    public static ContentHash sha256(String text) {
        return sha256(requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8));
    }

    /** A valid hash that differs from {@code hash} (its first digit changed): for lying checksums. */
    public static ContentHash different(ContentHash hash) {
        requireNonNull(hash, "hash");
        String hex = hash.hex();
        char first = hex.charAt(0) == '0' ? '1' : '0';
        return ContentHash.ofHex(first + hex.substring(1));
    }
}
