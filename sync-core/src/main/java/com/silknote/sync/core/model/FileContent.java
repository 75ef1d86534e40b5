package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * An open stream of one file's bytes together with what the source said about <em>those</em> bytes.
 * The engine stores this {@link #etag()}, not the listing's, so a file changed between listing and
 * download is picked up again by the next run. Close it after use.
 *
 * @param stream        the bytes; read once
 * @param etag          ETag of the bytes served, when the source has one
 * @param contentLength declared length of the bytes served, when known
 * @param sha256        declared digest of the bytes served, when the source sends one
 */
public record FileContent(InputStream stream, Optional<String> etag, OptionalLong contentLength,
        Optional<ContentHash> sha256) implements AutoCloseable {

    public FileContent {
        requireNonNull(stream, "stream");
        requireNonNull(etag, "etag");
        requireNonNull(contentLength, "contentLength");
        requireNonNull(sha256, "sha256");
    }

    @Override
    public void close() {
        try {
            stream.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing content stream failed", e);
        }
    }

    @Override
    public String toString() {
        return "FileContent[etag=" + etag.isPresent() + ", length=" + contentLength + "]";
    }
}
