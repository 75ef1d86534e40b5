package com.silknote.sync.examples.embedded;

import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.VectorEntry;
import com.silknote.sync.core.port.VectorStore;
import java.util.List;
import java.util.Optional;

/**
 * A vector store that only takes entries: what a subclass does with {@code replace} is all it does; fencing is a
 * no-op, nothing is deleted, stored or listed. For the stand-in processor's tests and its CPU measurement.
 */
abstract class EntrySink implements VectorStore {
    @Override
    public void fence(FencingToken token) {
    }

    @Override
    public int deleteByDocument(FencingToken token, DocumentUuid document) {
        return 0;
    }

    @Override
    public List<VectorEntry> entries(DocumentUuid document) {
        return List.of();
    }

    @Override
    public Page<DocumentUuid> documents(Optional<String> cursor, int limit) {
        return Page.last(List.of());
    }
}
