package com.silknote.sync.core.internal;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.dedup.SpooledContent;
import com.silknote.sync.core.diff.ChangeDetection;
import com.silknote.sync.core.diff.DiffPolicy;
import com.silknote.sync.core.exception.ConcurrentUpdateException;
import com.silknote.sync.core.exception.FileGoneException;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.AuditAction;
import com.silknote.sync.core.model.AuditEntry;
import com.silknote.sync.core.model.AuthoredDocument;
import com.silknote.sync.core.model.BidirectionalConfig;
import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobPutResult;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ConflictId;
import com.silknote.sync.core.model.ConflictKind;
import com.silknote.sync.core.model.ConflictRecord;
import com.silknote.sync.core.model.ConflictStatus;
import com.silknote.sync.core.model.ConflictStrategy;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentMetadata;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.IdempotencyKey;
import com.silknote.sync.core.model.NewVsrxFile;
import com.silknote.sync.core.model.OutboxEntry;
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
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Linked documents whose content a Silknote user changed since the last sync (docs/bidirectional.md §3 rows 3,
 * 4a, 4b, 4c, 6 and §4): pushed to VSRX when VSRX did not change, converged when both sides hold the same bytes,
 * and otherwise a conflict decided by the deployment's strategy (or an operator's decision on the open record).
 * Whatever is decided, the bytes that do not win are held by a conflict record (counted as a blob reference), so
 * neither the collector nor the orphan cleanup removes them until an operator releases the record. Each file is
 * one unit of work, fenced by the run's token and conditional on the mapping, document and record it was planned
 * from. Logs ids and codes only.
 */
final class LinkedChanges {
    private static final Logger log = LoggerFactory.getLogger(LinkedChanges.class);
    /** Audit detail of the evidence a re-creation commits before its write. */
    static final String DETAIL_RECREATE_STARTED = "recreate";
    /** Audit detail of the evidence a content replacement of a file with an origin commits before its write. */
    static final String DETAIL_PUSH_STARTED = "push";
    /** Detail of a Silknote content change written to VSRX (row 3). */
    static final String DETAIL_PUSHED = "pushed-to-vsrx";
    /** Detail of both sides holding the same new bytes (row 4b). */
    static final String DETAIL_SAME_CHANGE = "same-change-on-both-sides";
    /** Detail of an open record closed because the two sides no longer conflict. */
    static final String DETAIL_SUPERSEDED = "superseded";
    /** Detail prefix of a conflict an operator decided: applied, then resolved (the loser released). */
    static final String DETAIL_OPERATOR = "conflict:operator-";

    /** One linked file whose document's content differs from the mapping's base. */
    record Changed(VsrxFile file, SyncMapping mapping, SilknoteDocument document) {
        Changed {
            requireNonNull(file, "file");
            requireNonNull(mapping, "mapping");
            requireNonNull(document, "document");
        }
    }

    /** One linked, live file whose document a Silknote user removed (its mapping stays), with deletes on. */
    record Removed(VsrxFile file, SyncMapping mapping) {
        Removed {
            requireNonNull(file, "file");
            requireNonNull(mapping, "mapping");
        }
    }

    /** Detail of a Silknote removal propagated to VSRX (row 7). */
    static final String DETAIL_DELETED_IN_VSRX = "deleted-in-vsrx";

    private final RunContext ctx;
    private final EngineParts parts;
    private final FilesetId id;
    private final PatientUuid patient;
    private final List<PatientId> history;
    private final VsrxTarget target;
    private final Optional<FilesetClaims.Claim> claim;
    private final BidirectionalConfig bidi;
    private final Consumer<FileReport> reports;
    /** Files created again for a document VSRX deleted (SILKNOTE_WINS on row 6): not a duplicate of it. */
    /** How many re-created files VSRX deleted in turn one re-creation follows before it reports a conflict. */
    private static final int MAX_RECREATE_HOPS = 8;
    private final Set<VsrxFileId> recreated = new TreeSet<>();
    /** The files with a Silknote origin, not linked, that the fileset listed live for this run. */
    private final Set<VsrxFileId> originListed;
    /** Of those, the ones a replayed re-creation answered with that VSRX did not serve ({@link #servedHash}). */
    private final Set<VsrxFileId> unserved = new TreeSet<>();

    LinkedChanges(RunContext ctx, FilesetId id, PatientUuid patient, List<PatientId> history,
            Optional<FilesetClaims.Claim> claim, VsrxTarget target, Consumer<FileReport> reports,
            Set<VsrxFileId> originListed) {
        this.originListed = Set.copyOf(originListed);
        this.claim = requireNonNull(claim, "claim");
        this.ctx = requireNonNull(ctx, "ctx");
        this.parts = ctx.parts;
        this.id = requireNonNull(id, "id");
        this.patient = requireNonNull(patient, "patient");
        this.history = List.copyOf(history);
        this.target = requireNonNull(target, "target");
        this.bidi = parts.config().bidirectional();
        this.reports = requireNonNull(reports, "reports");
    }

    /**
     * The listed, linked files of the fileset whose document's content a Silknote user changed (the document's
     * hash differs from the mapping's base), for the Silknote side instead of the pull. Grouped documents stay
     * with the pull (which never overwrites them) unless {@code groupedDocuments} is on.
     */
    static List<Changed> select(BidirectionalConfig bidi, PatientUuid patient, Collection<VsrxFile> listed,
            Map<VsrxFileId, SyncMapping> mappings, Map<VsrxFileId, SilknoteDocument> documents) {
        List<Changed> out = new ArrayList<>();
        for (VsrxFile f : listed) {
            SyncMapping m = mappings.get(f.id());
            SilknoteDocument d = documents.get(f.id());
            if (m == null || d == null || d.contentHash().equals(m.contentHash())
                    || !d.patientUuid().equals(patient) || !d.uuid().equals(m.silknoteDocumentUuid())) {
                continue;
            }
            if (!DocumentMetadata.UNGROUPED.equals(d.metadata().groupingStatus()) && !bidi.groupedDocuments()) {
                continue;
            }
            out.add(new Changed(f, m, d));
        }
        return out;
    }

    /**
     * The listed, live, linked files whose document a Silknote user grouped and changed while VSRX did not
     * change: out of scope without {@code groupedDocuments}, so the pull leaves them alone and they are reported
     * {@code UNCHANGED} {@code silknote-change-not-pushed:grouped} every run (docs/bidirectional.md §3).
     */
    static List<FileReport> groupedNotPushed(BidirectionalConfig bidi, PatientUuid patient,
            Collection<VsrxFile> listed, Map<VsrxFileId, SyncMapping> mappings,
            Map<VsrxFileId, SilknoteDocument> documents) {
        List<FileReport> out = new ArrayList<>();
        if (bidi.groupedDocuments()) {
            return out;
        }
        for (VsrxFile f : listed) {
            SyncMapping m = mappings.get(f.id());
            SilknoteDocument d = documents.get(f.id());
            if (m != null && d != null && !f.deleted() && !d.contentHash().equals(m.contentHash())
                    && d.patientUuid().equals(patient) && d.uuid().equals(m.silknoteDocumentUuid())
                    && !DocumentMetadata.UNGROUPED.equals(d.metadata().groupingStatus())
                    && !ChangeDetection.versionChanged(f, m)) {
                out.add(new FileReport(f.id(), FileAction.UNCHANGED, Optional.empty(),
                        Optional.of("silknote-change-not-pushed:grouped"), 0));
            }
        }
        return out;
    }

    /**
     * With delete propagation on: the listed, live, linked files whose document is gone (rows 7 and 8), for the
     * Silknote side instead of the pull. With it off the pull handles them as one-way.
     */
    static List<Removed> removed(BidirectionalConfig bidi, Collection<VsrxFile> listed,
            Map<VsrxFileId, SyncMapping> mappings, Map<VsrxFileId, SilknoteDocument> documents) {
        List<Removed> out = new ArrayList<>();
        if (!bidi.deletes()) {
            return out;
        }
        for (VsrxFile f : listed) {
            SyncMapping m = mappings.get(f.id());
            if (m != null && !f.deleted() && !documents.containsKey(f.id())) {
                out.add(new Removed(f, m));
            }
        }
        return out;
    }

    /** How many VSRX files the removals would mark deleted: counted by the mass-delete guard (§7). */
    static long deletesPlanned(BidirectionalConfig bidi, List<Removed> removed) {
        return removed.stream().filter(r -> !ChangeDetection.versionChanged(r.file(), r.mapping())
                || bidi.conflictStrategy() == ConflictStrategy.SILKNOTE_WINS).count();
    }

    /** Files this step created again for their document (they carry its origin and are linked already). */
    Set<VsrxFileId> recreated() {
        return recreated;
    }

    /** The files a replayed re-creation answered with that VSRX listed but did not serve: decided in a later run. */
    Set<VsrxFileId> unserved() {
        return unserved;
    }

    /** Decides one changed file (see the class comment). */
    void handle(Changed c, Optional<ConflictRecord> open) {
        VsrxFile f = c.file();
        SyncMapping m = c.mapping();
        SilknoteDocument d = c.document();
        if (f.deleted()) {
            conflict(c, ConflictKind.DELETED_IN_VSRX, Optional.empty(), open);
            return;
        }
        if (!ChangeDetection.versionChanged(f, m)) {
            push(c, open);
            return;
        }
        Stored v = download(f);
        try {
            if (v.hash.equals(d.contentHash())) {
                converge(c, v, open);
            } else if (v.hash.equals(m.contentHash())) {
                push(c, open); // VSRX touched the file's metadata only: still row 3
            } else {
                conflict(c, ConflictKind.CHANGED_ON_BOTH_SIDES, Optional.of(v), open);
            }
        } finally {
            ctx.registry.leave(v.hash);
        }
    }

    /** Decides one file whose document a Silknote user removed (rows 7 and 8). */
    void handleRemoved(Removed r, Optional<ConflictRecord> open) {
        VsrxFile f = r.file();
        if (!ChangeDetection.versionChanged(f, r.mapping())) {
            propagateRemoval(r, open, Optional.empty(), DETAIL_DELETED_IN_VSRX);
            return;
        }
        Stored v = download(f);
        try {
            if (v.hash.equals(r.mapping().contentHash())) {
                propagateRemoval(r, open, Optional.empty(), DETAIL_DELETED_IN_VSRX); // metadata-only change in VSRX
            } else {
                removedConflict(r, v, open);
            }
        } finally {
            ctx.registry.leave(v.hash);
        }
    }

    /**
     * Marks the VSRX file deleted ({@code If-Match} the listed ETag) and drops its mapping. With {@code intent} (row
     * 8, Silknote wins) the record holding the VSRX bytes becomes applied in the same unit of work.
     */
    private void propagateRemoval(Removed r, Optional<ConflictRecord> open, Optional<ConflictRecord> intent,
            String detail) {
        VsrxFile f = r.file();
        SyncMapping m = r.mapping();
        if (f.etag().isEmpty()) {
            report(f.id(), FileAction.UNCHANGED, "silknote-change-not-pushed:no-etag");
            return;
        }
        String etag = f.etag().get();
        ctx.lease.verify();
        VsrxWriteResult w = parts.retrier().call("vsrx.markDeleted",
                () -> target.markDeleted(ctx.lease.token(), IdempotencyKey.delete(f.id(), etag), f.id(), etag));
        log.info("Silknote removal written to VSRX run={} fileset={} file={} replayed={}", ctx.runId, id, f.id(),
                w.replayed());
        Instant now = ctx.clock().instant();
        commit(uow -> {
            uow.expectFile(f.id(), Optional.of(m), Optional.empty());
            open.ifPresent(x -> uow.expectConflict(x.id(), Optional.of(x)));
            uow.deleteMapping(f.id());
            FilesetSync.release(uow, m.silknoteDocumentUuid(), m.contentHash(), now, new ArrayList<>());
            uow.enqueue(OutboxEntry.pending(m.silknoteDocumentUuid(), OutboxEntry.Action.PURGE_VECTORS,
                    m.contentHash(), now));
            if (intent.isPresent()) {
                ConflictRecord x = intent.get();
                ContentHash kept = x.vsrxHash().orElseThrow();
                boolean operator = detail.startsWith(DETAIL_OPERATOR);
                uow.upsertConflict(applied(x, kept, detail, now));
                if (operator) {
                    FilesetSync.release(uow, x.document(), kept, now, new ArrayList<>());
                }
                audit(uow, AuditAction.CONFLICT_DECIDED, f.id(), m.silknoteDocumentUuid(), Optional.of(kept),
                        Optional.empty(), decided(x, detail, FileAction.DELETED));
            } else {
                open.ifPresent(x -> closeOpen(uow, x, now));
            }
            audit(uow, AuditAction.DELETED_IN_VSRX, f.id(), m.silknoteDocumentUuid(), Optional.of(m.contentHash()),
                    Optional.empty(), detail);
        });
        report(f.id(), FileAction.DELETED, detail);
    }

    /** Row 8: removed in Silknote, changed in VSRX. */
    private void removedConflict(Removed r, Stored v, Optional<ConflictRecord> open) {
        VsrxFile f = r.file();
        SyncMapping m = r.mapping();
        ConflictKind kind = ConflictKind.REMOVED_IN_SILKNOTE;
        ConflictId cid = ConflictId.derive(f.id().value(), kind.code(), m.contentHash().hex(), v.hash.hex(), "-");
        Optional<ConflictRecord> same = open.filter(x -> x.id().equals(cid));
        Optional<ConflictStrategy> decided = same.flatMap(ConflictRecord::decision);
        boolean byOperator = decided.isPresent()
                && same.flatMap(ConflictRecord::detail).filter(x -> x.startsWith(ConflictRecord.OPERATOR)).isPresent();
        ConflictStrategy strategy = decided.orElse(bidi.conflictStrategy());
        ConflictStrategy effective = switch (strategy) {
            case NEWER_WINS, KEEP_BOTH -> ConflictStrategy.VSRX_WINS; // the changed side; nothing is deleted
            default -> strategy;
        };
        if (effective == ConflictStrategy.SILKNOTE_WINS && f.etag().isEmpty()) {
            effective = ConflictStrategy.REPORT;
        }
        String detail = byOperator ? DETAIL_OPERATOR + strategy.code() : "conflict:" + strategy.code();
        Instant now = ctx.clock().instant();
        ConflictRecord record = new ConflictRecord(cid, id, Optional.of(f.id()), m.silknoteDocumentUuid(), kind,
                ConflictStatus.OPEN, Optional.of(m.contentHash()), Optional.of(v.hash), f.etag(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(kind.code()),
                same.map(ConflictRecord::detectedAt).orElse(now), now);
        switch (effective) {
            case REPORT -> {
                if (same.isEmpty()) {
                    commit(uow -> {
                        uow.expectFile(f.id(), Optional.of(m), Optional.empty());
                        uow.expectConflict(cid, Optional.empty());
                        open.ifPresent(x -> {
                            uow.expectConflict(x.id(), Optional.of(x));
                            closeOpen(uow, x, now);
                        });
                        uow.upsertConflict(record);
                        uow.addBlobRef(v.hash, v.size, v.blobEtag);
                        audit(uow, AuditAction.CONFLICT_DETECTED, f.id(), m.silknoteDocumentUuid(),
                                Optional.of(m.contentHash()), Optional.of(v.hash),
                                detected(record, ConflictStrategy.REPORT));
                    });
                    log.warn("conflict run={} fileset={} file={} conflict={} kind={}", ctx.runId, id, f.id(), cid,
                            kind.code());
                }
                report(f.id(), FileAction.CONFLICT, kind.code());
            }
            case VSRX_WINS -> {
                // The document comes back with the VSRX content; the removal had no bytes to keep.
                commit(uow -> {
                    uow.expectFile(f.id(), Optional.of(m), Optional.empty());
                    open.ifPresent(x -> uow.expectConflict(x.id(), Optional.of(x)));
                    String path = parts.pathCheck().apply(f.path()).normalized().orElse(f.path());
                    uow.upsertDocument(new SilknoteDocument(m.silknoteDocumentUuid(), patient, id, f.id(), v.hash,
                            v.size, DiffPolicy.baseMimeType(f.mimeType()), DocumentMetadata.synced(f.id(), path,
                                    history), now));
                    uow.upsertMapping(new SyncMapping(f.id(), m.silknoteDocumentUuid(), f.id(), id, v.etag,
                            f.modifiedAt(), v.size, v.hash, now));
                    uow.addBlobRef(v.hash, v.size, v.blobEtag);
                    FilesetSync.release(uow, m.silknoteDocumentUuid(), m.contentHash(), now, new ArrayList<>());
                    uow.enqueue(OutboxEntry.pending(m.silknoteDocumentUuid(), OutboxEntry.Action.PROCESS, v.hash,
                            now));
                    open.filter(x -> !x.id().equals(cid)).ifPresent(x -> closeOpen(uow, x, now));
                    open.filter(x -> x.id().equals(cid)).ifPresent(x -> x.heldHashes()
                            .forEach(h -> FilesetSync.release(uow, x.document(), h, now, new ArrayList<>())));
                    uow.upsertConflict(record.with(byOperator ? ConflictStatus.RESOLVED : ConflictStatus.APPLIED,
                            Optional.of(strategy), Optional.empty(), Optional.empty(), Optional.of(detail), now));
                    audit(uow, AuditAction.CONFLICT_DECIDED, f.id(), m.silknoteDocumentUuid(),
                            Optional.of(m.contentHash()), Optional.of(v.hash), decided(record, detail,
                                    FileAction.CREATED));
                });
                report(f.id(), FileAction.CREATED, detail);
            }
            case SILKNOTE_WINS -> {
                // The VSRX bytes are kept by an open record with the decision before the file is marked deleted.
                ConflictRecord intent = new ConflictRecord(cid, id, record.fileId(), record.document(), kind,
                        ConflictStatus.OPEN, record.baseHash(), record.vsrxHash(), record.vsrxEtag(),
                        Optional.empty(), Optional.empty(), Optional.of(ConflictStrategy.SILKNOTE_WINS),
                        Optional.empty(), Optional.of(detail), record.detectedAt(), now);
                Optional<ConflictRecord> asRead = open;
                if (same.isEmpty() || !same.get().decision().equals(intent.decision())) {
                    commit(uow -> {
                        uow.expectFile(f.id(), Optional.of(m), Optional.empty());
                        open.ifPresent(x -> uow.expectConflict(x.id(), Optional.of(x)));
                        open.filter(x -> !x.id().equals(cid)).ifPresent(x -> closeOpen(uow, x, now));
                        same.ifPresent(x -> x.heldHashes()
                                .forEach(h -> FilesetSync.release(uow, x.document(), h, now, new ArrayList<>())));
                        uow.upsertConflict(intent);
                        uow.addBlobRef(v.hash, v.size, v.blobEtag);
                        audit(uow, AuditAction.CONFLICT_DETECTED, f.id(), m.silknoteDocumentUuid(),
                                Optional.of(m.contentHash()), Optional.of(v.hash), detected(intent, strategy));
                    });
                    asRead = Optional.of(intent);
                }
                propagateRemoval(r, asRead, asRead, detail);
            }
            default -> throw new IllegalStateException("strategy resolved to a side first");
        }
    }

    /**
     * Closes an open record whose file no longer conflicts (someone reverted, or one side caught up). A record
     * with a decision (an operator's, or a Silknote-wins write whose commit was lost) becomes applied instead and
     * keeps the VSRX version it held (else the Silknote one): bytes a decision was about are never released here.
     */
    void supersede(ConflictRecord open) {
        Instant now = ctx.clock().instant();
        Optional<ContentHash> keep = open.decision().isPresent()
                ? open.vsrxHash().or(open::silknoteHash) : Optional.empty();
        commit(uow -> {
            uow.expectConflict(open.id(), Optional.of(open));
            if (keep.isPresent()) {
                uow.upsertConflict(open.with(ConflictStatus.APPLIED, open.decision(), Optional.empty(), keep,
                        Optional.of(DETAIL_SUPERSEDED), now));
            } else {
                uow.upsertConflict(open.with(ConflictStatus.RESOLVED, open.strategy(), Optional.empty(),
                        Optional.empty(), Optional.of(DETAIL_SUPERSEDED), now));
            }
            for (ContentHash h : open.heldHashes()) {
                if (!keep.equals(Optional.of(h))) {
                    FilesetSync.release(uow, open.document(), h, now, new ArrayList<>());
                }
            }
            audit(uow, AuditAction.CONFLICT_RESOLVED, open.fileId().orElseThrow(), open.document(), Optional.empty(),
                    keep, DETAIL_SUPERSEDED + ",conflict=" + open.id().value() + ",status="
                            + (keep.isPresent() ? "applied" : "resolved"));
        });
        log.info("conflict superseded run={} fileset={} conflict={}", ctx.runId, id, open.id());
    }

    // ---- row 11 with different bytes -----------------------------------------------------------------------

    /**
     * Row 11 with different bytes: a file the sync wrote (its origin names {@code a}) whose document is still an
     * unlinked Silknote-created one, with other content. A conflict {@code linked-with-different-content} decided
     * like row 4c: {@code REPORT} keeps an open record holding both versions; {@code VSRX_WINS} links the document
     * with the VSRX content ({@code KEEP_BOTH}: and keeps the Silknote content as a conflict copy, exported as a
     * new file); {@code SILKNOTE_WINS} writes the Silknote content to the file ({@code If-Match}) after an open
     * record holding both versions committed, then links; {@code NEWER_WINS} picks the later side. The losing
     * bytes stay held by the record.
     *
     * @return {@code false} when the file's bytes equal the document's after all (the caller links it)
     */
    boolean handleUnlinked(VsrxFile f, AuthoredDocument a, Optional<ConflictRecord> open) {
        Stored v = download(f);
        try {
            if (v.hash.equals(a.contentHash())) {
                return false;
            }
            unlinkedConflict(f, a, v, open);
            return true;
        } finally {
            ctx.registry.leave(v.hash);
        }
    }

    private void unlinkedConflict(VsrxFile f, AuthoredDocument a, Stored v, Optional<ConflictRecord> open) {
        ConflictKind kind = ConflictKind.LINKED_WITH_DIFFERENT_CONTENT;
        ConflictId cid = ConflictId.derive(f.id().value(), kind.code(), "-", v.hash.hex(), a.contentHash().hex());
        Optional<ConflictRecord> same = open.filter(r -> r.id().equals(cid));
        Optional<ConflictStrategy> decided = same.flatMap(ConflictRecord::decision);
        boolean byOperator = decided.isPresent()
                && same.flatMap(ConflictRecord::detail).filter(x -> x.startsWith(ConflictRecord.OPERATOR)).isPresent();
        ConflictStrategy strategy = decided.orElse(bidi.conflictStrategy());
        ConflictStrategy effective = strategy;
        if (strategy == ConflictStrategy.NEWER_WINS) {
            int cmp = a.updatedAt().compareTo(f.modifiedAt());
            effective = cmp > 0 ? ConflictStrategy.SILKNOTE_WINS : cmp < 0 ? ConflictStrategy.VSRX_WINS
                    : ConflictStrategy.REPORT;
        }
        if (effective == ConflictStrategy.SILKNOTE_WINS && f.etag().isEmpty()) {
            effective = ConflictStrategy.REPORT; // a file without an ETag cannot be replaced conditionally
        }
        Instant now = ctx.clock().instant();
        ConflictRecord record = new ConflictRecord(cid, id, Optional.of(f.id()), a.uuid(), kind,
                ConflictStatus.OPEN, Optional.empty(), Optional.of(v.hash), f.etag(), Optional.of(a.contentHash()),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(kind.code()),
                same.map(ConflictRecord::detectedAt).orElse(now), now);
        String detail = byOperator ? DETAIL_OPERATOR + strategy.code() : "conflict:" + strategy.code();
        BlobInfo s = statOrFail(a.contentHash());
        enter(a.contentHash());
        try {
            switch (effective) {
                case REPORT -> {
                    if (same.isEmpty()) {
                        commit(uow -> {
                            expectUnlinked(uow, f, a);
                            uow.expectConflict(cid, Optional.empty());
                            open.ifPresent(r -> {
                                uow.expectConflict(r.id(), Optional.of(r));
                                closeOpen(uow, r, now);
                            });
                            uow.upsertConflict(record);
                            uow.addBlobRef(v.hash, v.size, v.blobEtag);
                            uow.addBlobRef(s.hash(), s.size(), s.etag());
                            audit(uow, AuditAction.CONFLICT_DETECTED, f.id(), a.uuid(), Optional.of(v.hash),
                                    Optional.of(a.contentHash()), detected(record, ConflictStrategy.REPORT));
                        });
                        log.warn("conflict run={} fileset={} file={} conflict={} kind={}", ctx.runId, id, f.id(), cid,
                                kind.code());
                    }
                    report(f.id(), FileAction.CONFLICT, kind.code());
                }
                case VSRX_WINS, KEEP_BOTH -> {
                    boolean copy = effective == ConflictStrategy.KEEP_BOTH;
                    Optional<AuthoredDocument> copyDoc = copy ? Optional.of(conflictCopy(a, now)) : Optional.empty();
                    boolean copyExists = copyDoc.isPresent() && exists(copyDoc.get().uuid());
                    commit(uow -> {
                        expectUnlinked(uow, f, a);
                        uow.expectConflict(cid, same);
                        open.filter(r -> !r.id().equals(cid)).ifPresent(r -> {
                            uow.expectConflict(r.id(), Optional.of(r));
                            closeOpen(uow, r, now);
                        });
                        same.ifPresent(r -> r.heldHashes()
                                .forEach(h -> FilesetSync.release(uow, r.document(), h, now, new ArrayList<>())));
                        String path = parts.pathCheck().apply(f.path()).normalized().orElse(f.path());
                        uow.upsertDocument(new SilknoteDocument(a.uuid(), patient, id, f.id(), v.hash, v.size,
                                DiffPolicy.baseMimeType(f.mimeType()), new DocumentMetadata(f.id(), path,
                                        DocumentMetadata.SOURCE_SYSTEM, a.groupingStatus(), history), now));
                        uow.upsertMapping(new SyncMapping(f.id(), a.uuid(), f.id(), id, v.etag, f.modifiedAt(),
                                v.size, v.hash, now));
                        uow.addBlobRef(v.hash, v.size, v.blobEtag);
                        uow.enqueue(OutboxEntry.pending(a.uuid(), OutboxEntry.Action.PROCESS, v.hash, now));
                        uow.upsertConflict(applied(record, a.contentHash(), detail, now));
                        if (!detail.startsWith(DETAIL_OPERATOR)) {
                            uow.addBlobRef(s.hash(), s.size(), s.etag());
                        }
                        if (copyDoc.isPresent() && !copyExists) {
                            uow.addAuthoredDocument(copyDoc.get());
                        }
                        audit(uow, AuditAction.CONFLICT_DECIDED, f.id(), a.uuid(), Optional.of(a.contentHash()),
                                Optional.of(v.hash), decided(record, detail, FileAction.UPDATED)
                                        + copyDoc.map(x -> ",copy=" + x.uuid()).orElse(""));
                    });
                    log.info("conflict decided run={} fileset={} file={} conflict={} decision={}", ctx.runId, id,
                            f.id(), cid, detail);
                    report(f.id(), FileAction.UPDATED, detail);
                }
                case SILKNOTE_WINS -> {
                    ConflictRecord intent = record.with(ConflictStatus.OPEN, Optional.empty(),
                            Optional.of(ConflictStrategy.SILKNOTE_WINS), Optional.empty(), Optional.of(detail), now);
                    Optional<ConflictRecord> asRead = same;
                    if (same.isEmpty() || !same.get().decision().equals(intent.decision())) {
                        commit(uow -> {
                            expectUnlinked(uow, f, a);
                            uow.expectConflict(cid, same);
                            open.filter(r -> !r.id().equals(cid)).ifPresent(r -> {
                                uow.expectConflict(r.id(), Optional.of(r));
                                closeOpen(uow, r, now);
                            });
                            same.ifPresent(r -> r.heldHashes()
                                    .forEach(h -> FilesetSync.release(uow, r.document(), h, now, new ArrayList<>())));
                            uow.upsertConflict(intent);
                            uow.addBlobRef(v.hash, v.size, v.blobEtag);
                            uow.addBlobRef(s.hash(), s.size(), s.etag());
                            audit(uow, AuditAction.CONFLICT_DETECTED, f.id(), a.uuid(), Optional.of(v.hash),
                                    Optional.of(a.contentHash()), detected(intent, ConflictStrategy.SILKNOTE_WINS));
                        });
                        asRead = Optional.of(intent);
                    }
                    VsrxFile written = replace(f, a.contentHash(), a.size(), a.mimeType());
                    ConflictRecord held = asRead.orElseThrow();
                    commitUnlinkedLink(a, written, held, detail, now);
                    log.info("conflict decided run={} fileset={} file={} conflict={} decision={}", ctx.runId, id,
                            f.id(), cid, detail);
                    report(f.id(), FileAction.UPDATED, detail);
                }
                default -> throw new IllegalStateException("strategy resolved to a side first");
            }
        } finally {
            ctx.registry.leave(a.contentHash());
        }
    }

    /**
     * Links a Silknote-created document to the file that now holds its bytes, and applies the open record of a
     * Silknote-wins decision about that file in the same unit of work: it keeps the VSRX version (an operator's
     * decision: resolved, nothing kept). Also used by the next run when a crash came between the VSRX write and
     * this commit (the file's bytes then equal the document's).
     */
    void commitUnlinkedLink(AuthoredDocument a, VsrxFile written, ConflictRecord intent, String detail, Instant now) {
        BlobInfo s = statOrFail(a.contentHash());
        boolean operator = detail.startsWith(DETAIL_OPERATOR);
        // no decision: the sides converged by themselves; the record is superseded and holds nothing
        boolean superseded = intent.decision().isEmpty();
        commit(uow -> {
            expectUnlinked(uow, written, a);
            uow.expectConflict(intent.id(), Optional.of(intent));
            String path = parts.pathCheck().apply(written.path()).normalized().orElse(written.path());
            uow.upsertDocument(new SilknoteDocument(a.uuid(), patient, id, written.id(), a.contentHash(), a.size(),
                    a.mimeType(), new DocumentMetadata(written.id(), path, DocumentMetadata.SOURCE_SYSTEM,
                            a.groupingStatus(), history), now));
            uow.upsertMapping(new SyncMapping(written.id(), a.uuid(), written.id(), id, written.etag(),
                    written.modifiedAt(), a.size(), a.contentHash(), now));
            // the mapping's reference first, then the record's of the Silknote version goes
            uow.addBlobRef(s.hash(), s.size(), s.etag());
            Optional<ContentHash> kept = operator || superseded ? Optional.empty() : intent.vsrxHash();
            for (ContentHash h : intent.heldHashes()) {
                if (!kept.equals(Optional.of(h))) {
                    FilesetSync.release(uow, a.uuid(), h, now, new ArrayList<>());
                }
            }
            uow.upsertConflict(intent.with(kept.isEmpty() ? ConflictStatus.RESOLVED : ConflictStatus.APPLIED,
                    superseded ? intent.strategy() : Optional.of(strategyOf(detail)), Optional.empty(), kept,
                    Optional.of(detail), now));
            if (superseded) {
                audit(uow, AuditAction.CONFLICT_RESOLVED, written.id(), a.uuid(), Optional.empty(), Optional.empty(),
                        DETAIL_SUPERSEDED + ",conflict=" + intent.id().value() + ",status=resolved");
            } else {
                audit(uow, AuditAction.CONFLICT_DECIDED, written.id(), a.uuid(), intent.vsrxHash(),
                        Optional.of(a.contentHash()), decided(intent, detail, FileAction.UPDATED));
            }
        });
    }

    private void expectUnlinked(DocumentStore.UnitOfWork uow, VsrxFile f, AuthoredDocument a) {
        uow.expectAuthored(a.uuid(), Optional.of(a));
        uow.expectFile(f.id(), Optional.empty(), Optional.empty());
    }

    /** The conflict copy of a Silknote-created document's losing content (KEEP_BOTH on row 11). */
    private AuthoredDocument conflictCopy(AuthoredDocument a, Instant now) {
        String title = a.title().orElse("document") + " (Silknote conflict copy "
                + now.atOffset(ZoneOffset.UTC).toLocalDate() + ")";
        return new AuthoredDocument(DocumentUuid.conflictCopy(a.uuid(), a.contentHash()), patient, Optional.of(id),
                a.contentHash(), a.size(), a.mimeType(), Optional.of(title), AuthoredDocument.CONFLICT_COPY,
                DocumentMetadata.UNGROUPED, now);
    }

    // ---- row 3: push ---------------------------------------------------------------------------------------

    private void push(Changed c, Optional<ConflictRecord> open) {
        VsrxFile f = c.file();
        if (!bidi.contentUpdates()) {
            report(f.id(), FileAction.UNCHANGED, "silknote-change-not-pushed:content-updates-off");
            return;
        }
        if (f.etag().isEmpty()) {
            report(f.id(), FileAction.UNCHANGED, "silknote-change-not-pushed:no-etag");
            return;
        }
        VsrxFile written = replace(f, c.document());
        BlobInfo s = statOrFail(c.document().contentHash());
        Instant now = ctx.clock().instant();
        commit(uow -> {
            expectAsRead(uow, c, open);
            relink(uow, c, written, s, now);
            open.ifPresent(r -> closeOpen(uow, r, now));
            audit(uow, AuditAction.PUSHED, f.id(), c.document().uuid(), Optional.of(c.mapping().contentHash()),
                    Optional.of(c.document().contentHash()), DETAIL_PUSHED);
        });
        report(f.id(), FileAction.UPDATED, DETAIL_PUSHED);
    }

    /** Replaces the VSRX file's content with the document's, {@code If-Match} the ETag just listed. */
    private VsrxFile replace(VsrxFile f, SilknoteDocument d) {
        return replace(f, d.contentHash(), d.size(), d.mimeType());
    }

    private VsrxFile replace(VsrxFile f, ContentHash hash, long size, String mimeType) {
        String etag = f.etag().orElseThrow();
        // A file the sync created for a document: its evidence first, as for the export (row 13 deletes only a file
        // holding bytes the sync wrote for the document; a push whose commit is lost is otherwise written nowhere:
        // the next run finds both sides equal and converges, history seed 4120)
        f.origin().ifPresent(origin -> SilknoteSide.recordExportStarted(parts, ctx, claim, id, origin, hash,
                DETAIL_PUSH_STARTED, uow -> { }));
        BlobUpload content = new BlobUpload(hash, size, mimeType, () -> parts.blobs().open(hash));
        IdempotencyKey key = IdempotencyKey.replace(f.id(), etag, hash);
        ctx.lease.verify();
        VsrxWriteResult r = parts.retrier().call("vsrx.replaceContent",
                () -> target.replaceContent(ctx.lease.token(), key, f.id(), etag, content));
        log.info("Silknote content written to VSRX run={} fileset={} file={} replayed={}", ctx.runId, id, f.id(),
                r.replayed());
        return r.file();
    }

    // ---- row 4b: converge ----------------------------------------------------------------------------------

    private void converge(Changed c, Stored v, Optional<ConflictRecord> open) {
        Instant now = ctx.clock().instant();
        // A Silknote-wins decision whose write happened but whose commit did not: the record is applied now.
        Optional<ConflictRecord> intent = open.filter(r -> r.decision().equals(Optional.of(ConflictStrategy.SILKNOTE_WINS))
                && r.kind() == ConflictKind.CHANGED_ON_BOTH_SIDES && r.vsrxHash().isPresent()
                && r.silknoteHash().equals(Optional.of(c.document().contentHash())));
        // blob stats happen before the unit of work: no blob-store round trip inside the transaction (rule 6)
        Optional<BlobInfo> keptStat = intent.filter(r -> !intentDetail(r).startsWith(DETAIL_OPERATOR))
                .map(r -> statOrFail(r.vsrxHash().orElseThrow()));
        commit(uow -> {
            expectAsRead(uow, c, open);
            SyncMapping m = c.mapping();
            VsrxFile f = c.file();
            uow.upsertMapping(new SyncMapping(f.id(), m.silknoteDocumentUuid(), f.id(), id, v.etag, f.modifiedAt(),
                    v.size, v.hash, now));
            moveReference(uow, c, v.hash, v.size, v.blobEtag, now);
            if (intent.isPresent()) {
                ConflictRecord r = intent.get();
                r.heldHashes().forEach(h -> FilesetSync.release(uow, r.document(), h, now, new ArrayList<>()));
                ContentHash kept = r.vsrxHash().orElseThrow();
                String how = intentDetail(r);
                uow.upsertConflict(applied(r, kept, how, now));
                keptStat.ifPresent(k -> uow.addBlobRef(k.hash(), k.size(), k.etag()));
                audit(uow, AuditAction.CONFLICT_DECIDED, f.id(), m.silknoteDocumentUuid(), Optional.of(kept),
                        Optional.of(v.hash), decided(r, how, FileAction.UPDATED));
            } else {
                open.ifPresent(r -> closeOpen(uow, r, now));
                audit(uow, AuditAction.METADATA_ONLY, f.id(), m.silknoteDocumentUuid(),
                        Optional.of(m.contentHash()), Optional.of(v.hash), DETAIL_SAME_CHANGE);
            }
        });
        report(c.file().id(), intent.isPresent() ? FileAction.UPDATED : FileAction.METADATA_ONLY,
                intent.map(LinkedChanges::intentDetail).orElse(DETAIL_SAME_CHANGE));
    }

    // ---- rows 4c and 6: conflicts --------------------------------------------------------------------------

    private void conflict(Changed c, ConflictKind kind, Optional<Stored> v, Optional<ConflictRecord> open) {
        VsrxFile f = c.file();
        SilknoteDocument d = c.document();
        ConflictId cid = ConflictId.derive(f.id().value(), kind.code(), c.mapping().contentHash().hex(),
                v.map(s -> s.hash.hex()).orElse("-"), d.contentHash().hex());
        Optional<ConflictRecord> same = open.filter(r -> r.id().equals(cid));
        Optional<ConflictStrategy> decided = same.flatMap(ConflictRecord::decision);
        boolean byOperator = decided.isPresent()
                && same.flatMap(ConflictRecord::detail).filter(x -> x.startsWith(ConflictRecord.OPERATOR)).isPresent();
        ConflictStrategy strategy = decided.orElse(bidi.conflictStrategy());
        ConflictStrategy effective = effective(strategy, kind, c, v);
        if ((effective == ConflictStrategy.SILKNOTE_WINS || effective == ConflictStrategy.KEEP_BOTH)
                && kind == ConflictKind.CHANGED_ON_BOTH_SIDES && f.etag().isEmpty()) {
            effective = ConflictStrategy.REPORT; // a file without an ETag cannot be replaced conditionally
        }
        Instant now = ctx.clock().instant();
        ConflictRecord record = new ConflictRecord(cid, id, Optional.of(f.id()), d.uuid(), kind,
                ConflictStatus.OPEN, Optional.of(c.mapping().contentHash()), v.map(s -> s.hash), f.etag(),
                Optional.of(d.contentHash()), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(kind.code()), same.map(ConflictRecord::detectedAt).orElse(now), now);
        String detail = byOperator ? DETAIL_OPERATOR + strategy.code() : "conflict:" + strategy.code();
        switch (effective) {
            case REPORT -> reportConflict(c, record, same, open, v, now);
            case VSRX_WINS -> vsrxWins(c, kind, record, open, v, false, detail, now);
            case KEEP_BOTH -> {
                if (kind == ConflictKind.CHANGED_ON_BOTH_SIDES) {
                    vsrxWins(c, kind, record, open, v, true, detail, now);
                } else {
                    silknoteWins(c, kind, record, open, v, detail, now);
                }
            }
            case SILKNOTE_WINS -> silknoteWins(c, kind, record, open, v, detail, now);
            case NEWER_WINS -> throw new IllegalStateException("NEWER_WINS is resolved to a side first");
        }
    }

    /** NEWER_WINS decided: the later modification wins; equal times are reported; against a deletion, Silknote. */
    private static ConflictStrategy effective(ConflictStrategy s, ConflictKind kind, Changed c, Optional<Stored> v) {
        if (s != ConflictStrategy.NEWER_WINS) {
            return s;
        }
        if (kind == ConflictKind.DELETED_IN_VSRX) {
            return ConflictStrategy.SILKNOTE_WINS;
        }
        int cmp = c.document().updatedAt().compareTo(c.file().modifiedAt());
        return cmp > 0 ? ConflictStrategy.SILKNOTE_WINS : cmp < 0 ? ConflictStrategy.VSRX_WINS : ConflictStrategy.REPORT;
    }

    /** REPORT: an open record holds both versions; nothing else changes. Reported every run. */
    private void reportConflict(Changed c, ConflictRecord record, Optional<ConflictRecord> same,
            Optional<ConflictRecord> open, Optional<Stored> v, Instant now) {
        if (same.isEmpty()) {
            BlobInfo s = statOrFail(c.document().contentHash());
            enter(c.document().contentHash());
            try {
                commit(uow -> {
                    uow.expectFile(c.file().id(), Optional.of(c.mapping()), Optional.of(c.document()));
                    uow.expectConflict(record.id(), Optional.empty());
                    open.ifPresent(r -> {
                        uow.expectConflict(r.id(), Optional.of(r));
                        closeOpen(uow, r, now);
                    });
                    uow.upsertConflict(record);
                    v.ifPresent(x -> uow.addBlobRef(x.hash, x.size, x.blobEtag));
                    uow.addBlobRef(s.hash(), s.size(), s.etag());
                    audit(uow, AuditAction.CONFLICT_DETECTED, c.file().id(), c.document().uuid(),
                            Optional.of(c.mapping().contentHash()), Optional.of(c.document().contentHash()),
                            detected(record, ConflictStrategy.REPORT));
                });
            } finally {
                ctx.registry.leave(c.document().contentHash());
            }
            log.warn("conflict run={} fileset={} file={} conflict={} kind={}", ctx.runId, id, c.file().id(),
                    record.id(), record.kind().code());
        }
        report(c.file().id(), FileAction.CONFLICT, record.kind().code());
    }

    /**
     * VSRX wins: the document takes the VSRX content (changed on both sides) or goes (deleted in VSRX); the
     * Silknote bytes are kept by the applied record. With {@code copy} (KEEP_BOTH) they also become a conflict-copy
     * document, which the export of this run writes to VSRX as a new file.
     */
    private void vsrxWins(Changed c, ConflictKind kind, ConflictRecord record, Optional<ConflictRecord> open,
            Optional<Stored> v, boolean copy, String detail, Instant now) {
        SilknoteDocument d = c.document();
        VsrxFile f = c.file();
        BlobInfo loser = statOrFail(d.contentHash());
        Optional<AuthoredDocument> copyDoc = copy ? Optional.of(conflictCopy(d, now)) : Optional.empty();
        boolean copyExists = copyDoc.isPresent() && exists(copyDoc.get().uuid());
        enter(d.contentHash());
        try {
            commit(uow -> {
                expectAsRead(uow, c, open);
                uow.expectConflict(record.id(), open.filter(r -> r.id().equals(record.id())));
                if (kind == ConflictKind.DELETED_IN_VSRX) {
                    uow.deleteDocument(d.uuid());
                    FilesetSync.release(uow, d.uuid(), c.mapping().contentHash(), now, new ArrayList<>());
                    uow.enqueue(OutboxEntry.pending(d.uuid(), OutboxEntry.Action.PURGE_VECTORS,
                            c.mapping().contentHash(), now));
                } else {
                    Stored s = v.orElseThrow();
                    String path = parts.pathCheck().apply(f.path()).normalized().orElse(d.metadata().originalPath());
                    uow.upsertDocument(new SilknoteDocument(d.uuid(), patient, id, f.id(), s.hash, s.size,
                            DiffPolicy.baseMimeType(f.mimeType()), DocumentMetadata.synced(f.id(), path, history),
                            now));
                    uow.upsertMapping(new SyncMapping(f.id(), d.uuid(), f.id(), id, s.etag, f.modifiedAt(), s.size,
                            s.hash, now));
                    uow.addBlobRef(s.hash, s.size, s.blobEtag);
                    FilesetSync.release(uow, d.uuid(), c.mapping().contentHash(), now, new ArrayList<>());
                    uow.enqueue(OutboxEntry.pending(d.uuid(), OutboxEntry.Action.PROCESS, s.hash, now));
                }
                open.filter(r -> !r.id().equals(record.id())).ifPresent(r -> closeOpen(uow, r, now));
                open.filter(r -> r.id().equals(record.id())).ifPresent(r -> r.heldHashes()
                        .forEach(h -> FilesetSync.release(uow, r.document(), h, now, new ArrayList<>())));
                uow.upsertConflict(applied(record, loser.hash(), detail, now));
                if (!detail.startsWith(DETAIL_OPERATOR)) {
                    uow.addBlobRef(loser.hash(), loser.size(), loser.etag());
                }
                if (copyDoc.isPresent() && !copyExists) {
                    uow.addAuthoredDocument(copyDoc.get());
                }
                audit(uow, AuditAction.CONFLICT_DECIDED, f.id(), d.uuid(), Optional.of(d.contentHash()),
                        v.map(x -> x.hash), decided(record, detail, kind == ConflictKind.DELETED_IN_VSRX
                                ? FileAction.DELETED : FileAction.UPDATED)
                                + copyDoc.map(x -> ",copy=" + x.uuid()).orElse(""));
            });
        } finally {
            ctx.registry.leave(d.contentHash());
        }
        log.info("conflict decided run={} fileset={} file={} conflict={} decision={}", ctx.runId, id, f.id(),
                record.id(), detail);
        report(f.id(), kind == ConflictKind.DELETED_IN_VSRX ? FileAction.DELETED : FileAction.UPDATED, detail);
    }

    /**
     * Silknote wins: its content replaces the VSRX file's ({@code If-Match} the ETag just listed), or, when VSRX
     * deleted the file, is written as a new file with the document's origin that the document is linked to. The
     * VSRX bytes (when VSRX had any) are kept by the applied record.
     */
    private void silknoteWins(Changed c, ConflictKind kind, ConflictRecord record, Optional<ConflictRecord> asFound,
            Optional<Stored> v, String detail, Instant now) {
        Optional<ConflictRecord> open = asFound;
        SilknoteDocument d = c.document();
        VsrxFile f = c.file();
        VsrxFile written;
        Optional<BlobInfo> writtenBase = Optional.empty();
        if (kind == ConflictKind.DELETED_IN_VSRX) {
            Optional<Recreated> again = recreate(f, d);
            if (again.isEmpty()) {
                // a replayed re-creation whose file no longer serves the document's bytes: reported, both kept
                reportConflict(c, record, asFound.filter(r -> r.id().equals(record.id())), asFound, v, now);
                return;
            }
            written = again.get().file();
            writtenBase = again.get().writtenBase();
            recreated.add(written.id());
        } else {
            // The VSRX bytes are about to be overwritten: an open record holding them (and the decision) commits
            // first, so a crash between the write and the final commit loses nothing; the next run finds both
            // sides equal and applies the record (converge).
            ConflictRecord intent = new ConflictRecord(record.id(), record.filesetId(), record.fileId(),
                    record.document(), kind, ConflictStatus.OPEN, record.baseHash(), record.vsrxHash(),
                    record.vsrxEtag(), record.silknoteHash(), Optional.empty(),
                    Optional.of(ConflictStrategy.SILKNOTE_WINS), Optional.empty(), Optional.of(detail),
                    record.detectedAt(), now);
            Optional<ConflictRecord> same = asFound.filter(r -> r.id().equals(record.id()));
            if (same.isEmpty() || !same.get().decision().equals(intent.decision())) {
                BlobInfo sInfo = statOrFail(d.contentHash());
                Stored vs = v.orElseThrow();
                commit(uow -> {
                    expectAsRead(uow, c, asFound);
                    uow.expectConflict(record.id(), same);
                    asFound.filter(r -> !r.id().equals(record.id())).ifPresent(r -> closeOpen(uow, r, now));
                    same.ifPresent(r -> r.heldHashes()
                            .forEach(h -> FilesetSync.release(uow, r.document(), h, now, new ArrayList<>())));
                    uow.upsertConflict(intent);
                    uow.addBlobRef(vs.hash, vs.size, vs.blobEtag);
                    uow.addBlobRef(sInfo.hash(), sInfo.size(), sInfo.etag());
                    audit(uow, AuditAction.CONFLICT_DETECTED, f.id(), d.uuid(), Optional.of(vs.hash),
                            Optional.of(d.contentHash()), detected(intent, ConflictStrategy.SILKNOTE_WINS));
                });
                open = Optional.of(intent);
            }
            written = replace(f, d);
        }
        Optional<ConflictRecord> asRead = open;
        BlobInfo sStat = writtenBase.isPresent() ? writtenBase.get() : statOrFail(d.contentHash());
        commit(uow -> {
            expectAsRead(uow, c, asRead);
            uow.expectConflict(record.id(), asRead.filter(r -> r.id().equals(record.id())));
            if (kind == ConflictKind.DELETED_IN_VSRX) {
                uow.expectFile(written.id(), Optional.empty(), Optional.empty());
                uow.deleteMapping(f.id());
                String path = parts.pathCheck().apply(written.path()).normalized().orElse(written.path());
                uow.upsertDocument(new SilknoteDocument(d.uuid(), patient, id, written.id(), d.contentHash(), d.size(),
                        d.mimeType(), DocumentMetadata.synced(written.id(), path, history), now));
            }
            relink(uow, c, written, sStat, now);
            asRead.filter(r -> !r.id().equals(record.id())).ifPresent(r -> closeOpen(uow, r, now));
            asRead.filter(r -> r.id().equals(record.id())).ifPresent(r -> r.heldHashes()
                    .forEach(h -> FilesetSync.release(uow, r.document(), h, now, new ArrayList<>())));
            boolean operator = detail.startsWith(DETAIL_OPERATOR);
            Optional<ContentHash> kept = operator ? Optional.empty() : v.map(s -> s.hash);
            uow.upsertConflict(record.with(operator ? ConflictStatus.RESOLVED : ConflictStatus.APPLIED,
                    Optional.of(strategyOf(detail)), Optional.empty(), kept, Optional.of(detail), now));
            if (!operator) {
                v.ifPresent(s -> uow.addBlobRef(s.hash, s.size, s.blobEtag));
            }
            FileAction outcome = kind == ConflictKind.DELETED_IN_VSRX ? FileAction.CREATED : FileAction.UPDATED;
            audit(uow, AuditAction.CONFLICT_DECIDED, written.id(), d.uuid(),
                    v.map(s -> s.hash).or(() -> Optional.of(c.mapping().contentHash())),
                    Optional.of(d.contentHash()), decided(record, detail, outcome));
        });
        log.info("conflict decided run={} fileset={} file={} conflict={} decision={}", ctx.runId, id, f.id(),
                record.id(), detail);
        report(written.id(), kind == ConflictKind.DELETED_IN_VSRX ? FileAction.CREATED : FileAction.UPDATED, detail);
    }

    /**
     * Writes the document again as a new file with its origin (key {@code recreate:<uuid>:<deleted file>}). A
     * replayed key answers with the file the first re-creation made, as it was then: it is used only while VSRX
     * still serves the document's bytes, so a deletion or change of it made since never becomes the document's
     * (§5.3). A re-created file VSRX deleted since is followed by another re-creation keyed after it; one still
     * holding the first re-creation's bytes gets the document's ({@code If-Match} that answer's ETag); one VSRX
     * changed since is the document's file as that re-creation wrote it, with what it wrote as the base (the next
     * run pulls the change, or decides a changed-on-both-sides conflict when the document changed too); empty (a
     * conflict to report) when that base's bytes are no longer stored.
     */
    private Optional<Recreated> recreate(VsrxFile deleted, SilknoteDocument d) {
        String name = d.metadata().originalPath();
        int slash = name.lastIndexOf('/');
        String base = slash < 0 ? name : name.substring(slash + 1);
        int dot = base.lastIndexOf('.');
        String title = dot > 0 ? base.substring(0, dot) : base;
        AuthoredDocument asAuthored = new AuthoredDocument(d.uuid(), patient, Optional.of(id), d.contentHash(),
                d.size(), d.mimeType(), Optional.of(title), AuthoredDocument.SILKNOTE, DocumentMetadata.UNGROUPED,
                d.updatedAt());
        NewVsrxFile file = new NewVsrxFile(id, SilknoteSide.exportPath(bidi, asAuthored), d.mimeType(), d.uuid());
        BlobUpload content = new BlobUpload(d.contentHash(), d.size(), d.mimeType(),
                () -> parts.blobs().open(d.contentHash()));
        // Evidence first (row 13): what the re-creation writes, committed before any write.
        SilknoteSide.recordExportStarted(parts, ctx, claim, id, d.uuid(), d.contentHash(), DETAIL_RECREATE_STARTED,
                uow -> { });
        // A re-created file VSRX deleted since is deleted in VSRX again: the next key follows it, so the chain of
        // keys is the same however often a crash makes the plan repeat.
        VsrxFileId after = deleted.id();
        for (int hop = 0; hop < MAX_RECREATE_HOPS; hop++) {
            IdempotencyKey key = IdempotencyKey.recreate(d.uuid(), after);
            ctx.lease.verify();
            VsrxWriteResult r = parts.retrier().call("vsrx.createFile",
                    () -> target.createFile(ctx.lease.token(), key, file, content));
            log.info("Silknote document written to VSRX again run={} fileset={} file={} replayed={}", ctx.runId, id,
                    r.file().id(), r.replayed());
            if (!r.replayed()) {
                return Optional.of(new Recreated(r.file(), Optional.empty()));
            }
            Optional<ContentHash> served = servedHash(r.file().id());
            if (served.equals(Optional.of(d.contentHash()))) {
                return Optional.of(new Recreated(r.file(), Optional.empty()));
            }
            if (served.isPresent()) {
                Optional<ContentHash> wrote = r.file().sha256();
                if (wrote.isPresent() && !served.equals(wrote) && r.file().etag().isPresent()) {
                    // VSRX serves other bytes than that re-creation wrote: a VSRX user changed the document's new
                    // file since. Linked as it was written (its answer's ETag, what it wrote as the base), so the
                    // next run sees a VSRX change of a linked file (row 2, or 4c when the document changed too)
                    // instead of a conflict no strategy or operator can decide, and the changed file is never
                    // taken for a file whose document is gone (row 13). The base's bytes must still be stored.
                    if (wrote.get().equals(d.contentHash())) {
                        return Optional.of(new Recreated(r.file(), Optional.empty()));
                    }
                    return parts.retrier().call("blobs.stat", () -> parts.blobs().stat(wrote.get()))
                            .map(stored -> new Recreated(r.file(), Optional.of(stored)));
                }
                // The first re-creation's bytes (the document changed since) or a VSRX change: the document's
                // content replaces them only If-Match the ETag that re-creation answered, so a VSRX change since
                // is refused and reported as a conflict instead.
                if (r.file().etag().isEmpty()) {
                    return Optional.empty();
                }
                try {
                    return Optional.of(new Recreated(replace(r.file(), d), Optional.empty()));
                } catch (ConcurrentUpdateException changedInVsrx) {
                    return Optional.empty();
                }
            }
            after = r.file().id();
        }
        return Optional.empty();
    }

    /**
     * SHA-256 of what VSRX serves for a file now; empty when it serves nothing because the file is gone (marked
     * deleted, or not listed when this run listed the fileset).
     *
     * @throws FileGoneException when the fileset listed the file live for this run and VSRX now answers it as not
     *                           found: its store lost the bytes behind its index, or it went since. Nothing tells
     *                           which, so the step waits for a later run (rule 3) rather than taking the file for
     *                           deleted and writing the document again beside it; the file is reported skipped
     *                           {@code GONE} too (and {@code listed-but-not-served} when a second listing still
     *                           returns it)
     */
    private Optional<ContentHash> servedHash(VsrxFileId fileId) {
        try {
            return Optional.of(SilknoteSide.servedSha256(parts, fileId));
        } catch (FileGoneException gone) {
            if (!gone.markedDeleted() && originListed.contains(fileId)) {
                unserved.add(fileId);
                reports.accept(FileReport.skipped(fileId, SkipReason.GONE, FilesetSync.goneDetail(gone), 0));
                throw gone;
            }
            return Optional.empty();
        } catch (PermanentSyncException notServed) {
            return Optional.empty();
        }
    }

    /** The conflict copy of {@code d}'s losing content (KEEP_BOTH), a Silknote-created document. */
    private AuthoredDocument conflictCopy(SilknoteDocument d, Instant now) {
        String name = d.metadata().originalPath();
        int slash = name.lastIndexOf('/');
        String base = slash < 0 ? name : name.substring(slash + 1);
        int dot = base.lastIndexOf('.');
        String title = (dot > 0 ? base.substring(0, dot) : base) + " (Silknote conflict copy "
                + now.atOffset(ZoneOffset.UTC).toLocalDate() + ")";
        return new AuthoredDocument(DocumentUuid.conflictCopy(d.uuid(), d.contentHash()), patient, Optional.of(id),
                d.contentHash(), d.size(), d.mimeType(), Optional.of(title), AuthoredDocument.CONFLICT_COPY,
                DocumentMetadata.UNGROUPED, now);
    }

    private boolean exists(DocumentUuid uuid) {
        DocumentStore store = parts.documents();
        return parts.retrier().call("documents.findDocument", () -> store.findDocument(uuid)).isPresent()
                || parts.retrier().call("documents.findAuthoredDocuments",
                        () -> store.findAuthoredDocuments(List.of(uuid))).containsKey(uuid);
    }

    private static ConflictStrategy strategyOf(String detail) {
        String code = detail.substring(detail.lastIndexOf(':') + 1).replace("operator-", "");
        for (ConflictStrategy s : ConflictStrategy.values()) {
            if (s.code().equals(code)) {
                return s;
            }
        }
        throw new IllegalArgumentException("no strategy in " + detail);
    }

    /** How a Silknote-wins record found applied by a converge was decided. */
    private static String intentDetail(ConflictRecord r) {
        return r.detail().filter(x -> x.startsWith("conflict:")).orElse(DETAIL_OPERATOR + "silknote-wins");
    }

    /** Applied by a strategy: the record keeps the loser; decided by an operator: resolved, nothing kept. */
    private static ConflictRecord applied(ConflictRecord r, ContentHash kept, String detail, Instant now) {
        boolean operator = detail.startsWith(DETAIL_OPERATOR);
        return r.with(operator ? ConflictStatus.RESOLVED : ConflictStatus.APPLIED, Optional.of(strategyOf(detail)),
                Optional.empty(), operator ? Optional.empty() : Optional.of(kept), Optional.of(detail), now);
    }

    // ---- shared steps --------------------------------------------------------------------------------------

    /**
     * The mapping follows the file VSRX answered, with base {@code s} (the document's content, or what a replayed
     * re-creation wrote); the reference moves to it.
     */
    private void relink(DocumentStore.UnitOfWork uow, Changed c, VsrxFile written, BlobInfo s, Instant now) {
        SilknoteDocument d = c.document();
        uow.upsertMapping(new SyncMapping(written.id(), d.uuid(), written.id(), id, written.etag(),
                written.modifiedAt(), s.size(), s.hash(), now));
        moveReference(uow, c, s.hash(), s.size(), s.etag(), now);
    }

    /** The file id's reference moves from the base to {@code hash}: added first, so equal content never hits 0. */
    private void moveReference(DocumentStore.UnitOfWork uow, Changed c, ContentHash hash, long size, String etag,
            Instant now) {
        uow.addBlobRef(hash, size, etag);
        FilesetSync.release(uow, c.document().uuid(), c.mapping().contentHash(), now, new ArrayList<>());
    }

    /**
     * Closes an open record a new conflict of the same file replaces. As in {@link #supersede}, a record with a
     * decision becomes applied and keeps the VSRX version it held: after a Silknote-wins write whose commit was
     * refused, VSRX holds the sync's own write, and that version exists nowhere else.
     */
    private void closeOpen(DocumentStore.UnitOfWork uow, ConflictRecord r, Instant now) {
        Optional<ContentHash> keep = r.decision().isPresent() ? r.vsrxHash().or(r::silknoteHash) : Optional.empty();
        if (keep.isPresent()) {
            uow.upsertConflict(r.with(ConflictStatus.APPLIED, r.decision(), Optional.empty(), keep,
                    Optional.of(DETAIL_SUPERSEDED), now));
        } else {
            uow.upsertConflict(r.with(ConflictStatus.RESOLVED, r.strategy(), Optional.empty(), Optional.empty(),
                    Optional.of(DETAIL_SUPERSEDED), now));
        }
        for (ContentHash h : r.heldHashes()) {
            if (!keep.equals(Optional.of(h))) {
                FilesetSync.release(uow, r.document(), h, now, new ArrayList<>());
            }
        }
        r.fileId().ifPresent(fid -> audit(uow, AuditAction.CONFLICT_RESOLVED, fid, r.document(), Optional.empty(),
                Optional.empty(), DETAIL_SUPERSEDED + ",conflict=" + r.id().value() + ",status=resolved"));
    }

    /**
     * One audit row of a Silknote-side change in this unit of work (issue 14: every decision is audited): ids,
     * hashes and reason codes only.
     */
    private void audit(DocumentStore.UnitOfWork uow, AuditAction action, VsrxFileId fileId, DocumentUuid document,
            Optional<ContentHash> before, Optional<ContentHash> after, String detail) {
        uow.audit(AuditEntry.of(ctx.runId, action).document(document).fileId(fileId).fileset(id).before(before)
                .after(after).detail(detail).build());
    }

    /** The audit detail of a detected conflict: its record, kind, the strategy that will decide it. */
    static String detected(ConflictRecord r, ConflictStrategy strategy) {
        return "conflict=" + r.id().value() + ",kind=" + r.kind().code() + ",strategy=" + strategy.code()
                + ",outcome=" + (r.decision().isPresent() ? "decided-write-pending" : "open");
    }

    /** The audit detail of an applied decision: the report's detail, the record, its kind and the outcome. */
    static String decided(ConflictRecord r, String detail, FileAction outcome) {
        return detail + ",conflict=" + r.id().value() + ",kind=" + r.kind().code() + ",outcome="
                + outcome.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static void expectAsRead(DocumentStore.UnitOfWork uow, Changed c, Optional<ConflictRecord> open) {
        uow.expectFile(c.file().id(), Optional.of(c.mapping()), Optional.of(c.document()));
        open.ifPresent(r -> uow.expectConflict(r.id(), Optional.of(r)));
    }

    private BlobInfo statOrFail(ContentHash hash) {
        return parts.retrier().call("blobs.stat", () -> parts.blobs().stat(hash))
                .orElseThrow(() -> new IllegalStateException("content of a Silknote document is missing"));
    }

    private void enter(ContentHash hash) {
        try {
            ctx.registry.enter(hash);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientSyncException("interrupted while waiting for the collector", e);
        }
    }

    private void commit(Consumer<DocumentStore.UnitOfWork> work) {
        SilknoteSide.commit(parts, ctx, claim, work);
    }

    private void report(VsrxFileId fileId, FileAction action, String detail) {
        reports.accept(new FileReport(fileId, action, Optional.empty(), Optional.of(detail), 0));
    }

    /**
     * The file a re-creation wrote, and the base its mapping takes when that is not the document's content: what
     * a replayed re-creation wrote, when VSRX and the document changed it since.
     */
    private record Recreated(VsrxFile file, Optional<BlobInfo> writtenBase) { }

    /** The VSRX version, downloaded and stored content-addressed (registered until the caller leaves it). */
    private record Stored(ContentHash hash, long size, Optional<String> etag, String blobEtag) { }

    private Stored download(VsrxFile f) {
        ctx.lease.checkpoint();
        String mime = DiffPolicy.baseMimeType(f.mimeType());
        Spooled d = parts.retrier().call("vsrx.content", () -> {
            try (FileContent content = parts.source().openContent(f.id())) {
                return new Spooled(ctx.spooler.spool(content.stream(), content.contentLength(), (delta, total) -> { }),
                        content.etag());
            } catch (IOException e) {
                throw new TransientSyncException("reading file content failed", e);
            }
        });
        SpooledContent s = d.spool();
        try {
            enter(s.hash());
            try {
                BlobPutResult put = ctx.putContent(s, mime);
                return new Stored(s.hash(), s.size(), d.etag().or(f::etag), put.info().etag());
            } catch (RuntimeException e) {
                ctx.registry.leave(s.hash());
                throw e;
            }
        } finally {
            s.close();
        }
    }

    private record Spooled(SpooledContent spool, Optional<String> etag) { }
}
