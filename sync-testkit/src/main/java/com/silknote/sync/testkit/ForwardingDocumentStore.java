package com.silknote.sync.testkit;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.AuditQuery;
import com.silknote.sync.core.model.AuditRecord;
import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.OutboxEntry;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PatientFilesetRecord;
import com.silknote.sync.core.model.PermanentSkip;
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

/**
 * A {@link DocumentStore} that forwards every call to another one: the base of test decorators that pause,
 * count or change single calls (override those, keep the rest).
 */
public class ForwardingDocumentStore implements DocumentStore {
    private final DocumentStore delegate;

    /** @throws NullPointerException when delegate is null */
    public ForwardingDocumentStore(DocumentStore delegate) {
        this.delegate = requireNonNull(delegate, "delegate");
    }

    /** The store calls are forwarded to. */
    protected final DocumentStore delegate() {
        return delegate;
    }

    @Override public void fence(FencingToken token) { delegate.fence(token); }
    @Override public List<SyncMapping> mappings(FilesetId filesetId) { return delegate.mappings(filesetId); }
    @Override public Optional<SyncMapping> findMapping(VsrxFileId fileId) { return delegate.findMapping(fileId); }
    @Override public Map<VsrxFileId, SyncMapping> findMappings(Collection<VsrxFileId> fileIds) {
        return delegate.findMappings(fileIds);
    }
    @Override public Map<VsrxFileId, SilknoteDocument> findDocumentsByClientFileIds(Collection<VsrxFileId> ids) {
        return delegate.findDocumentsByClientFileIds(ids);
    }
    @Override public Page<FilesetId> filesets(Optional<String> cursor, int limit) {
        return delegate.filesets(cursor, limit);
    }
    @Override public Optional<SilknoteDocument> findDocument(DocumentUuid uuid) { return delegate.findDocument(uuid); }
    @Override public Optional<SilknoteDocument> findDocumentByClientFileId(VsrxFileId id) {
        return delegate.findDocumentByClientFileId(id);
    }
    @Override public List<SilknoteDocument> documents(FilesetId filesetId) { return delegate.documents(filesetId); }
    @Override public Optional<PatientFilesetRecord> findFileset(FilesetId id) { return delegate.findFileset(id); }
    @Override public Optional<BlobRef> findBlobRef(ContentHash hash) { return delegate.findBlobRef(hash); }
    @Override public Map<VsrxFileId, PermanentSkip> permanentSkips(FilesetId id) { return delegate.permanentSkips(id); }
    @Override public Map<DocumentUuid, SilknoteDocument> findDocuments(Collection<DocumentUuid> uuids) {
        return delegate.findDocuments(uuids);
    }
    @Override public Set<DocumentUuid> existingDocuments(Collection<DocumentUuid> uuids) {
        return delegate.existingDocuments(uuids);
    }
    @Override public Map<ContentHash, BlobRef> findBlobRefs(Collection<ContentHash> hashes) {
        return delegate.findBlobRefs(hashes);
    }
    @Override public List<SilknoteDocument> findDocumentsByContentHash(ContentHash hash, int limit) {
        return delegate.findDocumentsByContentHash(hash, limit);
    }
    @Override public Page<SilknoteDocument> documentsWithoutFileset(Optional<String> cursor, int limit) {
        return delegate.documentsWithoutFileset(cursor, limit);
    }
    @Override public Page<SyncMapping> mappingsWithoutDocument(Optional<String> cursor, int limit) {
        return delegate.mappingsWithoutDocument(cursor, limit);
    }
    @Override public Page<SilknoteDocument> documentsWithoutMapping(Optional<String> cursor, int limit) {
        return delegate.documentsWithoutMapping(cursor, limit);
    }
    @Override public Page<ReferenceTally> referenceTallies(Optional<String> cursor, int limit) {
        return delegate.referenceTallies(cursor, limit);
    }
    @Override public Page<FilesetId> filesetsWithSkips(Optional<String> cursor, int limit) {
        return delegate.filesetsWithSkips(cursor, limit);
    }
    @Override public Page<PatientFilesetRecord> filesetRecords(Optional<String> cursor, int limit) {
        return delegate.filesetRecords(cursor, limit);
    }
    @Override public List<AuditRecord> auditTrail(AuditQuery query, long afterId, int limit) {
        return delegate.auditTrail(query, afterId, limit);
    }
    @Override public SyncState loadState() { return delegate.loadState(); }
    @Override public <T> T inUnitOfWork(FencingToken token, Function<UnitOfWork, T> work) {
        return delegate.inUnitOfWork(token, work);
    }
    @Override public List<OutboxEntry> pendingOutbox(long afterId, int limit) {
        return delegate.pendingOutbox(afterId, limit);
    }
    @Override public List<OutboxEntry> parkedOutbox(long afterId, int limit) {
        return delegate.parkedOutbox(afterId, limit);
    }
    @Override public void completeOutbox(FencingToken token, long entryId) { delegate.completeOutbox(token, entryId); }
    @Override public void failOutbox(FencingToken token, long entryId, String reasonCode, boolean park) {
        delegate.failOutbox(token, entryId, reasonCode, park);
    }
    @Override public boolean markBlobDeleting(FencingToken token, ContentHash hash, String etag, Instant notAfter) {
        return delegate.markBlobDeleting(token, hash, etag, notAfter);
    }
    @Override public boolean removeBlobRefIfDeleting(FencingToken token, ContentHash hash, String etag) {
        return delegate.removeBlobRefIfDeleting(token, hash, etag);
    }
    @Override public void reviveBlobRef(FencingToken token, ContentHash hash, String etag) {
        delegate.reviveBlobRef(token, hash, etag);
    }
    @Override public List<BlobRef> unreferencedBlobs(int limit) { return delegate.unreferencedBlobs(limit); }
    @Override public void recordRun(FencingToken token, SyncReport report) { delegate.recordRun(token, report); }
    @Override public List<SyncReport> recentRuns(int limit) { return delegate.recentRuns(limit); }
    @Override public void recordRunStarted(FencingToken token, RunId run, Instant startedAt) {
        delegate.recordRunStarted(token, run, startedAt);
    }
    @Override public void recordFilesetReport(FencingToken token, RunId run, FilesetReport report,
            Optional<FilesetClaims.Claim> claim) {
        delegate.recordFilesetReport(token, run, report, claim);
    }
    @Override public List<RunRecord> runs(Instant from, Instant to, int limit) { return delegate.runs(from, to, limit); }
    @Override public Optional<RunRecord> findRun(RunId run) { return delegate.findRun(run); }
    @Override public Page<FilesetReport> runFilesets(RunId run, Optional<String> cursor, int limit) {
        return delegate.runFilesets(run, cursor, limit);
    }
    @Override public int pruneRuns(FencingToken token, Instant startedBefore, int keepNewest) {
        return delegate.pruneRuns(token, startedBefore, keepNewest);
    }

    @Override
    public java.util.List<com.silknote.sync.core.model.AuthoredDocument> authoredDocuments(
            com.silknote.sync.core.model.FilesetId filesetId, com.silknote.sync.core.model.PatientUuid patient) {
        return delegate.authoredDocuments(filesetId, patient);
    }

    @Override
    public java.util.Map<com.silknote.sync.core.model.DocumentUuid, com.silknote.sync.core.model.AuthoredDocument>
            findAuthoredDocuments(java.util.Collection<com.silknote.sync.core.model.DocumentUuid> uuids) {
        return delegate.findAuthoredDocuments(uuids);
    }

    @Override
    public java.util.List<com.silknote.sync.core.model.PatientFilesetRecord> filesetsOfPatient(
            com.silknote.sync.core.model.PatientUuid patient) {
        return delegate.filesetsOfPatient(patient);
    }

    @Override
    public com.silknote.sync.core.model.SilknoteChangePage silknoteChanges(long position,
            java.util.Optional<String> cursor, int limit) {
        return delegate.silknoteChanges(position, cursor, limit);
    }

    @Override
    public long loadChangePosition() {
        return delegate.loadChangePosition();
    }

    @Override
    public java.util.List<com.silknote.sync.core.model.ConflictRecord> conflicts(
            com.silknote.sync.core.model.FilesetId filesetId) {
        return delegate.conflicts(filesetId);
    }

    @Override
    public java.util.Optional<com.silknote.sync.core.model.ConflictRecord> findConflict(
            com.silknote.sync.core.model.ConflictId id) {
        return delegate.findConflict(id);
    }

    @Override
    public com.silknote.sync.core.model.Page<com.silknote.sync.core.model.ConflictRecord> conflicts(
            java.util.Set<com.silknote.sync.core.model.ConflictStatus> statuses, java.util.Optional<String> cursor,
            int limit) {
        return delegate.conflicts(statuses, cursor, limit);
    }
}
