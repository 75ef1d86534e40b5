package com.silknote.sync.testkit;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.BlobBeingCollectedException;
import com.silknote.sync.core.exception.ConcurrentUpdateException;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.model.AuthoredDocument;
import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.ConflictId;
import com.silknote.sync.core.model.ConflictRecord;
import com.silknote.sync.core.model.ConflictStatus;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.OutboxEntry;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PatientFilesetRecord;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.PermanentSkip;
import com.silknote.sync.core.model.SilknoteChange;
import com.silknote.sync.core.model.SilknoteChangePage;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncState;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.DocumentStore;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * An in-memory Silknote ledger with the semantics the {@link DocumentStore} port specifies:
 * <ul>
 *   <li><b>Atomicity:</b> a unit of work runs on a private copy of the whole state, which replaces the
 *       committed state only when the callback returns; a throwing callback leaves nothing.</li>
 *   <li><b>Fencing:</b> the highest token of a committed write (or of {@link #fence}) is the high-water mark;
 *       a write with a lower token fails with {@link StaleFencingTokenException} and changes nothing (an equal
 *       token is accepted).</li>
 *   <li><b>Optimistic concurrency:</b> {@code expectFileset}/{@code expectFile} compare with the state the
 *       unit of work started from (the committed state, under the store's lock) and throw
 *       {@link ConcurrentUpdateException} at once when it differs.</li>
 *   <li><b>Blob GC protocol</b> of {@link BlobRef}, including {@link BlobBeingCollectedException}.</li>
 *   <li>Outbox ids increase (1, 2, ...); run history is returned newest first.</li>
 *   <li><b>Change sequence:</b> every {@code ...AsSilknoteUser} change of a document (and every removal) gets
 *       the next position of a counter; writes through a unit of work never do. The settled position of a read
 *       is the next position to be given, since every change is committed when it is counted.</li>
 * </ul>
 * Times ({@code BlobRef.updatedAt}) come from the injected clock. Units of work are serialized by one
 * lock; reads see the last committed state. Thread-safe.
 *
 * <p>Besides the port, it offers whole-state accessors ({@code all*}) for snapshots and invariant checks,
 * and {@code ...AsSilknoteUser} methods that change data the way Silknote itself (not the sync) would, for
 * conflict and orphan tests; those bypass fencing.
 */
public final class InMemoryDocumentStore implements DocumentStore {

    /** The whole ledger; copied for every unit of work. */
    private static final class Db {
        final TreeMap<DocumentUuid, SilknoteDocument> documents;
        final TreeMap<VsrxFileId, DocumentUuid> byClientFileId;
        final TreeMap<VsrxFileId, SyncMapping> mappings;
        final TreeMap<FilesetId, PatientFilesetRecord> filesets;
        final TreeMap<ContentHash, BlobRef> blobRefs;
        final TreeMap<VsrxFileId, PermanentSkip> skips;
        final TreeMap<Long, OutboxEntry> outbox;
        final TreeMap<Long, OutboxEntry> parked;
        long lastOutboxId;
        SyncState state;
        final List<SyncReport> runs;
        FencingToken highWater;
        /** Silknote-created documents not linked yet. */
        final TreeMap<DocumentUuid, AuthoredDocument> authored;
        /** The change sequence, by position. */
        final TreeMap<Long, SilknoteChange> changes;
        long lastChange;
        long changePosition;
        final TreeMap<ConflictId, ConflictRecord> conflicts;
        /** Documents whose last writer was a Silknote user, not the sync. */
        final TreeSet<DocumentUuid> userWritten;

        Db() {
            documents = new TreeMap<>();
            byClientFileId = new TreeMap<>();
            mappings = new TreeMap<>();
            filesets = new TreeMap<>();
            blobRefs = new TreeMap<>();
            skips = new TreeMap<>();
            outbox = new TreeMap<>();
            parked = new TreeMap<>();
            state = SyncState.initial();
            runs = new ArrayList<>();
            highWater = null;
            authored = new TreeMap<>();
            changes = new TreeMap<>();
            conflicts = new TreeMap<>();
            userWritten = new TreeSet<>();
        }

        Db(Db o) {
            documents = new TreeMap<>(o.documents);
            byClientFileId = new TreeMap<>(o.byClientFileId);
            mappings = new TreeMap<>(o.mappings);
            filesets = new TreeMap<>(o.filesets);
            blobRefs = new TreeMap<>(o.blobRefs);
            skips = new TreeMap<>(o.skips);
            outbox = new TreeMap<>(o.outbox);
            parked = new TreeMap<>(o.parked);
            lastOutboxId = o.lastOutboxId;
            state = o.state;
            runs = new ArrayList<>(o.runs);
            highWater = o.highWater;
            authored = new TreeMap<>(o.authored);
            changes = new TreeMap<>(o.changes);
            lastChange = o.lastChange;
            changePosition = o.changePosition;
            conflicts = new TreeMap<>(o.conflicts);
            userWritten = new TreeSet<>(o.userWritten);
        }

        void recordChange(DocumentUuid uuid, PatientUuid patient, Optional<FilesetId> fileset, boolean removed) {
            long position = ++lastChange;
            changes.put(position, new SilknoteChange(position, uuid, patient, fileset, removed));
        }
    }

    private final Clock clock;
    private final Object lock = new Object();
    private Db db = new Db();
    private long commits;

    /** An empty ledger whose times come from {@code clock}. */
    @Inject
    public InMemoryDocumentStore(Clock clock) {
        this.clock = requireNonNull(clock, "clock");
    }

    // ------------------------------------------------------------------ fencing

    /** Raises the high-water mark; not counted in {@link #commits()}. */
    @Override
    public void fence(FencingToken token) {
        requireNonNull(token, "token");
        synchronized (lock) {
            if (db.highWater != null && token.compareTo(db.highWater) < 0) {
                throw stale(token);
            }
            if (db.highWater == null || token.compareTo(db.highWater) > 0) {
                Db copy = new Db(db);
                copy.highWater = token;
                db = copy;
            }
        }
    }

    // ------------------------------------------------------------------ reads

    @Override
    public List<SyncMapping> mappings(FilesetId filesetId) {
        requireNonNull(filesetId, "filesetId");
        synchronized (lock) {
            return db.mappings.values().stream().filter(m -> m.filesetId().equals(filesetId)).toList();
        }
    }

    @Override
    public Optional<SyncMapping> findMapping(VsrxFileId fileId) {
        requireNonNull(fileId, "fileId");
        synchronized (lock) {
            return Optional.ofNullable(db.mappings.get(fileId));
        }
    }

    @Override
    public Map<VsrxFileId, SyncMapping> findMappings(Collection<VsrxFileId> fileIds) {
        requireNonNull(fileIds, "fileIds");
        synchronized (lock) {
            Map<VsrxFileId, SyncMapping> out = new LinkedHashMap<>();
            for (VsrxFileId id : fileIds) {
                SyncMapping m = db.mappings.get(requireNonNull(id, "fileId"));
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
                DocumentUuid uuid = db.byClientFileId.get(requireNonNull(id, "clientFileId"));
                if (uuid != null) {
                    out.put(id, db.documents.get(uuid));
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
            NavigableMap<FilesetId, PatientFilesetRecord> tail = cursor.isPresent()
                    ? db.filesets.tailMap(FilesetId.of(cursor.get()), false) : db.filesets;
            List<FilesetId> items = new ArrayList<>();
            boolean more = false;
            for (FilesetId id : tail.keySet()) {
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
            return Optional.ofNullable(db.documents.get(uuid));
        }
    }

    @Override
    public Optional<SilknoteDocument> findDocumentByClientFileId(VsrxFileId clientFileId) {
        requireNonNull(clientFileId, "clientFileId");
        synchronized (lock) {
            DocumentUuid uuid = db.byClientFileId.get(clientFileId);
            return uuid == null ? Optional.empty() : Optional.of(db.documents.get(uuid));
        }
    }

    @Override
    public List<SilknoteDocument> documents(FilesetId filesetId) {
        requireNonNull(filesetId, "filesetId");
        synchronized (lock) {
            return db.documents.values().stream().filter(d -> d.filesetId().equals(filesetId)).toList();
        }
    }

    @Override
    public Optional<PatientFilesetRecord> findFileset(FilesetId filesetId) {
        requireNonNull(filesetId, "filesetId");
        synchronized (lock) {
            return Optional.ofNullable(db.filesets.get(filesetId));
        }
    }

    @Override
    public Optional<BlobRef> findBlobRef(ContentHash hash) {
        requireNonNull(hash, "hash");
        synchronized (lock) {
            return Optional.ofNullable(db.blobRefs.get(hash));
        }
    }

    @Override
    public Map<VsrxFileId, PermanentSkip> permanentSkips(FilesetId filesetId) {
        requireNonNull(filesetId, "filesetId");
        synchronized (lock) {
            Map<VsrxFileId, PermanentSkip> out = new LinkedHashMap<>();
            db.skips.values().stream().filter(s -> s.filesetId().equals(filesetId))
                    .forEach(s -> out.put(s.fileId(), s));
            return Collections.unmodifiableMap(out);
        }
    }

    @Override
    public SyncState loadState() {
        synchronized (lock) {
            return db.state;
        }
    }

    @Override
    public List<AuthoredDocument> authoredDocuments(FilesetId filesetId, PatientUuid patient) {
        requireNonNull(filesetId, "filesetId");
        requireNonNull(patient, "patient");
        synchronized (lock) {
            return db.authored.values().stream()
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
                AuthoredDocument a = db.authored.get(requireNonNull(u, "uuid"));
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
            return db.filesets.values().stream().filter(r -> r.patientUuid().equals(patient)).toList();
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
            for (SilknoteChange c : db.changes.tailMap(Math.max(after, position - 1), false).values()) {
                if (items.size() == limit) {
                    more = true;
                    break;
                }
                items.add(c);
            }
            return new SilknoteChangePage(items,
                    more ? Optional.of(Long.toString(items.get(items.size() - 1).position())) : Optional.empty(),
                    db.lastChange + 1);
        }
    }

    @Override
    public long loadChangePosition() {
        synchronized (lock) {
            return db.changePosition;
        }
    }

    @Override
    public List<ConflictRecord> conflicts(FilesetId filesetId) {
        requireNonNull(filesetId, "filesetId");
        synchronized (lock) {
            return db.conflicts.values().stream()
                    .filter(c -> c.filesetId().equals(filesetId) && c.unresolved()).toList();
        }
    }

    @Override
    public Optional<ConflictRecord> findConflict(ConflictId id) {
        requireNonNull(id, "id");
        synchronized (lock) {
            return Optional.ofNullable(db.conflicts.get(id));
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
                    ? db.conflicts.tailMap(ConflictId.of(cursor.get()), false) : db.conflicts;
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
            return db.outbox.tailMap(afterId, false).values().stream().limit(limit).toList();
        }
    }

    /** Least recently updated first, then by hash. */
    @Override
    public List<BlobRef> unreferencedBlobs(int limit) {
        requirePositive(limit);
        synchronized (lock) {
            return db.blobRefs.values().stream()
                    .filter(r -> r.refCount() == 0 || r.state() == BlobRef.State.DELETING)
                    .sorted(Comparator.comparing(BlobRef::updatedAt).thenComparing(BlobRef::hash))
                    .limit(limit).toList();
        }
    }

    @Override
    public List<SyncReport> recentRuns(int limit) {
        requirePositive(limit);
        synchronized (lock) {
            List<SyncReport> out = new ArrayList<>();
            for (int i = db.runs.size() - 1; i >= 0 && out.size() < limit; i--) {
                out.add(db.runs.get(i));
            }
            return List.copyOf(out);
        }
    }

    // ------------------------------------------------------------------ writes

    /**
     * @throws StaleFencingTokenException when a higher token committed before; nothing written
     * @throws BlobBeingCollectedException from {@link UnitOfWork#addBlobRef}; nothing written
     * @throws PermanentSyncException when a document's {@code clientFileId} is taken by another document
     */
    @Override
    public <T> T inUnitOfWork(FencingToken token, Function<UnitOfWork, T> work) {
        requireNonNull(work, "work");
        return write(token, copy -> {
            Uow uow = new Uow(copy);
            try {
                return work.apply(uow);
            } finally {
                uow.closed = true;
            }
        });
    }

    @Override
    public void completeOutbox(FencingToken token, long entryId) {
        write(token, copy -> {
            copy.outbox.remove(entryId);
            copy.parked.remove(entryId);
            return null;
        });
    }

    @Override
    public void failOutbox(FencingToken token, long entryId, String reasonCode, boolean park) {
        requireNonNull(reasonCode, "reasonCode");
        write(token, copy -> {
            OutboxEntry e = copy.outbox.remove(entryId);
            boolean wasParked = false;
            if (e == null) {
                e = copy.parked.remove(entryId);
                wasParked = true;
            }
            if (e != null) {
                OutboxEntry failed = new OutboxEntry(e.id(), e.document(), e.action(), e.contentHash(),
                        e.attempts() + 1, e.createdAt(), Optional.of(reasonCode));
                (park || wasParked ? copy.parked : copy.outbox).put(entryId, failed);
            }
            return null;
        });
    }

    @Override
    public boolean markBlobDeleting(FencingToken token, ContentHash hash, String blobEtag, Instant notAfter) {
        requireNonNull(hash, "hash");
        requireNonNull(blobEtag, "blobEtag");
        requireNonNull(notAfter, "notAfter");
        return write(token, copy -> {
            BlobRef r = copy.blobRefs.get(hash);
            if (r == null || r.state() != BlobRef.State.LIVE || r.refCount() != 0
                    || !r.updatedAt().isBefore(notAfter)) {
                return false;
            }
            copy.blobRefs.put(hash, new BlobRef(hash, 0, r.size(), BlobRef.State.DELETING, Optional.of(blobEtag),
                    clock.instant()));
            return true;
        });
    }

    @Override
    public boolean removeBlobRefIfDeleting(FencingToken token, ContentHash hash, String blobEtag) {
        requireNonNull(hash, "hash");
        requireNonNull(blobEtag, "blobEtag");
        return write(token, copy -> {
            BlobRef r = copy.blobRefs.get(hash);
            if (r == null || r.state() != BlobRef.State.DELETING || !r.blobEtag().equals(Optional.of(blobEtag))) {
                return false;
            }
            copy.blobRefs.remove(hash);
            return true;
        });
    }

    @Override
    public void reviveBlobRef(FencingToken token, ContentHash hash, String blobEtag) {
        requireNonNull(hash, "hash");
        requireNonNull(blobEtag, "blobEtag");
        write(token, copy -> {
            BlobRef r = copy.blobRefs.get(hash);
            if (r != null && r.state() == BlobRef.State.DELETING && r.blobEtag().equals(Optional.of(blobEtag))) {
                copy.blobRefs.put(hash, new BlobRef(hash, r.refCount(), r.size(), BlobRef.State.LIVE, r.blobEtag(),
                        clock.instant()));
            }
            return null;
        });
    }

    @Override
    public void recordRun(FencingToken token, SyncReport report) {
        requireNonNull(report, "report");
        write(token, copy -> {
            copy.runs.add(report);
            return null;
        });
    }

    // ------------------------------------------------------------------ beyond the port

    /** The highest fencing token of a committed write, if any. */
    public Optional<FencingToken> highWaterMark() {
        synchronized (lock) {
            return Optional.ofNullable(db.highWater);
        }
    }

    /** Number of committed writes (units of work and single writes) so far. */
    public long commits() {
        synchronized (lock) {
            return commits;
        }
    }

    /** Every document, by uuid. */
    public Map<DocumentUuid, SilknoteDocument> allDocuments() {
        synchronized (lock) {
            return Collections.unmodifiableMap(new TreeMap<>(db.documents));
        }
    }

    /** Every mapping, by VSRX file id. */
    public Map<VsrxFileId, SyncMapping> allMappings() {
        synchronized (lock) {
            return Collections.unmodifiableMap(new TreeMap<>(db.mappings));
        }
    }

    /** Every patient fileset record, by fileset id. */
    public Map<FilesetId, PatientFilesetRecord> allFilesets() {
        synchronized (lock) {
            return Collections.unmodifiableMap(new TreeMap<>(db.filesets));
        }
    }

    /** Every blob reference row, by hash. */
    public Map<ContentHash, BlobRef> allBlobRefs() {
        synchronized (lock) {
            return Collections.unmodifiableMap(new TreeMap<>(db.blobRefs));
        }
    }

    /** Every remembered skip, by file id. */
    public Map<VsrxFileId, PermanentSkip> allSkips() {
        synchronized (lock) {
            return Collections.unmodifiableMap(new TreeMap<>(db.skips));
        }
    }

    /** Outbox entries not done and not parked, oldest first. */
    public List<OutboxEntry> allPendingOutbox() {
        synchronized (lock) {
            return List.copyOf(db.outbox.values());
        }
    }

    /** Parked outbox entries, oldest first. */
    public List<OutboxEntry> parkedOutbox() {
        synchronized (lock) {
            return List.copyOf(db.parked.values());
        }
    }

    /** Every recorded run, oldest first. */
    public List<SyncReport> allRuns() {
        synchronized (lock) {
            return List.copyOf(db.runs);
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
            return Collections.unmodifiableMap(new TreeMap<>(db.authored));
        }
    }

    /** Every conflict record, resolved ones included, by id. */
    public Map<ConflictId, ConflictRecord> allConflicts() {
        synchronized (lock) {
            return Collections.unmodifiableMap(new TreeMap<>(db.conflicts));
        }
    }

    /** The documents a Silknote user wrote last (the sync has not written them since). */
    public Set<DocumentUuid> documentsWrittenBySilknoteUsers() {
        synchronized (lock) {
            return Collections.unmodifiableSet(new TreeSet<>(db.userWritten));
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
            if (db.documents.containsKey(document.uuid()) || db.authored.containsKey(document.uuid())) {
                throw new IllegalArgumentException("document " + document.uuid() + " exists");
            }
            Db copy = new Db(db);
            copy.authored.put(document.uuid(), document);
            copy.recordChange(document.uuid(), document.patientUuid(), document.filesetId(), false);
            db = copy;
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
            Db copy = new Db(db);
            Instant now = clock.instant();
            SilknoteDocument d = copy.documents.get(uuid);
            if (d != null) {
                copy.documents.put(uuid, new SilknoteDocument(uuid, d.patientUuid(), d.filesetId(), d.clientFileId(),
                        hash, size, mimeType, d.metadata(), now));
                copy.userWritten.add(uuid);
                copy.recordChange(uuid, d.patientUuid(), Optional.of(d.filesetId()), false);
            } else {
                AuthoredDocument a = copy.authored.get(uuid);
                if (a == null) {
                    throw new IllegalArgumentException("no document " + uuid);
                }
                copy.authored.put(uuid, new AuthoredDocument(uuid, a.patientUuid(), a.filesetId(), hash, size,
                        mimeType, a.title(), a.sourceSystem(), a.groupingStatus(), now));
                copy.recordChange(uuid, a.patientUuid(), a.filesetId(), false);
            }
            db = copy;
        }
    }

    /**
     * Changes a document the way a Silknote user would (e.g. grouping it), outside any fencing. The
     * function must keep the uuid and clientFileId. It gets the next change position.
     *
     * @throws IllegalArgumentException when the document does not exist or the function changes its keys
     */
    public SilknoteDocument editDocumentAsSilknoteUser(DocumentUuid uuid, UnaryOperator<SilknoteDocument> edit) {
        requireNonNull(uuid, "uuid");
        requireNonNull(edit, "edit");
        synchronized (lock) {
            SilknoteDocument before = db.documents.get(uuid);
            if (before == null) {
                throw new IllegalArgumentException("no document " + uuid);
            }
            SilknoteDocument after = requireNonNull(edit.apply(before), "edited document");
            if (!after.uuid().equals(uuid) || !after.clientFileId().equals(before.clientFileId())) {
                throw new IllegalArgumentException("an edit must keep uuid and clientFileId");
            }
            Db copy = new Db(db);
            copy.documents.put(uuid, after);
            copy.userWritten.add(uuid);
            copy.recordChange(uuid, after.patientUuid(), Optional.of(after.filesetId()), false);
            db = copy;
            return after;
        }
    }

    /** Deletes a patient fileset record the way Silknote would (its documents stay: orphans). */
    public void removeFilesetAsSilknoteUser(FilesetId filesetId) {
        requireNonNull(filesetId, "filesetId");
        synchronized (lock) {
            Db copy = new Db(db);
            copy.filesets.remove(filesetId);
            db = copy;
        }
    }

    /**
     * Deletes a document the way Silknote would: only the document row (mapping and refs stay). A removal of a
     * document that existed gets the next change position.
     */
    public void removeDocumentAsSilknoteUser(DocumentUuid uuid) {
        requireNonNull(uuid, "uuid");
        synchronized (lock) {
            Db copy = new Db(db);
            SilknoteDocument d = copy.documents.remove(uuid);
            if (d != null) {
                copy.byClientFileId.remove(d.clientFileId());
                copy.recordChange(uuid, d.patientUuid(), Optional.of(d.filesetId()), true);
            }
            AuthoredDocument a = copy.authored.remove(uuid);
            if (a != null) {
                copy.recordChange(uuid, a.patientUuid(), a.filesetId(), true);
            }
            copy.userWritten.remove(uuid);
            db = copy;
        }
    }

    // ------------------------------------------------------------------ internals

    private StaleFencingTokenException stale(FencingToken token) {
        return new StaleFencingTokenException("fencing token " + token.value()
                + " is older than the store's high-water mark " + db.highWater.value());
    }

    private <T> T write(FencingToken token, Function<Db, T> change) {
        requireNonNull(token, "token");
        synchronized (lock) {
            if (db.highWater != null && token.compareTo(db.highWater) < 0) {
                throw stale(token);
            }
            Db copy = new Db(db);
            T result = change.apply(copy);
            copy.highWater = token;
            db = copy;
            commits++;
            return result;
        }
    }

    private static void requirePositive(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
    }

    private final class Uow implements UnitOfWork {
        private final Db db;
        boolean closed;

        Uow(Db db) {
            this.db = db;
        }

        private void open() {
            if (closed) {
                throw new IllegalStateException("unit of work already ended");
            }
        }

        @Override
        public void expectFileset(FilesetId filesetId, Optional<PatientFilesetRecord> asRead) {
            requireNonNull(filesetId, "filesetId");
            requireNonNull(asRead, "asRead");
            open();
            if (!Objects.equals(db.filesets.get(filesetId), asRead.orElse(null))) {
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
            if (!Objects.equals(db.mappings.get(fileId), mappingAsRead.orElse(null))) {
                throw new ConcurrentUpdateException("mapping of file " + fileId);
            }
            DocumentUuid uuid = db.byClientFileId.get(fileId);
            SilknoteDocument current = uuid == null ? null : db.documents.get(uuid);
            if (!Objects.equals(current, documentAsRead.orElse(null))) {
                throw new ConcurrentUpdateException("document of file " + fileId);
            }
        }

        @Override
        public void expectAuthored(DocumentUuid uuid, Optional<AuthoredDocument> asRead) {
            requireNonNull(uuid, "uuid");
            requireNonNull(asRead, "asRead");
            open();
            if (!Objects.equals(db.authored.get(uuid), asRead.orElse(null))) {
                throw new ConcurrentUpdateException("Silknote-created document " + uuid);
            }
        }

        @Override
        public void expectConflict(ConflictId id, Optional<ConflictRecord> asRead) {
            requireNonNull(id, "id");
            requireNonNull(asRead, "asRead");
            open();
            if (!Objects.equals(db.conflicts.get(id), asRead.orElse(null))) {
                throw new ConcurrentUpdateException("conflict record " + id);
            }
        }

        @Override
        public void addAuthoredDocument(AuthoredDocument document) {
            requireNonNull(document, "document");
            open();
            if (db.documents.containsKey(document.uuid()) || db.authored.containsKey(document.uuid())) {
                throw new IllegalStateException("document " + document.uuid() + " exists");
            }
            db.authored.put(document.uuid(), document);
        }

        @Override
        public void upsertConflict(ConflictRecord record) {
            requireNonNull(record, "record");
            open();
            db.conflicts.put(record.id(), record);
        }

        @Override
        public void deleteMapping(VsrxFileId fileId) {
            requireNonNull(fileId, "fileId");
            open();
            db.mappings.remove(fileId);
        }

        @Override
        public void saveChangePosition(long position) {
            open();
            db.changePosition = position;
        }

        @Override
        public void upsertFileset(PatientFilesetRecord fileset) {
            requireNonNull(fileset, "fileset");
            open();
            db.filesets.put(fileset.filesetId(), fileset);
        }

        @Override
        public void upsertDocument(SilknoteDocument document) {
            requireNonNull(document, "document");
            open();
            DocumentUuid holder = db.byClientFileId.get(document.clientFileId());
            if (holder != null && !holder.equals(document.uuid())) {
                throw new PermanentSyncException("clientFileId already used by another document");
            }
            SilknoteDocument previous = db.documents.put(document.uuid(), document);
            if (previous != null && !previous.clientFileId().equals(document.clientFileId())) {
                db.byClientFileId.remove(previous.clientFileId());
            }
            db.byClientFileId.put(document.clientFileId(), document.uuid());
            db.authored.remove(document.uuid());
            db.userWritten.remove(document.uuid());
        }

        @Override
        public void upsertMapping(SyncMapping mapping) {
            requireNonNull(mapping, "mapping");
            open();
            db.mappings.put(mapping.vsrxFileId(), mapping);
        }

        @Override
        public void deleteDocument(DocumentUuid uuid) {
            requireNonNull(uuid, "uuid");
            open();
            SilknoteDocument d = db.documents.remove(uuid);
            if (d != null) {
                db.byClientFileId.remove(d.clientFileId());
                db.mappings.remove(d.clientFileId());
            }
            db.authored.remove(uuid);
            db.userWritten.remove(uuid);
            db.mappings.values().removeIf(m -> m.silknoteDocumentUuid().equals(uuid));
        }

        @Override
        public BlobRef addBlobRef(ContentHash hash, long size, String confirmedEtag) {
            requireNonNull(hash, "hash");
            requireNonNull(confirmedEtag, "confirmedEtag");
            if (size < 0) {
                throw new IllegalArgumentException("size must be >= 0");
            }
            open();
            BlobRef r = db.blobRefs.get(hash);
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
            db.blobRefs.put(hash, next);
            return next;
        }

        @Override
        public BlobRef releaseBlobRef(ContentHash hash) {
            requireNonNull(hash, "hash");
            open();
            BlobRef r = db.blobRefs.get(hash);
            if (r == null || r.refCount() == 0) {
                throw new IllegalStateException("no reference to release for " + hash);
            }
            BlobRef next = new BlobRef(hash, r.refCount() - 1, r.size(), r.state(), r.blobEtag(), clock.instant());
            db.blobRefs.put(hash, next);
            return next;
        }

        @Override
        public void rememberSkip(PermanentSkip skip) {
            requireNonNull(skip, "skip");
            open();
            db.skips.put(skip.fileId(), skip);
        }

        @Override
        public void forgetSkip(VsrxFileId fileId) {
            requireNonNull(fileId, "fileId");
            open();
            db.skips.remove(fileId);
        }

        @Override
        public void enqueue(OutboxEntry entry) {
            requireNonNull(entry, "entry");
            open();
            long id = ++db.lastOutboxId;
            db.outbox.put(id, new OutboxEntry(id, entry.document(), entry.action(), entry.contentHash(),
                    entry.attempts(), entry.createdAt(), entry.lastError()));
        }

        @Override
        public void saveState(SyncState state) {
            requireNonNull(state, "state");
            open();
            db.state = state;
        }
    }
}
