package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

/**
 * One entry of the vector store, owned by a document.
 *
 * @param document    owning document
 * @param ordinal     position of the chunk within the document (0..)
 * @param contentHash content the entry was computed from
 * @param embedding   the vector
 */
public record VectorEntry(DocumentUuid document, int ordinal, ContentHash contentHash, float[] embedding) {
    public VectorEntry {
        requireNonNull(document, "document");
        requireNonNull(contentHash, "contentHash");
        embedding = requireNonNull(embedding, "embedding").clone();
        if (ordinal < 0) {
            throw new IllegalArgumentException("ordinal must be >= 0");
        }
    }

    @Override
    public float[] embedding() {
        return embedding.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VectorEntry v && document.equals(v.document) && ordinal == v.ordinal
                && contentHash.equals(v.contentHash) && Arrays.equals(embedding, v.embedding);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * document.hashCode() + ordinal) + contentHash.hashCode()) + Arrays.hashCode(embedding);
    }

    @Override
    public String toString() {
        return "VectorEntry[document=" + document + ", ordinal=" + ordinal + ", dims=" + embedding.length + "]";
    }
}
