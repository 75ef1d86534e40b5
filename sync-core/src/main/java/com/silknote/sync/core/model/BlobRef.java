package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * The reference count of one content-addressed blob, kept in the document store in the same unit of
 * work as the documents that reference it.
 *
 * <p>Garbage collection protocol (DESIGN §4): a collector sees {@code refCount == 0}, marks the row
 * {@link State#DELETING} with the blob's ETag and commits; deletes the blob only if it still has that
 * ETag; then removes the row if it is still {@code DELETING}. A run that references a {@code DELETING}
 * row revives it ({@link State#LIVE}) and re-uploads the blob, which changes the ETag so the collector's
 * conditional delete fails.
 *
 * @param hash      content hash
 * @param refCount  number of documents referencing it (>= 0)
 * @param size      content size in bytes
 * @param state     live or being collected
 * @param blobEtag  ETag recorded when the collector marked the row, or of the last upload
 * @param updatedAt last change of the row
 */
public record BlobRef(ContentHash hash, long refCount, long size, State state, Optional<String> blobEtag,
        Instant updatedAt) {

    public enum State { LIVE, DELETING }

    public BlobRef {
        requireNonNull(hash, "hash");
        if (refCount < 0) {
            throw new IllegalArgumentException("refCount must be >= 0, was " + refCount);
        }
        requireNonNull(state, "state");
        requireNonNull(blobEtag, "blobEtag");
        requireNonNull(updatedAt, "updatedAt");
    }
}
