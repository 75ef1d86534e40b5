package com.silknote.sync.jdbc;

import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.VectorEntry;
import java.util.Iterator;
import java.util.NoSuchElementException;

/** Entries made up one at a time as they are asked for: never a list of them. */
final class StreamedVectorEntries implements Iterator<VectorEntry> {
    static final ContentHash HASH = ContentHash.ofHex("ab".repeat(32));

    private final DocumentUuid document;
    private final int count;
    private final int failAt;
    private int next;

    /** {@code count} entries of {@code document}; the iterator throws when asked for entry {@code failAt}. */
    StreamedVectorEntries(DocumentUuid document, int count, int failAt) {
        this.document = document;
        this.count = count;
        this.failAt = failAt;
    }

    static float[] embedding(int ordinal) {
        float[] v = new float[8];
        for (int i = 0; i < v.length; i++) {
            v[i] = ordinal * 8 + i;
        }
        return v;
    }

    @Override
    public boolean hasNext() {
        return next < count;
    }

    @Override
    public VectorEntry next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        if (next == failAt) {
            throw new IllegalStateException("source failed at entry " + next);
        }
        VectorEntry e = new VectorEntry(document, next, HASH, embedding(next));
        next++;
        return e;
    }
}
