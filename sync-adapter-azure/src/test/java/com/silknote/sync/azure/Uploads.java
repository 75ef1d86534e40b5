package com.silknote.sync.azure;

import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.ContentMd5;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
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

    /** As {@link #of}, carrying the MD5 as a spooling pass does. */
    static BlobUpload withMd5(byte[] content) {
        return new BlobUpload(hash(content), content.length, "application/pdf", () -> new ByteArrayInputStream(content),
                Optional.of(md5(content)));
    }

    /**
     * Both digests and the size of {@code hashed}, as its spooling pass gave them, but the source now streams
     * {@code actual}: a spool file that changed after it was hashed.
     */
    static BlobUpload changedSinceHashed(byte[] hashed, byte[] actual) {
        return new BlobUpload(hash(hashed), hashed.length, "application/pdf", () -> new ByteArrayInputStream(actual),
                Optional.of(md5(hashed)));
    }

    static ContentMd5 md5(byte[] content) {
        try {
            return ContentMd5.ofBytes(MessageDigest.getInstance("MD5").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
