package com.silknote.sync.core.internal;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.FileGoneException;
import com.silknote.sync.core.exception.LeaseLostException;
import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.AuditAction;
import com.silknote.sync.core.model.AuditEntry;
import com.silknote.sync.core.model.AuditQuery;
import com.silknote.sync.core.model.AuditRecord;
import com.silknote.sync.core.model.AuthoredDocument;
import com.silknote.sync.core.model.BidirectionalConfig;
import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.model.ConflictKind;
import com.silknote.sync.core.model.ConflictRecord;
import com.silknote.sync.core.model.ConflictStatus;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentMetadata;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.IdempotencyKey;
import com.silknote.sync.core.model.NewVsrxFile;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxWriteResult;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.FilesetClaims;
import com.silknote.sync.core.port.VsrxTarget;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Silknote → VSRX part of one fileset (docs/bidirectional.md §3 rows 11–13 and 15, §5.2, §5.3): files the
 * sync created (they carry a Silknote origin) are linked to their document instead of being imported, and
 * Silknote-created documents of the fileset's patient are written to VSRX once. Every VSRX write is fenced by
 * the run's token and carries an idempotency key derived from the document, so a retry after a lost answer or
 * a re-run after a crash between the write and the commit never makes a second file.
 * Logs ids only.
 */
final class SilknoteSide {
    private static final Logger log = LoggerFactory.getLogger(SilknoteSide.class);
    /** Detail of a file the sync wrote to VSRX, linked to its document. */
    static final String DETAIL_LINKED = "linked-silknote-origin";
    /** Detail of a Silknote-created document written to VSRX. */
    static final String DETAIL_EXPORTED = "exported-to-vsrx";
    /** Detail of a file the sync wrote whose document is gone from Silknote (row 13). */
    static final String DETAIL_ORIGIN_REMOVED = "origin-document-removed";
    /** Detail of a row-13 file that holds no content the sync wrote for its document: a VSRX user changed it. */
    static final String DETAIL_ORIGIN_CHANGED = "origin-document-removed:changed-in-vsrx";
    /** Audit detail of the evidence an export commits before its write. */
    static final String DETAIL_EXPORT_STARTED = "export";
    /** The audit actions whose {@code after} is content the sync wrote to VSRX for the row's document. */
    private static final Set<AuditAction> WRITTEN_TO_VSRX = java.util.EnumSet.of(AuditAction.EXPORT_STARTED,
            AuditAction.EXPORTED, AuditAction.LINKED, AuditAction.PUSHED);

    private final RunContext ctx;
    private final EngineParts parts;
    private final FilesetId id;
    private final PatientUuid patient;
    private final List<PatientId> history;
    private final List<FileReport> reports = new ArrayList<>();
    private boolean failed;
    /** The Silknote side's decisions (bi-directional sync on); null one-way. */
    private LinkedChanges linked;
    /** The fileset's open conflict records by file (bi-directional sync on). */
    private final Map<VsrxFileId, ConflictRecord> openRecords = new java.util.HashMap<>();
    /** Scale-out: the claim the fileset runs under; every unit of work commits only while it holds. */
    private final Optional<FilesetClaims.Claim> claim;

    SilknoteSide(RunContext ctx, FilesetId id, PatientUuid patient, List<PatientId> history,
            Optional<FilesetClaims.Claim> claim) {
        this.claim = requireNonNull(claim, "claim");
        this.ctx = requireNonNull(ctx, "ctx");
        this.parts = ctx.parts;
        this.id = requireNonNull(id, "id");
        this.patient = requireNonNull(patient, "patient");
        this.history = List.copyOf(history);
    }

    /** Listed files with a Silknote origin that no mapping links yet: never imported as new documents. */
    static boolean unlinkedOrigin(VsrxFile f, Map<VsrxFileId, SyncMapping> mappings) {
        return f.origin().isPresent() && !f.deleted() && !mappings.containsKey(f.id());
    }

    /** The reports of what this step did. */
    List<FileReport> reports() {
        return List.copyOf(reports);
    }

    /** Whether a document or file failed (the fileset is then retried by the next run). */
    boolean failed() {
        return failed;
    }

    /**
     * Links the files with an unlinked Silknote origin, then (bi-directional sync on, creates on) writes the
     * fileset's Silknote-created documents that no listed file carries yet to VSRX.
     *
     * @throws LeaseLostException         when the run lost its lease
     * @throws StaleFencingTokenException when a newer holder fenced the store or VSRX
     */
    void run(List<VsrxFile> originFiles, List<LinkedChanges.Changed> changed, List<LinkedChanges.Removed> removed) {
        Optional<VsrxTarget> writer = parts.writeTarget();
        Set<VsrxFileId> recreated = Set.of();
        Set<VsrxFileId> unserved = Set.of();
        if (writer.isPresent()) {
            Set<VsrxFileId> originListed = new TreeSet<>();
            originFiles.forEach(f -> originListed.add(f.id()));
            linked = new LinkedChanges(ctx, id, patient, history, claim, writer.get(), reports::add, originListed);
            List<ConflictRecord> records = parts.retrier().call("documents.conflicts",
                    () -> parts.documents().conflicts(id));
            for (ConflictRecord r : records) {
                if (r.status() == ConflictStatus.OPEN && r.fileId().isPresent()) {
                    openRecords.put(r.fileId().get(), r);
                }
            }
            recreated = linkedChanges(changed, removed);
            unserved = linked.unserved();
        }
        Set<DocumentUuid> carried = new TreeSet<>();
        for (VsrxFile f : originFiles) {
            carried.add(f.origin().orElseThrow());
            // written again for its document just now (row 6, Silknote wins): linked already; or a re-creation's
            // file VSRX did not serve: reported gone, decided in a later run
            if (!recreated.contains(f.id()) && !unserved.contains(f.id())) {
                guarded(f.id(), () -> link(f, writer));
            }
        }
        Optional<VsrxTarget> target = writer;
        BidirectionalConfig bidi = parts.config().bidirectional();
        if (target.isEmpty() || !bidi.creates()) {
            return;
        }
        List<AuthoredDocument> authored = parts.retrier().call("documents.authoredDocuments",
                () -> parts.documents().authoredDocuments(id, patient));
        for (AuthoredDocument a : authored) {
            if (carried.contains(a.uuid()) || !a.patientUuid().equals(patient)) {
                continue;
            }
            if (!DocumentMetadata.UNGROUPED.equals(a.groupingStatus()) && !bidi.groupedDocuments()) {
                reports.add(new FileReport(pseudoId(a.uuid()), FileAction.UNCHANGED, Optional.empty(),
                        Optional.of("silknote-change-not-pushed:grouped"), 0));
                continue;
            }
            guarded(pseudoId(a.uuid()), () -> export(target.get(), bidi, a));
        }
    }

    /**
     * Pushes, converges or decides the conflicts of the changed linked documents; closes the open conflict records
     * whose file no longer conflicts.
     *
     * @return the files written again for their document (they carry its origin and are linked already)
     */
    private Set<VsrxFileId> linkedChanges(List<LinkedChanges.Changed> changed, List<LinkedChanges.Removed> removed) {
        LinkedChanges lc = linked;
        Map<VsrxFileId, ConflictRecord> open = openRecords;
        Set<VsrxFileId> seen = new TreeSet<>();
        for (LinkedChanges.Changed c : changed) {
            seen.add(c.file().id());
            guarded(c.file().id(), () -> lc.handle(c, Optional.ofNullable(open.get(c.file().id()))));
        }
        for (LinkedChanges.Removed r : removed) {
            seen.add(r.file().id());
            guarded(r.file().id(), () -> lc.handleRemoved(r, Optional.ofNullable(open.get(r.file().id()))));
        }
        for (ConflictRecord r : open.values()) {
            if (!seen.contains(r.fileId().get()) && r.kind() != ConflictKind.LINKED_WITH_DIFFERENT_CONTENT) {
                guarded(r.fileId().get(), () -> lc.supersede(r));
            }
        }
        return lc.recreated();
    }

    private void guarded(VsrxFileId fileId, Runnable step) {
        try {
            step.run();
        } catch (LeaseLostException | StaleFencingTokenException stop) {
            throw stop;
        } catch (FileGoneException gone) {
            // VSRX deleted or dropped the file while the run was under way (DESIGN rule 3): the step's commit does
            // not happen, as after any failure of a step, but the fileset does not fail for it; the next run
            // decides the file as VSRX lists it then
            String detail = FilesetSync.goneDetail(gone);
            log.warn("file skipped run={} fileset={} file={} reason={} detail={}", ctx.runId, id, fileId,
                    SkipReason.GONE, detail);
            reports.add(FileReport.skipped(fileId, SkipReason.GONE, detail, 0));
        } catch (RuntimeException e) {
            failed = true;
            String reason = FilesetSync.reasonOf(e);
            log.warn("Silknote-side step failed run={} fileset={} file={} reason={}", ctx.runId, id, fileId, reason);
            reports.add(new FileReport(fileId, FileAction.FAILED, Optional.empty(), Optional.of(reason), 0));
        }
    }

    /** A file the sync created: its document, if still a Silknote-created one with the same bytes, is linked. */
    private void link(VsrxFile f, Optional<VsrxTarget> writer) {
        DocumentUuid origin = f.origin().orElseThrow();
        DocumentStore store = parts.documents();
        Optional<AuthoredDocument> authored = Optional.ofNullable(parts.retrier().call(
                "documents.findAuthoredDocuments", () -> store.findAuthoredDocuments(List.of(origin))).get(origin));
        if (authored.isEmpty()) {
            boolean linkedElsewhere = parts.retrier().call("documents.findDocument", () -> store.findDocument(origin))
                    .isPresent();
            String detail = linkedElsewhere ? "duplicate-of-linked-document" : DETAIL_ORIGIN_REMOVED;
            if (!linkedElsewhere && writer.isPresent() && parts.config().bidirectional().deletes()) {
                deleteOrphanedOrigin(writer.get(), f, origin);
                return;
            }
            log.warn("file with a Silknote origin not imported run={} fileset={} file={} detail={}", ctx.runId, id,
                    f.id(), detail);
            reports.add(new FileReport(f.id(), linkedElsewhere ? FileAction.CONFLICT : FileAction.VANISHED,
                    Optional.empty(), Optional.of(detail), 0));
            return;
        }
        AuthoredDocument a = authored.get();
        Optional<ConflictRecord> open = Optional.ofNullable(openRecords.get(f.id()));
        // The same bytes only when VSRX serves the document's bytes and its listing does not contradict them: a
        // listed SHA-256 never decides that bytes are the same (a stale or wrong one would link the document to
        // other bytes, and the sides would differ unreported), and one the served bytes contradict is VSRX's
        // inconsistency (rule 7), never a link.
        boolean same = servedAsListed(f).filter(a.contentHash()::equals).isPresent();
        if (!same && linked != null && linked.handleUnlinked(f, a, open)) {
            return; // row 11 with different bytes: a conflict, decided by the strategy
        }
        if (same && linked != null
                && open.filter(r -> r.kind() == ConflictKind.LINKED_WITH_DIFFERENT_CONTENT).isPresent()) {
            ConflictRecord r = open.get();
            // a Silknote-wins write whose link did not commit (or the sides converged): applied with the link
            String how = r.decision().isEmpty() ? LinkedChanges.DETAIL_SUPERSEDED
                    : r.detail().filter(x -> x.startsWith("conflict:"))
                            .orElse(LinkedChanges.DETAIL_OPERATOR + r.decision().get().code());
            linked.commitUnlinkedLink(a, f, r, how, ctx.clock().instant());
            reports.add(new FileReport(f.id(), FileAction.METADATA_ONLY, Optional.empty(),
                    Optional.of(DETAIL_LINKED), 0));
            return;
        }
        if (!same) {
            log.warn("conflict run={} fileset={} file={} detail=linked-with-different-content", ctx.runId, id, f.id());
            reports.add(new FileReport(f.id(), FileAction.CONFLICT, Optional.empty(),
                    Optional.of("linked-with-different-content"), 0));
            return;
        }
        commitLink(a, f, AuditAction.LINKED, DETAIL_LINKED, storedContent(a));
        reports.add(new FileReport(f.id(), FileAction.METADATA_ONLY, Optional.empty(), Optional.of(DETAIL_LINKED), 0));
    }

    /**
     * Row 13 with delete propagation on: the document a file was written for is gone from Silknote, so the file
     * is marked deleted in VSRX ({@code If-Match} its listed ETag, key {@code delete:<file, ETag>}), counted by
     * the mass-delete guard beforehand ({@link #orphanedOrigins}). The unit of work that records it is fenced and
     * conditional on the file still having no mapping and no document, and the document still not existing.
     */
    private void deleteOrphanedOrigin(VsrxTarget target, VsrxFile f, DocumentUuid origin) {
        if (f.etag().isEmpty()) {
            reports.add(new FileReport(f.id(), FileAction.VANISHED, Optional.empty(),
                    Optional.of("silknote-change-not-pushed:no-etag"), 0));
            return;
        }
        String etag = f.etag().get();
        Optional<ContentHash> held;
        try {
            held = servedAsListed(f); // the served bytes, never the listing's declaration: a delete rests on it
        } catch (PermanentSyncException notServed) {
            reports.add(new FileReport(f.id(), FileAction.VANISHED, Optional.empty(),
                    Optional.of(DETAIL_ORIGIN_REMOVED), 0));
            return;
        }
        if (held.isEmpty() || !writtenFor(parts, origin).contains(held.get())) {
            // No commit says the sync wrote these bytes for the document: a VSRX user changed the file after the
            // sync wrote it (its link never committed). Removed in Silknote, changed in VSRX: the file is that
            // user's version, stays live and is reported as a conflict every run.
            log.warn("conflict run={} fileset={} file={} detail={}", ctx.runId, id, f.id(), DETAIL_ORIGIN_CHANGED);
            reports.add(new FileReport(f.id(), FileAction.CONFLICT, Optional.empty(),
                    Optional.of(DETAIL_ORIGIN_CHANGED), 0));
            return;
        }
        ctx.lease.verify();
        VsrxWriteResult w = parts.retrier().call("vsrx.markDeleted",
                () -> target.markDeleted(ctx.lease.token(), IdempotencyKey.delete(f.id(), etag), f.id(), etag));
        log.info("file of a removed Silknote document marked deleted in VSRX run={} fileset={} file={} replayed={}",
                ctx.runId, id, f.id(), w.replayed());
        commit(parts, ctx, claim, uow -> {
            uow.expectAuthored(origin, Optional.empty());
            uow.expectFile(f.id(), Optional.empty(), Optional.empty());
            uow.audit(AuditEntry.of(ctx.runId, AuditAction.DELETED_IN_VSRX).document(origin).fileId(f.id())
                    .fileset(id).detail(DETAIL_ORIGIN_REMOVED).build());
        });
        reports.add(new FileReport(f.id(), FileAction.DELETED, Optional.empty(), Optional.of(DETAIL_ORIGIN_REMOVED),
                0));
    }

    /**
     * The contents the sync wrote to VSRX for {@code document}, from its audit rows: what each export or
     * re-creation was about to write ({@code EXPORT_STARTED}, committed before the write) and what a committed
     * export, link or push wrote. Row 13 marks deleted only a file that still holds one of them.
     */
    static Set<ContentHash> writtenFor(EngineParts parts, DocumentUuid document) {
        Set<ContentHash> written = new java.util.HashSet<>();
        AuditQuery query = AuditQuery.byDocument(document);
        long after = 0;
        for (List<AuditRecord> page; !(page = readAudit(parts, query, after)).isEmpty(); ) {
            for (AuditRecord r : page) {
                AuditEntry e = r.entry();
                if (WRITTEN_TO_VSRX.contains(e.action())) {
                    e.afterHash().ifPresent(written::add);
                }
                after = r.id();
            }
        }
        return written;
    }

    private static List<AuditRecord> readAudit(EngineParts parts, AuditQuery query, long after) {
        return parts.retrier().call("documents.auditTrail", () -> parts.documents().auditTrail(query, after, 500));
    }

    /**
     * Commits, before a write that creates a VSRX file carrying {@code document}'s origin, the content it is about
     * to write ({@code EXPORT_STARTED}, fenced, under the claim, with {@code expect}'s conditions): if the link
     * never commits, row 13 still knows what the sync wrote. A row is added only when none of the document says so
     * already, so an export that fails every run (VSRX refusing it) does not grow the audit log every run.
     */
    static void recordExportStarted(EngineParts parts, RunContext ctx, Optional<FilesetClaims.Claim> claim,
            FilesetId fileset, DocumentUuid document, ContentHash hash, String detail,
            java.util.function.Consumer<DocumentStore.UnitOfWork> expect) {
        boolean known = writtenFor(parts, document).contains(hash);
        commit(parts, ctx, claim, uow -> {
            expect.accept(uow);
            if (!known) {
                uow.audit(AuditEntry.of(ctx.runId, AuditAction.EXPORT_STARTED).document(document).fileset(fileset)
                        .after(hash).detail(detail).build());
            }
        });
    }

    /**
     * One unit of work of the Silknote side: under the run's commit lock, after a lease check, fenced by its token
     * and conditional on the fileset's claim (scale-out) still being held.
     */
    static void commit(EngineParts parts, RunContext ctx, Optional<FilesetClaims.Claim> claim,
            java.util.function.Consumer<DocumentStore.UnitOfWork> work) {
        ctx.commitLock.lock();
        try {
            ctx.lease.verify();
            parts.documents().inUnitOfWork(ctx.lease.token(), uow -> {
                claim.ifPresent(uow::expectClaim);
                work.accept(uow);
                return null;
            });
        } finally {
            ctx.commitLock.unlock();
        }
    }

    /**
     * Row 13 candidates for the mass-delete guard: the files with an unlinked Silknote origin whose document is
     * neither a Silknote-created one nor a linked one any more. Empty unless delete propagation is on.
     */
    static List<VsrxFile> orphanedOrigins(EngineParts parts, List<VsrxFile> originFiles) {
        if (originFiles.isEmpty() || parts.writeTarget().isEmpty() || !parts.config().bidirectional().deletes()) {
            return List.of();
        }
        List<DocumentUuid> origins = originFiles.stream().map(f -> f.origin().orElseThrow()).distinct().toList();
        Set<DocumentUuid> exist = new java.util.HashSet<>(parts.retrier().call("documents.findAuthoredDocuments",
                () -> parts.documents().findAuthoredDocuments(origins)).keySet());
        exist.addAll(parts.retrier().call("documents.findDocuments",
                () -> parts.documents().findDocuments(origins)).keySet());
        return originFiles.stream().filter(f -> !exist.contains(f.origin().orElseThrow())).toList();
    }

    /** Writes a Silknote-created document to VSRX (once: the key is the document's) and links it. */
    private void export(VsrxTarget target, BidirectionalConfig bidi, AuthoredDocument a) {
        String path = exportPath(bidi, a);
        BlobUpload content = new BlobUpload(a.contentHash(), a.size(), a.mimeType(),
                () -> parts.blobs().open(a.contentHash()));
        IdempotencyKey key = IdempotencyKey.create(a.uuid());
        NewVsrxFile file = new NewVsrxFile(id, path, a.mimeType(), a.uuid());
        // Content a Silknote host filed without its bytes can never be written: reported, nothing committed or sent.
        BlobInfo blob = storedContent(a);
        // Evidence first: refused when the document changed since it was read, so no stale bytes are written.
        recordExportStarted(parts, ctx, claim, id, a.uuid(), a.contentHash(), DETAIL_EXPORT_STARTED,
                uow -> uow.expectAuthored(a.uuid(), Optional.of(a)));
        // The lease is checked before the write, but correctness rests on the target's fence (§5.1).
        ctx.lease.verify();
        VsrxWriteResult written = parts.retrier().call("vsrx.createFile",
                () -> target.createFile(ctx.lease.token(), key, file, content));
        VsrxFile created = written.file();
        log.info("Silknote document written to VSRX run={} fileset={} file={} replayed={}", ctx.runId, id,
                created.id(), written.replayed());
        if (written.replayed()) {
            // A replayed create answers with the file the first create made, as it was then. Since, VSRX may have
            // deleted or changed it, and the document may have changed: linking with the document's content as
            // the base would then make VSRX's deletion or version the document's (row 5 / row 2). Linked only when
            // VSRX still serves the document's bytes (row 11); otherwise reported every run, nothing written.
            Optional<ContentHash> served;
            try {
                served = Optional.of(hashOf(created.id()));
            } catch (PermanentSyncException notServed) {
                served = Optional.empty();
            }
            if (!served.equals(Optional.of(a.contentHash()))) {
                String detail = served.isEmpty() ? ConflictKind.DELETED_IN_VSRX.code()
                        : ConflictKind.LINKED_WITH_DIFFERENT_CONTENT.code();
                log.warn("conflict run={} fileset={} file={} detail={}", ctx.runId, id, created.id(), detail);
                reports.add(new FileReport(created.id(), FileAction.CONFLICT, Optional.empty(), Optional.of(detail),
                        0));
                return;
            }
        }
        commitLink(a, created, AuditAction.EXPORTED, DETAIL_EXPORTED, blob);
        reports.add(new FileReport(created.id(), FileAction.CREATED, Optional.empty(), Optional.of(DETAIL_EXPORTED),
                0));
    }

    /**
     * One unit of work: the Silknote-created document becomes a linked document of the file, with a mapping whose
     * base is the file as VSRX answered; the mapping holds the blob reference from then on. Conditional on the
     * document being as read and on the file having no mapping and no document yet.
     */
    private void commitLink(AuthoredDocument a, VsrxFile f, AuditAction action, String detail, BlobInfo blob) {
        Instant now = ctx.clock().instant();
        String path = parts.pathCheck().apply(f.path()).normalized().orElse(f.path());
        SilknoteDocument doc = new SilknoteDocument(a.uuid(), patient, id, f.id(), a.contentHash(), a.size(),
                a.mimeType(), new DocumentMetadata(f.id(), path, DocumentMetadata.SOURCE_SYSTEM, a.groupingStatus(),
                        history), now);
        SyncMapping mapping = new SyncMapping(f.id(), a.uuid(), f.id(), id, f.etag(), f.modifiedAt(), f.size(),
                a.contentHash(), now);
        commit(parts, ctx, claim, uow -> {
            uow.expectAuthored(a.uuid(), Optional.of(a));
            uow.expectFile(f.id(), Optional.empty(), Optional.empty());
            uow.upsertDocument(doc);
            uow.upsertMapping(mapping);
            uow.addBlobRef(a.contentHash(), a.size(), blob.etag());
            uow.audit(AuditEntry.of(ctx.runId, action).document(a.uuid()).fileId(f.id()).fileset(id)
                    .after(a.contentHash()).detail(detail).build());
        });
    }

    /** The stored content of a Silknote-created document; a typed failure when its bytes are not in the store. */
    private BlobInfo storedContent(AuthoredDocument a) {
        return parts.retrier().call("blobs.stat", () -> parts.blobs().stat(a.contentHash()))
                .orElseThrow(() -> new PermanentSyncException("content of a Silknote-created document is missing"));
    }

    /**
     * The SHA-256 of the bytes VSRX serves for {@code f}; empty when its listing declares another one (VSRX
     * contradicts itself: nothing may rest on either).
     */
    private Optional<ContentHash> servedAsListed(VsrxFile f) {
        ContentHash served = hashOf(f.id());
        return f.sha256().isEmpty() || f.sha256().get().equals(served) ? Optional.of(served) : Optional.empty();
    }

    private ContentHash hashOf(VsrxFileId fileId) {
        return servedSha256(parts, fileId);
    }

    /** SHA-256 of what VSRX serves for a file now, read through the retrier; permanent failures pass through. */
    static ContentHash servedSha256(EngineParts parts, VsrxFileId fileId) {
        return parts.retrier().call("vsrx.content", () -> {
            try (FileContent c = parts.source().openContent(fileId); InputStream in = c.stream()) {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                byte[] buf = new byte[64 * 1024];
                for (int n; (n = in.read(buf)) > 0; ) {
                    md.update(buf, 0, n);
                }
                return ContentHash.ofBytes(md.digest());
            } catch (IOException e) {
                throw new TransientSyncException("reading file content failed", e);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 unavailable", e);
            }
        });
    }

    /** {@code <exportFolder><title>-<first 8 of the uuid>.<ext>} (docs/bidirectional.md §5.2). */
    static String exportPath(BidirectionalConfig bidi, AuthoredDocument a) {
        String title = a.title().map(SilknoteSide::clean).filter(t -> !t.isEmpty()).orElse("document");
        return bidi.exportFolder() + title + "-" + a.uuid().value().toString().substring(0, 8) + extension(a.mimeType());
    }

    private static String clean(String title) {
        String s = title.replaceAll("[^A-Za-z0-9 _.()-]", "_").replaceAll("^[ ._-]+|[ .]+$", "");
        return s.length() > 80 ? s.substring(0, 80) : s;
    }

    private static String extension(String mimeType) {
        return switch (DiffMime.base(mimeType)) {
            case "application/pdf" -> ".pdf";
            case "image/jpeg" -> ".jpg";
            case "image/png" -> ".png";
            case "image/tiff" -> ".tif";
            case "image/gif" -> ".gif";
            case "text/plain" -> ".txt";
            default -> ".bin";
        };
    }

    /** A report id for a document that has no VSRX file (yet): its uuid, an opaque id. */
    private static VsrxFileId pseudoId(DocumentUuid uuid) {
        return VsrxFileId.of("silknote-" + uuid.value());
    }

    /** The MIME type without parameters, lower case. */
    private static final class DiffMime {
        static String base(String mime) {
            int semi = mime.indexOf(';');
            return (semi < 0 ? mime : mime.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        }
    }
}
