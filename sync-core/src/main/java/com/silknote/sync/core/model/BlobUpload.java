package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Content to upload, re-openable so an upload can be retried (typically a spool file).
 *
 * @param hash        SHA-256 of the content; the store makes sure nothing else becomes visible under it
 * @param size        exact size in bytes
 * @param contentType verified MIME type
 * @param source      opens a fresh stream from the first byte on every call
 * @param md5         MD5 of the same bytes as {@code hash}, computed in the same pass over them (as
 *                    {@code ContentSpooler} does); empty when unknown. A store may send it as the service's
 *                    transport checksum and leave the check of the bytes it sends to the service instead of
 *                    hashing them again: whoever fills it vouches that it describes the bytes {@code hash}
 *                    names. Bytes that changed since (a damaged spool file) then fail the service's check.
 */
public record BlobUpload(ContentHash hash, long size, String contentType, Source source, Optional<ContentMd5> md5) {

    /** Opens the content from its first byte; each call gives a new stream the caller closes. */
    @FunctionalInterface
    public interface Source {
        InputStream open() throws IOException;
    }

    /**
     * @throws NullPointerException     when an argument is null
     * @throws IllegalArgumentException when size is negative
     */
    public BlobUpload {
        requireNonNull(hash, "hash");
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0");
        }
        requireNonNull(contentType, "contentType");
        requireNonNull(source, "source");
        requireNonNull(md5, "md5");
    }

    /**
     * An upload whose MD5 is unknown: a store that needs one computes it while reading.
     *
     * @throws NullPointerException     when an argument is null
     * @throws IllegalArgumentException when size is negative
     */
    public BlobUpload(ContentHash hash, long size, String contentType, Source source) {
        this(hash, size, contentType, source, Optional.empty());
    }
}
