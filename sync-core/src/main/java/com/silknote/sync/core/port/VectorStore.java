package com.silknote.sync.core.port;

import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.VectorEntry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Silknote's vector store, holding entries per document.
 *
 * <p><b>Fencing.</b> Every write takes the writer's {@link FencingToken}, as the document store's do: the
 * store keeps the highest token it accepted and refuses a lower one with
 * {@link com.silknote.sync.core.exception.StaleFencingTokenException}, changing nothing. A run raises the
 * mark with {@link #fence} right after taking its lease, so a holder paused inside its post-commit work can
 * never delete or overwrite the entries a newer holder wrote (DESIGN rule 10). A store in the ledger's
 * database may share the ledger's mark.
 */
public interface VectorStore {

    /**
     * Raises the store's high-water mark to {@code token} (no-op when it is there already).
     *
     * @throws com.silknote.sync.core.exception.StaleFencingTokenException when a higher token is there
     * @throws com.silknote.sync.core.exception.SyncException when the store failed
     */
    void fence(FencingToken token);

    /**
     * Replaces all entries of a document with {@code entries} (all must belong to {@code document}).
     *
     * @throws com.silknote.sync.core.exception.StaleFencingTokenException when a newer token wrote before
     */
    void replace(FencingToken token, DocumentUuid document, List<VectorEntry> entries);

    /**
     * Replaces all entries of a document with those {@code entries} yields, for documents with more entries
     * than fit in memory at once (one per 4 KiB of a 2 GiB file is 524,288). All entries must belong to
     * {@code document} and come in strictly increasing ordinal order. Atomic like {@link #replace(FencingToken,
     * DocumentUuid, List)}: when the iterator or a check fails, the document keeps its previous entries. An implementation
     * should take the entries in bounded batches, so its memory does not grow with their number; the default
     * collects them into a list.
     *
     * @throws IllegalArgumentException when an entry belongs to another document or its ordinal is not
     *     above the previous one's
     * @throws com.silknote.sync.core.exception.SyncException when the store failed
     */
    default void replace(FencingToken token, DocumentUuid document, Iterator<VectorEntry> entries) {
        List<VectorEntry> all = new ArrayList<>();
        int previous = -1;
        while (entries.hasNext()) {
            VectorEntry e = entries.next();
            if (e.ordinal() <= previous) {
                throw new IllegalArgumentException("ordinals must increase: " + e.ordinal() + " after " + previous);
            }
            previous = e.ordinal();
            all.add(e);
        }
        replace(token, document, all);
    }

    /**
     * Removes every entry of a document; returns how many were removed (0 when none).
     *
     * @throws com.silknote.sync.core.exception.StaleFencingTokenException when a newer token wrote before
     */
    int deleteByDocument(FencingToken token, DocumentUuid document);

    /**
     * Removes every entry of each of the documents; returns how many entries were removed in all. The
     * post-commit work clears the entries of a page of documents with one call before it processes them again
     * (DESIGN §2.6: the work is idempotent, so a crash after this call only repeats it).
     *
     * <p>The default calls {@link #deleteByDocument(FencingToken, DocumentUuid)} once per document: each
     * document's entries are then removed or kept whole, and a failure may leave the first ones removed. A store
     * that overrides it should remove them in one transaction.
     *
     * @throws com.silknote.sync.core.exception.StaleFencingTokenException when a newer token wrote before
     */
    default int deleteByDocuments(FencingToken token, Collection<DocumentUuid> documents) {
        Objects.requireNonNull(token, "token");
        int removed = 0;
        for (DocumentUuid d : documents) {
            removed += deleteByDocument(token, d);
        }
        return removed;
    }

    /** The entries of a document, by ordinal. */
    List<VectorEntry> entries(DocumentUuid document);

    /** One page of the documents that have entries, in uuid order (for orphan cleanup). */
    Page<DocumentUuid> documents(Optional<String> cursor, int limit);

    /**
     * The content hashes the entries of each given document were computed from ({@link VectorEntry#contentHash()});
     * documents without entries are absent. The consistency check compares them with the content each document
     * holds. The default reads every entry of every document ({@link #entries}); a store should answer it with one
     * query that reads no embeddings.
     *
     * @throws com.silknote.sync.core.exception.SyncException when the store failed
     */
    default Map<DocumentUuid, Set<ContentHash>> contentHashes(Collection<DocumentUuid> documents) {
        Map<DocumentUuid, Set<ContentHash>> out = new LinkedHashMap<>();
        for (DocumentUuid d : documents) {
            for (VectorEntry e : entries(d)) {
                out.computeIfAbsent(d, k -> new LinkedHashSet<>()).add(e.contentHash());
            }
        }
        return out;
    }
}
