package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the ledger says about one content hash: how many file ids reference it and its reference row. A file
 * id references the hash of its mapping, else (no mapping) the hash of its document, so a consistent ledger
 * has {@code row.refCount() == references} for every hash (issue 9 item 3).
 *
 * @param hash           the content hash
 * @param references     the number of file ids referencing it
 * @param referencedSize the size the referencing mappings or documents record, when any references it
 * @param row            the reference row, if there is one
 */
public record ReferenceTally(ContentHash hash, long references, OptionalLong referencedSize, Optional<BlobRef> row) {
    public ReferenceTally {
        requireNonNull(hash, "hash");
        if (references < 0) {
            throw new IllegalArgumentException("references must be >= 0");
        }
        requireNonNull(referencedSize, "referencedSize");
        requireNonNull(row, "row");
    }

    /** {@code true} when the row's count equals the references (no row counts as 0). */
    public boolean countMatches() {
        return row.map(BlobRef::refCount).orElse(0L) == references;
    }
}
