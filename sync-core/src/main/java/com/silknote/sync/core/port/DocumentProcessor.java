package com.silknote.sync.core.port;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.SilknoteDocument;

/**
 * Silknote's ingest pipeline ({@code processDocuments} in the notes): OCR, embeddings, ... for one
 * document whose content is in the blob store. Called after the fileset commit, from the outbox, once per
 * document (never a group). Must be idempotent for the same document and content hash: a crash may cause
 * a second call. Writes the document's vector entries itself.
 *
 * <p>The engine calls {@link #process(SilknoteDocument, ContentSource)}: when the run that committed the
 * document still holds the content it downloaded, the source reads that copy, so the processor costs the blob
 * store no second request; after a crash (or for work left from an earlier run) it reads the stored blob. A
 * processor that reads the blob itself implements {@link #process(SilknoteDocument)} only.
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
        public void process(SilknoteDocument document) {
            requireNonNull(document, "document");
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
     * @throws com.silknote.sync.core.exception.TransientSyncException to be retried by a later run
     * @throws com.silknote.sync.core.exception.SyncException when the document cannot be processed
     */
    void process(SilknoteDocument document);

    /**
     * Processes one document whose content {@code content} opens (see the class comment). The default ignores
     * {@code content} and calls {@link #process(SilknoteDocument)}.
     *
     * @throws com.silknote.sync.core.exception.TransientSyncException to be retried by a later run
     * @throws com.silknote.sync.core.exception.SyncException when the document cannot be processed
     */
    default void process(SilknoteDocument document, ContentSource content) {
        process(document);
    }

    /**
     * {@code false} when this processor does nothing and the engine should enqueue no processing work (only
     * {@link #NONE} by default).
     */
    default boolean processes() {
        return true;
    }
}
