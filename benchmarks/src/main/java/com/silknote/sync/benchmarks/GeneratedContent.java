package com.silknote.sync.benchmarks;

import static java.util.Objects.requireNonNull;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Deterministic file content, produced as a stream and never held whole in memory: a type signature
 * (PDF or PNG magic bytes, so content sniffing accepts it) followed by pseudo-random bytes from a seed.
 * Distinct seeds give distinct content.
 *
 * @param kind the file type
 * @param size total length in bytes (at least the signature's length)
 * @param seed the seed of the random part
 */
record GeneratedContent(Kind kind, long size, long seed) {

    /** File types with their MIME type and leading signature. */
    enum Kind {
        PDF("application/pdf", "%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n".getBytes(StandardCharsets.ISO_8859_1)),
        PNG("image/png", new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});

        final String mimeType;
        private final byte[] signature;

        Kind(String mimeType, byte[] signature) {
            this.mimeType = mimeType;
            this.signature = signature;
        }

        String extension() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    GeneratedContent {
        requireNonNull(kind, "kind");
        if (size < kind.signature.length) {
            throw new IllegalArgumentException("size below the signature length");
        }
    }

    /** A fresh stream of the content from its first byte. */
    InputStream open() {
        return new Stream(this);
    }

    /** The whole content in a new array (only for small files). */
    byte[] bytes() {
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("too large for an array");
        }
        byte[] out = new byte[(int) size];
        try (InputStream in = open()) {
            int off = 0;
            while (off < out.length) {
                off += in.read(out, off, out.length - off);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    /** SHA-256 of the content as lower-case hex, computed by streaming it once. */
    String sha256Hex() {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = open()) {
            int n;
            while ((n = in.read(buffer)) != -1) {
                sha.update(buffer, 0, n);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static final class Stream extends InputStream {
        private final byte[] signature;
        private final long size;
        private final SplittableRandom random;
        private long position;
        private long word;
        private int wordLeft;

        Stream(GeneratedContent c) {
            this.signature = c.kind.signature;
            this.size = c.size;
            this.random = new SplittableRandom(c.seed);
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (position >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - position);
            for (int i = 0; i < n; i++) {
                if (position < signature.length) {
                    b[off + i] = signature[(int) position];
                } else {
                    if (wordLeft == 0) {
                        word = random.nextLong();
                        wordLeft = 8;
                    }
                    b[off + i] = (byte) word;
                    word >>>= 8;
                    wordLeft--;
                }
                position++;
            }
            return n;
        }

        @Override
        public long skip(long n) {
            long skipped = 0;
            byte[] buffer = new byte[8192];
            while (skipped < n) {
                int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
                if (r < 0) {
                    break;
                }
                skipped += r;
            }
            return skipped;
        }

        @Override
        public int available() {
            return (int) Math.min(Integer.MAX_VALUE, size - position);
        }
    }
}
