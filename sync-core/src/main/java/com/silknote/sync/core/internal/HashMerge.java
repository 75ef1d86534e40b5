package com.silknote.sync.core.internal;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.ReferenceTally;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentStore;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Walks the ledger's reference tallies and the blob store's listing side by side, both in content hash order
 * (a blob's name is its hash), so every hash either knows of is seen once with what each says of it. Holds a
 * page of each, whatever their size.
 */
final class HashMerge {
    /** What the ledger and the blob store say of one hash; at least one is present. */
    record Entry(ContentHash hash, Optional<ReferenceTally> tally, Optional<BlobInfo> blob) { }

    private static final int PAGE = 1000;

    private HashMerge() {
    }

    static void forEach(DocumentStore documents, BlobStore blobs, Retrier retrier, Consumer<Entry> action) {
        requireNonNull(action, "action");
        Paged<ReferenceTally> tallies = new Paged<>("documents.referenceTallies", documents::referenceTallies, PAGE,
                retrier);
        Paged<BlobInfo> listed = new Paged<>("blobs.list", blobs::list, PAGE, retrier);
        while (tallies.hasNext() || listed.hasNext()) {
            int order;
            if (!tallies.hasNext()) {
                order = 1;
            } else if (!listed.hasNext()) {
                order = -1;
            } else {
                order = tallies.peek().hash().compareTo(listed.peek().hash());
            }
            if (order < 0) {
                ReferenceTally t = tallies.next();
                action.accept(new Entry(t.hash(), Optional.of(t), Optional.empty()));
            } else if (order > 0) {
                BlobInfo b = listed.next();
                action.accept(new Entry(b.hash(), Optional.empty(), Optional.of(b)));
            } else {
                ReferenceTally t = tallies.next();
                action.accept(new Entry(t.hash(), Optional.of(t), Optional.of(listed.next())));
            }
        }
    }
}
