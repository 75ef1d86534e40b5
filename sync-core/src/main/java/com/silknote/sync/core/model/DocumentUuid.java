package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * The uuid of a Silknote document. Documents made by the sync get a name-based uuid (version 5, SHA-1)
 * derived from the VSRX file id under a fixed namespace, so a re-run after a crash can never create a
 * second document for the same file. Safe to log.
 */
public record DocumentUuid(UUID value) implements Comparable<DocumentUuid> {
    /** Fixed namespace of vsrx-sync document uuids. Never change it: existing documents depend on it. */
    public static final UUID NAMESPACE = UUID.fromString("6b3f0c1e-9f7a-5d2c-8e41-5a1c0f9b7d23");

    public DocumentUuid {
        requireNonNull(value, "value");
    }

    /** The uuid (v5) of the document that represents the given VSRX file. Deterministic. */
    public static DocumentUuid forVsrxFile(VsrxFileId fileId) {
        requireNonNull(fileId, "fileId");
        return new DocumentUuid(nameUuidV5(NAMESPACE, fileId.value()));
    }

    /**
     * The uuid (v5) of the conflict copy the sync makes of {@code original}'s losing content
     * ({@link ConflictStrategy#KEEP_BOTH}); deterministic, so a re-run after a crash finds the copy instead of
     * making another.
     */
    public static DocumentUuid conflictCopy(DocumentUuid original, ContentHash losing) {
        requireNonNull(original, "original");
        requireNonNull(losing, "losing");
        return new DocumentUuid(nameUuidV5(NAMESPACE, "conflict-copy:" + original.value() + ":" + losing.hex()));
    }

    public static DocumentUuid of(String value) {
        return new DocumentUuid(UUID.fromString(value));
    }

    static UUID nameUuidV5(UUID namespace, String name) {
        MessageDigest sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 unavailable", e);
        }
        byte[] ns = new byte[16];
        long msb = namespace.getMostSignificantBits();
        long lsb = namespace.getLeastSignificantBits();
        for (int i = 0; i < 8; i++) {
            ns[i] = (byte) (msb >>> (8 * (7 - i)));
            ns[8 + i] = (byte) (lsb >>> (8 * (7 - i)));
        }
        sha1.update(ns);
        byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | (hash[i] & 0xff);
            lo = (lo << 8) | (hash[8 + i] & 0xff);
        }
        return new UUID(hi, lo);
    }

    @Override
    public int compareTo(DocumentUuid other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
