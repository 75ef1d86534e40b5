package com.silknote.sync.core.port;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.SilknoteDocument;

/**
 * Silknote's ingest pipeline ({@code processDocuments} in the notes): OCR, embeddings, ... for one
 * document whose content is in the blob store. Called after the fileset commit, from the outbox, once per
 * document (never a group). Must be idempotent for the same document and content hash: a crash may cause
 * a second call. Writes the document's vector entries itself, with the run's fencing token: a
 * {@link VectorStore} refuses them once a newer run holds the lock, so a run paused in here can never
 * overwrite the entries a newer run computed from newer content (DESIGN rule 10). A pipeline that writes
 * its results elsewhere should fence those writes with the token too.
 *
 * <p>The engine calls {@link #process(SilknoteDocument, FencingToken, ContentSource)}: when the run that
 * committed the document still holds the content it downloaded, the source reads that copy, so the processor
 * costs the blob store no second request; after a crash (or for work left from an earlier run) it reads the
 * stored blob. A processor that reads the blob itself implements {@link #process(SilknoteDocument,
 * FencingToken)} only.
 *
 * <p>{@link #NONE} processes nothing: with it the engine enqueues no processing work at all (see there).
 *
 * @see VectorStore
 */
public interface DocumentProcessor {

    /**
     * No processing. The engine enqueues no processing work for created or updated documents, so the sync
     * writes no vector entries; an updated or deleted document's existing entries are still purged (none
     * describes content the document no longer has). Documents synced under it are not processed later when
     * a processor is configured, until their content changes.
     */
    DocumentProcessor NONE = new DocumentProcessor() {
        @Override
        public void process(SilknoteDocument document, FencingToken token) {
            requireNonNull(document, "document");
            requireNonNull(token, "token");
        }

        @Override
        public boolean processes() {
            return false;
        }

        @Override
        public String toString() {
            return "DocumentProcessor.NONE";
        }
    };

    /**
     * Processes one document, reading its content from the blob store.
     *
     * @param token the fencing token of the run; pass it to every write of the results
     * @throws com.silknote.sync.core.exception.StaleFencingTokenException when a newer run wrote before
     * @throws com.silknote.sync.core.exception.TransientSyncException to be retried by a later run
     * @throws com.silknote.sync.core.exception.SyncException when the document cannot be processed
     */
    void process(SilknoteDocument document, FencingToken token);

    /**
     * Processes one document whose content {@code content} opens (see the class comment). The default ignores
     * {@code content} and calls {@link #process(SilknoteDocument, FencingToken)}.
     *
     * @param token the fencing token of the run; pass it to every write of the results
     * @throws com.silknote.sync.core.exception.StaleFencingTokenException when a newer run wrote before
     * @throws com.silknote.sync.core.exception.TransientSyncException to be retried by a later run
     * @throws com.silknote.sync.core.exception.SyncException when the document cannot be processed
     */
    default void process(SilknoteDocument document, FencingToken token, ContentSource content) {
        process(document, token);
    }

    /**
     * {@code false} when this processor does nothing and the engine should enqueue no processing work (only
     * {@link #NONE} by default).
     */
    default boolean processes() {
        return true;
    }
}
