package com.silknote.sync.vsrx.http.internal;

import com.silknote.sync.core.exception.ContentRejectedException;
import com.silknote.sync.core.exception.MalformedResponseException;
import com.silknote.sync.core.model.SkipReason;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Passes a response body through while counting and hashing it, so a caller that reads to the end never
 * takes a truncated or altered body for a good one:
 * <ul>
 *   <li>the transport failing mid-body (reset, connection closed before Content-Length bytes, read
 *       timeout) throws {@link IOException} (caused by a {@link MalformedResponseException}); the engine
 *       treats it as transient and downloads again;</li>
 *   <li>a body that ends cleanly but differs from what was declared throws
 *       {@link ContentRejectedException} from {@code read}: {@link SkipReason#TRUNCATED} (fewer bytes),
 *       {@link SkipReason#SIZE_MISMATCH} (more bytes, at once) or {@link SkipReason#CHECKSUM_MISMATCH} (at
 *       end of stream); the engine skips that file and goes on.</li>
 * </ul>
 */
public final class VerifyingInputStream extends FilterInputStream {
    private final long expectedLength;
    private final byte[] expectedSha256;
    private final MessageDigest digest;
    private long count;
    private boolean verified;

    public VerifyingInputStream(InputStream in, long expectedLength, byte[] expectedSha256) {
        super(in);
        if (expectedLength < 0) {
            throw new IllegalArgumentException("expectedLength must be >= 0");
        }
        if (expectedSha256.length != 32) {
            throw new IllegalArgumentException("a SHA-256 digest has 32 bytes");
        }
        this.expectedLength = expectedLength;
        this.expectedSha256 = expectedSha256.clone();
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        int n;
        try {
            n = super.read(b, off, len);
        } catch (IOException e) {
            throw new IOException("content stream failed after " + count + " of " + expectedLength + " bytes",
                    new MalformedResponseException("content truncated or reset", e));
        }
        if (n < 0) {
            verifyAtEnd();
            return -1;
        }
        count += n;
        if (count > expectedLength) {
            throw new ContentRejectedException(SkipReason.SIZE_MISMATCH,
                    "content longer than its declared length " + expectedLength);
        }
        digest.update(b, off, n);
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buf = new byte[8192];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public synchronized void mark(int readlimit) {
        // not supported
    }

    @Override
    public synchronized void reset() throws IOException {
        throw new IOException("mark/reset not supported");
    }

    private void verifyAtEnd() throws IOException {
        if (verified) {
            return;
        }
        if (count != expectedLength) {
            throw new ContentRejectedException(SkipReason.TRUNCATED,
                    "content ended after " + count + " of " + expectedLength + " declared bytes");
        }
        if (!MessageDigest.isEqual(digest.digest(), expectedSha256)) {
            throw new ContentRejectedException(SkipReason.CHECKSUM_MISMATCH,
                    "content does not match its declared SHA-256");
        }
        verified = true;
    }
}
