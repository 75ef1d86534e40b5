package com.silknote.sync.core.internal;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.ConcurrentUpdateException;
import com.silknote.sync.core.exception.LeaseLostException;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.exception.SyncException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.AuditAction;
import com.silknote.sync.core.model.AuditEntry;
import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.CleanupReport;
import com.silknote.sync.core.model.CleanupRequest;
import com.silknote.sync.core.model.ConflictRecord;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.OperationStatus;
import com.silknote.sync.core.model.OrphanClass;
import com.silknote.sync.core.model.OutboxEntry;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.PermanentSkip;
import com.silknote.sync.core.model.ReferenceTally;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SilknoteChange;
import com.silknote.sync.core.model.SilknoteChangePage;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncDirection;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.core.port.VsrxSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orphan cleanup (DESIGN rule 14, issue 11). Finds, and unless it is a dry run removes: documents without a
 * valid patient fileset record, mappings without documents, outbox rows of documents that no longer exist,
 * vector entries without documents, blobs without references (zero-reference rows, rows a stopped collection
 * left {@code DELETING}, and blobs uploaded by a run that stopped before its commit, which have no row), and
 * skips of files VSRX no longer lists. Nothing younger than {@code blobGracePeriod} is touched.
 *
 * <p>It writes like a sync: holding the {@code vsrx-sync} lease, the store fenced with its token, every ledger
 * change in a unit of work conditional on what it read and audited. Blobs follow the collector protocol of
 * DESIGN §4: the row is marked {@code DELETING} with the blob's ETag in a fenced unit of work that checks, with
 * the row locked, that nothing references the hash; the blob is deleted {@code If-Match} that ETag; the row is
 * removed if still {@code DELETING} with it, else revived. A sync referencing such a blob meanwhile finds the
 * {@code DELETING} row and uploads the content again, and its post-commit check restores a blob deleted between
 * its existence check and its commit.
 */
public final class Cleanup {
    private static final Logger log = LoggerFactory.getLogger(Cleanup.class);
    /** Ledger page size, and the batch of one unit of work. */
    static final int PAGE = 500;
    /** Blobs per mark / delete / remove round. */
    static final int BLOB_BATCH = 100;

    private final OperationRunner runner;
    private final BlobStore blobs;
    private final VectorStore vectors;
    private final Optional<VsrxSource> source;

    /** @throws NullPointerException when an argument is null */
    public Cleanup(OperationRunner runner, BlobStore blobs, VectorStore vectors, Optional<VsrxSource> source) {
        this.runner = requireNonNull(runner, "runner");
        this.blobs = requireNonNull(blobs, "blobs");
        this.vectors = requireNonNull(vectors, "vectors");
        this.source = requireNonNull(source, "source");
    }

    /** One cleanup run's state. */
    private final class Run {
        final RunId runId;
        final boolean dryRun;
        final Instant started;
        final Instant cutoff;
        LeaseKeeper lease;
        final Map<OrphanClass, CleanupReport.Tally> found = new EnumMap<>(OrphanClass.class);
        final Map<OrphanClass, CleanupReport.Tally> removed = new EnumMap<>(OrphanClass.class);
        final Map<OrphanClass, Long> tooYoung = new EnumMap<>(OrphanClass.class);
        final Map<String, CleanupReport.Item> items = new LinkedHashMap<>();
        boolean truncated;
        final List<String> notes = new ArrayList<>();
        /** The unresolved conflict records of each fileset looked at (read once per cleanup). */
        final Map<FilesetId, List<ConflictRecord>> conflicts = new HashMap<>();
        long keptForConflicts;
        /** Whether VSRX still lists each fileset looked at linked to a Silknote patient (read once per cleanup). */
        final Map<FilesetId, Boolean> linkedInVsrx = new HashMap<>();
        long keptForLinkedFilesets;
        /** Documents removed in Silknote that no sync has looked at yet (read once, when first needed). */
        Set<DocumentUuid> unsyncedRemovals;
        long keptForSync;

        Run(RunId runId, boolean dryRun) {
            this.runId = runId;
            this.dryRun = dryRun;
            this.started = runner.clock().instant();
            this.cutoff = started.minus(runner.config().blobGracePeriod());
        }

        boolean old(Instant at) {
            return !at.isAfter(cutoff);
        }

        void young(OrphanClass c) {
            tooYoung.merge(c, 1L, Long::sum);
        }

        void found(OrphanClass c, String id, long bytes) {
            found.merge(c, CleanupReport.Tally.ZERO.plus(bytes), (a, b) -> new CleanupReport.Tally(a.count() + 1,
                    a.bytes() + Math.max(0, bytes)));
            String key = c + "/" + id;
            if (items.size() < CleanupReport.MAX_ITEMS) {
                items.put(key, new CleanupReport.Item(c, id, bytes, false));
            } else {
                truncated = true;
            }
        }

        void removed(OrphanClass c, String id, long bytes) {
            removed.merge(c, CleanupReport.Tally.ZERO.plus(bytes), (a, b) -> new CleanupReport.Tally(a.count() + 1,
                    a.bytes() + Math.max(0, bytes)));
            items.computeIfPresent(c + "/" + id, (k, i) -> new CleanupReport.Item(c, id, i.bytes(), true));
        }

        void progress(String phase, long examined) {
            runner.listener().progress(runId, phase, examined, found.values().stream().mapToLong(
                    CleanupReport.Tally::count).sum());
        }

        /** Runs a unit of work of this cleanup; a ledger changed since it was read skips the batch. */
        boolean commit(String what, Consumer<DocumentStore.UnitOfWork> work) {
            lease.verify();
            try {
                runner.documents().inUnitOfWork(lease.token(), uow -> {
                    work.accept(uow);
                    return null;
                });
                return true;
            } catch (ConcurrentUpdateException e) {
                notes.add(what + ": skipped, the ledger changed since it was read (the next cleanup looks again)");
                log.info("cleanup batch skipped run={} what={} reason=ConcurrentUpdateException", runId, what);
                return false;
            }
        }

        AuditEntry.Builder audit(AuditAction action) {
            return AuditEntry.of(runId, action);
        }

        CleanupReport report(OperationStatus status, Optional<String> error) {
            return new CleanupReport(runId, dryRun, started, runner.clock().instant(), status, error, found, removed,
                    tooYoung, List.copyOf(items.values()), truncated, notes);
        }
    }

    /**
     * Runs the cleanup. A lost lease or a backend failure ends it with a {@code FAILED} report (what it
     * committed stays committed); another holder of the lock ends it with {@code ALREADY_IN_PROGRESS} before
     * anything is touched.
     */
    public CleanupReport run(CleanupRequest request) {
        requireNonNull(request, "request");
        Run run = new Run(runner.newRunId("cleanup"), request.dryRun());
        runner.listener().operationStarted(run.runId, "cleanup", run.dryRun);
        log.info("cleanup start run={} dryRun={} graceSeconds={}", run.runId, run.dryRun,
                runner.config().blobGracePeriod().toSeconds());
        try {
            if (run.dryRun) {
                phases(run);
            } else if (runner.withLease(run.runId, lease -> {
                run.lease = lease;
                phases(run);
                return Boolean.TRUE;
            }).isEmpty()) {
                return run.report(OperationStatus.ALREADY_IN_PROGRESS, Optional.of("Sync already in progress"));
            }
            log.info("cleanup done run={} dryRun={} found={} removed={} tooYoung={}", run.runId, run.dryRun,
                    total(run.found), total(run.removed), run.tooYoung.values().stream().mapToLong(Long::longValue)
                            .sum());
            return run.report(OperationStatus.COMPLETED, Optional.empty());
        } catch (LeaseLostException | StaleFencingTokenException e) {
            log.warn("cleanup stopped run={} reason={}", run.runId, e.getClass().getSimpleName());
            return run.report(OperationStatus.FAILED, Optional.of("lease lost: " + e.getClass().getSimpleName()));
        } catch (SyncException e) {
            log.warn("cleanup failed run={} reason={}", run.runId, FilesetSync.reasonOf(e));
            return run.report(OperationStatus.FAILED, Optional.of(FilesetSync.reasonOf(e)));
        } finally {
            runner.listener().operationFinished(run.runId, "cleanup");
        }
    }

    private static long total(Map<OrphanClass, CleanupReport.Tally> m) {
        return m.values().stream().mapToLong(CleanupReport.Tally::count).sum();
    }

    private void phases(Run run) {
        documentsWithoutFileset(run);
        mappingsWithoutDocument(run);
        outboxOfMissingDocuments(run);
        vectorsWithoutDocument(run);
        unreferencedBlobs(run);
        skipsOfUnlistedFiles(run);
    }

    // ------------------------------------------------------------------ documents and mappings

    private void documentsWithoutFileset(Run run) {
        String phase = "documents";
        runner.listener().phaseStarted(run.runId, phase);
        DocumentStore store = runner.documents();
        OrphanClass c = OrphanClass.DOCUMENT_WITHOUT_FILESET;
        long examined = 0;
        Optional<String> cursor = Optional.empty();
        do {
            Optional<String> at = cursor;
            Page<SilknoteDocument> page = runner.retrier().call("documents.documentsWithoutFileset",
                    () -> store.documentsWithoutFileset(at, PAGE));
            List<SilknoteDocument> due = new ArrayList<>();
            for (SilknoteDocument d : page.items()) {
                examined++;
                if (!run.old(d.updatedAt())) {
                    run.young(c);
                    continue;
                }
                if (heldByConflict(run, d.filesetId(), d.clientFileId(), d.uuid()) || linkedInVsrx(run, d)) {
                    continue;
                }
                run.found(c, d.uuid().value().toString(), d.size());
                due.add(d);
            }
            if (!run.dryRun && !due.isEmpty()) {
                removeDocuments(run, due);
            }
            run.progress(phase, examined);
            cursor = page.nextCursor();
        } while (cursor.isPresent());
    }

    private void removeDocuments(Run run, List<SilknoteDocument> due) {
        DocumentStore store = runner.documents();
        List<VsrxFileId> ids = due.stream().map(SilknoteDocument::clientFileId).toList();
        Map<VsrxFileId, SyncMapping> mappings = runner.retrier().call("documents.findMappings",
                () -> store.findMappings(ids));
        // The reference of a file id is held by its mapping's hash, else its document's.
        Map<ContentHash, Long> releases = new HashMap<>();
        for (SilknoteDocument d : due) {
            releases.merge(held(d, mappings), 1L, Long::sum);
        }
        Map<ContentHash, Long> allowed = releasable(run, releases);
        Instant now = runner.clock().instant();
        boolean done = run.commit("documents without fileset", uow -> {
            Map<ContentHash, Long> left = new HashMap<>(allowed);
            for (FilesetId fs : due.stream().map(SilknoteDocument::filesetId).distinct().toList()) {
                uow.expectFileset(fs, Optional.empty());
            }
            for (SilknoteDocument d : due) {
                uow.expectFile(d.clientFileId(), Optional.ofNullable(mappings.get(d.clientFileId())), Optional.of(d));
            }
            for (SilknoteDocument d : due) {
                ContentHash h = held(d, mappings);
                uow.deleteDocument(d.uuid());
                release(uow, d.uuid(), h, left, now);
                uow.enqueue(OutboxEntry.pending(d.uuid(), OutboxEntry.Action.PURGE_VECTORS, h, now));
                uow.audit(run.audit(AuditAction.CLEANUP_DOCUMENT).document(d.uuid()).fileId(d.clientFileId())
                        .fileset(d.filesetId()).before(h).detail("no-fileset-record").build());
            }
        });
        if (done) {
            due.forEach(d -> run.removed(OrphanClass.DOCUMENT_WITHOUT_FILESET, d.uuid().value().toString(), d.size()));
        }
    }

    /**
     * Whether VSRX still lists the document's fileset linked to a Silknote patient (only with a VSRX source). Then
     * the fileset record is not gone for good: the next sync of that fileset writes it again and keeps the
     * documents (moving them on a relink), so removing them now would delete a live patient's documents, with
     * every change a Silknote user made to them, only for the next sync to create them anew. They are kept and
     * noted. Without a source nothing tells, and the record's absence decides, as rule 14 says.
     */
    private boolean linkedInVsrx(Run run, SilknoteDocument d) {
        if (source.isEmpty()) {
            return false;
        }
        boolean linked = run.linkedInVsrx.computeIfAbsent(d.filesetId(), fs -> listedLinked(run, fs));
        if (linked) {
            run.keptForLinkedFilesets++;
            if (run.keptForLinkedFilesets == 1) {
                run.notes.add("documents of filesets VSRX still lists linked are kept although their fileset record is"
                        + " missing: the next sync writes the record again; first: fileset " + d.filesetId().value());
            }
        }
        return linked;
    }

    /** Whether VSRX lists the fileset linked; when VSRX cannot say (it failed), as if it did: nothing is removed. */
    private boolean listedLinked(Run run, FilesetId fs) {
        try {
            return runner.retrier().call("vsrx.findFileset", () -> source.get().findFileset(fs))
                    .flatMap(VsrxFileset::silknotePatientUuid).isPresent();
        } catch (TransientSyncException | PermanentSyncException e) {
            run.notes.add("documents of fileset " + fs.value() + " without a fileset record kept: VSRX could not say"
                    + " whether it still lists the fileset (" + FilesetSync.reasonOf(e) + ")");
            return true;
        }
    }

    /**
     * Whether an unresolved conflict record of bi-directional sync (issue 14) is about this file or document: such
     * a document or mapping is what an operator still has to decide on, never an orphan; it is kept and noted.
     */
    private boolean heldByConflict(Run run, FilesetId fs, VsrxFileId file, DocumentUuid doc) {
        List<ConflictRecord> open = run.conflicts.computeIfAbsent(fs, f -> runner.retrier().call(
                "documents.conflicts", () -> runner.documents().conflicts(f)));
        for (ConflictRecord r : open) {
            if (r.document().equals(doc) || r.fileId().equals(Optional.of(file))) {
                run.keptForConflicts++;
                if (run.keptForConflicts == 1) {
                    run.notes.add("documents or mappings an unresolved conflict record is about are kept"
                            + " (resolve it with `conflicts resolve`), first: conflict " + r.id().value());
                }
                return true;
            }
        }
        return false;
    }

    /**
     * Bi-directional: the mapping of a document whose removal in Silknote no sync has looked at yet is the next
     * sync's base for rows 7–9 of docs/bidirectional.md (unchanged in VSRX: delete there; changed: a conflict;
     * deleted there too: both gone). Removing it first would leave the file without a base: a file the sync
     * wrote would become row 13 and be marked deleted in VSRX even when a VSRX user changed it meanwhile (a
     * version lost), a VSRX file would be imported again. Such a mapping is kept until a sync has passed the
     * removal in the change sequence.
     */
    private boolean awaitsSync(Run run, SyncMapping m) {
        if (runner.config().bidirectional().direction() != SyncDirection.BIDIRECTIONAL) {
            return false;
        }
        if (run.unsyncedRemovals == null) {
            run.unsyncedRemovals = unsyncedRemovals();
        }
        if (!run.unsyncedRemovals.contains(m.silknoteDocumentUuid())) {
            return false;
        }
        run.keptForSync++;
        if (run.keptForSync == 1) {
            run.notes.add("mappings of documents removed in Silknote since the last sync are kept for the next sync"
                    + " (it decides the VSRX side of each removal), first: file " + m.vsrxFileId().value());
        }
        return true;
    }

    /** The documents of the removals at or after the stored change position. */
    private Set<DocumentUuid> unsyncedRemovals() {
        DocumentStore store = runner.documents();
        long position = runner.retrier().call("documents.loadChangePosition", store::loadChangePosition);
        Set<DocumentUuid> removed = new HashSet<>();
        Optional<String> cursor = Optional.empty();
        do {
            Optional<String> at = cursor;
            SilknoteChangePage page = runner.retrier().call("documents.silknoteChanges",
                    () -> store.silknoteChanges(position, at, PAGE));
            page.changes().stream().filter(SilknoteChange::removed).forEach(ch -> removed.add(ch.document()));
            cursor = page.nextCursor();
        } while (cursor.isPresent());
        return removed;
    }

    private static ContentHash held(SilknoteDocument d, Map<VsrxFileId, SyncMapping> mappings) {
        SyncMapping m = mappings.get(d.clientFileId());
        return m != null ? m.contentHash() : d.contentHash();
    }

    /** How many of the wanted releases each row can take; a row counting fewer is the repair's to recount. */
    private Map<ContentHash, Long> releasable(Run run, Map<ContentHash, Long> wanted) {
        Map<ContentHash, BlobRef> rows = runner.retrier().call("documents.findBlobRefs",
                () -> runner.documents().findBlobRefs(wanted.keySet()));
        Map<ContentHash, Long> allowed = new HashMap<>();
        wanted.forEach((h, n) -> {
            long count = Optional.ofNullable(rows.get(h)).map(BlobRef::refCount).orElse(0L);
            if (count < n) {
                run.notes.add("reference count of " + h.hex() + " is below its references; run repair to recount");
            }
            allowed.put(h, Math.min(count, n));
        });
        return allowed;
    }

    private static void release(DocumentStore.UnitOfWork uow, DocumentUuid doc, ContentHash h,
            Map<ContentHash, Long> left, Instant now) {
        long n = left.getOrDefault(h, 0L);
        if (n <= 0) {
            return;
        }
        left.put(h, n - 1);
        // a row not there is recounted by the store at commit
        if (uow.releaseBlobRef(h).filter(r -> r.refCount() == 0).isPresent()) {
            uow.enqueue(OutboxEntry.pending(doc, OutboxEntry.Action.COLLECT_BLOB, h, now));
        }
    }

    private void mappingsWithoutDocument(Run run) {
        String phase = "mappings";
        runner.listener().phaseStarted(run.runId, phase);
        DocumentStore store = runner.documents();
        OrphanClass c = OrphanClass.MAPPING_WITHOUT_DOCUMENT;
        long examined = 0;
        Optional<String> cursor = Optional.empty();
        do {
            Optional<String> at = cursor;
            Page<SyncMapping> page = runner.retrier().call("documents.mappingsWithoutDocument",
                    () -> store.mappingsWithoutDocument(at, PAGE));
            List<SyncMapping> due = new ArrayList<>();
            for (SyncMapping m : page.items()) {
                examined++;
                if (!run.old(m.syncedAt())) {
                    run.young(c);
                    continue;
                }
                if (heldByConflict(run, m.filesetId(), m.vsrxFileId(), m.silknoteDocumentUuid())
                        || awaitsSync(run, m)) {
                    continue;
                }
                run.found(c, m.vsrxFileId().value(), m.size());
                due.add(m);
            }
            if (!run.dryRun && !due.isEmpty()) {
                Map<ContentHash, Long> wanted = new HashMap<>();
                due.forEach(m -> wanted.merge(m.contentHash(), 1L, Long::sum));
                Map<ContentHash, Long> allowed = releasable(run, wanted);
                Instant now = runner.clock().instant();
                boolean done = run.commit("mappings without document", uow -> {
                    Map<ContentHash, Long> left = new HashMap<>(allowed);
                    for (SyncMapping m : due) {
                        uow.expectFile(m.vsrxFileId(), Optional.of(m), Optional.empty());
                    }
                    for (SyncMapping m : due) {
                        uow.deleteMapping(m.vsrxFileId());
                        release(uow, m.silknoteDocumentUuid(), m.contentHash(), left, now);
                        uow.enqueue(OutboxEntry.pending(m.silknoteDocumentUuid(), OutboxEntry.Action.PURGE_VECTORS,
                                m.contentHash(), now));
                        uow.audit(run.audit(AuditAction.CLEANUP_MAPPING).document(m.silknoteDocumentUuid())
                                .fileId(m.vsrxFileId()).fileset(m.filesetId()).before(m.contentHash())
                                .detail("document-removed-in-silknote").build());
                    }
                });
                if (done) {
                    due.forEach(m -> run.removed(c, m.vsrxFileId().value(), m.size()));
                }
            }
            run.progress(phase, examined);
            cursor = page.nextCursor();
        } while (cursor.isPresent());
    }

    // ------------------------------------------------------------------ outbox

    private void outboxOfMissingDocuments(Run run) {
        String phase = "outbox";
        runner.listener().phaseStarted(run.runId, phase);
        long[] examined = {0};
        // Pending: processing of a document that is gone (purges and collections still have work to do).
        outboxPages(run, false, e -> e.action() == OutboxEntry.Action.PROCESS, examined, phase);
        // Parked: any entry of a document that is gone (the vector and blob passes do what it was for).
        outboxPages(run, true, e -> true, examined, phase);
    }

    private void outboxPages(Run run, boolean parked, java.util.function.Predicate<OutboxEntry> concerns,
            long[] examined, String phase) {
        DocumentStore store = runner.documents();
        OrphanClass c = OrphanClass.OUTBOX_OF_MISSING_DOCUMENT;
        long after = 0;
        while (true) {
            long from = after;
            List<OutboxEntry> page = runner.retrier().call(parked ? "documents.parkedOutbox" : "documents.pendingOutbox",
                    () -> parked ? store.parkedOutbox(from, PAGE) : store.pendingOutbox(from, PAGE));
            if (page.isEmpty()) {
                return;
            }
            after = page.get(page.size() - 1).id();
            List<OutboxEntry> concerned = page.stream().filter(concerns).toList();
            examined[0] += page.size();
            Set<DocumentUuid> uuids = new LinkedHashSet<>();
            concerned.forEach(e -> uuids.add(e.document()));
            Set<DocumentUuid> present = uuids.isEmpty() ? Set.of()
                    : runner.retrier().call("documents.existingDocuments", () -> store.existingDocuments(uuids));
            List<OutboxEntry> due = new ArrayList<>();
            for (OutboxEntry e : concerned) {
                if (present.contains(e.document())) {
                    continue;
                }
                if (!run.old(e.createdAt())) {
                    run.young(c);
                    continue;
                }
                run.found(c, Long.toString(e.id()), 0);
                due.add(e);
            }
            if (!run.dryRun && !due.isEmpty()) {
                boolean done = run.commit("outbox rows", uow -> {
                    for (OutboxEntry e : due) {
                        uow.removeOutbox(e.id());
                        uow.audit(run.audit(AuditAction.CLEANUP_OUTBOX).document(e.document()).before(e.contentHash())
                                .detail(e.action().name() + (parked ? ",parked" : "")).build());
                    }
                });
                if (done) {
                    due.forEach(e -> run.removed(c, Long.toString(e.id()), 0));
                }
            }
            run.progress(phase, examined[0]);
        }
    }

    // ------------------------------------------------------------------ vectors

    private void vectorsWithoutDocument(Run run) {
        String phase = "vectors";
        runner.listener().phaseStarted(run.runId, phase);
        DocumentStore store = runner.documents();
        OrphanClass c = OrphanClass.VECTORS_WITHOUT_DOCUMENT;
        long examined = 0;
        Optional<String> cursor = Optional.empty();
        do {
            Optional<String> at = cursor;
            Page<DocumentUuid> page = runner.retrier().call("vectors.documents", () -> vectors.documents(at, PAGE));
            examined += page.items().size();
            // any document row counts, also one the sync did not write (a shared table's own documents)
            Set<DocumentUuid> present = page.items().isEmpty() ? Set.of()
                    : runner.retrier().call("documents.existingDocuments", () -> store.existingDocuments(page.items()));
            List<DocumentUuid> missing = page.items().stream().filter(u -> !present.contains(u)).toList();
            missing.forEach(u -> run.found(c, u.value().toString(), 0));
            if (!run.dryRun && !missing.isEmpty()) {
                purgeVectors(run, missing);
            }
            run.progress(phase, examined);
            cursor = page.nextCursor();
        } while (cursor.isPresent());
    }

    private void purgeVectors(Run run, List<DocumentUuid> missing) {
        // Fenced like every write; and only for documents still gone right before the purge (vector entries are
        // only ever written for a committed document).
        run.lease.checkpoint();
        Set<DocumentUuid> back = runner.retrier().call("documents.existingDocuments",
                () -> runner.documents().existingDocuments(missing));
        Map<DocumentUuid, Integer> purged = new LinkedHashMap<>();
        for (DocumentUuid u : missing) {
            if (!back.contains(u)) {
                purged.put(u, runner.retrier().call("vectors.deleteByDocument", () -> vectors.deleteByDocument(run.lease.token(), u)));
            }
        }
        if (purged.isEmpty()) {
            return;
        }
        run.commit("vector purges", uow -> purged.forEach((u, n) -> uow.audit(run.audit(AuditAction.CLEANUP_VECTORS)
                .document(u).detail("entries:" + n).build())));
        purged.keySet().forEach(u -> run.removed(OrphanClass.VECTORS_WITHOUT_DOCUMENT, u.value().toString(), 0));
    }

    // ------------------------------------------------------------------ blobs

    /** A blob the cleanup collects. */
    private record Doomed(ContentHash hash, OrphanClass orphanClass, Kind kind, long bytes, String etag) { }

    private enum Kind { MARK, ADOPT, FINISH }

    private void unreferencedBlobs(Run run) {
        String phase = "blobs";
        runner.listener().phaseStarted(run.runId, phase);
        long[] examined = {0};
        List<Doomed> batch = new ArrayList<>();
        HashMerge.forEach(runner.documents(), blobs, runner.retrier(), e -> {
            examined[0]++;
            Doomed d = doomed(run, e);
            if (d != null) {
                run.found(d.orphanClass, d.hash.hex(), d.bytes);
                batch.add(d);
                if (!run.dryRun && batch.size() >= BLOB_BATCH) {
                    collect(run, batch);
                    batch.clear();
                }
            }
            if (examined[0] % PAGE == 0) {
                run.progress(phase, examined[0]);
            }
        });
        if (!run.dryRun && !batch.isEmpty()) {
            collect(run, batch);
        }
        run.progress(phase, examined[0]);
    }

    /** What to do with one hash, or {@code null} when it is referenced, young or not the cleanup's. */
    private Doomed doomed(Run run, HashMerge.Entry e) {
        Optional<BlobInfo> blob = e.blob();
        long bytes = blob.map(BlobInfo::size).orElse(0L);
        if (e.tally().isEmpty()) {
            // stored, but no row and no reference: uploaded by a run that stopped before its commit
            BlobInfo b = blob.orElseThrow();
            if (!run.old(b.lastModified())) {
                run.young(OrphanClass.UNCOMMITTED_BLOB);
                return null;
            }
            return new Doomed(e.hash(), OrphanClass.UNCOMMITTED_BLOB, Kind.ADOPT, bytes, b.etag());
        }
        ReferenceTally t = e.tally().get();
        if (t.references() > 0 || t.row().isEmpty()) {
            return null;
        }
        BlobRef row = t.row().get();
        if (row.refCount() > 0) {
            return null; // a count above its references: the repair recounts it, then a cleanup collects
        }
        if (!run.old(row.updatedAt())) {
            run.young(OrphanClass.UNREFERENCED_BLOB);
            return null;
        }
        if (row.state() == BlobRef.State.DELETING) {
            return new Doomed(e.hash(), OrphanClass.UNREFERENCED_BLOB, Kind.FINISH, bytes,
                    row.blobEtag().orElse(""));
        }
        String etag = blob.map(BlobInfo::etag).orElse(row.blobEtag().orElse(""));
        return new Doomed(e.hash(), OrphanClass.UNREFERENCED_BLOB, Kind.MARK, bytes, etag);
    }

    /** The collector protocol for a batch: mark (or adopt) in one unit, delete If-Match, remove or revive. */
    private void collect(Run run, List<Doomed> batch) {
        DocumentStore store = runner.documents();
        Instant notAfter = run.cutoff.plusMillis(1);
        List<Doomed> toMark = batch.stream().filter(d -> d.kind != Kind.FINISH).toList();
        if (!toMark.isEmpty()) {
            run.commit("blob marks", uow -> {
                for (Doomed d : toMark) {
                    if (d.kind == Kind.ADOPT) {
                        uow.adoptUnreferencedBlob(d.hash, d.bytes, d.etag);
                    } else {
                        uow.markBlobDeleting(d.hash, d.etag, notAfter);
                    }
                }
            });
        }
        List<ContentHash> hashes = batch.stream().map(Doomed::hash).toList();
        Map<ContentHash, BlobRef> rows = runner.retrier().call("documents.findBlobRefs", () -> store.findBlobRefs(hashes));
        List<Doomed> toRemove = new ArrayList<>();
        for (Doomed d : batch) {
            BlobRef row = rows.get(d.hash);
            if (row == null || row.state() != BlobRef.State.DELETING || !row.blobEtag().equals(Optional.of(d.etag))) {
                continue; // referenced again, adopted by nobody, or someone else's collection
            }
            run.lease.checkpoint();
            boolean deleted = runner.retrier().call("blobs.deleteIfMatch", () -> blobs.deleteIfMatch(d.hash, d.etag));
            if (deleted || runner.retrier().call("blobs.stat", () -> blobs.stat(d.hash)).isEmpty()) {
                toRemove.add(d);
            } else {
                // written again meanwhile (a sync re-uploaded it): it stays, and so does its row
                runner.retrier().run("documents.reviveBlobRef",
                        () -> store.reviveBlobRef(run.lease.token(), d.hash, d.etag));
            }
        }
        if (toRemove.isEmpty()) {
            return;
        }
        run.commit("blob reference rows", uow -> {
            for (Doomed d : toRemove) {
                uow.removeBlobRefIfDeleting(d.hash, d.etag, run.audit(AuditAction.CLEANUP_BLOB).before(d.hash)
                        .detail(d.orphanClass == OrphanClass.UNCOMMITTED_BLOB ? "uncommitted-upload"
                                : d.kind == Kind.FINISH ? "stopped-collection" : "unreferenced")
                        .build());
            }
        });
        Map<ContentHash, BlobRef> after = runner.retrier().call("documents.findBlobRefs",
                () -> store.findBlobRefs(toRemove.stream().map(Doomed::hash).toList()));
        for (Doomed d : toRemove) {
            if (!after.containsKey(d.hash)) {
                run.removed(d.orphanClass, d.hash.hex(), d.bytes);
            }
        }
    }

    // ------------------------------------------------------------------ skips

    private void skipsOfUnlistedFiles(Run run) {
        if (source.isEmpty()) {
            run.notes.add("skips of unlisted files not looked at: no VSRX source given");
            return;
        }
        String phase = "skips";
        runner.listener().phaseStarted(run.runId, phase);
        DocumentStore store = runner.documents();
        OrphanClass c = OrphanClass.SKIP_OF_UNLISTED_FILE;
        long examined = 0;
        Optional<String> cursor = Optional.empty();
        do {
            Optional<String> at = cursor;
            Page<FilesetId> page = runner.retrier().call("documents.filesetsWithSkips",
                    () -> store.filesetsWithSkips(at, PAGE));
            for (FilesetId fs : page.items()) {
                Map<VsrxFileId, PermanentSkip> skips = runner.retrier().call("documents.skips",
                        () -> store.permanentSkips(fs));
                examined += skips.size();
                Optional<Set<VsrxFileId>> listed = listed(run, fs);
                if (listed.isEmpty()) {
                    continue;
                }
                List<PermanentSkip> due = new ArrayList<>();
                for (PermanentSkip s : skips.values()) {
                    if (listed.get().contains(s.fileId())) {
                        continue;
                    }
                    if (!run.old(s.skippedAt())) {
                        run.young(c);
                        continue;
                    }
                    run.found(c, s.fileId().value(), 0);
                    due.add(s);
                }
                if (!run.dryRun && !due.isEmpty()) {
                    boolean done = run.commit("skips", uow -> {
                        for (PermanentSkip s : due) {
                            uow.forgetSkip(s.fileId());
                            uow.audit(run.audit(AuditAction.CLEANUP_SKIP).fileId(s.fileId()).fileset(fs)
                                    .detail(s.reason().name()).build());
                        }
                    });
                    if (done) {
                        due.forEach(s -> run.removed(c, s.fileId().value(), 0));
                    }
                }
                run.progress(phase, examined);
            }
            cursor = page.nextCursor();
        } while (cursor.isPresent());
    }

    /** The file ids VSRX lists in a fileset (deleted ones included); none when VSRX no longer knows it. */
    private Optional<Set<VsrxFileId>> listed(Run run, FilesetId fs) {
        VsrxSource vsrx = source.orElseThrow();
        Set<VsrxFileId> ids = new HashSet<>();
        PageRequest request = PageRequest.first(PageRequest.MAX_LIMIT);
        try {
            while (true) {
                PageRequest r = request;
                Page<VsrxFile> page = runner.retrier().call("vsrx.listFiles", () -> vsrx.listFiles(fs, r));
                page.items().forEach(f -> ids.add(f.id()));
                if (page.isLast()) {
                    return Optional.of(ids);
                }
                request = request.next(page.nextCursor().orElseThrow());
                if (run.lease != null) {
                    run.lease.checkpoint();
                }
            }
        } catch (PermanentSyncException | TransientSyncException e) {
            if (e instanceof PermanentSyncException p && p.statusCode().orElse(0) == 404) {
                return Optional.of(Set.of()); // the fileset is gone from VSRX: so are its files
            }
            // a refusal, or an outage of this fileset (retried already), leaves its skips for the next cleanup
            run.notes.add("skips of fileset " + fs + " not looked at: VSRX listing failed ("
                    + FilesetSync.reasonOf(e) + ")");
            return Optional.empty();
        }
    }
}
