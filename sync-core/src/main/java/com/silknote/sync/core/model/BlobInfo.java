package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * What a blob store knows of one stored blob.
 *
 * @param hash         content hash (the blob's address)
 * @param size         size in bytes
 * @param etag         the store's ETag of the current version
 * @param lastModified when the current version was written
 */
public record BlobInfo(ContentHash hash, long size, String etag, Instant lastModified) {
    public BlobInfo {
        requireNonNull(hash, "hash");
        requireNonNull(etag, "etag");
        requireNonNull(lastModified, "lastModified");
    }

    public BlobKey key() {
        return BlobKey.of(hash);
    }
}
