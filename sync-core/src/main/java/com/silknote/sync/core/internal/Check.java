package com.silknote.sync.core.internal;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.dedup.ContentSpooler;
import com.silknote.sync.core.dedup.SpooledContent;
import com.silknote.sync.core.exception.ContentRejectedException;
import com.silknote.sync.core.exception.LeaseLostException;
import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.exception.SyncException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.AuditAction;
import com.silknote.sync.core.model.AuditEntry;
import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.CheckReport;
import com.silknote.sync.core.model.CheckRequest;
import com.silknote.sync.core.model.CleanupReport;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.Finding;
import com.silknote.sync.core.model.FindingClass;
import com.silknote.sync.core.model.OperationStatus;
import com.silknote.sync.core.model.OutboxEntry;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.ReferenceTally;
import com.silknote.sync.core.model.RepairReport;
import com.silknote.sync.core.model.RepairRequest;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.core.port.VsrxSource;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consistency check and repair (issue 11). The check compares the ledger, the blob store and the vector
 * store and reports each finding by opaque id and class; it only reads. The repair takes the {@code vsrx-sync}
 * lock like a sync, checks again under it and fixes what is safe: it recounts references (in conditional,
 * fenced units of work, each count taken at commit with the row locked), queues parked post-commit work
 * again, fetches a missing or damaged blob from VSRX by the file id of a document that uses it (only when the
 * bytes hash to the document's hash), and purges vector entries of documents that no longer exist. Every fix
 * is audited; the rest is reported.
 */
public final class Check {
    private static final Logger log = LoggerFactory.getLogger(Check.class);
    private static final int PAGE = 500;
    private static final int RECOUNT_BATCH = 200;
    /** Documents tried as the source of a blob fetched again. */
    private static final int REFETCH_CANDIDATES = 5;

    private final OperationRunner runner;
    private final BlobStore blobs;
    private final VectorStore vectors;
    private final SyncLock lock;
    private final Optional<VsrxSource> source;

    /** @throws NullPointerException when an argument is null */
    public Check(OperationRunner runner, BlobStore blobs, VectorStore vectors, SyncLock lock,
            Optional<VsrxSource> source) {
        this.runner = requireNonNull(runner, "runner");
        this.blobs = requireNonNull(blobs, "blobs");
        this.vectors = requireNonNull(vectors, "vectors");
        this.lock = requireNonNull(lock, "lock");
        this.source = requireNonNull(source, "source");
    }

    // ------------------------------------------------------------------ check

    /** Documents with pending outbox work the check holds in memory to judge entries by their content. */
    private static final int OUTBOX_DOCUMENTS_HELD = 100_000;

    /** Findings of one pass. */
    private final class Findings {
        final RunId runId;
        final Map<FindingClass, Long> counts = new EnumMap<>(FindingClass.class);
        final List<Finding> list = new ArrayList<>();
        final Map<String, Long> examined = new LinkedHashMap<>();
        final List<String> notes = new ArrayList<>();
        /** Documents with post-commit work pending or parked: their entries may rightly lag their content. */
        final Set<DocumentUuid> outboxDocuments = new HashSet<>();
        /** More outbox documents than {@link #OUTBOX_DOCUMENTS_HELD}: entries are not judged by their content. */
        boolean outboxTooLarge;
        boolean truncated;
        long found;

        Findings(RunId runId) {
            this.runId = runId;
        }

        void add(FindingClass c, String id, String detail) {
            counts.merge(c, 1L, Long::sum);
            found++;
            if (list.size() < CleanupReport.MAX_ITEMS) {
                list.add(new Finding(c, id, detail));
            } else {
                truncated = true;
            }
        }

        void outboxWork(DocumentUuid document) {
            if (outboxTooLarge) {
                return;
            }
            outboxDocuments.add(document);
            if (outboxDocuments.size() > OUTBOX_DOCUMENTS_HELD) {
                outboxTooLarge = true;
                outboxDocuments.clear();
                notes.add("more than " + OUTBOX_DOCUMENTS_HELD + " documents have post-commit work pending: vector"
                        + " entries were not compared with their documents' content; check again once it is drained");
            }
        }

        void examined(String what, long n) {
            examined.merge(what, n, Long::sum);
        }

        void progress(String phase, long n) {
            runner.listener().progress(runId, phase, n, found);
        }
    }

    /** Runs the check: reads only, takes no lock. Failures end it with a {@code FAILED} report. */
    public CheckReport check(CheckRequest request) {
        requireNonNull(request, "request");
        RunId runId = runner.newRunId("check");
        Instant started = runner.clock().instant();
        runner.listener().operationStarted(runId, "check", false);
        Findings f = new Findings(runId);
        try {
            if (lock.inspect(SyncConfig.LOCK_NAME).isPresent()) {
                f.notes.add("a run holds the vsrx-sync lock: findings may be states it is passing through");
            }
            scan(f, request);
            log.info("check done run={} findings={} verifyContent={}", runId, f.found, request.verifyContent());
            return report(f, started, request, OperationStatus.COMPLETED, Optional.empty());
        } catch (SyncException e) {
            log.warn("check failed run={} reason={}", runId, FilesetSync.reasonOf(e));
            return report(f, started, request, OperationStatus.FAILED, Optional.of(FilesetSync.reasonOf(e)));
        } finally {
            runner.listener().operationFinished(runId, "check");
        }
    }

    private CheckReport report(Findings f, Instant started, CheckRequest request, OperationStatus status,
            Optional<String> error) {
        return new CheckReport(f.runId, started, runner.clock().instant(), status, error, request.verifyContent(),
                f.counts, f.list, f.truncated, f.examined, f.notes);
    }

    private void scan(Findings f, CheckRequest request) {
        Instant stuckBefore = runner.clock().instant().minus(request.stuckAfter());
        blobsAndReferences(f, request.verifyContent(), stuckBefore);
        mappingsAndDocuments(f);
        outbox(f, stuckBefore);
        vectors(f);
    }

    private void blobsAndReferences(Findings f, boolean verifyContent, Instant stuckBefore) {
        runner.listener().phaseStarted(f.runId, "blobs");
        long[] n = {0};
        HashMerge.forEach(runner.documents(), blobs, runner.retrier(), e -> {
            n[0]++;
            if (e.blob().isPresent()) {
                f.examined("blobs", 1);
            }
            e.tally().ifPresent(t -> tally(f, t, e.blob(), verifyContent, stuckBefore));
            if (n[0] % PAGE == 0) {
                f.progress("blobs", n[0]);
            }
        });
        f.examined("hashes", n[0]);
        f.progress("blobs", n[0]);
    }

    private void tally(Findings f, ReferenceTally t, Optional<BlobInfo> blob, boolean verifyContent,
            Instant stuckBefore) {
        String id = t.hash().hex();
        if (!t.countMatches()) {
            f.add(FindingClass.REFERENCE_COUNT_MISMATCH, id, "refCount:"
                    + t.row().map(r -> Long.toString(r.refCount())).orElse("none") + ",references:" + t.references());
        }
        Optional<BlobRef> row = t.row();
        if (row.isPresent() && row.get().state() == BlobRef.State.DELETING
                && row.get().updatedAt().isBefore(stuckBefore)) {
            f.add(FindingClass.BLOB_REF_STUCK_DELETING, id, "since:" + row.get().updatedAt());
        }
        if (t.references() == 0) {
            return;
        }
        if (blob.isEmpty()) {
            f.add(FindingClass.DOCUMENT_WITHOUT_BLOB, id, "references:" + t.references());
            return;
        }
        long expected = t.referencedSize().orElse(row.map(BlobRef::size).orElse(blob.get().size()));
        if (blob.get().size() != expected) {
            f.add(FindingClass.BLOB_CONTENT_MISMATCH, id, "size:" + blob.get().size() + ",expected:" + expected);
        } else if (verifyContent) {
            f.examined("blobBytesVerified", blob.get().size());
            if (!hashOfStored(t.hash()).map(t.hash()::equals).orElse(false)) {
                f.add(FindingClass.BLOB_CONTENT_MISMATCH, id, "bytes-do-not-hash-to-name");
            }
        }
    }

    /** Streams a stored blob through SHA-256 (never whole in memory); empty when it is gone. */
    private Optional<ContentHash> hashOfStored(ContentHash hash) {
        return runner.retrier().call("blobs.open", () -> {
            if (blobs.stat(hash).isEmpty()) {
                return Optional.empty();
            }
            try (InputStream in = blobs.open(hash)) {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                byte[] buf = new byte[ContentSpooler.BUFFER_SIZE];
                int r;
                while ((r = in.read(buf)) >= 0) {
                    sha.update(buf, 0, r);
                }
                return Optional.of(ContentHash.ofBytes(sha.digest()));
            } catch (IOException e) {
                throw new TransientSyncException("reading a stored blob failed", e);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 unavailable", e);
            }
        });
    }

    private void mappingsAndDocuments(Findings f) {
        runner.listener().phaseStarted(f.runId, "mappings");
        DocumentStore store = runner.documents();
        long n = 0;
        Optional<String> cursor = Optional.empty();
        do {
            Optional<String> c = cursor;
            Page<SyncMapping> page = runner.retrier().call("documents.mappingsWithoutDocument",
                    () -> store.mappingsWithoutDocument(c, PAGE));
            for (SyncMapping m : page.items()) {
                f.add(FindingClass.MAPPING_WITHOUT_DOCUMENT, m.vsrxFileId().value(), "fileset:" + m.filesetId());
            }
            n += page.items().size();
            cursor = page.nextCursor();
        } while (cursor.isPresent());
        cursor = Optional.empty();
        do {
            Optional<String> c = cursor;
            Page<SilknoteDocument> page = runner.retrier().call("documents.documentsWithoutMapping",
                    () -> store.documentsWithoutMapping(c, PAGE));
            for (SilknoteDocument d : page.items()) {
                f.add(FindingClass.DOCUMENT_WITHOUT_MAPPING, d.uuid().value().toString(),
                        "file:" + d.clientFileId() + ",fileset:" + d.filesetId());
            }
            n += page.items().size();
            cursor = page.nextCursor();
        } while (cursor.isPresent());
        f.progress("mappings", n);
    }

    private void outbox(Findings f, Instant stuckBefore) {
        runner.listener().phaseStarted(f.runId, "outbox");
        DocumentStore store = runner.documents();
        long n = 0;
        long after = 0;
        while (true) {
            long from = after;
            List<OutboxEntry> page = runner.retrier().call("documents.parkedOutbox", () -> store.parkedOutbox(from, PAGE));
            if (page.isEmpty()) {
                break;
            }
            for (OutboxEntry e : page) {
                f.add(FindingClass.OUTBOX_PARKED, Long.toString(e.id()), e.action() + ",document:" + e.document()
                        + ",attempts:" + e.attempts() + e.lastError().map(x -> ",lastError:" + x).orElse(""));
                f.outboxWork(e.document());
            }
            n += page.size();
            after = page.get(page.size() - 1).id();
        }
        after = 0;
        while (true) {
            long from = after;
            List<OutboxEntry> page = runner.retrier().call("documents.pendingOutbox", () -> store.pendingOutbox(from, PAGE));
            if (page.isEmpty()) {
                break;
            }
            for (OutboxEntry e : page) {
                f.outboxWork(e.document());
                if (e.createdAt().isBefore(stuckBefore)) {
                    f.add(FindingClass.OUTBOX_STUCK, Long.toString(e.id()), e.action() + ",document:" + e.document()
                            + ",since:" + e.createdAt());
                }
            }
            n += page.size();
            after = page.get(page.size() - 1).id();
        }
        f.examined("outboxEntries", n);
        f.progress("outbox", n);
    }

    /**
     * The vector store's documents, a page at a time: entries of a document that no longer exists, and entries of
     * a live document computed from other content than it holds with no processing of it pending (a late write
     * of older content: searches would find what the document no longer says).
     */
    private void vectors(Findings f) {
        runner.listener().phaseStarted(f.runId, "vectors");
        DocumentStore store = runner.documents();
        long n = 0;
        Optional<String> cursor = Optional.empty();
        do {
            Optional<String> c = cursor;
            Page<DocumentUuid> page = runner.retrier().call("vectors.documents", () -> vectors.documents(c, PAGE));
            Set<DocumentUuid> present = page.items().isEmpty() ? Set.of()
                    : runner.retrier().call("documents.existingDocuments", () -> store.existingDocuments(page.items()));
            List<DocumentUuid> live = new ArrayList<>();
            for (DocumentUuid u : page.items()) {
                if (!present.contains(u)) {
                    f.add(FindingClass.VECTORS_OF_DELETED_DOCUMENT, u.value().toString(), "document-gone");
                } else if (!f.outboxTooLarge && !f.outboxDocuments.contains(u)) {
                    live.add(u);
                }
            }
            entriesOfOtherContent(f, live);
            n += page.items().size();
            cursor = page.nextCursor();
        } while (cursor.isPresent());
        f.examined("vectorDocuments", n);
        f.progress("vectors", n);
    }

    private void entriesOfOtherContent(Findings f, List<DocumentUuid> live) {
        if (live.isEmpty()) {
            return;
        }
        Map<DocumentUuid, SilknoteDocument> docs = runner.retrier().call("documents.findDocuments",
                () -> runner.documents().findDocuments(live));
        if (docs.isEmpty()) {
            return;
        }
        Map<DocumentUuid, Set<ContentHash>> hashes = runner.retrier().call("vectors.contentHashes",
                () -> vectors.contentHashes(docs.keySet()));
        for (DocumentUuid u : live) {
            SilknoteDocument d = docs.get(u);
            Set<ContentHash> from = hashes.get(u);
            if (d != null && from != null && !from.equals(Set.of(d.contentHash()))) {
                f.add(FindingClass.VECTORS_OF_OTHER_CONTENT, u.value().toString(),
                        from.contains(d.contentHash()) ? "entries-of-mixed-content" : "entries-of-other-content");
            }
        }
    }

    // ------------------------------------------------------------------ repair

    /**
     * Repairs what is safe. A dry run checks and says what it would do, without the lock. A real run takes the
     * lock (refused: {@code ALREADY_IN_PROGRESS}, nothing touched), checks under it, then fixes.
     */
    public RepairReport repair(RepairRequest request) {
        requireNonNull(request, "request");
        RunId runId = runner.newRunId("repair");
        Instant started = runner.clock().instant();
        runner.listener().operationStarted(runId, "repair", request.dryRun());
        List<RepairReport.Repair> repaired = new ArrayList<>();
        List<Finding> remaining = new ArrayList<>();
        try {
            if (request.dryRun()) {
                Findings f = new Findings(runId);
                scan(f, request.check());
                plan(f, repaired, remaining);
                return repairReport(runId, request, started, OperationStatus.COMPLETED, Optional.empty(), repaired,
                        remaining);
            }
            Optional<Boolean> done = runner.withLease(runId, lease -> {
                Findings f = new Findings(runId);
                scan(f, request.check());
                fix(runId, lease, f, repaired, remaining);
                return Boolean.TRUE;
            });
            if (done.isEmpty()) {
                return repairReport(runId, request, started, OperationStatus.ALREADY_IN_PROGRESS,
                        Optional.of("Sync already in progress"), repaired, remaining);
            }
            log.info("repair done run={} repaired={} remaining={}", runId, repaired.size(), remaining.size());
            return repairReport(runId, request, started, OperationStatus.COMPLETED, Optional.empty(), repaired,
                    remaining);
        } catch (LeaseLostException | StaleFencingTokenException e) {
            log.warn("repair stopped run={} reason={}", runId, e.getClass().getSimpleName());
            return repairReport(runId, request, started, OperationStatus.FAILED,
                    Optional.of("lease lost: " + e.getClass().getSimpleName()), repaired, remaining);
        } catch (SyncException e) {
            log.warn("repair failed run={} reason={}", runId, FilesetSync.reasonOf(e));
            return repairReport(runId, request, started, OperationStatus.FAILED, Optional.of(FilesetSync.reasonOf(e)),
                    repaired, remaining);
        } finally {
            runner.listener().operationFinished(runId, "repair");
        }
    }

    private RepairReport repairReport(RunId runId, RepairRequest request, Instant started, OperationStatus status,
            Optional<String> error, List<RepairReport.Repair> repaired, List<Finding> remaining) {
        return new RepairReport(runId, request.dryRun(), started, runner.clock().instant(), status, error, repaired,
                remaining);
    }

    /** What a dry run would do with each finding. */
    private void plan(Findings f, List<RepairReport.Repair> repaired, List<Finding> remaining) {
        for (Finding x : f.list) {
            Optional<String> why = unrepairable(x);
            if (why.isPresent()) {
                remaining.add(new Finding(x.findingClass(), x.id(), why.get()));
            } else {
                repaired.add(new RepairReport.Repair(x, "would-" + verb(x.findingClass())));
            }
        }
    }

    private static String verb(FindingClass c) {
        return switch (c) {
            case REFERENCE_COUNT_MISMATCH -> "recount";
            case OUTBOX_PARKED -> "requeue";
            case VECTORS_OF_DELETED_DOCUMENT -> "purge";
            case VECTORS_OF_OTHER_CONTENT -> "reprocess";
            default -> "refetch";
        };
    }

    /** Why a finding stays for someone else, or empty when the repair fixes it. */
    private Optional<String> unrepairable(Finding x) {
        return switch (x.findingClass()) {
            case MAPPING_WITHOUT_DOCUMENT -> Optional.of("left-to-cleanup");
            case BLOB_REF_STUCK_DELETING -> Optional.of("left-to-cleanup");
            case DOCUMENT_WITHOUT_MAPPING -> Optional.of("next-sync-writes-the-mapping");
            case OUTBOX_STUCK -> Optional.of("next-sync-drains-the-outbox");
            case DOCUMENT_WITHOUT_BLOB, BLOB_CONTENT_MISMATCH -> source.isPresent() ? Optional.empty()
                    : Optional.of("needs-vsrx-source");
            default -> Optional.empty();
        };
    }

    private void fix(RunId runId, LeaseKeeper lease, Findings f, List<RepairReport.Repair> repaired,
            List<Finding> remaining) {
        List<Finding> recounts = new ArrayList<>();
        List<Finding> requeues = new ArrayList<>();
        List<Finding> purges = new ArrayList<>();
        List<Finding> reprocesses = new ArrayList<>();
        List<Finding> refetches = new ArrayList<>();
        for (Finding x : f.list) {
            Optional<String> why = unrepairable(x);
            if (why.isPresent()) {
                remaining.add(new Finding(x.findingClass(), x.id(), why.get()));
                continue;
            }
            switch (x.findingClass()) {
                case REFERENCE_COUNT_MISMATCH -> recounts.add(x);
                case OUTBOX_PARKED -> requeues.add(x);
                case VECTORS_OF_DELETED_DOCUMENT -> purges.add(x);
                case VECTORS_OF_OTHER_CONTENT -> reprocesses.add(x);
                default -> refetches.add(x);
            }
        }
        if (f.truncated) {
            log.warn("repair takes the first {} findings run={}; run it again for the rest", CleanupReport.MAX_ITEMS,
                    runId);
        }
        recount(runId, lease, recounts, repaired);
        requeue(runId, lease, requeues, repaired);
        purge(runId, lease, purges, repaired);
        reprocess(runId, lease, reprocesses, repaired, remaining);
        for (Finding x : refetches) {
            refetch(runId, lease, x, repaired, remaining);
        }
    }

    private void commit(LeaseKeeper lease, java.util.function.Consumer<DocumentStore.UnitOfWork> work) {
        lease.verify();
        runner.documents().inUnitOfWork(lease.token(), uow -> {
            work.accept(uow);
            return null;
        });
    }

    private void recount(RunId runId, LeaseKeeper lease, List<Finding> findings, List<RepairReport.Repair> repaired) {
        DocumentStore store = runner.documents();
        for (int i = 0; i < findings.size(); i += RECOUNT_BATCH) {
            List<Finding> batch = findings.subList(i, Math.min(findings.size(), i + RECOUNT_BATCH));
            List<ContentHash> hashes = batch.stream().map(x -> ContentHash.ofHex(x.id())).toList();
            Map<ContentHash, BlobRef> before = runner.retrier().call("documents.findBlobRefs",
                    () -> store.findBlobRefs(hashes));
            commit(lease, uow -> hashes.forEach(h -> uow.recountBlobRef(h,
                    AuditEntry.of(runId, AuditAction.REPAIR_REFERENCE_COUNT).before(h).after(h).build())));
            Map<ContentHash, BlobRef> after = runner.retrier().call("documents.findBlobRefs",
                    () -> store.findBlobRefs(hashes));
            for (int k = 0; k < batch.size(); k++) {
                ContentHash h = hashes.get(k);
                String from = Optional.ofNullable(before.get(h)).map(r -> Long.toString(r.refCount())).orElse("none");
                String to = Optional.ofNullable(after.get(h)).map(r -> Long.toString(r.refCount())).orElse("none");
                repaired.add(new RepairReport.Repair(batch.get(k), "recounted:" + from + ">" + to));
            }
        }
    }

    private void requeue(RunId runId, LeaseKeeper lease, List<Finding> findings, List<RepairReport.Repair> repaired) {
        if (findings.isEmpty()) {
            return;
        }
        DocumentStore store = runner.documents();
        Map<Long, OutboxEntry> parked = new LinkedHashMap<>();
        long after = 0;
        while (true) {
            long from = after;
            List<OutboxEntry> page = runner.retrier().call("documents.parkedOutbox", () -> store.parkedOutbox(from, PAGE));
            if (page.isEmpty()) {
                break;
            }
            page.forEach(e -> parked.put(e.id(), e));
            after = page.get(page.size() - 1).id();
        }
        List<Finding> still = findings.stream().filter(x -> parked.containsKey(Long.parseLong(x.id()))).toList();
        for (int i = 0; i < still.size(); i += PAGE) {
            List<Finding> batch = still.subList(i, Math.min(still.size(), i + PAGE));
            commit(lease, uow -> batch.forEach(x -> {
                OutboxEntry e = parked.get(Long.parseLong(x.id()));
                uow.requeueOutbox(e.id());
                uow.audit(AuditEntry.of(runId, AuditAction.REPAIR_OUTBOX_REQUEUED).document(e.document())
                        .after(e.contentHash()).detail(e.action().name()).build());
            }));
            batch.forEach(x -> repaired.add(new RepairReport.Repair(x, "requeued")));
        }
    }

    /**
     * Queues the processing of each document again, for the content it holds now (read under the lease); the next
     * sync's outbox work replaces its entries (cleared first, so entries of other content never outlive it). A
     * document gone meanwhile is left to {@code VECTORS_OF_DELETED_DOCUMENT}.
     */
    private void reprocess(RunId runId, LeaseKeeper lease, List<Finding> findings, List<RepairReport.Repair> repaired,
            List<Finding> remaining) {
        for (int i = 0; i < findings.size(); i += PAGE) {
            List<Finding> batch = findings.subList(i, Math.min(findings.size(), i + PAGE));
            List<DocumentUuid> uuids = batch.stream().map(x -> DocumentUuid.of(x.id())).toList();
            lease.checkpoint();
            Map<DocumentUuid, SilknoteDocument> docs = runner.retrier().call("documents.findDocuments",
                    () -> runner.documents().findDocuments(uuids));
            Instant now = runner.clock().instant();
            commit(lease, uow -> docs.values().forEach(d -> {
                uow.enqueue(OutboxEntry.pending(d.uuid(), OutboxEntry.Action.PROCESS, d.contentHash(), now));
                uow.audit(AuditEntry.of(runId, AuditAction.REPAIR_REPROCESS_QUEUED).document(d.uuid())
                        .fileId(d.clientFileId()).fileset(d.filesetId()).after(d.contentHash()).build());
            }));
            for (Finding x : batch) {
                if (docs.containsKey(DocumentUuid.of(x.id()))) {
                    repaired.add(new RepairReport.Repair(x, "reprocess-queued"));
                } else {
                    remaining.add(new Finding(x.findingClass(), x.id(), "document-gone-meanwhile"));
                }
            }
        }
    }

    private void purge(RunId runId, LeaseKeeper lease, List<Finding> findings, List<RepairReport.Repair> repaired) {
        if (findings.isEmpty()) {
            return;
        }
        List<DocumentUuid> uuids = findings.stream().map(x -> DocumentUuid.of(x.id())).toList();
        // Fenced like every write, and only for documents still gone right before the purge.
        lease.checkpoint();
        Set<DocumentUuid> back = runner.retrier().call("documents.existingDocuments",
                () -> runner.documents().existingDocuments(uuids));
        Map<DocumentUuid, Integer> purged = new LinkedHashMap<>();
        for (DocumentUuid u : uuids) {
            if (!back.contains(u)) {
                purged.put(u, runner.retrier().call("vectors.deleteByDocument", () -> vectors.deleteByDocument(lease.token(), u)));
            }
        }
        commit(lease, uow -> purged.forEach((u, n) -> uow.audit(AuditEntry.of(runId, AuditAction.REPAIR_VECTORS_PURGED)
                .document(u).detail("entries:" + n).build())));
        for (Finding x : findings) {
            if (purged.containsKey(DocumentUuid.of(x.id()))) {
                repaired.add(new RepairReport.Repair(x, "purged"));
            }
        }
    }

    /** Fetches the content of a missing or damaged blob from VSRX by the file id of a document that uses it. */
    private void refetch(RunId runId, LeaseKeeper lease, Finding x, List<RepairReport.Repair> repaired,
            List<Finding> remaining) {
        ContentHash hash = ContentHash.ofHex(x.id());
        List<SilknoteDocument> users = runner.retrier().call("documents.findDocumentsByContentHash",
                () -> runner.documents().findDocumentsByContentHash(hash, REFETCH_CANDIDATES));
        if (users.isEmpty()) {
            remaining.add(new Finding(x.findingClass(), x.id(), "no-document-to-fetch-it-for"));
            return;
        }
        VsrxSource vsrx = source.orElseThrow();
        ContentSpooler spooler = new ContentSpooler(runner.config().spoolDirectory(),
                runner.config().maxFileSizeBytes());
        for (SilknoteDocument d : users) {
            lease.checkpoint();
            Optional<SpooledContent> fetched = download(vsrx, spooler, d);
            if (fetched.isEmpty()) {
                continue;
            }
            try (SpooledContent s = fetched.get()) {
                if (!s.hash().equals(hash) || s.size() != d.size()) {
                    continue; // VSRX serves other bytes now: the next sync updates this document
                }
                lease.checkpoint();
                boolean damaged = x.findingClass() == FindingClass.BLOB_CONTENT_MISMATCH;
                if (damaged) {
                    runner.retrier().call("blobs.overwrite", () -> blobs.overwrite(s.upload(d.mimeType())));
                } else {
                    runner.retrier().call("blobs.putIfAbsent", () -> blobs.putIfAbsent(s.upload(d.mimeType())));
                }
                commit(lease, uow -> uow.audit(AuditEntry.of(runId, AuditAction.REPAIR_BLOB_REFETCHED)
                        .document(d.uuid()).fileId(d.clientFileId()).fileset(d.filesetId()).after(hash)
                        .detail(damaged ? "damaged" : "missing").build()));
                repaired.add(new RepairReport.Repair(x, "refetched:" + d.clientFileId().value()
                        .replaceAll("[^A-Za-z0-9._-]", "_")));
                log.info("repair fetched blob again run={} hash={} file={}", runId, hash, d.clientFileId());
                return;
            }
        }
        remaining.add(new Finding(x.findingClass(), x.id(), "vsrx-serves-other-content"));
    }

    private Optional<SpooledContent> download(VsrxSource vsrx, ContentSpooler spooler, SilknoteDocument d) {
        try {
            return Optional.of(runner.retrier().call("vsrx.openContent", () -> {
                FileContent content = vsrx.openContent(d.clientFileId());
                try (content) {
                    return spooler.spool(content.stream(), content.contentLength(), ContentSpooler.Progress.NONE);
                } catch (IOException e) {
                    throw new TransientSyncException("reading file content failed", e);
                }
            }));
        } catch (ContentRejectedException e) {
            log.debug("repair fetch refused file={} reason={}", d.clientFileId(), e.reason());
            return Optional.empty();
        } catch (SyncException e) {
            if (e instanceof LeaseLostException || e instanceof StaleFencingTokenException) {
                throw e;
            }
            log.debug("repair fetch failed file={} reason={}", d.clientFileId(), FilesetSync.reasonOf(e));
            return Optional.empty();
        }
    }
}
