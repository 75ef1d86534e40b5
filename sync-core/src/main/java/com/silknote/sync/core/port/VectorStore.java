package com.silknote.sync.core.port;

import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.VectorEntry;
import java.util.List;
import java.util.Optional;

/** Silknote's vector store, holding entries per document. */
public interface VectorStore {

    /** Replaces all entries of a document with {@code entries} (all must belong to {@code document}). */
    void replace(DocumentUuid document, List<VectorEntry> entries);

    /** Removes every entry of a document; returns how many were removed (0 when none). */
    int deleteByDocument(DocumentUuid document);

    /** The entries of a document, by ordinal. */
    List<VectorEntry> entries(DocumentUuid document);

    /** One page of the documents that have entries, in uuid order (for orphan cleanup). */
    Page<DocumentUuid> documents(Optional<String> cursor, int limit);
}
