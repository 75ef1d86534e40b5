package com.silknote.sync.core.dedup;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.ContentMd5;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * A download spooled to a temporary file, with its SHA-256 and MD5 (both from the spooling pass), size and
 * first bytes (for type sniffing). Re-openable, so an upload can be retried. {@link #close()} deletes the
 * file. Thread-safe.
 */
public final class SpooledContent implements AutoCloseable {
    private final Path file;
    private final ContentHash hash;
    private final ContentMd5 md5;
    private final long size;
    private final byte[] head;
    private volatile boolean closed;

    SpooledContent(Path file, ContentHash hash, ContentMd5 md5, long size, byte[] head) {
        this.file = requireNonNull(file, "file");
        this.hash = requireNonNull(hash, "hash");
        this.md5 = requireNonNull(md5, "md5");
        this.size = size;
        this.head = requireNonNull(head, "head");
    }

    public ContentHash hash() {
        return hash;
    }

    /** MD5 of the spooled bytes, computed in the same pass as {@link #hash()}. */
    public ContentMd5 md5() {
        return md5;
    }

    public long size() {
        return size;
    }

    /** The first bytes (at most {@link ContentSpooler#HEAD_SIZE}); a copy. */
    public byte[] head() {
        return Arrays.copyOf(head, head.length);
    }

    /** The spool file (for tests and diagnostics). */
    public Path file() {
        return file;
    }

    /**
     * Opens the content from its first byte.
     *
     * @throws IOException when the spool file cannot be read
     * @throws IllegalStateException after {@link #close()}
     */
    public InputStream open() throws IOException {
        if (closed) {
            throw new IllegalStateException("spool already deleted");
        }
        return Files.newInputStream(file);
    }

    /**
     * An upload of this content, re-openable for retries, carrying both digests of the spooling pass (so
     * a store need not hash the spool again; a spool file damaged since fails the service's MD5 check).
     *
     * @throws NullPointerException when contentType is null
     */
    public BlobUpload upload(String contentType) {
        return new BlobUpload(hash, size, contentType, this::open, Optional.of(md5));
    }

    /** Deletes the spool file; idempotent. @throws UncheckedIOException when deleting fails */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("deleting spool file failed", e);
        }
    }

    @Override
    public String toString() {
        return "SpooledContent[hash=" + hash + ", size=" + size + "]";
    }
}
