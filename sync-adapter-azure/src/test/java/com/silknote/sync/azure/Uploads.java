package com.silknote.sync.azure;

import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.SplittableRandom;

/** Test content: seeded bytes, their upload declaration, and bytes of a stream. */
final class Uploads {

    private Uploads() {
    }

    static byte[] bytes(long seed, int size) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    static ContentHash hash(byte[] content) {
        return ContentHash.ofBytes(sha256().digest(content));
    }

    static BlobUpload of(byte[] content) {
        return new BlobUpload(hash(content), content.length, "application/pdf", () -> new ByteArrayInputStream(content));
    }

    /** Declares {@code declared} but streams {@code actual}. */
    static BlobUpload lying(ContentHash declared, long declaredSize, byte[] actual) {
        return new BlobUpload(declared, declaredSize, "application/pdf", () -> new ByteArrayInputStream(actual));
    }

    static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
