package com.silknote.sync.core.internal;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.admission.ContentSniffer;
import com.silknote.sync.core.dedup.DedupPolicy;
import com.silknote.sync.core.dedup.SpooledContent;
import com.silknote.sync.core.diff.ChangeDetection;
import com.silknote.sync.core.diff.DiffEngine;
import com.silknote.sync.core.diff.DiffInput;
import com.silknote.sync.core.diff.DiffPolicy;
import com.silknote.sync.core.diff.FilePlan;
import com.silknote.sync.core.diff.Plan;
import com.silknote.sync.core.diff.PlanAction;
import com.silknote.sync.core.exception.BlobBeingCollectedException;
import com.silknote.sync.core.exception.ContentRejectedException;
import com.silknote.sync.core.exception.FileGoneException;
import com.silknote.sync.core.exception.LeaseLostException;
import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.exception.SyncException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.AuditAction;
import com.silknote.sync.core.model.AuditEntry;
import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobPutResult;
import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentMetadata;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.OutboxEntry;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.PatientFilesetRecord;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.PermanentSkip;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.SyncState;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.port.ContentSource;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.FilesetClaims;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Syncs one fileset (DESIGN §2, §4): list, diff, download and check (shared file pool), ensure blobs,
 * one unit of work, then post-commit outbox work. Never logs paths, patient ids or metadata.
 */
final class FilesetSync {
    private static final Logger log = LoggerFactory.getLogger(FilesetSync.class);
    /** Detail of a bi-directional document without a mapping whose bytes differ from its file's (no base). */
    static final String DETAIL_NO_BASE = "document-without-mapping:content-differs";
    /** Bi-directional: a file deleted in VSRX whose document has no mapping row: not deleted, reported. */
    static final String DETAIL_NO_BASE_DELETED = "document-without-mapping:deleted-in-vsrx";
    /** Lease checkpoint interval while streaming. */
    static final long CHECKPOINT_BYTES = 4L * 1024 * 1024;
    /** Re-uploads of content a collector is deleting, per commit. */
    private static final int MAX_REVIVALS = 3;
    /** Reason of an unlinked fileset Silknote holds documents of. */
    static final String UNLINKED_WITH_DOCUMENTS = "unlinked-with-documents";

    private final RunContext ctx;
    private final VsrxFileset fileset;
    private final FilesetId id;
    private final EngineParts parts;
    /** Scale-out: the claim this attempt runs under; its unit of work commits only while it holds. */
    private final Optional<FilesetClaims.Claim> claim;
    /** Set once the fileset's unit of work committed: later failures do not undo it. */
    private boolean committed;
    /** Reports of the Silknote side (links, exports). */
    private final List<FileReport> extraReports = new ArrayList<>();
    /** The alerts raised for this fileset, kept with its report ({@link FilesetReport#alerts()}). */
    private final List<Alert> raised = java.util.Collections.synchronizedList(new ArrayList<>());
    /** Listed files the plan counted as unchanged (no work, no report entry). */
    private long unchanged;

    FilesetSync(RunContext ctx, VsrxFileset fileset) {
        this(ctx, fileset, Optional.empty());
    }

    /**
     * @param claim scale-out: the claim this attempt was dispatched under. It belongs to this attempt alone: a
     *              worker may hold a newer claim on the same fileset (its own expired one, claimed again) while
     *              this attempt still runs, and this attempt must not commit under that one.
     */
    FilesetSync(RunContext ctx, VsrxFileset fileset, Optional<FilesetClaims.Claim> claim) {
        this.ctx = requireNonNull(ctx, "ctx");
        this.fileset = requireNonNull(fileset, "fileset");
        this.id = fileset.id();
        this.parts = ctx.parts;
        this.claim = requireNonNull(claim, "claim");
    }

    /**
     * Runs the fileset to an outcome.
     *
     * @throws LeaseLostException         when the run lost its lease (the run stops)
     * @throws StaleFencingTokenException when a newer lock holder wrote (the run stops)
     */
    FilesetReport run() {
        Instant start = ctx.clock().instant();
        List<FileWork> works = List.of();
        try {
            if (fileset.silknotePatientUuid().isEmpty()) {
                // inside the try: a ledger that cannot be read fails the fileset like any other (DESIGN rule 9)
                return notLinked(start);
            }
            PatientUuid patient = fileset.silknotePatientUuid().get();
            ctx.lease.verify();
            List<VsrxFile> listed = listFiles();
            DocumentStore store = parts.documents();
            Retrier retrier = parts.retrier();
            // Read before the plan: the commit requires it unchanged (DESIGN rule 10).
            Optional<PatientFilesetRecord> record = retrier.call("documents.findFileset", () -> store.findFileset(id));
            List<SyncMapping> mappings = retrier.call("documents.mappings", () -> store.mappings(id));
            List<SilknoteDocument> documents = new ArrayList<>(
                    retrier.call("documents.documents", () -> store.documents(id)));
            Map<VsrxFileId, PermanentSkip> skips = retrier.call("documents.skips", () -> store.permanentSkips(id));
            // A file the sync wrote to VSRX (a Silknote origin) that no mapping links yet is never imported as a
            // new document: the Silknote side links it (docs/bidirectional.md §3 rows 11-13, §5.3).
            Map<VsrxFileId, SyncMapping> byFile = new java.util.HashMap<>();
            mappings.forEach(m -> byFile.put(m.vsrxFileId(), m));
            // A file whose own document (its origin's, filed with this file id) lost its mapping row (a restore, a
            // manual fix) is that document's file: the diff writes the mapping again, like any document's.
            Map<VsrxFileId, DocumentUuid> ownDocument = new java.util.HashMap<>();
            documents.forEach(d -> ownDocument.put(d.clientFileId(), d.uuid()));
            java.util.function.Predicate<VsrxFile> unlinked = f -> SilknoteSide.unlinkedOrigin(f, byFile)
                    && !f.origin().equals(Optional.ofNullable(ownDocument.get(f.id())));
            List<VsrxFile> originFiles = listed.stream().filter(unlinked).toList();
            List<VsrxFile> files = originFiles.isEmpty() ? listed
                    : listed.stream().filter(unlinked.negate()).toList();
            // Bi-directional: a linked document whose content a Silknote user changed is the Silknote side's
            // (push, converge or conflict, docs/bidirectional.md §3 rows 3-6); the pull leaves it alone.
            List<LinkedChanges.Changed> changed = List.of();
            List<LinkedChanges.Removed> removed = List.of();
            List<FileReport> notPushed = List.of();
            int documentCount = documents.size();
            if (parts.writeTarget().isPresent()) {
                Map<VsrxFileId, SilknoteDocument> docsByFile = new java.util.HashMap<>();
                documents.forEach(d -> docsByFile.put(d.clientFileId(), d));
                changed = LinkedChanges.select(parts.config().bidirectional(), patient, files, byFile, docsByFile);
                removed = LinkedChanges.removed(parts.config().bidirectional(), files, byFile, docsByFile);
                notPushed = LinkedChanges.groupedNotPushed(parts.config().bidirectional(), patient, files, byFile,
                        docsByFile);
                if (!changed.isEmpty() || !removed.isEmpty()) {
                    Set<VsrxFileId> away = new java.util.HashSet<>();
                    changed.forEach(c -> away.add(c.file().id()));
                    removed.forEach(r -> away.add(r.file().id()));
                    files = files.stream().filter(f -> !away.contains(f.id())).toList();
                    mappings = mappings.stream().filter(m -> !away.contains(m.vsrxFileId())).toList();
                    documents = documents.stream().filter(d -> !away.contains(d.clientFileId())).toList();
                }
            }
            DiffInput input = new DiffInput(patient, fileset.patientIdHistory(), files, mappings, documents, skips);
            Plan plan = ctx.diff.plan(input);
            // Listed files this fileset lacks a record of may be held by another fileset (a conflict then); mapped
            // files whose document the re-booking migration moved on are still this fileset's (rule 13).
            HistoryChecks.Foreign foreign = HistoryChecks.heldElsewhere(parts, id, plan);
            if (!foreign.isEmpty()) {
                documents.addAll(foreign.migratedHere());
                plan = ctx.diff.plan(new DiffInput(patient, fileset.patientIdHistory(), files, mappings, documents,
                        skips, foreign.mappings(), foreign.documents()));
            }
            HistoryChecks.reportRelink(ctx, id, plan, record, patient, this::raise);
            ctx.listener.filesetStarted(ctx.runId, id, files.size(), plan.bytesToDownload());
            log.info("fileset start run={} fileset={} files={} toDownload={} bytes={}", ctx.runId, id, files.size(),
                    plan.count(PlanAction.CREATE) + plan.count(PlanAction.UPDATE), plan.bytesToDownload());
            works = initialWorks(plan, skips);
            unchanged = plan.unchanged();

            // Documents the plan deletes (a mapping whose document Silknote removed already is not one).
            long deletes = plan.files().stream()
                    .filter(p -> p.action() == PlanAction.DELETE && p.document().isPresent() && !unmappedDelete(p))
                    .count();
            if (ctx.config().massDeleteGuard().trips(deletes, documentCount)) {
                return blocked(works, deletes, documentCount, start);
            }
            // Silknote -> VSRX deletes count with them: the same guard, over the fileset's mapped files (§7).
            // Row 13: files the sync wrote whose document is gone count too, over those files as well.
            long orphaned = ctx.dryRun() ? 0 : SilknoteSide.orphanedOrigins(parts, originFiles).size();
            long vsrxDeletes = LinkedChanges.deletesPlanned(parts.config().bidirectional(), removed) + orphaned;
            int guarded = documentCount + removed.size() + (int) orphaned;
            if (vsrxDeletes > 0 && ctx.config().massDeleteGuard().trips(deletes + vsrxDeletes, guarded)) {
                return blocked(works, deletes + vsrxDeletes, guarded, start);
            }
            if (ctx.dryRun()) {
                for (FileWork w : works) {
                    if (w.action == null) {
                        w.action = w.plan.action() == PlanAction.CREATE ? FileAction.CREATED : FileAction.UPDATED;
                    }
                }
                // A dry run saves no state; this only frees the fileset's place among those in flight, which the
                // queue waits on once 1000 filesets finished ahead of the oldest one (RunProgress.MAX_AHEAD).
                ctx.progress.markProcessed(id);
                return finish(FilesetOutcome.COMPLETED, Optional.empty(), works, start);
            }
            fetchAll(works);
            checkGoneStillListed(works);
            boolean recordChanged = record
                    .map(r -> !r.patientUuid().equals(patient)
                            || !r.patientIdHistory().equals(fileset.patientIdHistory()))
                    .orElse(true);
            boolean writes = recordChanged || works.stream().anyMatch(w -> writes(w, skips, patient));
            Set<DocumentUuid> touchedDocuments = new HashSet<>();
            if (writes) {
                commit(works, patient, record, skips, touchedDocuments);
            } else {
                ctx.progress.markProcessed(id);
            }
            afterCommit(works, touchedDocuments);
            Set<VsrxFileId> reported = new HashSet<>();
            works.forEach(w -> reported.add(w.plan.fileId()));
            notPushed.stream().filter(r -> !reported.contains(r.fileId())).forEach(extraReports::add);
            if (!originFiles.isEmpty() || parts.writeTarget().isPresent()) {
                SilknoteSide side = new SilknoteSide(ctx, id, patient, fileset.patientIdHistory(), claim);
                side.run(originFiles, changed, removed);
                extraReports.addAll(notServedMarked(side.reports()));
                if (side.failed()) {
                    recordFailure();
                    return finish(FilesetOutcome.FAILED, Optional.of("silknote-side-failed"), works, start);
                }
            }
            return finish(FilesetOutcome.COMPLETED, Optional.empty(), works, start);
        } catch (LeaseLostException | StaleFencingTokenException stop) {
            if (committed) {
                // The unit of work landed before the lease was lost: report what it committed (a relink move, a
                // delete) and stop the run without a further write.
                ctx.stopped.compareAndSet(null, stop);
                log.warn("run stops after fileset commit run={} fileset={} reason={}", ctx.runId, id,
                        stop.getClass().getSimpleName());
                return finish(FilesetOutcome.COMPLETED, Optional.empty(), works, start);
            }
            markUncommitted(works, stop.getClass().getSimpleName());
            throw stop;
        } catch (RuntimeException e) {
            String reason = reasonOf(e);
            markUncommitted(works, reason);
            log.warn("fileset failed run={} fileset={} reason={}", ctx.runId, id, reason);
            recordFailure();
            return finish(FilesetOutcome.FAILED, Optional.of(reason), works, start);
        } finally {
            releaseContent(works);
        }
    }

    // ---------------------------------------------------------------- listing and plan

    private List<VsrxFile> listFiles() {
        List<VsrxFile> out = new ArrayList<>();
        PageRequest request = PageRequest.first(ctx.config().pageSize());
        while (true) {
            PageRequest r = request;
            Page<VsrxFile> page = parts.retrier().call("vsrx.listFiles", () -> parts.source().listFiles(id, r));
            out.addAll(page.items());
            if (page.isLast()) {
                return firstOfEachId(out);
            }
            request = request.next(page.nextCursor().orElseThrow());
            ctx.lease.checkpoint();
        }
    }

    /** An unlinked fileset; reported as such when Silknote holds documents of it (issue 9 item 3). */
    private FilesetReport notLinked(Instant start) {
        DocumentStore store = parts.documents();
        boolean holds = parts.retrier().call("documents.findFileset", () -> store.findFileset(id)).isPresent()
                || !parts.retrier().call("documents.documents", () -> store.documents(id)).isEmpty();
        ctx.progress.markProcessed(id);
        if (holds) {
            log.warn("fileset unlinked while Silknote holds its documents run={} fileset={}", ctx.runId, id);
            return report(FilesetOutcome.SKIPPED_NOT_LINKED, Optional.of(UNLINKED_WITH_DOCUMENTS), List.of(), start);
        }
        log.info("fileset skipped run={} fileset={} reason=PATIENT_NOT_LINKED", ctx.runId, id);
        return report(FilesetOutcome.SKIPPED_NOT_LINKED, Optional.of(SkipReason.PATIENT_NOT_LINKED.name()),
                List.of(), start);
    }

    /**
     * Bi-directional: a file VSRX marked deleted whose document has no mapping row (a restore, a manual fix).
     * Without the base nothing tells whether a Silknote user changed the document since the sync last wrote it
     * (row 6, a conflict) or not (row 5, a delete); deleting a user's version is the harm that cannot be undone,
     * so the document stays and the file is reported {@code CONFLICT} every run until someone decides.
     */
    private boolean unmappedDelete(FilePlan p) {
        return p.action() == PlanAction.DELETE && p.document().isPresent() && p.mapping().isEmpty()
                && parts.writeTarget().isPresent();
    }

    private List<FileWork> initialWorks(Plan plan, Map<VsrxFileId, PermanentSkip> skips) {
        List<FileWork> works = new ArrayList<>(plan.files().size());
        for (FilePlan p : plan.files()) {
            FileWork w = new FileWork(p);
            w.detail = p.detail().orElse(null);
            switch (p.action()) {
                case CREATE, UPDATE -> w.action = null;
                case METADATA_ONLY -> w.action = FileAction.METADATA_ONLY;
                case DELETE -> {
                    if (unmappedDelete(p)) {
                        w.action = FileAction.CONFLICT;
                        w.detail = DETAIL_NO_BASE_DELETED;
                        log.warn("conflict run={} fileset={} file={} detail={}", ctx.runId, id, p.fileId(),
                                DETAIL_NO_BASE_DELETED);
                    } else {
                        w.action = FileAction.DELETED;
                    }
                }
                case UNCHANGED -> w.action = FileAction.UNCHANGED;
                case CONFLICT -> w.action = FileAction.CONFLICT;
                case VANISHED -> w.action = FileAction.VANISHED;
                case SKIP -> {
                    w.skip(p.skipReason().orElseThrow(), p.detail().orElse(null));
                    w.skipVersion = ChangeDetection.versionKey(p.listed());
                }
            }
            if (p.action() != PlanAction.CREATE && p.action() != PlanAction.UPDATE) {
                logDecision(w);
            }
            if (p.action() == PlanAction.CONFLICT) {
                log.warn("conflict run={} fileset={} file={} detail={}", ctx.runId, id, p.fileId(),
                        p.detail().orElse(""));
            } else if (p.action() == PlanAction.SKIP) {
                log.warn("file skipped run={} fileset={} file={} reason={}", ctx.runId, id, p.fileId(),
                        p.skipReason().orElseThrow());
            }
            works.add(w);
        }
        return works;
    }

    private boolean writes(FileWork w, Map<VsrxFileId, PermanentSkip> skips, PatientUuid patient) {
        return switch (w.action) {
            // a conflict writes its audit row (issue 11): every run that leaves a document alone says so
            case CREATED, UPDATED, METADATA_ONLY, DELETED, CONFLICT -> true;
            case SKIPPED -> w.rememberSkip() || movesSkippedDocument(w, patient);
            case UNCHANGED -> w.plan.file().map(VsrxFile::deleted).orElse(false) && skips.containsKey(w.plan.fileId());
            default -> false;
        };
    }

    private FilesetReport blocked(List<FileWork> works, long deletes, int documents, Instant start) {
        String reason = "mass-delete guard: " + deletes + " of " + documents + " documents would be deleted (limit "
                + Math.round(ctx.config().massDeleteGuard().maxShare() * 100) + "%, from "
                + ctx.config().massDeleteGuard().minDeletes() + " deletes); nothing committed";
        log.warn("fileset blocked run={} fileset={} deletes={} documents={}", ctx.runId, id, deletes, documents);
        raise(massDeleteAlert(id, reason));
        if (!ctx.dryRun()) {
            markUncommitted(works, "mass-delete-guard");
            recordFailure();
        } else {
            ctx.progress.markFailed(id);
        }
        return finish(FilesetOutcome.MASS_DELETE_BLOCKED, Optional.of(reason), works, start);
    }

    // ---------------------------------------------------------------- download, check, blob

    private void fetchAll(List<FileWork> works) {
        List<Future<?>> futures = new ArrayList<>();
        for (FileWork w : works) {
            if (w.plan.action().needsDownload()) {
                futures.add(ctx.filePool.submit(() -> fetch(w)));
            }
        }
        RuntimeException failure = null;
        Error error = null;
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                futures.forEach(x -> x.cancel(true));
                throw new TransientSyncException("interrupted while downloading", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof Error err) {
                    error = error == null ? err : error;
                } else if (cause instanceof RuntimeException re) {
                    failure = pickFailure(failure, re);
                } else {
                    failure = pickFailure(failure, new IllegalStateException("file task failed", cause));
                }
            }
        }
        if (error != null) {
            throw error;
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Lease and fencing failures win: they stop the run. */
    private static RuntimeException pickFailure(RuntimeException current, RuntimeException next) {
        if (current == null) {
            return next;
        }
        boolean nextStops = next instanceof LeaseLostException || next instanceof StaleFencingTokenException;
        return nextStops ? next : current;
    }

    private record Download(SpooledContent spool, Optional<String> etag, OptionalLong length,
            Optional<ContentHash> sha256) { }

    private void fetch(FileWork w) {
        try {
            fetchChecked(w);
        } catch (RuntimeException e) {
            w.action = FileAction.FAILED;
            w.detail = reasonOf(e);
            log.debug("file failed run={} fileset={} file={} reason={}", ctx.runId, id, w.plan.fileId(), w.detail);
            throw e;
        }
    }

    private void fetchChecked(FileWork w) {
        ctx.lease.checkpoint();
        VsrxFile f = w.plan.listed();
        String mime = DiffPolicy.baseMimeType(f.mimeType());
        w.mimeType = mime;
        Download d;
        try {
            d = parts.retrier().call("vsrx.content", () -> downloadOnce(f, w));
        } catch (ContentRejectedException r) {
            w.skip(r.reason(), r.reason() == SkipReason.TRUNCATED ? "stream-ended-early" : "while-streaming");
            w.skipVersion = ChangeDetection.versionKey(f);
            logSkip(w);
            return;
        } catch (FileGoneException g) {
            // Listed, then deleted or moved before its download (DESIGN rule 3): the run leaves it as it was, the
            // rest of the fileset commits, and the next run sees the file as VSRX lists it then.
            w.skip(SkipReason.GONE, goneDetail(g));
            logSkip(w);
            return;
        }
        SpooledContent s = d.spool();
        w.spool = s;
        w.contentEtag = d.etag();
        w.hash = s.hash();
        w.size = s.size();
        w.skipVersion = f.etag().isPresent() && d.etag().isPresent()
                ? ChangeDetection.versionKey(d.etag(), f.modifiedAt(), f.size())
                : ChangeDetection.versionKey(f);
        boolean changedDuringRun = f.etag().isPresent() && d.etag().isPresent() && !f.etag().equals(d.etag());
        byte[] head = s.head();
        if (d.length().isPresent() && s.size() != d.length().getAsLong()) {
            w.skip(SkipReason.SIZE_MISMATCH, "content-length");
        } else if (!changedDuringRun && s.size() != f.size()) {
            w.skip(SkipReason.SIZE_MISMATCH, "listed-size");
        } else if (d.sha256().isPresent() && !d.sha256().get().equals(s.hash())) {
            w.skip(SkipReason.CHECKSUM_MISMATCH, "served-digest");
        } else if (!changedDuringRun && f.sha256().isPresent() && !f.sha256().get().equals(s.hash())) {
            w.skip(SkipReason.CHECKSUM_MISMATCH, "listed-digest");
        } else if (s.size() == 0) {
            w.skip(SkipReason.EMPTY, "zero-bytes");
        } else if (!parts.typeCheck().agrees(mime, head, head.length)) {
            w.skip(SkipReason.TYPE_MISMATCH, ContentSniffer.describe(mime, head, head.length));
        }
        if (w.action == FileAction.SKIPPED) {
            w.discardSpool();
            logSkip(w);
            return;
        }
        Optional<ContentHash> current = currentHash(w.plan);
        boolean hasDocument = w.plan.document().isPresent();
        if (hasDocument && DedupPolicy.decide(s.hash(), current) == DedupPolicy.Decision.SAME_CONTENT) {
            boolean verifyOnly = w.plan.detail().filter("verify-hash"::equals).isPresent();
            boolean drift = metadataDrift(w.plan);
            w.action = verifyOnly && !drift ? FileAction.UNCHANGED : FileAction.METADATA_ONLY;
            if (drift && !DiffEngine.migrated(w.plan.document().get())
                    && !w.plan.document().get().patientUuid().equals(fileset.silknotePatientUuid().orElseThrow())) {
                w.detail = DiffEngine.DETAIL_RELINKED;
            }
            w.discardSpool();
            logDecision(w);
            return;
        }
        if (hasDocument && w.plan.mapping().isEmpty() && parts.writeTarget().isPresent()) {
            // Bi-directional: a document whose mapping row is gone (a restore, a manual fix) has no base, so
            // nothing tells which side changed; its bytes differ from the file's, and either may be a user's
            // newer version. Neither is overwritten: a conflict, reported every run until the sides agree.
            w.action = FileAction.CONFLICT;
            w.detail = DETAIL_NO_BASE;
            w.discardSpool();
            log.warn("conflict run={} fileset={} file={} detail={}", ctx.runId, id, w.plan.fileId(), DETAIL_NO_BASE);
            return;
        }
        // A file without a document (new, or one Silknote removed and RESTORE brings back) is created.
        w.action = hasDocument ? FileAction.UPDATED : FileAction.CREATED;
        try {
            ctx.registry.enter(s.hash());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientSyncException("interrupted while waiting for the collector", e);
        }
        w.registered = s.hash();
        ctx.lease.checkpoint();
        BlobPutResult put = ctx.putContent(s, mime);
        w.confirmedBlobEtag = put.info().etag();
        w.blobCreated = put.created();
        w.newUniqueBytes = put.created() ? s.size() : 0;
        logDecision(w);
    }

    private Download downloadOnce(VsrxFile f, FileWork w) {
        FileContent content = parts.source().openContent(f.id());
        try {
            long[] sinceCheckpoint = {0};
            SpooledContent s = ctx.spooler.spool(content.stream(), content.contentLength(), (delta, total) -> {
                w.bytesDownloaded += delta;
                ctx.listener.bytesDownloaded(ctx.runId, id, delta);
                sinceCheckpoint[0] += delta;
                if (sinceCheckpoint[0] >= CHECKPOINT_BYTES) {
                    sinceCheckpoint[0] = 0;
                    ctx.lease.checkpoint();
                }
            });
            return new Download(s, content.etag(), content.contentLength(), content.sha256());
        } catch (IOException e) {
            throw new TransientSyncException("reading file content failed", e);
        } finally {
            try {
                content.close();
            } catch (UncheckedIOException e) {
                log.debug("closing content stream failed file={}", f.id());
            }
        }
    }

    private boolean metadataDrift(FilePlan p) {
        SilknoteDocument d = p.document().orElse(null);
        if (d == null) {
            return true;
        }
        if (DiffEngine.migrated(d)) {
            return !p.normalizedPath().map(d.metadata().originalPath()::equals).orElse(true);
        }
        return !d.patientUuid().equals(fileset.silknotePatientUuid().orElseThrow())
                || !d.metadata().patientIdHistory().equals(fileset.patientIdHistory())
                || !p.normalizedPath().map(d.metadata().originalPath()::equals).orElse(true);
    }

    private static Optional<ContentHash> currentHash(FilePlan p) {
        return p.mapping().map(SyncMapping::contentHash).or(() -> p.document().map(SilknoteDocument::contentHash));
    }

    // ---------------------------------------------------------------- commit

    private void commit(List<FileWork> works, PatientUuid patient, Optional<PatientFilesetRecord> record,
            Map<VsrxFileId, PermanentSkip> skips, Set<DocumentUuid> touched) {
        ctx.commitLock.lock();
        try {
            ctx.lease.verify();
            SyncState state = ctx.keepsState() ? ctx.progress.withProcessed(id) : null;
            for (int revival = 0; ; revival++) {
                try {
                    Set<DocumentUuid> docs = new HashSet<>();
                    List<ContentHash> notThere = new ArrayList<>();
                    // Not retried here: after a lost answer the commit may have happened, and reference counts
                    // are not idempotent. The fileset fails instead; the next run re-plans from what is stored.
                    parts.documents().inUnitOfWork(ctx.lease.token(), uow -> {
                        docs.clear();
                        notThere.clear();
                        expect(uow, works, record, patient);
                        uow.prefetchBlobRefs(referencesTouched(works));
                        write(uow, works, patient, skips, state, docs, notThere);
                        return null;
                    });
                    touched.addAll(docs);
                    committed = true;
                    reportInconsistentLedger(notThere);
                    break;
                } catch (BlobBeingCollectedException e) {
                    if (revival >= MAX_REVIVALS) {
                        throw e;
                    }
                    reupload(e.hash(), works);
                }
            }
            ctx.progress.markProcessed(id);
        } finally {
            ctx.commitLock.unlock();
        }
        log.debug("fileset committed run={} fileset={}", ctx.runId, id);
    }

    /** The blob references {@link #write} adds or releases: the new content and what the file held before. */
    private static Set<ContentHash> referencesTouched(List<FileWork> works) {
        Set<ContentHash> hashes = new LinkedHashSet<>();
        for (FileWork w : works) {
            if (w.action == FileAction.CREATED || w.action == FileAction.UPDATED) {
                hashes.add(w.hash);
                currentHash(w.plan).ifPresent(hashes::add);
            } else if (w.action == FileAction.DELETED) {
                currentHash(w.plan).ifPresent(hashes::add);
            }
        }
        return hashes;
    }

    /**
     * The unit of work commits only if what it was planned from is unchanged: the fileset's record and, for
     * every file it writes, the mapping and the document as they were read (DESIGN rule 10); in a scale-out
     * run also only while this worker's claim on the fileset holds.
     */
    private void expect(DocumentStore.UnitOfWork uow, List<FileWork> works, Optional<PatientFilesetRecord> record,
            PatientUuid patient) {
        // scale-out: only while this worker's claim on the fileset holds (a takeover refuses the commit)
        claim.ifPresent(uow::expectClaim);
        uow.expectFileset(id, record);
        for (FileWork w : works) {
            if (writesFile(w) || movesSkippedDocument(w, patient)) {
                uow.expectFile(w.plan.fileId(), w.plan.mapping(), w.plan.document());
            }
        }
    }

    /**
     * A new version that is skipped leaves the synced document as it is, but that document still follows its
     * fileset to the patient (and patient-id history) the fileset is linked to now, unless a user changed it
     * (issue 9 item 3: never a document left silently on the previous patient).
     */
    private boolean movesSkippedDocument(FileWork w, PatientUuid patient) {
        if (w.action != FileAction.SKIPPED || w.plan.document().isEmpty()) {
            return false;
        }
        SilknoteDocument d = w.plan.document().get();
        return d.metadata().untouchedBySilknoteUser() && d.filesetId().equals(id)
                && (!d.patientUuid().equals(patient)
                        || !d.metadata().patientIdHistory().equals(fileset.patientIdHistory()));
    }

    private static boolean writesFile(FileWork w) {
        return w.action == FileAction.CREATED || w.action == FileAction.UPDATED
                || w.action == FileAction.METADATA_ONLY || w.action == FileAction.DELETED;
    }

    private void write(DocumentStore.UnitOfWork uow, List<FileWork> works, PatientUuid patient,
            Map<VsrxFileId, PermanentSkip> skips, SyncState state, Set<DocumentUuid> docs,
            List<ContentHash> notThere) {
        Instant now = ctx.clock().instant();
        List<PatientId> history = fileset.patientIdHistory();
        uow.upsertFileset(new PatientFilesetRecord(id, patient, history, now));
        for (FileWork w : works) {
            FilePlan p = w.plan;
            VsrxFileId fid = p.fileId();
            boolean hadSkip = skips.containsKey(fid);
            // A document the re-booking migration moved keeps the patient fileset it was moved to (rule 13).
            Owner owner = p.document().filter(DiffEngine::migrated).map(Owner::of)
                    .orElse(new Owner(patient, id, history, Optional.empty()));
            switch (w.action) {
                case CREATED, UPDATED -> {
                    VsrxFile f = p.listed();
                    // the file's document keeps its uuid: derived from the file id, or a Silknote-created
                    // document's own once the sync exported and linked it (docs/bidirectional.md §5.2)
                    DocumentUuid uuid = p.document().map(SilknoteDocument::uuid)
                            .or(() -> p.mapping().map(SyncMapping::silknoteDocumentUuid))
                            .orElse(DocumentUuid.forVsrxFile(fid));
                    uow.upsertDocument(new SilknoteDocument(uuid, owner.patient, owner.fileset, fid, w.hash, w.size,
                            w.mimeType, owner.metadata(fid, p.normalizedPath().orElseThrow()), now));
                    uow.upsertMapping(new SyncMapping(fid, uuid, fid, id, w.contentEtag, f.modifiedAt(), w.size,
                            w.hash, now));
                    // The file id's reference moves from what it held (mapping, else document) to the new
                    // content; added first, so equal content never touches zero.
                    uow.addBlobRef(w.hash, w.size, w.confirmedBlobEtag);
                    Optional<ContentHash> old = currentHash(p);
                    if (old.isPresent()) {
                        release(uow, uuid, old.get(), now, notThere);
                    }
                    if (parts.processor().processes()) {
                        uow.enqueue(OutboxEntry.pending(uuid, OutboxEntry.Action.PROCESS, w.hash, now));
                    } else if (p.document().isPresent() || p.mapping().isPresent()) {
                        // No processing (DocumentProcessor.NONE): no entry describes the new content, and the
                        // old content's entries go.
                        uow.enqueue(OutboxEntry.pending(uuid, OutboxEntry.Action.PURGE_VECTORS, w.hash, now));
                    }
                    docs.add(uuid);
                    if (hadSkip) {
                        uow.forgetSkip(fid);
                    }
                    audit(uow, w.action == FileAction.CREATED ? AuditAction.CREATED : AuditAction.UPDATED, w, uuid,
                            owner.fileset, old, Optional.of(w.hash));
                }
                case METADATA_ONLY -> {
                    SilknoteDocument d = p.document().orElseThrow();
                    String path = p.normalizedPath().orElse(d.metadata().originalPath());
                    uow.upsertDocument(new SilknoteDocument(d.uuid(), owner.patient, owner.fileset, fid,
                            d.contentHash(), d.size(), d.mimeType(), owner.metadata(fid, path), now));
                    if (p.file().isPresent()) {
                        VsrxFile f = p.listed();
                        boolean downloaded = w.hash != null;
                        Optional<String> etag = downloaded ? w.contentEtag : f.etag();
                        long size = downloaded ? w.size : d.size();
                        uow.upsertMapping(new SyncMapping(fid, d.uuid(), fid, id, etag, f.modifiedAt(), size,
                                d.contentHash(), now));
                    }
                    if (hadSkip) {
                        uow.forgetSkip(fid);
                    }
                    audit(uow, AuditAction.METADATA_ONLY, w, d.uuid(), owner.fileset, Optional.of(d.contentHash()),
                            Optional.of(d.contentHash()));
                }
                case DELETED -> {
                    Optional<SilknoteDocument> d = p.document();
                    DocumentUuid uuid = d.map(SilknoteDocument::uuid)
                            .or(() -> p.mapping().map(SyncMapping::silknoteDocumentUuid))
                            .orElse(DocumentUuid.forVsrxFile(fid));
                    uow.deleteDocument(uuid);
                    // The reference is held by the mapping's hash, else the document's; vectors are purged even
                    // when Silknote removed the document row itself.
                    Optional<ContentHash> held = currentHash(p);
                    if (held.isPresent()) {
                        release(uow, uuid, held.get(), now, notThere);
                        uow.enqueue(OutboxEntry.pending(uuid, OutboxEntry.Action.PURGE_VECTORS, held.get(), now));
                    }
                    docs.add(uuid);
                    if (hadSkip) {
                        uow.forgetSkip(fid);
                    }
                    audit(uow, AuditAction.DELETED, w, uuid, owner.fileset, held, Optional.empty());
                }
                case CONFLICT -> {
                    // Nothing changes; the decision not to overwrite is recorded every run while it lasts.
                    DocumentUuid uuid = p.document().map(SilknoteDocument::uuid)
                            .or(() -> p.mapping().map(SyncMapping::silknoteDocumentUuid))
                            .orElse(DocumentUuid.forVsrxFile(fid));
                    Optional<ContentHash> held = currentHash(p);
                    audit(uow, AuditAction.CONFLICT, w, uuid,
                            p.document().map(SilknoteDocument::filesetId).orElse(id), held, held);
                }
                case SKIPPED -> {
                    if (w.rememberSkip()) {
                        uow.rememberSkip(new PermanentSkip(fid, id, w.skipVersion, w.skipReason, now));
                    }
                    if (movesSkippedDocument(w, patient)) {
                        SilknoteDocument d = p.document().orElseThrow();
                        uow.upsertDocument(new SilknoteDocument(d.uuid(), patient, id, fid, d.contentHash(), d.size(),
                                d.mimeType(), DocumentMetadata.synced(fid, d.metadata().originalPath(), history), now));
                        // the document follows its fileset to the patient: a metadata-only change of it
                        audit(uow, AuditAction.METADATA_ONLY, w, d.uuid(), id, Optional.of(d.contentHash()),
                                Optional.of(d.contentHash()));
                    }
                }
                case UNCHANGED -> {
                    if (hadSkip && p.file().map(VsrxFile::deleted).orElse(false)) {
                        uow.forgetSkip(fid);
                    }
                }
                default -> { }
            }
        }
        if (state != null) {
            uow.saveState(state);
        }
    }

    /** The patient fileset a written document belongs to. */
    private record Owner(PatientUuid patient, FilesetId fileset, List<PatientId> history,
            Optional<FilesetId> migratedFrom) {
        static Owner of(SilknoteDocument d) {
            return new Owner(d.patientUuid(), d.filesetId(), d.metadata().patientIdHistory(),
                    d.metadata().migratedFrom());
        }

        DocumentMetadata metadata(VsrxFileId fileId, String path) {
            return DocumentMetadata.synced(fileId, path, history).withMigratedFrom(migratedFrom);
        }
    }

    /** One audit row of a file's change in this unit of work (ids, hashes and the plan's reason code only). */
    private void audit(DocumentStore.UnitOfWork uow, AuditAction action, FileWork w, DocumentUuid uuid,
            FilesetId documentFileset, Optional<ContentHash> before, Optional<ContentHash> after) {
        Optional<String> detail = Optional.ofNullable(w.detail).filter(d -> AuditEntry.DETAIL.matcher(d).matches());
        uow.audit(AuditEntry.of(ctx.runId, action).document(uuid).fileId(w.plan.fileId()).fileset(documentFileset)
                .before(before).after(after).detail(detail).build());
    }

    /**
     * Releases the file id's reference. A reference that is not there (a row removed or edited outside the
     * sync) never fails the fileset: the store recounts the row when the unit commits, and the run reports it.
     */
    static void release(DocumentStore.UnitOfWork uow, DocumentUuid uuid, ContentHash hash, Instant now,
            List<ContentHash> notThere) {
        Optional<BlobRef> ref = uow.releaseBlobRef(hash);
        if (ref.isEmpty()) {
            notThere.add(hash);
        } else if (ref.get().refCount() == 0) {
            uow.enqueue(OutboxEntry.pending(uuid, OutboxEntry.Action.COLLECT_BLOB, hash, now));
        }
    }

    /** One {@code LEDGER_INCONSISTENT} warning per fileset whose commit found references not there. */
    private void reportInconsistentLedger(List<ContentHash> notThere) {
        if (notThere.isEmpty()) {
            return;
        }
        log.warn("ledger inconsistent run={} fileset={} referencesNotThere={} first={}", ctx.runId, id,
                notThere.size(), notThere.get(0).shortHex());
        raise(new Alert(Alert.Kind.LEDGER_INCONSISTENT, Alert.Severity.WARNING, "fileset " + id + ": "
                + notThere.size() + " blob references to release were not in the ledger (changed outside the"
                + " sync); the commit went on and the counts were recounted from the ledger; check the ledger"));
    }

    /** The collector marked this content for deletion: write it again (new ETag) and use that ETag. */
    private void reupload(ContentHash hash, List<FileWork> works) {
        FileWork source = works.stream().filter(w -> hash.equals(w.hash) && w.spool != null).findFirst()
                .orElseThrow(() -> new IllegalStateException("no spooled content for blob " + hash));
        log.debug("re-uploading blob being collected run={} fileset={} hash={}", ctx.runId, id, hash);
        BlobInfo info = parts.retrier().call("blobs.overwrite",
                () -> parts.blobs().overwrite(source.spool.upload(source.mimeType)));
        for (FileWork w : works) {
            if (hash.equals(w.hash) && w.confirmedBlobEtag != null) {
                w.confirmedBlobEtag = info.etag();
            }
        }
    }

    /**
     * Content that was found already stored may have been collected by another process between the
     * existence check and the commit; now that the commit holds a reference, restore it if it is gone.
     */
    private void verifyBlobsAfterCommit(List<FileWork> works) {
        Set<ContentHash> checked = new HashSet<>();
        for (FileWork w : works) {
            if ((w.action == FileAction.CREATED || w.action == FileAction.UPDATED) && !w.blobCreated
                    && w.spool != null && checked.add(w.hash)) {
                if (parts.retrier().call("blobs.stat", () -> parts.blobs().stat(w.hash)).isEmpty()) {
                    log.warn("blob vanished before commit, restoring run={} fileset={} hash={}", ctx.runId, id,
                            w.hash);
                    parts.retrier().call("blobs.putIfAbsent", () -> parts.blobs().putIfAbsent(w.spool.upload(w.mimeType)));
                }
            }
        }
    }

    /**
     * Post-commit work: the fileset is committed whatever happens here, so failures are logged and left
     * to the outbox and the next run, never turned into a fileset failure.
     */
    private void afterCommit(List<FileWork> works, Set<DocumentUuid> touchedDocuments) {
        try {
            verifyBlobsAfterCommit(works);
        } catch (LeaseLostException | StaleFencingTokenException stop) {
            throw stop;
        } catch (RuntimeException e) {
            log.error("blob check after commit failed run={} fileset={} reason={}", ctx.runId, id, reasonOf(e));
        }
        leaveRegistry(works);
        if (!touchedDocuments.isEmpty()) {
            try {
                drainOutbox(touchedDocuments, heldContent(works));
            } catch (LeaseLostException | StaleFencingTokenException stop) {
                throw stop;
            } catch (RuntimeException e) {
                log.warn("fileset outbox postponed run={} fileset={} reason={}", ctx.runId, id, reasonOf(e));
            }
        }
        releaseContent(works);
    }

    /**
     * The checked spools of the content this fileset wrote, by hash: processing reads them instead of the
     * blob store (issue 12 item 3). They stay until the fileset's outbox work is done.
     */
    private static Map<ContentHash, ContentSource> heldContent(List<FileWork> works) {
        Map<ContentHash, ContentSource> held = new HashMap<>();
        for (FileWork w : works) {
            if ((w.action == FileAction.CREATED || w.action == FileAction.UPDATED) && w.spool != null) {
                held.putIfAbsent(w.hash, w.spool::open);
            }
        }
        return held;
    }

    private void leaveRegistry(List<FileWork> works) {
        for (FileWork w : works) {
            if (w.registered != null) {
                ctx.registry.leave(w.registered);
                w.registered = null;
            }
        }
    }

    private void releaseContent(List<FileWork> works) {
        leaveRegistry(works);
        for (FileWork w : works) {
            w.discardSpool();
        }
    }

    private void drainOutbox(Set<DocumentUuid> touched, Map<ContentHash, ContentSource> held) {
        try {
            OutboxDrainer.Stats stats = ctx.drainer.drain(ctx.lease, e -> touched.contains(e.document()), held::get);
            log.debug("fileset outbox run={} fileset={} completed={} failed={} deferred={}", ctx.runId, id,
                    stats.completed(), stats.failed(), stats.deferred());
        } catch (TransientSyncException e) {
            // Committed work stays in the outbox; the end of the run or the next run finishes it.
            log.warn("fileset outbox postponed run={} fileset={} reason={}", ctx.runId, id, reasonOf(e));
        }
    }

    // ---------------------------------------------------------------- failure and report

    private void recordFailure() {
        if (!ctx.keepsState()) {
            ctx.progress.markFailed(id);
            return;
        }
        ctx.commitLock.lock();
        try {
            ctx.lease.verify();
            SyncState state = ctx.progress.withFailed(id);
            parts.retrier().run("documents.saveState", () -> parts.documents().inUnitOfWork(ctx.lease.token(),
                    uow -> {
                        uow.saveState(state);
                        return null;
                    }));
            ctx.progress.markFailed(id);
        } catch (LeaseLostException | StaleFencingTokenException stop) {
            // The fileset keeps its own failure reason; the run stops starting new work.
            ctx.progress.markFailed(id);
            ctx.stopped.compareAndSet(null, stop);
            log.warn("run stops after fileset failure run={} fileset={} reason={}", ctx.runId, id,
                    stop.getClass().getSimpleName());
        } catch (RuntimeException e) {
            ctx.progress.markFailed(id);
            log.warn("recording fileset failure failed run={} fileset={} reason={}", ctx.runId, id, reasonOf(e));
        } finally {
            ctx.commitLock.unlock();
        }
    }

    private static void markUncommitted(List<FileWork> works, String reason) {
        for (FileWork w : works) {
            if (w.action == null || w.action == FileAction.CREATED || w.action == FileAction.UPDATED
                    || w.action == FileAction.METADATA_ONLY || w.action == FileAction.DELETED) {
                w.action = FileAction.FAILED;
                w.detail = reason;
            }
        }
    }

    static String reasonOf(RuntimeException e) {
        String kind = e.getClass().getSimpleName();
        if (e instanceof SyncException) {
            return kind + ": " + e.getMessage();
        }
        return kind;
    }

    private FilesetReport finish(FilesetOutcome outcome, Optional<String> reason, List<FileWork> works,
            Instant start) {
        List<FileReport> files = new ArrayList<>(works.size());
        long bytes = 0;
        long newBytes = 0;
        for (FileWork w : works) {
            if (w.action == null) {
                w.action = FileAction.FAILED;
                w.detail = "not-attempted";
            }
            FileReport r = w.report();
            files.add(r);
            bytes += w.bytesDownloaded;
            if (outcome == FilesetOutcome.COMPLETED) {
                newBytes += w.newUniqueBytes;
            }
            ctx.listener.fileFinished(ctx.runId, id, r);
        }
        for (FileReport r : extraReports) {
            files.add(r);
            ctx.listener.fileFinished(ctx.runId, id, r);
        }
        long notServed = files.stream().filter(FilesetSync::listedNotServed).count();
        if (notServed > 0) {
            raise(notServedAlert(id, notServed));
            if (outcome == FilesetOutcome.COMPLETED && !ctx.dryRun()) {
                // Carried to the next run like a failed fileset (the mark still moves): when VSRX serves the
                // files again its listing has not changed, so an incremental run would not list the fileset
                ctx.progress.markFailed(id);
            }
        }
        FilesetReport report = new FilesetReport(id, outcome, reason, files,
                Duration.between(start, ctx.clock().instant()), bytes, newBytes, unchanged, List.copyOf(raised));
        if (outcome == FilesetOutcome.COMPLETED) {
            log.info("fileset done run={} fileset={} created={} updated={} metadataOnly={} deleted={} skipped={} "
                    + "conflicts={} vanished={} unchanged={} bytes={} tookMs={}", ctx.runId, id,
                    report.count(FileAction.CREATED), report.count(FileAction.UPDATED),
                    report.count(FileAction.METADATA_ONLY), report.count(FileAction.DELETED),
                    report.count(FileAction.SKIPPED), report.count(FileAction.CONFLICT),
                    report.count(FileAction.VANISHED), report.count(FileAction.UNCHANGED), bytes,
                    report.duration().toMillis());
        }
        return report;
    }

    private FilesetReport report(FilesetOutcome outcome, Optional<String> reason, List<FileWork> works,
            Instant start) {
        return finish(outcome, reason, works, start);
    }

    private void logDecision(FileWork w) {
        if (log.isDebugEnabled()) {
            log.debug("file decision run={} fileset={} file={} plan={} action={} reason={} detail={}", ctx.runId, id,
                    w.plan.fileId(), w.plan.action(), w.action, w.skipReason, w.detail);
        }
    }

    /** The report detail of a file VSRX no longer serves: marked deleted, or gone from its listing. */
    static String goneDetail(FileGoneException gone) {
        return gone.markedDeleted() ? "deleted-before-download" : "gone-before-download";
    }

    /** Detail of a {@code GONE} skip whose file VSRX still lists, live, after refusing its content. */
    static final String DETAIL_LISTED_NOT_SERVED = "listed-but-not-served";

    /**
     * A file VSRX called gone while the run downloaded it is usually one deleted or moved meanwhile (DESIGN rule 3:
     * the next run applies it). But a VSRX whose index still lists a file whose bytes it lost answers the same way,
     * run after run, and the patient's file would never reach Silknote with only a skip in each report to show
     * for it. So the fileset is listed once more: a gone file listed again, not deleted, is reported
     * {@value #DETAIL_LISTED_NOT_SERVED}, and the fileset's report raises one {@link Alert.Kind#FILE_NOT_SERVED}
     * warning for all such files ({@link #finish}). Nothing else changes (the file stays skipped for the run), and
     * a listing that fails only leaves the details as they are.
     */
    private void checkGoneStillListed(List<FileWork> works) {
        List<FileWork> gone = works.stream()
                .filter(w -> w.action == FileAction.SKIPPED && w.skipReason == SkipReason.GONE).toList();
        if (gone.isEmpty()) {
            return;
        }
        Set<VsrxFileId> live = stillListed();
        for (FileWork w : gone) {
            if (live.contains(w.plan.fileId())) {
                w.detail = DETAIL_LISTED_NOT_SERVED;
                log.warn("file listed but not served run={} fileset={} file={}", ctx.runId, id, w.plan.fileId());
            }
        }
    }

    /**
     * {@link #checkGoneStillListed} for the files the Silknote side found gone while it read them to decide them
     * (bi-directional sync): the same second listing, the same detail.
     */
    private List<FileReport> notServedMarked(List<FileReport> reports) {
        if (reports.stream().noneMatch(FilesetSync::goneSkip)) {
            return reports;
        }
        Set<VsrxFileId> live = stillListed();
        List<FileReport> out = new ArrayList<>(reports.size());
        for (FileReport r : reports) {
            if (goneSkip(r) && live.contains(r.fileId())) {
                log.warn("file listed but not served run={} fileset={} file={}", ctx.runId, id, r.fileId());
                out.add(FileReport.skipped(r.fileId(), SkipReason.GONE, DETAIL_LISTED_NOT_SERVED, r.bytes()));
            } else {
                out.add(r);
            }
        }
        return out;
    }

    private static boolean goneSkip(FileReport r) {
        return r.action() == FileAction.SKIPPED && r.skipReason().filter(SkipReason.GONE::equals).isPresent();
    }

    /** The live files the fileset lists now; none when the listing fails (the details then stay as they are). */
    private Set<VsrxFileId> stillListed() {
        Set<VsrxFileId> live = new HashSet<>();
        try {
            listFiles().stream().filter(f -> !f.deleted()).forEach(f -> live.add(f.id()));
        } catch (LeaseLostException | StaleFencingTokenException stop) {
            throw stop;
        } catch (RuntimeException e) {
            log.warn("listing again after gone files failed run={} fileset={} reason={}", ctx.runId, id,
                    reasonOf(e));
            return Set.of();
        }
        return live;
    }

    private static Alert massDeleteAlert(FilesetId id, String reason) {
        return new Alert(Alert.Kind.MASS_DELETE_GUARD, Alert.Severity.CRITICAL, "fileset " + id + ": " + reason);
    }

    private static Alert notServedAlert(FilesetId id, long files) {
        return new Alert(Alert.Kind.FILE_NOT_SERVED, Alert.Severity.WARNING, "fileset " + id + ": " + files
                + " listed file(s) whose content VSRX answered as not found or deleted; skipped (GONE) until VSRX"
                + " serves them");
    }

    /**
     * The alerts a fileset's report shows were raised for it, as its run raised them: a fileset the mass-delete
     * guard blocked, files listed but not served. A scale-out coordinator raises them again for the reports it
     * reads back, so that a worker's alerts are in the run's report too (the worker raised them in its own run).
     */
    static List<Alert> alertsOf(FilesetReport r) {
        List<Alert> out = new ArrayList<>(2);
        if (r.outcome() == FilesetOutcome.MASS_DELETE_BLOCKED && r.failureReason().isPresent()) {
            out.add(massDeleteAlert(r.filesetId(), r.failureReason().get()));
        }
        notServedAlert(r).ifPresent(out::add);
        return out;
    }

    /**
     * The {@link Alert.Kind#FILE_NOT_SERVED} warning of a fileset report, one per fileset and run, counting its
     * files skipped {@value #DETAIL_LISTED_NOT_SERVED} (by the pull or by the Silknote side).
     */
    static Optional<Alert> notServedAlert(FilesetReport r) {
        long notServed = r.files().stream().filter(FilesetSync::listedNotServed).count();
        return notServed > 0 ? Optional.of(notServedAlert(r.filesetId(), notServed)) : Optional.empty();
    }

    private static boolean listedNotServed(FileReport f) {
        return f.action() == FileAction.SKIPPED && f.detail().filter(DETAIL_LISTED_NOT_SERVED::equals).isPresent();
    }

    /** Raises {@code alert} for the run and keeps it for this fileset's report. */
    private void raise(Alert alert) {
        raised.add(alert);
        ctx.raise(alert);
    }

    private void logSkip(FileWork w) {
        log.warn("file skipped run={} fileset={} file={} reason={} detail={}", ctx.runId, id, w.plan.fileId(),
                w.skipReason, w.detail);
    }

    /**
     * The listing with each file id once, at its first occurrence, as the diff counts it: a VSRX that serves a page
     * twice or lists a file again on a later page must not make the Silknote side push, delete or report it twice,
     * nor the mass-delete guard count it twice.
     */
    static List<VsrxFile> firstOfEachId(List<VsrxFile> listed) {
        Set<VsrxFileId> seen = new HashSet<>();
        List<VsrxFile> out = new ArrayList<>(listed.size());
        for (VsrxFile f : listed) {
            if (seen.add(f.id())) {
                out.add(f);
            }
        }
        return out;
    }
}
