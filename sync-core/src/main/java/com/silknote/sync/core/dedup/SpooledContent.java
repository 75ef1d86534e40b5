package com.silknote.sync.core.dedup;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.ContentMd5;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * A download spooled to a temporary file or, when small, held in memory ({@link ContentSpooler}), with its
 * SHA-256 and, when the spooler computed one, its MD5 (both from the spooling pass), size and first bytes (for
 * type sniffing). Re-openable, so an upload can be retried. {@link #close()} deletes the file or frees the
 * memory. Thread-safe.
 */
public final class SpooledContent implements AutoCloseable {
    private final Path file;
    private volatile byte[] bytes;
    private final ContentHash hash;
    private final Optional<ContentMd5> md5;
    private final long size;
    private final byte[] head;
    private final Runnable onClose;
    private volatile boolean closed;

    private SpooledContent(Path file, byte[] bytes, ContentHash hash, Optional<ContentMd5> md5, long size,
            byte[] head, Runnable onClose) {
        this.file = file;
        this.bytes = bytes;
        this.hash = requireNonNull(hash, "hash");
        this.md5 = requireNonNull(md5, "md5");
        this.size = size;
        this.head = requireNonNull(head, "head");
        this.onClose = onClose;
    }

    static SpooledContent inFile(Path file, ContentHash hash, Optional<ContentMd5> md5, long size, byte[] head) {
        return new SpooledContent(requireNonNull(file, "file"), null, hash, md5, size, head, null);
    }

    static SpooledContent inMemory(byte[] bytes, int length, ContentHash hash, Optional<ContentMd5> md5, byte[] head,
            Runnable onClose) {
        byte[] exact = bytes.length == length ? bytes : Arrays.copyOf(bytes, length);
        return new SpooledContent(null, exact, hash, md5, length, head, requireNonNull(onClose, "onClose"));
    }

    public ContentHash hash() {
        return hash;
    }

    /** MD5 of the spooled bytes, computed in the same pass as {@link #hash()}; empty when not asked for. */
    public Optional<ContentMd5> md5() {
        return md5;
    }

    public long size() {
        return size;
    }

    /** The first bytes (at most {@link ContentSpooler#HEAD_SIZE}); a copy. */
    public byte[] head() {
        return Arrays.copyOf(head, head.length);
    }

    /** The spool file (for tests and diagnostics); empty when the content is held in memory. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** {@code true} when the content is held in memory rather than in a file. */
    public boolean inMemory() {
        return file == null;
    }

    /**
     * Opens the content from its first byte.
     *
     * @throws IOException when the spool file cannot be read
     * @throws IllegalStateException after {@link #close()}
     */
    public InputStream open() throws IOException {
        byte[] b = bytes;
        if (closed) {
            throw new IllegalStateException("spool already deleted");
        }
        return b != null ? new ByteArrayInputStream(b) : Files.newInputStream(file);
    }

    /**
     * An upload of this content, re-openable for retries, carrying the digests of the spooling pass (so a
     * store need not hash the spool again; a spool file damaged since fails the service's MD5 check).
     *
     * @throws NullPointerException when contentType is null
     */
    public BlobUpload upload(String contentType) {
        return new BlobUpload(hash, size, contentType, this::open, md5);
    }

    /** Deletes the spool file or frees the memory; idempotent. @throws UncheckedIOException when deleting fails */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (file == null) {
            bytes = null;
            onClose.run();
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("deleting spool file failed", e);
        }
    }

    @Override
    public String toString() {
        return "SpooledContent[hash=" + hash + ", size=" + size + (file == null ? ", in memory" : "") + "]";
    }
}
