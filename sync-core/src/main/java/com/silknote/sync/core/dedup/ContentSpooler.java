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
import java.util.concurrent.atomic.AtomicLong;

/**
 * Streams content to a spool while computing its SHA-256 (the blob's address) and, when the blob store uses
 * one, its MD5 (the blob service's transport checksum) and counting bytes, with one buffer of at most
 * {@value #BUFFER_SIZE} bytes: every digest a blob store needs comes from this one pass, so the upload does
 * not read the spool again to hash it. The size limit is enforced while streaming (at most
 * {@code maxBytes + 1} bytes are read). Thread-safe.
 *
 * <p>The spool is a temporary file, except for content declared at most {@value #MEMORY_FILE_MAX} bytes long
 * while the spooler's memory budget has room: such content is held in a byte array (issue 12 item 4: a small
 * file costs no file creation, write, read-back and delete). The budget bounds the bytes of all such spools
 * alive at once, so peak heap does not grow with file size or count; content that turns out longer than
 * declared moves to a file on the way.
 */
public final class ContentSpooler {
    /** Read buffer size. */
    public static final int BUFFER_SIZE = 64 * 1024;
    /** How many leading bytes are kept for type sniffing. */
    public static final int HEAD_SIZE = 8 * 1024;
    /** Largest declared length held in memory. */
    public static final int MEMORY_FILE_MAX = 128 * 1024;

    private final Optional<Path> directory;
    private final long maxBytes;
    private final boolean md5;
    /** Bytes of in-memory spools that may still be taken; 0 = every spool is a file. */
    private final AtomicLong memoryLeft;
    private final long memoryBudget;

    /** Receives progress while streaming: called after every buffer with the bytes read so far. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (delta, total) -> { };

        void onBytes(long delta, long total);
    }

    /**
     * A spooler writing into {@code directory} (empty: the JVM's default temporary-file directory) and
     * refusing more than {@code maxBytes}; every spool is a file and carries an MD5.
     *
     * @throws NullPointerException     when directory is null
     * @throws IllegalArgumentException when maxBytes is below 0
     */
    public ContentSpooler(Optional<Path> directory, long maxBytes) {
        this(directory, maxBytes, true, 0);
    }

    /**
     * A spooler that computes the MD5 only when {@code md5} is set (issue 12 item 4: the file-system store has
     * no use for it, Azure sends it as {@code Content-MD5}) and holds small content in memory up to
     * {@code memoryBudget} bytes at once (0: never).
     *
     * @throws NullPointerException     when directory is null
     * @throws IllegalArgumentException when maxBytes or memoryBudget is below 0
     */
    public ContentSpooler(Optional<Path> directory, long maxBytes, boolean md5, long memoryBudget) {
        this.directory = requireNonNull(directory, "directory");
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must be >= 0");
        }
        if (memoryBudget < 0) {
            throw new IllegalArgumentException("memoryBudget must be >= 0");
        }
        this.maxBytes = maxBytes;
        this.md5 = md5;
        this.memoryBudget = memoryBudget;
        this.memoryLeft = new AtomicLong(memoryBudget);
    }

    /**
     * Spools {@code in} (not closed here).
     *
     * @param expectedLength the declared length of the stream, when known: ending earlier is
     *                       {@link SkipReason#TRUNCATED}
     * @param progress       progress callback (may throw to abort; the spool is then dropped)
     * @return the spooled content; the caller closes it to delete the file (or free the memory)
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
        Sink sink = new Sink(reserve(expectedLength));
        boolean ok = false;
        try {
            MessageDigest sha = digest("SHA-256");
            MessageDigest md5 = this.md5 ? digest("MD5") : null;
            byte[] buffer = new byte[bufferSize(expectedLength)];
            byte[] head = new byte[(int) Math.min(HEAD_SIZE, expectedLength.orElse(HEAD_SIZE))];
            int headLength = 0;
            long total = 0;
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
                    if (headLength + n > head.length) {
                        head = Arrays.copyOf(head, Math.min(HEAD_SIZE, headLength + n));
                    }
                    int c = Math.min(n, head.length - headLength);
                    System.arraycopy(buffer, 0, head, headLength, c);
                    headLength += c;
                }
                sha.update(buffer, 0, n);
                if (md5 != null) {
                    md5.update(buffer, 0, n);
                }
                sink.write(buffer, n);
                progress.onBytes(n, total);
            }
            if (expectedLength.isPresent() && total < expectedLength.getAsLong()) {
                throw new ContentRejectedException(SkipReason.TRUNCATED,
                        "stream ended after " + total + " of " + expectedLength.getAsLong() + " bytes");
            }
            SpooledContent spooled = sink.finish(ContentHash.ofBytes(sha.digest()),
                    md5 == null ? Optional.empty() : Optional.of(ContentMd5.ofBytes(md5.digest())), total,
                    headLength == head.length ? head : Arrays.copyOf(head, headLength));
            ok = true;
            return spooled;
        } finally {
            if (!ok) {
                sink.discard();
            }
        }
    }

    /** Takes room for content declared small enough from the budget; the bytes taken, or 0 for a file. */
    private long reserve(OptionalLong expectedLength) {
        if (memoryBudget == 0 || expectedLength.isEmpty() || expectedLength.getAsLong() > MEMORY_FILE_MAX) {
            return 0;
        }
        long want = Math.max(1, expectedLength.getAsLong());
        long left;
        do {
            left = memoryLeft.get();
            if (left < want) {
                return 0;
            }
        } while (!memoryLeft.compareAndSet(left, left - want));
        return want;
    }

    private void release(long bytes) {
        if (bytes > 0) {
            memoryLeft.addAndGet(bytes);
        }
    }

    /** Bytes of the memory budget not taken by live in-memory spools. */
    public long memoryAvailable() {
        return memoryLeft.get();
    }

    /** The spool being written: a byte array of the reserved size, or a file once it does not fit. */
    private final class Sink {
        private long reserved;
        private byte[] held;
        private int count;
        private Path file;
        private OutputStream out;

        Sink(long reserved) {
            this.reserved = reserved;
            this.held = reserved > 0 ? new byte[(int) reserved] : null;
        }

        void write(byte[] b, int n) throws IOException {
            if (held != null && count + n <= held.length) {
                System.arraycopy(b, 0, held, count, n);
                count += n;
                return;
            }
            if (out == null) {
                file = createFile();
                out = Files.newOutputStream(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                if (held != null) {
                    // longer than declared: what is held moves to the file
                    out.write(held, 0, count);
                    held = null;
                    release(reserved);
                    reserved = 0;
                }
            }
            out.write(b, 0, n);
        }

        SpooledContent finish(ContentHash hash, Optional<ContentMd5> md5, long size, byte[] head) throws IOException {
            if (out == null && held == null) {
                // empty content with nothing reserved: an empty file, as before
                file = createFile();
            }
            if (out != null) {
                out.close();
                out = null;
            }
            if (file != null) {
                return SpooledContent.inFile(file, hash, md5, size, head);
            }
            byte[] bytes = held;
            long taken = reserved;
            held = null;
            reserved = 0;
            return SpooledContent.inMemory(bytes, count, hash, md5, head, () -> release(taken));
        }

        void discard() throws IOException {
            held = null;
            release(reserved);
            reserved = 0;
            try {
                if (out != null) {
                    out.close();
                }
            } finally {
                if (file != null) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    /** A spool file named after this process; what killed processes left in the directory is removed first. */
    private Path createFile() throws IOException {
        return SpoolFiles.create(directory, "vsrx-spool-", ".part");
    }

    /**
     * The read buffer: {@value #BUFFER_SIZE} bytes, or less for content declared smaller (a 20 KiB file needs
     * no 64 KiB buffer; one extra byte notices content longer than declared).
     */
    private static int bufferSize(OptionalLong expectedLength) {
        if (expectedLength.isPresent() && expectedLength.getAsLong() < BUFFER_SIZE) {
            return (int) Math.max(expectedLength.getAsLong() + 1, 512);
        }
        return BUFFER_SIZE;
    }

    /** {@code true} when spools carry an MD5. */
    public boolean computesMd5() {
        return md5;
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
