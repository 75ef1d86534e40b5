package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * Work to do after a fileset commit, persisted in the same unit of work so a crash between commit and
 * processing is finished by the next run.
 *
 * @param id          store-assigned id (unique, increasing); 0 before the store assigned one
 * @param document    the document concerned
 * @param action      what to do
 * @param contentHash the content to process ({@link Action#PROCESS}), or that was released
 * @param attempts    failed attempts so far
 * @param createdAt   when it was enqueued
 * @param lastError   reason code of the last failed attempt, safe to log
 */
public record OutboxEntry(long id, DocumentUuid document, Action action, ContentHash contentHash, int attempts,
        Instant createdAt, Optional<String> lastError) {

    public enum Action {
        /** Remove the document's vector entries, then run Silknote's processing on its current content. */
        PROCESS,
        /** Remove the document's vector entries (the document is gone). */
        PURGE_VECTORS,
        /** Collect the blob if its reference count is zero (GC protocol of {@link BlobRef}). */
        COLLECT_BLOB
    }

    public OutboxEntry {
        requireNonNull(document, "document");
        requireNonNull(action, "action");
        requireNonNull(contentHash, "contentHash");
        requireNonNull(createdAt, "createdAt");
        requireNonNull(lastError, "lastError");
        if (attempts < 0) {
            throw new IllegalArgumentException("attempts must be >= 0");
        }
    }

    public static OutboxEntry pending(DocumentUuid document, Action action, ContentHash hash, Instant now) {
        return new OutboxEntry(0, document, action, hash, 0, now, Optional.empty());
    }
}
