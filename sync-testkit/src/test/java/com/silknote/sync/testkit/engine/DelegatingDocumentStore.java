package com.silknote.sync.testkit.engine;

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
import java.util.function.Function;

/** Forwards every call to another document store; tests override single methods. */
class DelegatingDocumentStore implements DocumentStore {
    private final DocumentStore d;

    DelegatingDocumentStore(DocumentStore d) {
        this.d = d;
    }

    @Override public void fence(FencingToken token) { d.fence(token); }
    @Override public List<SyncMapping> mappings(FilesetId filesetId) { return d.mappings(filesetId); }
    @Override public Map<VsrxFileId, SyncMapping> findMappings(Collection<VsrxFileId> ids) {
        return d.findMappings(ids);
    }
    @Override public Map<VsrxFileId, SilknoteDocument> findDocumentsByClientFileIds(Collection<VsrxFileId> ids) {
        return d.findDocumentsByClientFileIds(ids);
    }
    @Override public Page<FilesetId> filesets(Optional<String> cursor, int limit) { return d.filesets(cursor, limit); }
    @Override public Optional<SyncMapping> findMapping(VsrxFileId fileId) { return d.findMapping(fileId); }
    @Override public Optional<SilknoteDocument> findDocument(DocumentUuid uuid) { return d.findDocument(uuid); }
    @Override public Optional<SilknoteDocument> findDocumentByClientFileId(VsrxFileId id) {
        return d.findDocumentByClientFileId(id);
    }
    @Override public List<SilknoteDocument> documents(FilesetId filesetId) { return d.documents(filesetId); }
    @Override public Optional<PatientFilesetRecord> findFileset(FilesetId id) { return d.findFileset(id); }
    @Override public Optional<BlobRef> findBlobRef(ContentHash hash) { return d.findBlobRef(hash); }
    @Override public Map<VsrxFileId, PermanentSkip> permanentSkips(FilesetId id) { return d.permanentSkips(id); }
    @Override public SyncState loadState() { return d.loadState(); }
    @Override public <T> T inUnitOfWork(FencingToken token, Function<UnitOfWork, T> work) {
        return d.inUnitOfWork(token, work);
    }
    @Override public List<OutboxEntry> pendingOutbox(long afterId, int limit) {
        return d.pendingOutbox(afterId, limit);
    }
    @Override public void completeOutbox(FencingToken token, long entryId) { d.completeOutbox(token, entryId); }
    @Override public void failOutbox(FencingToken token, long entryId, String reasonCode, boolean park) {
        d.failOutbox(token, entryId, reasonCode, park);
    }
    @Override public boolean markBlobDeleting(FencingToken t, ContentHash h, String etag, Instant notAfter) {
        return d.markBlobDeleting(t, h, etag, notAfter);
    }
    @Override public boolean removeBlobRefIfDeleting(FencingToken t, ContentHash h, String etag) {
        return d.removeBlobRefIfDeleting(t, h, etag);
    }
    @Override public void reviveBlobRef(FencingToken t, ContentHash h, String etag) { d.reviveBlobRef(t, h, etag); }
    @Override public List<BlobRef> unreferencedBlobs(int limit) { return d.unreferencedBlobs(limit); }
    @Override public void recordRun(FencingToken token, SyncReport report) { d.recordRun(token, report); }
    @Override public List<SyncReport> recentRuns(int limit) { return d.recentRuns(limit); }
    @Override public List<com.silknote.sync.core.model.AuthoredDocument> authoredDocuments(FilesetId f,
            com.silknote.sync.core.model.PatientUuid p) {
        return d.authoredDocuments(f, p);
    }
    @Override public Map<DocumentUuid, com.silknote.sync.core.model.AuthoredDocument> findAuthoredDocuments(
            Collection<DocumentUuid> uuids) {
        return d.findAuthoredDocuments(uuids);
    }
    @Override public List<PatientFilesetRecord> filesetsOfPatient(com.silknote.sync.core.model.PatientUuid p) {
        return d.filesetsOfPatient(p);
    }
    @Override public com.silknote.sync.core.model.SilknoteChangePage silknoteChanges(long position,
            Optional<String> cursor, int limit) {
        return d.silknoteChanges(position, cursor, limit);
    }
    @Override public long loadChangePosition() { return d.loadChangePosition(); }
    @Override public List<com.silknote.sync.core.model.ConflictRecord> conflicts(FilesetId f) { return d.conflicts(f); }
    @Override public Optional<com.silknote.sync.core.model.ConflictRecord> findConflict(
            com.silknote.sync.core.model.ConflictId id) {
        return d.findConflict(id);
    }
    @Override public Page<com.silknote.sync.core.model.ConflictRecord> conflicts(
            java.util.Set<com.silknote.sync.core.model.ConflictStatus> statuses, Optional<String> cursor, int limit) {
        return d.conflicts(statuses, cursor, limit);
    }
    @Override public void recordRunStarted(FencingToken token, RunId run, Instant startedAt) {
        d.recordRunStarted(token, run, startedAt);
    }
    @Override public void recordFilesetReport(FencingToken token, RunId run, FilesetReport report,
            Optional<FilesetClaims.Claim> claim) {
        d.recordFilesetReport(token, run, report, claim);
    }
    @Override public List<RunRecord> runs(Instant from, Instant to, int limit) { return d.runs(from, to, limit); }
    @Override public Optional<RunRecord> findRun(RunId run) { return d.findRun(run); }
    @Override public Page<FilesetReport> runFilesets(RunId run, Optional<String> cursor, int limit) {
        return d.runFilesets(run, cursor, limit);
    }
    @Override public int pruneRuns(FencingToken token, Instant startedBefore, int keepNewest) {
        return d.pruneRuns(token, startedBefore, keepNewest);
    }
}
