package com.silknote.sync.testkit;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.BlobBeingCollectedException;
import com.silknote.sync.core.exception.ClaimLostException;
import com.silknote.sync.core.exception.ConcurrentUpdateException;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.model.AuthoredDocument;
import com.silknote.sync.core.model.AuditEntry;
import com.silknote.sync.core.model.AuditQuery;
import com.silknote.sync.core.model.AuditRecord;
import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.ConflictId;
import com.silknote.sync.core.model.ConflictRecord;
import com.silknote.sync.core.model.ConflictStatus;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.OutboxEntry;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PatientFilesetRecord;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.PermanentSkip;
import com.silknote.sync.core.model.ReferenceTally;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.RunRecord;
import com.silknote.sync.core.model.SilknoteChange;
import com.silknote.sync.core.model.SilknoteChangePage;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncState;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.FilesetClaims;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * An in-memory Silknote ledger with the semantics the {@link DocumentStore} port specifies:
 * <ul>
 *   <li><b>Atomicity:</b> a unit of work (and every single write) runs under the store's lock on the live
 *       state and keeps an undo journal; a throwing callback is undone entirely, so it leaves nothing. A write
 *       costs time in what it changes, not in the size of the ledger.</li>
 *   <li><b>Fencing:</b> the highest token of a committed write (or of {@link #fence}) is the high-water mark;
 *       a write with a lower token fails with {@link StaleFencingTokenException} and changes nothing (an equal
 *       token is accepted).</li>
 *   <li><b>Optimistic concurrency:</b> {@code expectFileset}/{@code expectFile} compare with the state the
 *       unit of work sees (the committed state plus its own writes) and throw
 *       {@link ConcurrentUpdateException} at once when it differs.</li>
 *   <li><b>Blob GC protocol</b> of {@link BlobRef}, including {@link BlobBeingCollectedException}.</li>
 *   <li><b>Claims:</b> {@link #filesetClaims()} belongs to this store; a unit of work's
 *       {@code expectClaim} and {@link #recordFilesetReport} with a claim check it under the store's lock.</li>
 *   <li>Outbox ids increase (1, 2, ...); run history is returned newest first.</li>
 *   <li><b>Change sequence:</b> every {@code ...AsSilknoteUser} change of a document (and every removal) gets
 *       the next position of a counter; writes through a unit of work never do. The settled position of a read
 *       is the next position to be given, since every change is committed when it is counted.</li>
 *   <li><b>Conflict records</b> hold blob references: {@link UnitOfWork#releaseBlobRef} counts their
 *       {@link ConflictRecord#heldHashes()} as references of the ledger.</li>
 *   <li>Audit rows are appended at commit (ids 1, 2, ...) and never changed; the holder is unknown here.</li>
 * </ul>
 * Times ({@code BlobRef.updatedAt}) come from the injected clock. Units of work are serialized by one
 * lock; reads see the last committed state. Lookups by fileset are indexed. Thread-safe.
 *
 * <p>Besides the port, it offers whole-state accessors ({@code all*}) for snapshots and invariant checks,
 * and {@code ...AsSilknoteUser} methods that change data the way Silknote itself (not the sync) would, for
 * conflict and orphan tests, plus {@code remove...Row} methods that delete single rows the way a restore or a
 * manual fix would; those bypass fencing.
 */
public final class InMemoryDocumentStore implements DocumentStore {

    /** Undo records of one write; undone in reverse order when the write throws. */
    private static final class Journal {
        private final ArrayDeque<Runnable> undo = new ArrayDeque<>();

        <K, V> V put(Map<K, V> map, K key, V value) {
            boolean had = map.containsKey(key);
            V old = map.put(key, value);
            undo.push(() -> {
                if (had) {
                    map.put(key, old);
                } else {
                    map.remove(key);
                }
            });
            return old;
        }

        <K, V> V remove(Map<K, V> map, K key) {
            if (!map.containsKey(key)) {
                return null;
            }
            V old = map.remove(key);
            undo.push(() -> map.put(key, old));
            return old;
        }

        <K, V> void index(Map<K, Set<V>> index, K key, V value) {
            Set<V> set = index.computeIfAbsent(key, k -> new TreeSet<>());
            if (set.add(value)) {
                undo.push(() -> set.remove(value));
            }
        }

        <K, V> void unindex(Map<K, Set<V>> index, K key, V value) {
            Set<V> set = index.get(key);
            if (set != null && set.remove(value)) {
                undo.push(() -> set.add(value));
            }
        }

        void onUndo(Runnable r) {
            undo.push(r);
        }

        void rollback() {
            while (!undo.isEmpty()) {
                undo.pop().run();
            }
        }
    }

    /** A run of the history. */
    private static final class RunRow {
        final RunId id;
        final Instant startedAt;
        final long seq;
        SyncReport summary;

        RunRow(RunId id, Instant startedAt, long seq) {
            this.id = id;
            this.startedAt = startedAt;
            this.seq = seq;
        }
    }

    private final Clock clock;
    private final Object lock = new Object();
    private final InMemoryFilesetClaims claims;

    private final TreeMap<DocumentUuid, SilknoteDocument> documents = new TreeMap<>();
    private final TreeMap<VsrxFileId, DocumentUuid> byClientFileId = new TreeMap<>();
    private final Map<FilesetId, Set<DocumentUuid>> documentsByFileset = new HashMap<>();
    private final TreeMap<VsrxFileId, SyncMapping> mappings = new TreeMap<>();
    private final Map<FilesetId, Set<VsrxFileId>> mappingsByFileset = new HashMap<>();
    private final Map<DocumentUuid, Set<VsrxFileId>> mappingsByDocument = new HashMap<>();
    private final TreeMap<FilesetId, PatientFilesetRecord> filesets = new TreeMap<>();
    private final TreeMap<ContentHash, BlobRef> blobRefs = new TreeMap<>();
    private final TreeMap<VsrxFileId, PermanentSkip> skips = new TreeMap<>();
    private final Map<FilesetId, Set<VsrxFileId>> skipsByFileset = new HashMap<>();
    private final TreeMap<Long, OutboxEntry> outbox = new TreeMap<>();
    private final TreeMap<Long, OutboxEntry> parked = new TreeMap<>();
    private final List<AuditRecord> audit = new ArrayList<>();
    private final Map<RunId, RunRow> runs = new LinkedHashMap<>();
    private final Map<RunId, LinkedHashMap<FilesetId, FilesetReport>> runFilesets = new HashMap<>();
    private long lastOutboxId;
    private long runSeq;
    private SyncState state = SyncState.initial();
    private FencingToken highWater;
    private long commits;
    /** Silknote-created documents not linked yet. */
    private final TreeMap<DocumentUuid, AuthoredDocument> authored = new TreeMap<>();
    /** The change sequence, by position. */
    private final TreeMap<Long, SilknoteChange> changes = new TreeMap<>();
    private long lastChange;
    private long changePosition;
    private final TreeMap<ConflictId, ConflictRecord> conflicts = new TreeMap<>();
    /** Documents whose last writer was a Silknote user, not the sync. */
    private final TreeSet<DocumentUuid> userWritten = new TreeSet<>();
    private long historyWrites;

    /** An empty ledger whose times come from {@code clock}. */
    @Inject
    public InMemoryDocumentStore(Clock clock) {
        this.clock = requireNonNull(clock, "clock");
        this.claims = new InMemoryFilesetClaims(clock);
    }

    /** The fileset claims of this store (scale-out): its units of work and fileset reports check them. */
    public InMemoryFilesetClaims filesetClaims() {
        return claims;
    }

    // ------------------------------------------------------------------ fencing

    /** Raises the high-water mark; not counted in {@link #commits()}. */
    @Override
    public void fence(FencingToken token) {
        requireNonNull(token, "token");
        synchronized (lock) {
            if (highWater != null && token.compareTo(highWater) < 0) {
                throw stale(token);
            }
            if (highWater == null || token.compareTo(highWater) > 0) {
                highWater = token;
            }
        }
    }

    // ------------------------------------------------------------------ reads

    @Override
    public List<SyncMapping> mappings(FilesetId filesetId) {
        requireNonNull(filesetId, "filesetId");
        synchronized (lock) {
            List<SyncMapping> out = new ArrayList<>();
            for (VsrxFileId id : mappingsByFileset.getOrDefault(filesetId, Set.of())) {
                out.add(mappings.get(id));
            }
            return List.copyOf(out);
        }
    }

    @Override
    public Optional<SyncMapping> findMapping(VsrxFileId fileId) {
        requireNonNull(fileId, "fileId");
        synchronized (lock) {
            return Optional.ofNullable(mappings.get(fileId));
        }
    }

    @Override
    public Map<VsrxFileId, SyncMapping> findMappings(Collection<VsrxFileId> fileIds) {
        requireNonNull(fileIds, "fileIds");
        synchronized (lock) {
            Map<VsrxFileId, SyncMapping> out = new LinkedHashMap<>();
            for (VsrxFileId id : fileIds) {
                SyncMapping m = mappings.get(requireNonNull(id, "fileId"));
                if (m != null) {
                    out.put(id, m);
                }
            }
            return Collections.unmodifiableMap(out);
        }
    }

    @Override
    public Map<VsrxFileId, SilknoteDocument> findDocumentsByClientFileIds(Collection<VsrxFileId> clientFileIds) {
        requireNonNull(clientFileIds, "clientFileIds");
        synchronized (lock) {
            Map<VsrxFileId, SilknoteDocument> out = new LinkedHashMap<>();
            for (VsrxFileId id : clientFileIds) {
                DocumentUuid uuid = byClientFileId.get(requireNonNull(id, "clientFileId"));
                if (uuid != null) {
                    out.put(id, documents.get(uuid));
                }
            }
            return Collections.unmodifiableMap(out);
        }
    }

    /** Fileset ids in id order; the cursor is the last id of the previous page. */
    @Override
    public Page<FilesetId> filesets(Optional<String> cursor, int limit) {
        requireNonNull(cursor, "cursor");
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be in 1..1000, was " + limit);
        }
        synchronized (lock) {
            // a fileset whose record was removed outside the sync is still known by its documents
            TreeSet<FilesetId> known = new TreeSet<>(filesets.keySet());
            documentsByFileset.forEach((id, docs) -> {
                if (!docs.isEmpty()) {
                    known.add(id);
                }
            });
            NavigableSet<FilesetId> tail = cursor.isPresent() ? known.tailSet(FilesetId.of(cursor.get()), false) : known;
            List<FilesetId> items = new ArrayList<>();
            boolean more = false;
            for (FilesetId id : tail) {
                if (items.size() == limit) {
                    more = true;
                    break;
                }
                items.add(id);
            }
            return new Page<>(items, more ? Optional.of(items.get(items.size() - 1).value()) : Optional.empty());
        }
    }

    @Override
    public Optional<SilknoteDocument> findDocument(DocumentUuid uuid) {
        requireNonNull(uuid, "uuid");
        synchronized (lock) {
            return Optional.ofNullable(documents.get(uuid));
        }
    }

    @Override
    public Optional<SilknoteDocument> findDocumentByClientFileId(VsrxFileId clientFileId) {
        requireNonNull(clientFileId, "clientFileId");
        synchronized (lock) {
            DocumentUuid uuid = byClientFileId.get(clientFileId);
            return uuid == null ? Optional.empty() : Optional.of(documents.get(uuid));
        }
    }

    @Override
    public List<SilknoteDocument> documents(FilesetId filesetId) {
        requireNonNull(filesetId, "filesetId");
        synchronized (lock) {
            List<SilknoteDocument> out = new ArrayList<>();
            for (DocumentUuid uuid : documentsByFileset.getOrDefault(filesetId, Set.of())) {
                out.add(documents.get(uuid));
            }
            // in client file id order, as the port prefers (the diff merges instead of hashing)
            out.sort(java.util.Comparator.comparing(SilknoteDocument::clientFileId));
            return List.copyOf(out);
        }
    }

    @Override
    public Optional<PatientFilesetRecord> findFileset(FilesetId filesetId) {
        requireNonNull(filesetId, "filesetId");
        synchronized (lock) {
            return Optional.ofNullable(filesets.get(filesetId));
        }
    }

    @Override
    public Optional<BlobRef> findBlobRef(ContentHash hash) {
        requireNonNull(hash, "hash");
        synchronized (lock) {
            return Optional.ofNullable(blobRefs.get(hash));
        }
    }

    @Override
    public Map<VsrxFileId, PermanentSkip> permanentSkips(FilesetId filesetId) {
        requireNonNull(filesetId, "filesetId");
        synchronized (lock) {
            Map<VsrxFileId, PermanentSkip> out = new LinkedHashMap<>();
            for (VsrxFileId id : skipsByFileset.getOrDefault(filesetId, Set.of())) {
                out.put(id, skips.get(id));
            }
            return Collections.unmodifiableMap(out);
        }
    }

    @Override
    public Map<DocumentUuid, SilknoteDocument> findDocuments(Collection<DocumentUuid> uuids) {
        requireNonNull(uuids, "uuids");
        synchronized (lock) {
            Map<DocumentUuid, SilknoteDocument> out = new LinkedHashMap<>();
            for (DocumentUuid uuid : uuids) {
                SilknoteDocument d = documents.get(requireNonNull(uuid, "uuid"));
                if (d != null) {
                    out.put(uuid, d);
                }
            }
            return Collections.unmodifiableMap(out);
        }
    }

    @Override
    public Set<DocumentUuid> existingDocuments(Collection<DocumentUuid> uuids) {
        requireNonNull(uuids, "uuids");
        synchronized (lock) {
            Set<DocumentUuid> out = new java.util.LinkedHashSet<>();
            for (DocumentUuid u : uuids) {
                if (documents.containsKey(requireNonNull(u, "uuid"))) {
                    out.add(u);
                }
            }
            return Collections.unmodifiableSet(out);
        }
    }

    @Override
    public Map<ContentHash, BlobRef> findBlobRefs(Collection<ContentHash> hashes) {
        requireNonNull(hashes, "hashes");
        synchronized (lock) {
            Map<ContentHash, BlobRef> out = new LinkedHashMap<>();
            for (ContentHash h : hashes) {
                BlobRef r = blobRefs.get(requireNonNull(h, "hash"));
                if (r != null) {
                    out.put(h, r);
                }
            }
            return Collections.unmodifiableMap(out);
        }
    }

    @Override
    public List<SilknoteDocument> findDocumentsByContentHash(ContentHash hash, int limit) {
        requireNonNull(hash, "hash");
        requirePositive(limit);
        synchronized (lock) {
            return documents.values().stream().filter(d -> d.contentHash().equals(hash)).limit(limit).toList();
        }
    }

    @Override
    public Page<SilknoteDocument> documentsWithoutFileset(Optional<String> cursor, int limit) {
        requireNonNull(cursor, "cursor");
        requirePageLimit(limit);
        synchronized (lock) {
            NavigableMap<DocumentUuid, SilknoteDocument> tail = cursor.isPresent()
                    ? documents.tailMap(DocumentUuid.of(cursor.get()), false) : documents;
            return page(tail.values().stream().filter(d -> !filesets.containsKey(d.filesetId())).toList(), limit,
                    d -> d.uuid().value().toString());
        }
    }

    @Override
    public Page<SyncMapping> mappingsWithoutDocument(Optional<String> cursor, int limit) {
        requireNonNull(cursor, "cursor");
        requirePageLimit(limit);
        synchronized (lock) {
            NavigableMap<VsrxFileId, SyncMapping> tail = cursor.isPresent()
                    ? mappings.tailMap(VsrxFileId.of(cursor.get()), false) : mappings;
            return page(tail.values().stream().filter(m -> !byClientFileId.containsKey(m.vsrxFileId())).toList(),
                    limit, m -> m.vsrxFileId().value());
        }
    }

    @Override
    public Page<SilknoteDocument> documentsWithoutMapping(Optional<String> cursor, int limit) {
        requireNonNull(cursor, "cursor");
        requirePageLimit(limit);
        synchronized (lock) {
            NavigableMap<DocumentUuid, SilknoteDocument> tail = cursor.isPresent()
                    ? documents.tailMap(DocumentUuid.of(cursor.get()), false) : documents;
            return page(tail.values().stream().filter(d -> !mappings.containsKey(d.clientFileId())).toList(),
                    limit, d -> d.uuid().value().toString());
        }
    }

    @Override
    public Page<ReferenceTally> referenceTallies(Optional<String> cursor, int limit) {
        requireNonNull(cursor, "cursor");
        requirePageLimit(limit);
        synchronized (lock) {
            TreeMap<ContentHash, long[]> refs = new TreeMap<>();
            for (SyncMapping m : mappings.values()) {
                long[] r = refs.computeIfAbsent(m.contentHash(), h -> new long[] {0, -1});
                r[0]++;
                r[1] = Math.max(r[1], m.size());
            }
            for (SilknoteDocument d : documents.values()) {
                if (!mappings.containsKey(d.clientFileId())) {
                    long[] r = refs.computeIfAbsent(d.contentHash(), h -> new long[] {0, -1});
                    r[0]++;
                    r[1] = Math.max(r[1], d.size());
                }
            }
            // a conflict record's held versions are references too (issue 14), exactly as references(h) counts them
            for (ConflictRecord c : conflicts.values()) {
                for (ContentHash h : c.heldHashes()) {
                    refs.computeIfAbsent(h, x -> new long[] {0, -1})[0]++;
                }
            }
            TreeSet<ContentHash> hashes = new TreeSet<>(refs.keySet());
            hashes.addAll(blobRefs.keySet());
            NavigableMap<ContentHash, Boolean> all = new TreeMap<>();
            hashes.forEach(h -> all.put(h, Boolean.TRUE));
            NavigableMap<ContentHash, Boolean> tail = cursor.isPresent()
                    ? all.tailMap(ContentHash.ofHex(cursor.get()), false) : all;
            List<ReferenceTally> tallies = new ArrayList<>();
            for (ContentHash h : tail.keySet()) {
                long[] r = refs.get(h);
                tallies.add(new ReferenceTally(h, r == null ? 0 : r[0],
                        r == null || r[1] < 0 ? OptionalLong.empty() : OptionalLong.of(r[1]),
                        Optional.ofNullable(blobRefs.get(h))));
            }
            return page(tallies, limit, t -> t.hash().hex());
        }
    }

    @Override
    public Page<FilesetId> filesetsWithSkips(Optional<String> cursor, int limit) {
        requireNonNull(cursor, "cursor");
        requirePageLimit(limit);
        synchronized (lock) {
            TreeSet<FilesetId> ids = new TreeSet<>();
            skips.values().forEach(s -> ids.add(s.filesetId()));
            return page(List.copyOf(cursor.isPresent() ? ids.tailSet(FilesetId.of(cursor.get()), false) : ids), limit,
                    FilesetId::value);
        }
    }

    @Override
    public Page<PatientFilesetRecord> filesetRecords(Optional<String> cursor, int limit) {
        requireNonNull(cursor, "cursor");
        requirePageLimit(limit);
        synchronized (lock) {
            NavigableMap<FilesetId, PatientFilesetRecord> tail = cursor.isPresent()
                    ? filesets.tailMap(FilesetId.of(cursor.get()), false) : filesets;
            return page(List.copyOf(tail.values()), limit, r -> r.filesetId().value());
        }
    }

    @Override
    public List<AuditRecord> auditTrail(AuditQuery query, long afterId, int limit) {
        requireNonNull(query, "query");
        requirePositive(limit);
        synchronized (lock) {
            return audit.stream().filter(r -> r.id() > afterId && query.matches(r)).limit(limit).toList();
        }
    }

    @Override
    public List<OutboxEntry> parkedOutbox(long afterId, int limit) {
        requirePositive(limit);
        synchronized (lock) {
            return parked.tailMap(afterId, false).values().stream().limit(limit).toList();
        }
    }

    private static <T> Page<T> page(List<T> matching, int limit, Function<T, String> cursorOf) {
        if (matching.size() <= limit) {
            return Page.last(matching);
        }
        List<T> items = matching.subList(0, limit);
        return new Page<>(items, Optional.of(cursorOf.apply(items.get(limit - 1))));
    }

    private static void requirePageLimit(int limit) {
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be in 1..1000, was " + limit);
        }
    }

    @Override
    public SyncState loadState() {
        synchronized (lock) {
            return state;
        }
    }

    @Override
    public List<AuthoredDocument> authoredDocuments(FilesetId filesetId, PatientUuid patient) {
        requireNonNull(filesetId, "filesetId");
        requireNonNull(patient, "patient");
        synchronized (lock) {
            return authored.values().stream()
                    .filter(a -> a.filesetId().map(filesetId::equals)
                            .orElse(a.patientUuid().equals(patient)))
                    .toList();
        }
    }

    @Override
    public Map<DocumentUuid, AuthoredDocument> findAuthoredDocuments(Collection<DocumentUuid> uuids) {
        requireNonNull(uuids, "uuids");
        synchronized (lock) {
            Map<DocumentUuid, AuthoredDocument> out = new LinkedHashMap<>();
            for (DocumentUuid u : uuids) {
                AuthoredDocument a = authored.get(requireNonNull(u, "uuid"));
                if (a != null) {
                    out.put(u, a);
                }
            }
            return Collections.unmodifiableMap(out);
        }
    }

    @Override
    public List<PatientFilesetRecord> filesetsOfPatient(PatientUuid patient) {
        requireNonNull(patient, "patient");
        synchronized (lock) {
            return filesets.values().stream().filter(r -> r.patientUuid().equals(patient)).toList();
        }
    }

    /** Changes in position order; the cursor is the last position of the previous page. */
    @Override
    public SilknoteChangePage silknoteChanges(long position, Optional<String> cursor, int limit) {
        requireNonNull(cursor, "cursor");
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be in 1..1000, was " + limit);
        }
        synchronized (lock) {
            long after = cursor.map(Long::parseLong).orElse(position - 1);
            List<SilknoteChange> items = new ArrayList<>();
            boolean more = false;
            for (SilknoteChange c : changes.tailMap(Math.max(after, position - 1), false).values()) {
                if (items.size() == limit) {
                    more = true;
                    break;
                }
                items.add(c);
            }
            return new SilknoteChangePage(items,
                    more ? Optional.of(Long.toString(items.get(items.size() - 1).position())) : Optional.empty(),
                    lastChange + 1);
        }
    }

    @Override
    public long loadChangePosition() {
        synchronized (lock) {
            return changePosition;
        }
    }

    @Override
    public List<ConflictRecord> conflicts(FilesetId filesetId) {
        requireNonNull(filesetId, "filesetId");
        synchronized (lock) {
            return conflicts.values().stream()
                    .filter(c -> c.filesetId().equals(filesetId) && c.unresolved()).toList();
        }
    }

    @Override
    public Optional<ConflictRecord> findConflict(ConflictId id) {
        requireNonNull(id, "id");
        synchronized (lock) {
            return Optional.ofNullable(conflicts.get(id));
        }
    }

    /** Records in id order; the cursor is the last id of the previous page. */
    @Override
    public Page<ConflictRecord> conflicts(Set<ConflictStatus> statuses, Optional<String> cursor, int limit) {
        requireNonNull(statuses, "statuses");
        requireNonNull(cursor, "cursor");
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be in 1..1000, was " + limit);
        }
        synchronized (lock) {
            NavigableMap<ConflictId, ConflictRecord> tail = cursor.isPresent()
                    ? conflicts.tailMap(ConflictId.of(cursor.get()), false) : conflicts;
            List<ConflictRecord> items = new ArrayList<>();
            boolean more = false;
            for (ConflictRecord c : tail.values()) {
                if (!statuses.contains(c.status())) {
                    continue;
                }
                if (items.size() == limit) {
                    more = true;
                    break;
                }
                items.add(c);
            }
            return new Page<>(items, more ? Optional.of(items.get(items.size() - 1).id().value()) : Optional.empty());
        }
    }

    @Override
    public List<OutboxEntry> pendingOutbox(long afterId, int limit) {
        requirePositive(limit);
        synchronized (lock) {
            return outbox.tailMap(afterId, false).values().stream().limit(limit).toList();
        }
    }

    /** Least recently updated first, then by hash. */
    @Override
    public List<BlobRef> unreferencedBlobs(int limit) {
        requirePositive(limit);
        synchronized (lock) {
            return blobRefs.values().stream()
                    .filter(r -> r.refCount() == 0 || r.state() == BlobRef.State.DELETING)
                    .sorted(Comparator.comparing(BlobRef::updatedAt).thenComparing(BlobRef::hash))
                    .limit(limit).toList();
        }
    }

    // ------------------------------------------------------------------ run history: reads

    /** Newest start first; among equal starts, the later recorded first. */
    private List<RunRow> runsNewestFirst() {
        List<RunRow> rows = new ArrayList<>(runs.values());
        rows.sort(Comparator.comparing((RunRow r) -> r.startedAt).thenComparingLong(r -> r.seq).reversed());
        return rows;
    }

    @Override
    public List<SyncReport> recentRuns(int limit) {
        requirePositive(limit);
        synchronized (lock) {
            List<SyncReport> out = new ArrayList<>();
            for (RunRow r : runsNewestFirst()) {
                if (out.size() == limit) {
                    break;
                }
                if (r.summary != null) {
                    out.add(r.summary);
                }
            }
            return List.copyOf(out);
        }
    }

    @Override
    public List<RunRecord> runs(Instant from, Instant to, int limit) {
        requireNonNull(from, "from");
        requireNonNull(to, "to");
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be in 1..1000, was " + limit);
        }
        synchronized (lock) {
            List<RunRecord> out = new ArrayList<>();
            for (RunRow r : runsNewestFirst()) {
                if (out.size() == limit) {
                    break;
                }
                if (!r.startedAt.isBefore(from) && r.startedAt.isBefore(to)) {
                    out.add(record(r));
                }
            }
            return List.copyOf(out);
        }
    }

    @Override
    public Optional<RunRecord> findRun(RunId run) {
        requireNonNull(run, "run");
        synchronized (lock) {
            RunRow r = runs.get(run);
            return r == null ? Optional.empty() : Optional.of(record(r));
        }
    }

    /** The cursor is the number of reports already returned. */
    @Override
    public Page<FilesetReport> runFilesets(RunId run, Optional<String> cursor, int limit) {
        requireNonNull(run, "run");
        requireNonNull(cursor, "cursor");
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be in 1..1000, was " + limit);
        }
        int from;
        try {
            from = cursor.map(Integer::parseInt).orElse(0);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a cursor of this store", e);
        }
        synchronized (lock) {
            List<FilesetReport> all = new ArrayList<>(runFilesets.getOrDefault(run, new LinkedHashMap<>()).values());
            int to = Math.min(all.size(), from + limit);
            List<FilesetReport> items = from >= all.size() ? List.of() : List.copyOf(all.subList(from, to));
            return new Page<>(items, to < all.size() ? Optional.of(Integer.toString(to)) : Optional.empty());
        }
    }

    private static RunRecord record(RunRow r) {
        return new RunRecord(r.id, r.startedAt, Optional.ofNullable(r.summary));
    }

    // ------------------------------------------------------------------ writes

    /**
     * @throws StaleFencingTokenException when a higher token committed before; nothing written
     * @throws BlobBeingCollectedException from {@link UnitOfWork#addBlobRef}; nothing written
     * @throws ClaimLostException when a claim the unit expects no longer holds; nothing written
     * @throws PermanentSyncException when a document's {@code clientFileId} is taken by another document
     */
    @Override
    public <T> T inUnitOfWork(FencingToken token, Function<UnitOfWork, T> work) {
        requireNonNull(work, "work");
        return write(token, true, j -> {
            Uow uow = new Uow(j, token);
            try {
                T result = work.apply(uow);
                for (ContentHash h : uow.recount) {
                    recount(j, h);
                }
                uow.checkClaims();
                return result;
            } finally {
                uow.closed = true;
            }
        });
    }

    @Override
    public void completeOutbox(FencingToken token, long entryId) {
        write(token, true, j -> {
            j.remove(outbox, entryId);
            j.remove(parked, entryId);
            return null;
        });
    }

    /** All of them in one write: all or nothing. */
    @Override
    public void completeOutbox(FencingToken token, Collection<Long> entryIds) {
        requireNonNull(entryIds, "entryIds");
        List<Long> ids = List.copyOf(entryIds);
        requireNonNull(token, "token");
        if (ids.isEmpty()) {
            return;
        }
        write(token, true, j -> {
            for (long id : ids) {
                j.remove(outbox, id);
                j.remove(parked, id);
            }
            return null;
        });
    }

    @Override
    public void failOutbox(FencingToken token, long entryId, String reasonCode, boolean park) {
        requireNonNull(reasonCode, "reasonCode");
        write(token, true, j -> {
            OutboxEntry e = j.remove(outbox, entryId);
            boolean wasParked = false;
            if (e == null) {
                e = j.remove(parked, entryId);
                wasParked = true;
            }
            if (e != null) {
                OutboxEntry failed = new OutboxEntry(e.id(), e.document(), e.action(), e.contentHash(),
                        e.attempts() + 1, e.createdAt(), Optional.of(reasonCode));
                j.put(park || wasParked ? parked : outbox, entryId, failed);
            }
            return null;
        });
    }

    @Override
    public boolean markBlobDeleting(FencingToken token, ContentHash hash, String blobEtag, Instant notAfter) {
        requireNonNull(hash, "hash");
        requireNonNull(blobEtag, "blobEtag");
        requireNonNull(notAfter, "notAfter");
        return write(token, true, j -> {
            BlobRef r = blobRefs.get(hash);
            if (r == null || r.state() != BlobRef.State.LIVE || r.refCount() != 0
                    || !r.updatedAt().isBefore(notAfter)) {
                return false;
            }
            boolean held = mappings.values().stream().anyMatch(m -> m.contentHash().equals(hash))
                    || heldByDocument(hash)
                    || conflicts.values().stream().anyMatch(c -> c.heldHashes().contains(hash));
            if (held) {
                // a damaged count never collects a referenced blob: the row is set to its references instead
                recount(j, hash);
                return false;
            }
            j.put(blobRefs, hash, new BlobRef(hash, 0, r.size(), BlobRef.State.DELETING, Optional.of(blobEtag),
                    clock.instant()));
            return true;
        });
    }

    @Override
    public boolean removeBlobRefIfDeleting(FencingToken token, ContentHash hash, String blobEtag) {
        requireNonNull(hash, "hash");
        requireNonNull(blobEtag, "blobEtag");
        return write(token, true, j -> {
            BlobRef r = blobRefs.get(hash);
            if (r == null || r.state() != BlobRef.State.DELETING || !r.blobEtag().equals(Optional.of(blobEtag))) {
                return false;
            }
            j.remove(blobRefs, hash);
            return true;
        });
    }

    @Override
    public void reviveBlobRef(FencingToken token, ContentHash hash, String blobEtag) {
        requireNonNull(hash, "hash");
        requireNonNull(blobEtag, "blobEtag");
        write(token, true, j -> {
            BlobRef r = blobRefs.get(hash);
            if (r != null && r.state() == BlobRef.State.DELETING && r.blobEtag().equals(Optional.of(blobEtag))) {
                j.put(blobRefs, hash, new BlobRef(hash, r.refCount(), r.size(), BlobRef.State.LIVE, r.blobEtag(),
                        clock.instant()));
            }
            return null;
        });
    }

    // ------------------------------------------------------------------ run history: writes

    @Override
    public void recordRunStarted(FencingToken token, RunId run, Instant startedAt) {
        requireNonNull(run, "run");
        requireNonNull(startedAt, "startedAt");
        write(token, false, j -> {
            if (!runs.containsKey(run)) {
                j.put(runs, run, new RunRow(run, startedAt, ++runSeq));
            }
            return null;
        });
    }

    /** @throws ClaimLostException when {@code claim} no longer holds; nothing stored */
    @Override
    public void recordFilesetReport(FencingToken token, RunId run, FilesetReport report,
            Optional<FilesetClaims.Claim> claim) {
        requireNonNull(run, "run");
        requireNonNull(report, "report");
        requireNonNull(claim, "claim");
        write(token, false, j -> {
            if (claim.isPresent()) {
                FilesetClaims.Claim c = claim.get();
                if (!c.run().equals(run) || !c.fileset().equals(report.filesetId())) {
                    throw new IllegalArgumentException("the claim is not of this run and fileset");
                }
                if (!claims.holds(c)) {
                    throw new ClaimLostException("claim on fileset " + c.fileset() + " no longer held");
                }
            }
            LinkedHashMap<FilesetId, FilesetReport> reports = runFilesets.get(run);
            if (reports == null) {
                reports = new LinkedHashMap<>();
                j.put(runFilesets, run, reports);
            }
            j.put(reports, report.filesetId(), report);
            // last: the claims are not journaled, so nothing may throw after this
            claim.ifPresent(c -> claims.finish(c, !report.outcome().isFailure()));
            return null;
        });
    }

    @Override
    public void recordRun(FencingToken token, SyncReport report) {
        requireNonNull(report, "report");
        write(token, false, j -> {
            RunRow row = runs.get(report.runId());
            if (row == null) {
                row = new RunRow(report.runId(), report.startedAt(), ++runSeq);
                j.put(runs, report.runId(), row);
            }
            RunRow r = row;
            SyncReport before = r.summary;
            r.summary = report.summary();
            j.onUndo(() -> r.summary = before);
            return null;
        });
    }

    @Override
    public int pruneRuns(FencingToken token, Instant startedBefore, int keepNewest) {
        requireNonNull(startedBefore, "startedBefore");
        if (keepNewest < 1) {
            throw new IllegalArgumentException("keepNewest must be >= 1, was " + keepNewest);
        }
        return write(token, false, j -> {
            int kept = 0;
            int removed = 0;
            for (RunRow r : runsNewestFirst()) {
                if (kept < keepNewest && !r.startedAt.isBefore(startedBefore)) {
                    kept++;
                    continue;
                }
                j.remove(runs, r.id);
                j.remove(runFilesets, r.id);
                removed++;
            }
            return removed;
        });
    }

    // ------------------------------------------------------------------ beyond the port

    /** The highest fencing token of a committed write, if any. */
    public Optional<FencingToken> highWaterMark() {
        synchronized (lock) {
            return Optional.ofNullable(highWater);
        }
    }

    /**
     * Number of committed writes to the ledger (units of work and single writes) so far; writes to the run
     * history are counted by {@link #historyWrites()}.
     */
    public long commits() {
        synchronized (lock) {
            return commits;
        }
    }

    /** Number of committed writes to the run history (runs, fileset reports, pruning) so far. */
    public long historyWrites() {
        synchronized (lock) {
            return historyWrites;
        }
    }

    /** Every document, by uuid. */
    public Map<DocumentUuid, SilknoteDocument> allDocuments() {
        synchronized (lock) {
            return Collections.unmodifiableMap(new TreeMap<>(documents));
        }
    }

    /** Every mapping, by VSRX file id. */
    public Map<VsrxFileId, SyncMapping> allMappings() {
        synchronized (lock) {
            return Collections.unmodifiableMap(new TreeMap<>(mappings));
        }
    }

    /** Every patient fileset record, by fileset id. */
    public Map<FilesetId, PatientFilesetRecord> allFilesets() {
        synchronized (lock) {
            return Collections.unmodifiableMap(new TreeMap<>(filesets));
        }
    }

    /** Every blob reference row, by hash. */
    public Map<ContentHash, BlobRef> allBlobRefs() {
        synchronized (lock) {
            return Collections.unmodifiableMap(new TreeMap<>(blobRefs));
        }
    }

    /** Every remembered skip, by file id. */
    public Map<VsrxFileId, PermanentSkip> allSkips() {
        synchronized (lock) {
            return Collections.unmodifiableMap(new TreeMap<>(skips));
        }
    }

    /** Outbox entries not done and not parked, oldest first. */
    public List<OutboxEntry> allPendingOutbox() {
        synchronized (lock) {
            return List.copyOf(outbox.values());
        }
    }

    /** Parked outbox entries, oldest first. */
    public List<OutboxEntry> parkedOutbox() {
        synchronized (lock) {
            return List.copyOf(parked.values());
        }
    }

    /** The summaries of every finished run, oldest (by start) first. */
    public List<SyncReport> allRuns() {
        synchronized (lock) {
            List<SyncReport> out = new ArrayList<>();
            List<RunRow> rows = runsNewestFirst();
            Collections.reverse(rows);
            for (RunRow r : rows) {
                if (r.summary != null) {
                    out.add(r.summary);
                }
            }
            return List.copyOf(out);
        }
    }

    /** Every fileset report recorded for a run, in the order recorded. */
    public List<FilesetReport> allFilesetReports(RunId run) {
        requireNonNull(run, "run");
        synchronized (lock) {
            return List.copyOf(runFilesets.getOrDefault(run, new LinkedHashMap<>()).values());
        }
    }

    /** This store's documents changed the way Silknote does (the {@code ...AsSilknoteUser} methods). */
    public SilknoteUser silknoteUser() {
        return new SilknoteUser() {
            @Override
            public void create(AuthoredDocument document) {
                createDocumentAsSilknoteUser(document);
            }

            @Override
            public void replaceContent(DocumentUuid uuid, ContentHash hash, long size, String mimeType) {
                replaceContentAsSilknoteUser(uuid, hash, size, mimeType);
            }

            @Override
            public void group(DocumentUuid uuid, String groupingStatus) {
                requireNonNull(groupingStatus, "groupingStatus");
                editDocumentAsSilknoteUser(uuid, d -> new SilknoteDocument(d.uuid(), d.patientUuid(), d.filesetId(),
                        d.clientFileId(), d.contentHash(), d.size(), d.mimeType(),
                        new com.silknote.sync.core.model.DocumentMetadata(d.metadata().vsrxReference(),
                                d.metadata().originalPath(), d.metadata().sourceSystem(), groupingStatus,
                                d.metadata().patientIdHistory()), d.updatedAt()));
            }

            @Override
            public void remove(DocumentUuid uuid) {
                removeDocumentAsSilknoteUser(uuid);
            }

            /** In memory a change is visible and counted only when it commits. */
            @Override
            public Pending replaceContentLater(DocumentUuid uuid, ContentHash hash, long size, String mimeType) {
                return () -> replaceContentAsSilknoteUser(uuid, hash, size, mimeType);
            }
        };
    }

    /** Every Silknote-created document not linked yet, by uuid. */
    public Map<DocumentUuid, AuthoredDocument> allAuthoredDocuments() {
        synchronized (lock) {
            return Collections.unmodifiableMap(new TreeMap<>(authored));
        }
    }

    /** Every conflict record, resolved ones included, by id. */
    public Map<ConflictId, ConflictRecord> allConflicts() {
        synchronized (lock) {
            return Collections.unmodifiableMap(new TreeMap<>(conflicts));
        }
    }

    /** The documents a Silknote user wrote last (the sync has not written them since). */
    public Set<DocumentUuid> documentsWrittenBySilknoteUsers() {
        synchronized (lock) {
            return Collections.unmodifiableSet(new TreeSet<>(userWritten));
        }
    }

    /**
     * Creates a document the way a Silknote user would: not linked to a VSRX file, with its content already in
     * the blob store under its hash (the caller puts it there). Gets the next change position.
     *
     * @throws IllegalArgumentException when a document with that uuid exists
     */
    public void createDocumentAsSilknoteUser(AuthoredDocument document) {
        requireNonNull(document, "document");
        synchronized (lock) {
            if (documents.containsKey(document.uuid()) || authored.containsKey(document.uuid())) {
                throw new IllegalArgumentException("document " + document.uuid() + " exists");
            }
            authored.put(document.uuid(), document);
            recordChange(document.uuid(), document.patientUuid(), document.filesetId(), false);
        }
    }

    /**
     * Replaces a document's content the way a Silknote user would (the new bytes already in the blob store under
     * {@code hash}): a linked document keeps its keys and metadata, a Silknote-created one likewise. The
     * document's {@code updatedAt} becomes the clock's now; it gets the next change position.
     *
     * @throws IllegalArgumentException when there is no such document
     */
    public void replaceContentAsSilknoteUser(DocumentUuid uuid, ContentHash hash, long size, String mimeType) {
        requireNonNull(uuid, "uuid");
        requireNonNull(hash, "hash");
        requireNonNull(mimeType, "mimeType");
        synchronized (lock) {
            Instant now = clock.instant();
            SilknoteDocument d = documents.get(uuid);
            if (d != null) {
                putDocument(new Journal(), new SilknoteDocument(uuid, d.patientUuid(), d.filesetId(),
                        d.clientFileId(), hash, size, mimeType, d.metadata(), now));
                userWritten.add(uuid);
                recordChange(uuid, d.patientUuid(), Optional.of(d.filesetId()), false);
            } else {
                AuthoredDocument a = authored.get(uuid);
                if (a == null) {
                    throw new IllegalArgumentException("no document " + uuid);
                }
                authored.put(uuid, new AuthoredDocument(uuid, a.patientUuid(), a.filesetId(), hash, size,
                        mimeType, a.title(), a.sourceSystem(), a.groupingStatus(), now));
                recordChange(uuid, a.patientUuid(), a.filesetId(), false);
            }
        }
    }

    private void recordChange(DocumentUuid uuid, PatientUuid patient, Optional<FilesetId> fileset, boolean removed) {
        long position = ++lastChange;
        changes.put(position, new SilknoteChange(position, uuid, patient, fileset, removed));
    }

    /**
     * Changes a document the way a Silknote user would (e.g. grouping it), outside any fencing. The
     * function must keep the uuid and clientFileId.
     *
     * @throws IllegalArgumentException when the document does not exist or the function changes its keys
     */
    public SilknoteDocument editDocumentAsSilknoteUser(DocumentUuid uuid, UnaryOperator<SilknoteDocument> edit) {
        requireNonNull(uuid, "uuid");
        requireNonNull(edit, "edit");
        synchronized (lock) {
            SilknoteDocument before = documents.get(uuid);
            if (before == null) {
                throw new IllegalArgumentException("no document " + uuid);
            }
            SilknoteDocument after = requireNonNull(edit.apply(before), "edited document");
            if (!after.uuid().equals(uuid) || !after.clientFileId().equals(before.clientFileId())) {
                throw new IllegalArgumentException("an edit must keep uuid and clientFileId");
            }
            Journal j = new Journal();
            putDocument(j, after);
            userWritten.add(uuid);
            recordChange(uuid, after.patientUuid(), Optional.of(after.filesetId()), false);
            return after;
        }
    }

    /** Deletes a patient fileset record the way Silknote would (its documents stay: orphans). */
    public void removeFilesetAsSilknoteUser(FilesetId filesetId) {
        requireNonNull(filesetId, "filesetId");
        synchronized (lock) {
            filesets.remove(filesetId);
        }
    }

    /**
     * Deletes a document the way Silknote would: only the document row (mapping and refs stay). A removal of a
     * document that existed gets the next change position.
     */
    public void removeDocumentAsSilknoteUser(DocumentUuid uuid) {
        requireNonNull(uuid, "uuid");
        synchronized (lock) {
            SilknoteDocument d = removeDocumentRow(new Journal(), uuid);
            if (d != null) {
                recordChange(uuid, d.patientUuid(), Optional.of(d.filesetId()), true);
            }
            AuthoredDocument a = authored.remove(uuid);
            if (a != null) {
                recordChange(uuid, a.patientUuid(), a.filesetId(), true);
            }
            userWritten.remove(uuid);
        }
    }

    /**
     * Deletes the mapping of a VSRX file behind the sync's back (a restore, a manual fix), outside fencing;
     * the document and the blob reference stay. No-op when there is none.
     */
    public void removeMappingRow(VsrxFileId fileId) {
        requireNonNull(fileId, "fileId");
        synchronized (lock) {
            removeMapping(new Journal(), fileId);
        }
    }

    /**
     * Deletes the reference row of a blob behind the sync's back, outside fencing; documents, mappings and
     * the blob stay. No-op when there is none.
     */
    public void removeBlobRefRow(ContentHash hash) {
        requireNonNull(hash, "hash");
        synchronized (lock) {
            blobRefs.remove(hash);
        }
    }

    /** Every audit row, oldest first. */
    public List<AuditRecord> allAudit() {
        synchronized (lock) {
            return List.copyOf(audit);
        }
    }

    /**
     * Damage for check-and-repair tests: replaces (or, with empty, removes) a blob reference row behind the
     * sync's back, outside any fencing.
     */
    public void replaceBlobRefBehindTheSync(ContentHash hash, Optional<BlobRef> row) {
        requireNonNull(hash, "hash");
        requireNonNull(row, "row");
        synchronized (lock) {
            if (row.isPresent()) {
                if (!row.get().hash().equals(hash)) {
                    throw new IllegalArgumentException("row of another hash");
                }
                blobRefs.put(hash, row.get());
            } else {
                blobRefs.remove(hash);
            }
        }
    }

    /** Damage for check-and-repair tests: removes a mapping behind the sync's back (its document stays). */
    public void removeMappingBehindTheSync(VsrxFileId fileId) {
        removeMappingRow(fileId);
    }

    /**
     * A rival's write for race tests (DESIGN rule 10, "conditional on the rows as read"): puts a mapping row
     * behind the sync's back, outside any fencing (documents and blob references stay as they are). A test calls
     * it between a run's read and its commit, e.g. from a {@link ForwardingDocumentStore} hook.
     */
    public void replaceMappingBehindTheSync(SyncMapping mapping) {
        requireNonNull(mapping, "mapping");
        synchronized (lock) {
            putMapping(new Journal(), mapping);
        }
    }

    /**
     * A rival's write for race tests (DESIGN rule 10): puts a conflict record behind the sync's back, outside any
     * fencing and without the sync lock (blob references stay as they are; the in-memory store counts a record's
     * {@link ConflictRecord#heldHashes()} when it recounts). A test calls it between a run's read of the records
     * and its commit, e.g. from a {@link ForwardingDocumentStore} hook.
     */
    public void replaceConflictBehindTheSync(ConflictRecord record) {
        requireNonNull(record, "record");
        synchronized (lock) {
            conflicts.put(record.id(), record);
        }
    }

    // ------------------------------------------------------------------ internals

    private StaleFencingTokenException stale(FencingToken token) {
        return new StaleFencingTokenException("fencing token " + token.value()
                + " is older than the store's high-water mark " + highWater.value());
    }

    private <T> T write(FencingToken token, boolean ledger, Function<Journal, T> change) {
        requireNonNull(token, "token");
        synchronized (lock) {
            if (highWater != null && token.compareTo(highWater) < 0) {
                throw stale(token);
            }
            Journal j = new Journal();
            T result;
            try {
                result = change.apply(j);
            } catch (RuntimeException | Error e) {
                j.rollback();
                throw e;
            }
            highWater = token;
            if (ledger) {
                commits++;
            } else {
                historyWrites++;
            }
            return result;
        }
    }

    /** Inserts or replaces a document row, keeping the client-file-id and fileset indexes. */
    private void putDocument(Journal j, SilknoteDocument document) {
        SilknoteDocument previous = j.put(documents, document.uuid(), document);
        if (previous != null) {
            if (!previous.clientFileId().equals(document.clientFileId())) {
                j.remove(byClientFileId, previous.clientFileId());
            }
            if (!previous.filesetId().equals(document.filesetId())) {
                j.unindex(documentsByFileset, previous.filesetId(), previous.uuid());
            }
        }
        j.put(byClientFileId, document.clientFileId(), document.uuid());
        j.index(documentsByFileset, document.filesetId(), document.uuid());
    }

    private SilknoteDocument removeDocumentRow(Journal j, DocumentUuid uuid) {
        SilknoteDocument d = j.remove(documents, uuid);
        if (d != null) {
            j.remove(byClientFileId, d.clientFileId());
            j.unindex(documentsByFileset, d.filesetId(), uuid);
        }
        return d;
    }

    private void putMapping(Journal j, SyncMapping mapping) {
        SyncMapping previous = j.put(mappings, mapping.vsrxFileId(), mapping);
        if (previous != null) {
            j.unindex(mappingsByFileset, previous.filesetId(), previous.vsrxFileId());
            j.unindex(mappingsByDocument, previous.silknoteDocumentUuid(), previous.vsrxFileId());
        }
        j.index(mappingsByFileset, mapping.filesetId(), mapping.vsrxFileId());
        j.index(mappingsByDocument, mapping.silknoteDocumentUuid(), mapping.vsrxFileId());
    }

    private void removeMapping(Journal j, VsrxFileId fileId) {
        SyncMapping m = j.remove(mappings, fileId);
        if (m != null) {
            j.unindex(mappingsByFileset, m.filesetId(), fileId);
            j.unindex(mappingsByDocument, m.silknoteDocumentUuid(), fileId);
        }
    }

    /**
     * Whether any document holds {@code h}, the sync's or a Silknote-created one (whose bytes hold no reference of
     * the sync until exported, issue 14): such bytes are never marked or adopted for collection.
     */
    private boolean heldByDocument(ContentHash h) {
        return documents.values().stream().anyMatch(d -> d.contentHash().equals(h))
                || authored.values().stream().anyMatch(a -> a.contentHash().equals(h));
    }

    /** File ids whose mapping (else document) holds {@code h}; its size as they record it. */
    private long[] references(ContentHash h) {
        long count = 0;
        long size = -1;
        for (SyncMapping m : mappings.values()) {
            if (m.contentHash().equals(h)) {
                count++;
                size = m.size();
            }
        }
        for (SilknoteDocument d : documents.values()) {
            if (d.contentHash().equals(h) && !mappings.containsKey(d.clientFileId())) {
                count++;
                size = size < 0 ? d.size() : size;
            }
        }
        for (ConflictRecord c : conflicts.values()) {
            if (c.heldHashes().contains(h)) {
                count++;
            }
        }
        return new long[] {count, size};
    }

    /** Sets the row of {@code h} to the references the ledger holds (see {@link UnitOfWork#releaseBlobRef}). */
    private void recount(Journal j, ContentHash h) {
        long[] refs = references(h);
        BlobRef r = blobRefs.get(h);
        Instant now = clock.instant();
        if (r != null) {
            j.put(blobRefs, h, new BlobRef(h, refs[0], r.size(), r.state(), r.blobEtag(), now));
        } else if (refs[0] > 0) {
            j.put(blobRefs, h, new BlobRef(h, refs[0], refs[1], BlobRef.State.LIVE, Optional.empty(), now));
        }
    }

    private static void requirePositive(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
    }

    private final class Uow implements UnitOfWork {
        private final Journal j;
        private final FencingToken token;
        private final List<FilesetClaims.Claim> expectedClaims = new ArrayList<>();
        final Set<ContentHash> recount = new LinkedHashSet<>();
        boolean closed;
        /** Documents, mappings or references written: blob maintenance is refused in this unit. */
        private boolean ledgerWritten;
        /** Blob maintenance used: document, mapping and reference writes are refused in this unit. */
        private boolean maintenance;

        Uow(Journal j, FencingToken token) {
            this.j = j;
            this.token = token;
        }

        private void open() {
            if (closed) {
                throw new IllegalStateException("unit of work already ended");
            }
        }

        private void ledgerWrite() {
            open();
            if (maintenance) {
                throw new IllegalStateException("a unit of work with blob maintenance writes no documents, mappings"
                        + " or references");
            }
            ledgerWritten = true;
        }

        private void maintenance() {
            open();
            if (ledgerWritten) {
                throw new IllegalStateException("blob maintenance in a unit of work that writes documents, mappings"
                        + " or references");
            }
            maintenance = true;
        }

        private void record(AuditEntry entry) {
            long id = audit.isEmpty() ? 1 : audit.get(audit.size() - 1).id() + 1;
            audit.add(new AuditRecord(id, clock.instant(), token, Optional.empty(), entry));
            j.onUndo(() -> audit.remove(audit.size() - 1));
        }

        @Override
        public void audit(AuditEntry entry) {
            requireNonNull(entry, "entry");
            open();
            record(entry);
        }

        @Override
        public void deleteMapping(VsrxFileId fileId) {
            requireNonNull(fileId, "fileId");
            ledgerWrite();
            removeMapping(j, fileId);
        }

        @Override
        public void removeOutbox(long entryId) {
            open();
            j.remove(outbox, entryId);
            j.remove(parked, entryId);
        }

        @Override
        public void requeueOutbox(long entryId) {
            open();
            OutboxEntry e = j.remove(parked, entryId);
            if (e != null) {
                j.put(outbox, entryId, new OutboxEntry(e.id(), e.document(), e.action(), e.contentHash(), 0,
                        e.createdAt(), Optional.empty()));
            }
        }

        @Override
        public void markBlobDeleting(ContentHash hash, String blobEtag, Instant notAfter) {
            requireNonNull(hash, "hash");
            requireNonNull(blobEtag, "blobEtag");
            requireNonNull(notAfter, "notAfter");
            maintenance();
            BlobRef r = blobRefs.get(hash);
            if (r != null && r.state() == BlobRef.State.LIVE && r.refCount() == 0 && r.updatedAt().isBefore(notAfter)
                    && references(hash)[0] == 0 && !heldByDocument(hash)) {
                j.put(blobRefs, hash, new BlobRef(hash, 0, r.size(), BlobRef.State.DELETING, Optional.of(blobEtag),
                        clock.instant()));
            }
        }

        @Override
        public void adoptUnreferencedBlob(ContentHash hash, long size, String blobEtag) {
            requireNonNull(hash, "hash");
            requireNonNull(blobEtag, "blobEtag");
            if (size < 0) {
                throw new IllegalArgumentException("size must be >= 0");
            }
            maintenance();
            if (!blobRefs.containsKey(hash) && references(hash)[0] == 0 && !heldByDocument(hash)) {
                j.put(blobRefs, hash, new BlobRef(hash, 0, size, BlobRef.State.DELETING, Optional.of(blobEtag),
                        clock.instant()));
            }
        }

        @Override
        public void removeBlobRefIfDeleting(ContentHash hash, String blobEtag, AuditEntry ifRemoved) {
            requireNonNull(hash, "hash");
            requireNonNull(blobEtag, "blobEtag");
            requireNonNull(ifRemoved, "ifRemoved");
            maintenance();
            BlobRef r = blobRefs.get(hash);
            if (r != null && r.state() == BlobRef.State.DELETING && r.blobEtag().equals(Optional.of(blobEtag))) {
                j.remove(blobRefs, hash);
                record(ifRemoved);
            }
        }

        @Override
        public void recountBlobRef(ContentHash hash, AuditEntry ifChanged) {
            requireNonNull(hash, "hash");
            requireNonNull(ifChanged, "ifChanged");
            maintenance();
            long[] refs = references(hash);
            long references = refs[0];
            BlobRef r = blobRefs.get(hash);
            long before = r == null ? 0 : r.refCount();
            if (r == null && references == 0 || r != null && before == references
                    && (references == 0 || r.state() == BlobRef.State.LIVE)) {
                return;
            }
            long size = r != null ? r.size() : refs[1];
            BlobRef.State state = references > 0 ? BlobRef.State.LIVE : r.state();
            Optional<String> etag = r == null ? Optional.empty() : r.blobEtag();
            j.put(blobRefs, hash, new BlobRef(hash, references, size, state, etag, clock.instant()));
            boolean revived = r != null && r.state() != state;
            record(ifChanged.withDetail("refCount:" + before + ">" + references + (revived ? ",revived" : "")));
        }

        /** Checks the expected claims at the end of the unit, under the store's lock. */
        void checkClaims() {
            for (FilesetClaims.Claim c : expectedClaims) {
                if (!claims.holds(c)) {
                    throw new ClaimLostException("claim on fileset " + c.fileset() + " no longer held");
                }
            }
        }

        @Override
        public void expectFileset(FilesetId filesetId, Optional<PatientFilesetRecord> asRead) {
            requireNonNull(filesetId, "filesetId");
            requireNonNull(asRead, "asRead");
            open();
            if (!Objects.equals(filesets.get(filesetId), asRead.orElse(null))) {
                throw new ConcurrentUpdateException("fileset record " + filesetId);
            }
        }

        @Override
        public void expectFile(VsrxFileId fileId, Optional<SyncMapping> mappingAsRead,
                Optional<SilknoteDocument> documentAsRead) {
            requireNonNull(fileId, "fileId");
            requireNonNull(mappingAsRead, "mappingAsRead");
            requireNonNull(documentAsRead, "documentAsRead");
            open();
            if (!Objects.equals(mappings.get(fileId), mappingAsRead.orElse(null))) {
                throw new ConcurrentUpdateException("mapping of file " + fileId);
            }
            DocumentUuid uuid = byClientFileId.get(fileId);
            SilknoteDocument current = uuid == null ? null : documents.get(uuid);
            if (!Objects.equals(current, documentAsRead.orElse(null))) {
                throw new ConcurrentUpdateException("document of file " + fileId);
            }
        }

        @Override
        public void expectClaim(FilesetClaims.Claim claim) {
            requireNonNull(claim, "claim");
            open();
            if (!claims.holds(claim)) {
                throw new ClaimLostException("claim on fileset " + claim.fileset() + " no longer held");
            }
            expectedClaims.add(claim);
        }

        @Override
        public void expectAuthored(DocumentUuid uuid, Optional<AuthoredDocument> asRead) {
            requireNonNull(uuid, "uuid");
            requireNonNull(asRead, "asRead");
            open();
            if (!Objects.equals(authored.get(uuid), asRead.orElse(null))) {
                throw new ConcurrentUpdateException("Silknote-created document " + uuid);
            }
        }

        @Override
        public void expectConflict(ConflictId id, Optional<ConflictRecord> asRead) {
            requireNonNull(id, "id");
            requireNonNull(asRead, "asRead");
            open();
            if (!Objects.equals(conflicts.get(id), asRead.orElse(null))) {
                throw new ConcurrentUpdateException("conflict record " + id);
            }
        }

        @Override
        public void addAuthoredDocument(AuthoredDocument document) {
            requireNonNull(document, "document");
            open();
            if (documents.containsKey(document.uuid()) || authored.containsKey(document.uuid())) {
                throw new IllegalStateException("document " + document.uuid() + " exists");
            }
            j.put(authored, document.uuid(), document);
        }

        @Override
        public void upsertConflict(ConflictRecord record) {
            requireNonNull(record, "record");
            open();
            j.put(conflicts, record.id(), record);
        }


        @Override
        public void saveChangePosition(long position) {
            open();
            long before = changePosition;
            changePosition = position;
            j.onUndo(() -> changePosition = before);
        }

        @Override
        public void upsertFileset(PatientFilesetRecord fileset) {
            requireNonNull(fileset, "fileset");
            open();
            j.put(filesets, fileset.filesetId(), fileset);
        }

        @Override
        public void upsertDocument(SilknoteDocument document) {
            requireNonNull(document, "document");
            ledgerWrite();
            DocumentUuid holder = byClientFileId.get(document.clientFileId());
            if (holder != null && !holder.equals(document.uuid())) {
                throw new PermanentSyncException("clientFileId already used by another document");
            }
            putDocument(j, document);
            j.remove(authored, document.uuid());
            if (userWritten.remove(document.uuid())) {
                j.onUndo(() -> userWritten.add(document.uuid()));
            }
        }

        @Override
        public void upsertMapping(SyncMapping mapping) {
            requireNonNull(mapping, "mapping");
            ledgerWrite();
            putMapping(j, mapping);
        }

        @Override
        public void deleteDocument(DocumentUuid uuid) {
            requireNonNull(uuid, "uuid");
            ledgerWrite();
            SilknoteDocument d = removeDocumentRow(j, uuid);
            if (d != null) {
                removeMapping(j, d.clientFileId());
            }
            for (VsrxFileId fileId : List.copyOf(mappingsByDocument.getOrDefault(uuid, Set.of()))) {
                removeMapping(j, fileId);
            }
            j.remove(authored, uuid);
            if (userWritten.remove(uuid)) {
                j.onUndo(() -> userWritten.add(uuid));
            }
        }

        @Override
        public BlobRef addBlobRef(ContentHash hash, long size, String confirmedEtag) {
            requireNonNull(hash, "hash");
            requireNonNull(confirmedEtag, "confirmedEtag");
            if (size < 0) {
                throw new IllegalArgumentException("size must be >= 0");
            }
            ledgerWrite();
            BlobRef r = blobRefs.get(hash);
            Instant now = clock.instant();
            BlobRef next;
            if (r == null) {
                next = new BlobRef(hash, 1, size, BlobRef.State.LIVE, Optional.of(confirmedEtag), now);
            } else if (r.state() == BlobRef.State.DELETING) {
                if (r.blobEtag().equals(Optional.of(confirmedEtag))) {
                    throw new BlobBeingCollectedException(hash);
                }
                next = new BlobRef(hash, r.refCount() + 1, size, BlobRef.State.LIVE, Optional.of(confirmedEtag), now);
            } else {
                next = new BlobRef(hash, r.refCount() + 1, r.size(), BlobRef.State.LIVE, Optional.of(confirmedEtag),
                        now);
            }
            j.put(blobRefs, hash, next);
            return next;
        }

        @Override
        public Optional<BlobRef> releaseBlobRef(ContentHash hash) {
            requireNonNull(hash, "hash");
            ledgerWrite();
            BlobRef r = blobRefs.get(hash);
            if (r == null || r.refCount() == 0) {
                recount.add(hash);
                return Optional.empty();
            }
            BlobRef next = new BlobRef(hash, r.refCount() - 1, r.size(), r.state(), r.blobEtag(), clock.instant());
            j.put(blobRefs, hash, next);
            return Optional.of(next);
        }

        @Override
        public void rememberSkip(PermanentSkip skip) {
            requireNonNull(skip, "skip");
            open();
            PermanentSkip previous = j.put(skips, skip.fileId(), skip);
            if (previous != null) {
                j.unindex(skipsByFileset, previous.filesetId(), previous.fileId());
            }
            j.index(skipsByFileset, skip.filesetId(), skip.fileId());
        }

        @Override
        public void forgetSkip(VsrxFileId fileId) {
            requireNonNull(fileId, "fileId");
            open();
            PermanentSkip previous = j.remove(skips, fileId);
            if (previous != null) {
                j.unindex(skipsByFileset, previous.filesetId(), fileId);
            }
        }

        @Override
        public void enqueue(OutboxEntry entry) {
            requireNonNull(entry, "entry");
            open();
            long before = lastOutboxId;
            long id = ++lastOutboxId;
            j.onUndo(() -> lastOutboxId = before);
            j.put(outbox, id, new OutboxEntry(id, entry.document(), entry.action(), entry.contentHash(),
                    entry.attempts(), entry.createdAt(), entry.lastError()));
        }

        @Override
        public void saveState(SyncState newState) {
            requireNonNull(newState, "state");
            open();
            SyncState before = state;
            state = newState;
            j.onUndo(() -> state = before);
        }
    }
}
