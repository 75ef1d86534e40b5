package com.silknote.sync.azure;

import com.silknote.sync.core.exception.ContentRejectedException;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.ContentMd5;
import com.silknote.sync.core.model.SkipReason;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Digests and the refusals of content that does not match its declaration. */
final class Digests {

    private Digests() {
    }

    /**
     * For an upload that carries no MD5: checks {@code data[0..length)} against the declared SHA-256 and
     * returns its MD5.
     *
     * @throws ContentRejectedException {@code CHECKSUM_MISMATCH} when the SHA-256 differs
     */
    static ContentMd5 verified(BlobUpload upload, byte[] data, int length) {
        MessageDigest sha = sha256();
        sha.update(data, 0, length);
        verifyHash(upload, sha.digest());
        MessageDigest md5 = md5();
        md5.update(data, 0, length);
        return ContentMd5.ofBytes(md5.digest());
    }

    static void verifyHash(BlobUpload upload, byte[] sha256) {
        ContentHash actual = ContentHash.ofBytes(sha256);
        if (!actual.equals(upload.hash())) {
            throw new ContentRejectedException(SkipReason.CHECKSUM_MISMATCH,
                    "content declared as " + upload.hash() + " hashes to " + actual);
        }
    }

    static ContentRejectedException sizeMismatch(BlobUpload upload, long actual) {
        return new ContentRejectedException(SkipReason.SIZE_MISMATCH,
                "content of " + upload.hash() + " has " + actual + " bytes, declared " + upload.size());
    }

    static ContentRejectedException longer(BlobUpload upload) {
        return new ContentRejectedException(SkipReason.SIZE_MISMATCH,
                "content of " + upload.hash() + " is longer than the declared " + upload.size() + " bytes");
    }

    static MessageDigest sha256() {
        return digest("SHA-256");
    }

    static MessageDigest md5() {
        return digest("MD5");
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no " + algorithm, e);
        }
    }
}
