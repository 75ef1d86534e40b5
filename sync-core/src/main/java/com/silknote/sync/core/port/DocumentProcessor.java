package com.silknote.sync.core.port;

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
 * @see VectorStore
 */
public interface DocumentProcessor {

    /**
     * Processes one document.
     *
     * @param token the fencing token of the run; pass it to every write of the results
     * @throws com.silknote.sync.core.exception.StaleFencingTokenException when a newer run wrote before
     * @throws com.silknote.sync.core.exception.TransientSyncException to be retried by a later run
     * @throws com.silknote.sync.core.exception.SyncException when the document cannot be processed
     */
    void process(SilknoteDocument document, FencingToken token);
}
