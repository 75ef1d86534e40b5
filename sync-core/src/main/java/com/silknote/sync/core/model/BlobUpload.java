package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;

/**
 * Content to upload, re-openable so an upload can be retried (typically a spool file).
 *
 * @param hash        SHA-256 of the content; the store verifies it while writing
 * @param size        exact size in bytes
 * @param contentType verified MIME type
 * @param source      opens a fresh stream from the first byte on every call
 */
public record BlobUpload(ContentHash hash, long size, String contentType, Source source) {

    /** Opens the content from its first byte; each call gives a new stream the caller closes. */
    @FunctionalInterface
    public interface Source {
        InputStream open() throws IOException;
    }

    public BlobUpload {
        requireNonNull(hash, "hash");
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0");
        }
        requireNonNull(contentType, "contentType");
        requireNonNull(source, "source");
    }
}
