package com.silknote.sync.core.dedup;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.ContentRejectedException;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.ContentMd5;
import com.silknote.sync.core.model.SkipReason;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Streams content to a temporary file while computing its SHA-256 (the blob's address) and MD5 (the blob
 * service's transport checksum) and counting bytes, with one fixed {@value #BUFFER_SIZE}-byte buffer: peak
 * heap does not grow with the file size, and every digest a blob store needs comes from this one pass, so
 * the upload does not read the spool again to hash it. The size limit is enforced while streaming (at most
 * {@code maxBytes + 1} bytes are read). Thread-safe.
 */
public final class ContentSpooler {
    /** Read buffer size. */
    public static final int BUFFER_SIZE = 64 * 1024;
    /** How many leading bytes are kept for type sniffing. */
    public static final int HEAD_SIZE = 8 * 1024;

    private final Optional<Path> directory;
    private final long maxBytes;

    /** Receives progress while streaming: called after every buffer with the bytes read so far. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (delta, total) -> { };

        void onBytes(long delta, long total);
    }

    /**
     * A spooler writing into {@code directory} (empty: the JVM's default temporary-file directory) and
     * refusing more than {@code maxBytes}.
     *
     * @throws NullPointerException     when directory is null
     * @throws IllegalArgumentException when maxBytes is below 0
     */
    public ContentSpooler(Optional<Path> directory, long maxBytes) {
        this.directory = requireNonNull(directory, "directory");
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must be >= 0");
        }
        this.maxBytes = maxBytes;
    }

    /**
     * Spools {@code in} (not closed here) to a new temporary file.
     *
     * @param expectedLength the declared length of the stream, when known: ending earlier is
     *                       {@link SkipReason#TRUNCATED}
     * @param progress       progress callback (may throw to abort; the spool file is then deleted)
     * @return the spooled content; the caller closes it to delete the file
     * @throws ContentRejectedException {@link SkipReason#TOO_LARGE} past {@code maxBytes},
     *                                  {@link SkipReason#TRUNCATED} when the stream ended early; nothing is
     *                                  left on disk
     * @throws IOException              when reading or writing failed; nothing is left on disk
     */
    public SpooledContent spool(InputStream in, OptionalLong expectedLength, Progress progress) throws IOException {
        requireNonNull(in, "in");
        requireNonNull(expectedLength, "expectedLength");
        requireNonNull(progress, "progress");
        if (expectedLength.isPresent() && expectedLength.getAsLong() > maxBytes) {
            throw new ContentRejectedException(SkipReason.TOO_LARGE, "declared length above limit");
        }
        Path file;
        if (directory.isPresent()) {
            Files.createDirectories(directory.get());
            file = Files.createTempFile(directory.get(), "vsrx-spool-", ".part");
        } else {
            file = Files.createTempFile("vsrx-spool-", ".part");
        }
        boolean ok = false;
        try {
            MessageDigest sha = digest("SHA-256");
            MessageDigest md5 = digest("MD5");
            byte[] buffer = new byte[BUFFER_SIZE];
            byte[] head = new byte[HEAD_SIZE];
            int headLength = 0;
            long total = 0;
            try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                int n;
                while ((n = in.read(buffer, 0, readSize(maxBytes - total, buffer.length))) != -1) {
                    if (n == 0) {
                        continue;
                    }
                    total += n;
                    if (total > maxBytes) {
                        throw new ContentRejectedException(SkipReason.TOO_LARGE, "stream above size limit");
                    }
                    if (headLength < HEAD_SIZE) {
                        int c = Math.min(n, HEAD_SIZE - headLength);
                        System.arraycopy(buffer, 0, head, headLength, c);
                        headLength += c;
                    }
                    sha.update(buffer, 0, n);
                    md5.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                    progress.onBytes(n, total);
                }
            }
            if (expectedLength.isPresent() && total < expectedLength.getAsLong()) {
                throw new ContentRejectedException(SkipReason.TRUNCATED,
                        "stream ended after " + total + " of " + expectedLength.getAsLong() + " bytes");
            }
            SpooledContent spooled = new SpooledContent(file, ContentHash.ofBytes(sha.digest()),
                    ContentMd5.ofBytes(md5.digest()), total, Arrays.copyOf(head, headLength));
            ok = true;
            return spooled;
        } finally {
            if (!ok) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** Reads at most one byte past the limit, so exceeding it is noticed without reading further. */
    private static int readSize(long remaining, int bufferLength) {
        return remaining >= bufferLength ? bufferLength : (int) remaining + 1;
    }

    /** The directory spool files are written to; empty for the JVM's default. */
    public Optional<Path> directory() {
        return directory;
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " unavailable", e);
        }
    }
}
