package com.silknote.sync.azure;

import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.SplittableRandom;

/** Seeded pseudo-random content of any size, generated while read: never held in memory. */
final class GeneratedContent {
    private final long seed;
    private final long size;

    GeneratedContent(long seed, long size) {
        this.seed = seed;
        this.size = size;
    }

    InputStream open() {
        return new InputStream() {
            private final SplittableRandom random = new SplittableRandom(seed);
            private final byte[] chunk = new byte[8192];
            private int chunkPos = chunk.length;
            private long remaining = size;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (remaining == 0) {
                    return -1;
                }
                if (chunkPos == chunk.length) {
                    random.nextBytes(chunk);
                    chunkPos = 0;
                }
                int n = (int) Math.min(Math.min(len, chunk.length - chunkPos), remaining);
                System.arraycopy(chunk, chunkPos, b, off, n);
                chunkPos += n;
                remaining -= n;
                return n;
            }
        };
    }

    /** SHA-256 of a stream, read in small pieces. */
    static ContentHash hashOf(InputStream in) throws IOException {
        MessageDigest d = Uploads.sha256();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        try (in) {
            int n;
            while ((n = in.read(buffer)) != -1) {
                d.update(buffer, 0, n);
                total += n;
            }
        }
        return ContentHash.ofBytes(d.digest());
    }

    BlobUpload upload() throws IOException {
        return new BlobUpload(hashOf(open()), size, "application/pdf", this::open);
    }
}
