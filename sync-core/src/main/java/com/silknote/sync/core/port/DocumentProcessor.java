package com.silknote.sync.core.port;

import com.silknote.sync.core.model.SilknoteDocument;

/**
 * Silknote's ingest pipeline ({@code processDocuments} in the notes): OCR, embeddings, ... for one
 * document whose content is in the blob store. Called after the fileset commit, from the outbox, once per
 * document (never a group). Must be idempotent for the same document and content hash: a crash may cause
 * a second call. Writes the document's vector entries itself.
 *
 * @see VectorStore
 */
public interface DocumentProcessor {

    /**
     * Processes one document.
     *
     * @throws com.silknote.sync.core.exception.TransientSyncException to be retried by a later run
     * @throws com.silknote.sync.core.exception.SyncException when the document cannot be processed
     */
    void process(SilknoteDocument document);
}
