package com.silknote.sync.testkit;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.VectorEntry;
import com.silknote.sync.core.port.VectorStore;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * An in-memory vector store. {@code replace} swaps a document's entries atomically (an empty list removes
 * them); {@code documents} pages the documents that have entries in uuid order, which here means the order
 * of the uuids' canonical text (the unsigned byte order a database uses), with an opaque cursor.
 * Thread-safe.
 */
public final class InMemoryVectorStore implements VectorStore {

    /** Orders document uuids by their canonical text, i.e. unsigned byte order. */
    public static final Comparator<DocumentUuid> UUID_TEXT_ORDER = Comparator.comparing(DocumentUuid::toString);

    private final Object lock = new Object();
    private final TreeMap<DocumentUuid, List<VectorEntry>> entries = new TreeMap<>(UUID_TEXT_ORDER);
    private long replaceCalls;
    private long deleteCalls;
    private FencingToken highWater;

    /** An empty store. */
    @Inject
    public InMemoryVectorStore() {
    }

    /** Raises the high-water mark; {@link StaleFencingTokenException} when a higher token is there. */
    @Override
    public void fence(FencingToken token) {
        synchronized (lock) {
            accept(token);
        }
    }

    /** The caller holds {@code lock}. */
    private void accept(FencingToken token) {
        requireNonNull(token, "token");
        if (highWater != null && token.compareTo(highWater) < 0) {
            throw new StaleFencingTokenException("fencing token " + token.value()
                    + " is older than the vector store's high-water mark");
        }
        highWater = token;
    }

    /**
     * @throws IllegalArgumentException when an entry belongs to another document or two entries share an
     *         ordinal
     * @throws StaleFencingTokenException when a newer token wrote before; nothing changes
     */
    @Override
    public void replace(FencingToken token, DocumentUuid document, List<VectorEntry> newEntries) {
        requireNonNull(token, "token");
        requireNonNull(document, "document");
        requireNonNull(newEntries, "entries");
        Set<Integer> ordinals = new HashSet<>();
        for (VectorEntry e : newEntries) {
            requireNonNull(e, "entry");
            if (!e.document().equals(document)) {
                throw new IllegalArgumentException("entry belongs to another document");
            }
            if (!ordinals.add(e.ordinal())) {
                throw new IllegalArgumentException("duplicate ordinal " + e.ordinal());
            }
        }
        List<VectorEntry> sorted = newEntries.stream().sorted(Comparator.comparingInt(VectorEntry::ordinal)).toList();
        synchronized (lock) {
            accept(token);
            replaceCalls++;
            if (sorted.isEmpty()) {
                entries.remove(document);
            } else {
                entries.put(document, sorted);
            }
        }
    }

    /** @throws StaleFencingTokenException when a newer token wrote before; nothing changes */
    @Override
    public int deleteByDocument(FencingToken token, DocumentUuid document) {
        requireNonNull(token, "token");
        requireNonNull(document, "document");
        synchronized (lock) {
            accept(token);
            deleteCalls++;
            List<VectorEntry> removed = entries.remove(document);
            return removed == null ? 0 : removed.size();
        }
    }

    /**
     * Removes a document's entries the way Silknote itself (not the sync) would, outside fencing.
     *
     * @return how many were removed
     */
    public int removeAsSilknote(DocumentUuid document) {
        requireNonNull(document, "document");
        synchronized (lock) {
            List<VectorEntry> removed = entries.remove(document);
            return removed == null ? 0 : removed.size();
        }
    }

    @Override
    public List<VectorEntry> entries(DocumentUuid document) {
        requireNonNull(document, "document");
        synchronized (lock) {
            return entries.getOrDefault(document, List.of());
        }
    }

    /**
     * @throws IllegalArgumentException when {@code limit} is outside 1..1000
     * @throws PermanentSyncException (400) for a cursor this store did not issue
     */
    @Override
    public Page<DocumentUuid> documents(Optional<String> cursor, int limit) {
        requireNonNull(cursor, "cursor");
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be in 1..1000, was " + limit);
        }
        synchronized (lock) {
            NavigableMap<DocumentUuid, List<VectorEntry>> tail = entries;
            if (cursor.isPresent()) {
                DocumentUuid after;
                try {
                    after = new DocumentUuid(UUID.fromString(cursor.get()));
                } catch (IllegalArgumentException e) {
                    throw new PermanentSyncException("invalid cursor", 400, e);
                }
                tail = entries.tailMap(after, false);
            }
            List<DocumentUuid> items = new ArrayList<>();
            boolean more = false;
            for (DocumentUuid d : tail.keySet()) {
                if (items.size() == limit) {
                    more = true;
                    break;
                }
                items.add(d);
            }
            return new Page<>(items, more ? Optional.of(items.get(items.size() - 1).toString()) : Optional.empty());
        }
    }

    // ------------------------------------------------------------------ beyond the port

    /** Every document's entries, in uuid text order. */
    public Map<DocumentUuid, List<VectorEntry>> all() {
        synchronized (lock) {
            return Collections.unmodifiableMap(new TreeMap<>(entries));
        }
    }

    /** Total number of entries. */
    public int entryCount() {
        synchronized (lock) {
            return entries.values().stream().mapToInt(List::size).sum();
        }
    }

    /** {@link #replace} calls so far. */
    public long replaceCalls() {
        synchronized (lock) {
            return replaceCalls;
        }
    }

    /** {@link #deleteByDocument} calls so far. */
    public long deleteCalls() {
        synchronized (lock) {
            return deleteCalls;
        }
    }
}
