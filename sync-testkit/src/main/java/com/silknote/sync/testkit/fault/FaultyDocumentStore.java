package com.silknote.sync.testkit.fault;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.AuthoredDocument;
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
import com.silknote.sync.core.model.SilknoteChangePage;
import com.silknote.sync.core.model.ReferenceTally;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.RunRecord;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncState;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.FilesetClaims;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A {@link DocumentStore} that fails as its {@link FaultPlan} says. Reads are {@link Operation#DOCUMENTS_READ}
 * (key: the method name); the unit of work and every single write are effects (crash points). A fault on
 * a unit of work is injected before the callback runs; a crash after it comes once the delegate committed.
 */
public final class FaultyDocumentStore implements DocumentStore {
    private final DocumentStore delegate;
    private final FaultPlan plan;

    /** Decorates {@code delegate} with the faults of {@code plan}. */
    public FaultyDocumentStore(DocumentStore delegate, FaultPlan plan) {
        this.delegate = requireNonNull(delegate, "delegate");
        this.plan = requireNonNull(plan, "plan");
    }

    private <T> T read(String method, java.util.function.Supplier<T> call) {
        return plan.call(Operation.DOCUMENTS_READ, method, call);
    }

    /** @throws com.silknote.sync.core.exception.SyncException as the plan or the delegate says */
    @Override
    public void fence(FencingToken token) {
        plan.effect(Operation.DOCUMENTS_FENCE, Long.toString(token.value()), () -> {
            delegate.fence(token);
            return null;
        });
    }

    @Override
    public Map<VsrxFileId, SyncMapping> findMappings(Collection<VsrxFileId> fileIds) {
        return read("findMappings", () -> delegate.findMappings(fileIds));
    }

    @Override
    public Map<VsrxFileId, SilknoteDocument> findDocumentsByClientFileIds(Collection<VsrxFileId> clientFileIds) {
        return read("findDocumentsByClientFileIds", () -> delegate.findDocumentsByClientFileIds(clientFileIds));
    }

    @Override
    public Page<FilesetId> filesets(Optional<String> cursor, int limit) {
        return read("filesets", () -> delegate.filesets(cursor, limit));
    }

    @Override
    public List<SyncMapping> mappings(FilesetId filesetId) {
        return read("mappings", () -> delegate.mappings(filesetId));
    }

    @Override
    public Optional<SyncMapping> findMapping(VsrxFileId fileId) {
        return read("findMapping", () -> delegate.findMapping(fileId));
    }

    @Override
    public Optional<SilknoteDocument> findDocument(DocumentUuid uuid) {
        return read("findDocument", () -> delegate.findDocument(uuid));
    }

    @Override
    public Optional<SilknoteDocument> findDocumentByClientFileId(VsrxFileId clientFileId) {
        return read("findDocumentByClientFileId", () -> delegate.findDocumentByClientFileId(clientFileId));
    }

    @Override
    public List<SilknoteDocument> documents(FilesetId filesetId) {
        return read("documents", () -> delegate.documents(filesetId));
    }

    @Override
    public Optional<PatientFilesetRecord> findFileset(FilesetId filesetId) {
        return read("findFileset", () -> delegate.findFileset(filesetId));
    }

    @Override
    public Optional<BlobRef> findBlobRef(ContentHash hash) {
        return read("findBlobRef", () -> delegate.findBlobRef(hash));
    }

    @Override
    public Map<VsrxFileId, PermanentSkip> permanentSkips(FilesetId filesetId) {
        return read("permanentSkips", () -> delegate.permanentSkips(filesetId));
    }

    @Override
    public Map<DocumentUuid, SilknoteDocument> findDocuments(Collection<DocumentUuid> uuids) {
        return read("findDocuments", () -> delegate.findDocuments(uuids));
    }

    @Override
    public Set<DocumentUuid> existingDocuments(Collection<DocumentUuid> uuids) {
        return read("existingDocuments", () -> delegate.existingDocuments(uuids));
    }

    @Override
    public Map<ContentHash, BlobRef> findBlobRefs(Collection<ContentHash> hashes) {
        return read("findBlobRefs", () -> delegate.findBlobRefs(hashes));
    }

    @Override
    public List<SilknoteDocument> findDocumentsByContentHash(ContentHash hash, int limit) {
        return read("findDocumentsByContentHash", () -> delegate.findDocumentsByContentHash(hash, limit));
    }

    @Override
    public Page<SilknoteDocument> documentsWithoutFileset(Optional<String> cursor, int limit) {
        return read("documentsWithoutFileset", () -> delegate.documentsWithoutFileset(cursor, limit));
    }

    @Override
    public Page<SyncMapping> mappingsWithoutDocument(Optional<String> cursor, int limit) {
        return read("mappingsWithoutDocument", () -> delegate.mappingsWithoutDocument(cursor, limit));
    }

    @Override
    public Page<SilknoteDocument> documentsWithoutMapping(Optional<String> cursor, int limit) {
        return read("documentsWithoutMapping", () -> delegate.documentsWithoutMapping(cursor, limit));
    }

    @Override
    public Page<ReferenceTally> referenceTallies(Optional<String> cursor, int limit) {
        return read("referenceTallies", () -> delegate.referenceTallies(cursor, limit));
    }

    @Override
    public Page<FilesetId> filesetsWithSkips(Optional<String> cursor, int limit) {
        return read("filesetsWithSkips", () -> delegate.filesetsWithSkips(cursor, limit));
    }

    @Override
    public Page<PatientFilesetRecord> filesetRecords(Optional<String> cursor, int limit) {
        return read("filesetRecords", () -> delegate.filesetRecords(cursor, limit));
    }

    @Override
    public List<AuditRecord> auditTrail(AuditQuery query, long afterId, int limit) {
        return read("auditTrail", () -> delegate.auditTrail(query, afterId, limit));
    }

    @Override
    public List<OutboxEntry> parkedOutbox(long afterId, int limit) {
        return read("parkedOutbox", () -> delegate.parkedOutbox(afterId, limit));
    }

    @Override
    public SyncState loadState() {
        return read("loadState", delegate::loadState);
    }

    /** @throws com.silknote.sync.core.exception.SyncException as the plan or the delegate says */
    @Override
    public <T> T inUnitOfWork(FencingToken token, Function<UnitOfWork, T> work) {
        return plan.effect(Operation.DOCUMENTS_UNIT_OF_WORK, "", () -> delegate.inUnitOfWork(token, work));
    }

    @Override
    public List<OutboxEntry> pendingOutbox(long afterId, int limit) {
        return read("pendingOutbox", () -> delegate.pendingOutbox(afterId, limit));
    }

    /** @throws com.silknote.sync.core.exception.SyncException as the plan or the delegate says */
    @Override
    public void completeOutbox(FencingToken token, long entryId) {
        plan.effect(Operation.DOCUMENTS_COMPLETE_OUTBOX, Long.toString(entryId), () -> {
            delegate.completeOutbox(token, entryId);
            return null;
        });
    }

    /**
     * One effect for the whole batch, as the delegate applies it (all or nothing where it overrides the
     * batch); key: the ids joined by {@code ,}.
     *
     * @throws com.silknote.sync.core.exception.SyncException as the plan or the delegate says
     */
    @Override
    public void completeOutbox(FencingToken token, Collection<Long> entryIds) {
        List<Long> ids = List.copyOf(entryIds);
        String key = ids.stream().map(String::valueOf).collect(Collectors.joining(","));
        plan.effect(Operation.DOCUMENTS_COMPLETE_OUTBOX, key, () -> {
            delegate.completeOutbox(token, ids);
            return null;
        });
    }

    /** @throws com.silknote.sync.core.exception.SyncException as the plan or the delegate says */
    @Override
    public void failOutbox(FencingToken token, long entryId, String reasonCode, boolean park) {
        plan.effect(Operation.DOCUMENTS_FAIL_OUTBOX, Long.toString(entryId), () -> {
            delegate.failOutbox(token, entryId, reasonCode, park);
            return null;
        });
    }

    /** @throws com.silknote.sync.core.exception.SyncException as the plan or the delegate says */
    @Override
    public boolean markBlobDeleting(FencingToken token, ContentHash hash, String blobEtag, Instant notAfter) {
        return plan.effect(Operation.DOCUMENTS_MARK_BLOB_DELETING, hash.hex(),
                () -> delegate.markBlobDeleting(token, hash, blobEtag, notAfter));
    }

    /** @throws com.silknote.sync.core.exception.SyncException as the plan or the delegate says */
    @Override
    public boolean removeBlobRefIfDeleting(FencingToken token, ContentHash hash, String blobEtag) {
        return plan.effect(Operation.DOCUMENTS_REMOVE_BLOB_REF, hash.hex(),
                () -> delegate.removeBlobRefIfDeleting(token, hash, blobEtag));
    }

    /** @throws com.silknote.sync.core.exception.SyncException as the plan or the delegate says */
    @Override
    public void reviveBlobRef(FencingToken token, ContentHash hash, String blobEtag) {
        plan.effect(Operation.DOCUMENTS_REVIVE_BLOB_REF, hash.hex(), () -> {
            delegate.reviveBlobRef(token, hash, blobEtag);
            return null;
        });
    }

    @Override
    public List<BlobRef> unreferencedBlobs(int limit) {
        return read("unreferencedBlobs", () -> delegate.unreferencedBlobs(limit));
    }

    /** @throws com.silknote.sync.core.exception.SyncException as the plan or the delegate says */
    @Override
    public void recordRun(FencingToken token, SyncReport report) {
        plan.effect(Operation.DOCUMENTS_RECORD_RUN, report.runId().value(), () -> {
            delegate.recordRun(token, report);
            return null;
        });
    }

    @Override
    public List<SyncReport> recentRuns(int limit) {
        return read("recentRuns", () -> delegate.recentRuns(limit));
    }
    @Override
    public List<AuthoredDocument> authoredDocuments(FilesetId filesetId, PatientUuid patient) {
        return read("authoredDocuments", () -> delegate.authoredDocuments(filesetId, patient));
    }

    @Override
    public Map<DocumentUuid, AuthoredDocument> findAuthoredDocuments(Collection<DocumentUuid> uuids) {
        return read("findAuthoredDocuments", () -> delegate.findAuthoredDocuments(uuids));
    }

    @Override
    public List<PatientFilesetRecord> filesetsOfPatient(PatientUuid patient) {
        return read("filesetsOfPatient", () -> delegate.filesetsOfPatient(patient));
    }

    @Override
    public SilknoteChangePage silknoteChanges(long position, Optional<String> cursor, int limit) {
        return read("silknoteChanges", () -> delegate.silknoteChanges(position, cursor, limit));
    }

    @Override
    public long loadChangePosition() {
        return read("loadChangePosition", delegate::loadChangePosition);
    }

    @Override
    public List<ConflictRecord> conflicts(FilesetId filesetId) {
        return read("conflicts", () -> delegate.conflicts(filesetId));
    }

    @Override
    public Optional<ConflictRecord> findConflict(ConflictId id) {
        return read("findConflict", () -> delegate.findConflict(id));
    }

    @Override
    public Page<ConflictRecord> conflicts(Set<ConflictStatus> statuses, Optional<String> cursor, int limit) {
        return read("conflictsByStatus", () -> delegate.conflicts(statuses, cursor, limit));
    }

    /** @throws com.silknote.sync.core.exception.SyncException as the plan or the delegate says */
    @Override
    public void recordRunStarted(FencingToken token, RunId run, Instant startedAt) {
        plan.effect(Operation.DOCUMENTS_RECORD_RUN_STARTED, run.value(), () -> {
            delegate.recordRunStarted(token, run, startedAt);
            return null;
        });
    }

    /** @throws com.silknote.sync.core.exception.SyncException as the plan or the delegate says */
    @Override
    public void recordFilesetReport(FencingToken token, RunId run, FilesetReport report,
            Optional<FilesetClaims.Claim> claim) {
        plan.effect(Operation.DOCUMENTS_RECORD_FILESET_REPORT, report.filesetId().value(), () -> {
            delegate.recordFilesetReport(token, run, report, claim);
            return null;
        });
    }

    @Override
    public List<RunRecord> runs(Instant from, Instant to, int limit) {
        return read("runs", () -> delegate.runs(from, to, limit));
    }

    @Override
    public Optional<RunRecord> findRun(RunId run) {
        return read("findRun", () -> delegate.findRun(run));
    }

    @Override
    public Page<FilesetReport> runFilesets(RunId run, Optional<String> cursor, int limit) {
        return read("runFilesets", () -> delegate.runFilesets(run, cursor, limit));
    }

    /** @throws com.silknote.sync.core.exception.SyncException as the plan or the delegate says */
    @Override
    public int pruneRuns(FencingToken token, Instant startedBefore, int keepNewest) {
        return plan.effect(Operation.DOCUMENTS_PRUNE_RUNS, "",
                () -> delegate.pruneRuns(token, startedBefore, keepNewest));
    }
}
