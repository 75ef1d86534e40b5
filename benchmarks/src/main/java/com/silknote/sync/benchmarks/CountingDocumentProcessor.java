package com.silknote.sync.benchmarks;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.port.DocumentProcessor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stands in for Silknote's ingest pipeline in the throughput benchmark: it only counts documents. OCR and
 * embeddings are Silknote's cost, not the sync's, and the raw-SDK baseline does not pay them either.
 */
final class CountingDocumentProcessor implements DocumentProcessor {
    private final AtomicLong processed = new AtomicLong();

    long processed() {
        return processed.get();
    }

    @Override
    public void process(SilknoteDocument document, FencingToken token) {
        requireNonNull(document, "document");
        processed.incrementAndGet();
    }
}
