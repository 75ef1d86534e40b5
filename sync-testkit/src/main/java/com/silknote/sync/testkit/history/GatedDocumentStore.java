package com.silknote.sync.testkit.history;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.AuditQuery;
import com.silknote.sync.core.model.AuditRecord;
import com.silknote.sync.core.model.ReferenceTally;
import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobPutResult;
import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.RunRecord;
import com.silknote.sync.core.port.FilesetClaims;
import com.silknote.sync.core.model.OutboxEntry;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PatientFilesetRecord;
import com.silknote.sync.core.model.PermanentSkip;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncState;
import com.silknote.sync.core.model.VectorEntry;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.VectorStore;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One runner's view of the shared ledger: records every write it makes in a shared {@link WriteLog} (which
 * runner, which write, whether the store accepted it, in the order they ended) and tells its {@link Gate}
 * about every call <em>before</em> it reaches the store, so the runner can be held at its first commit (a
 * runner paused between its lease check and its commit) or at any other port call.
 */
final class GatedDocumentStore implements DocumentStore {

    /** Writes of all runners in the order they ended. */
    static final class WriteLog {
        record Write(String runner, String what, boolean accepted) {
            @Override
            public String toString() {
                return runner + ":" + what + (accepted ? "" : "(refused)");
            }
        }

        private final List<Write> writes = new ArrayList<>();

        synchronized void add(String runner, String what, boolean accepted) {
            writes.add(new Write(runner, what, accepted));
        }

        synchronized List<Write> writes() {
            return List.copyOf(writes);
        }

        /** The writes of {@code stale} the store accepted after it first accepted one of {@code newer}. */
        synchronized List<Write> acceptedAfter(String stale, String newer) {
            List<Write> out = new ArrayList<>();
            boolean newerWrote = false;
            for (Write w : writes) {
                if (w.accepted() && w.runner().equals(newer)) {
                    newerWrote = true;
                } else if (newerWrote && w.accepted() && w.runner().equals(stale)) {
                    out.add(w);
                }
            }
            return out;
        }
    }

    /**
     * Counts the runner's Silknote port calls (documents, blobs, vectors) and holds the runner, once, before
     * its {@code pauseAt}-th call (before its first unit of work when {@code pauseAt} is 0) until opened; tells
     * the test when it is held or the runner finished.
     *
     * <p>A run has more than one thread even with one fileset and one file at a time (its own thread reports
     * the filesets a full listing no longer returns while the fileset thread works), so which thread makes the
     * {@code pauseAt}-th call can depend on timing. Holding only that thread would let the others go on writing
     * while the test treats the runner as paused. Once the gate has closed on one call, every later call of the
     * runner, from any thread, waits at it too, and {@link #awaitPausedOrDone()} returns only when no call of
     * the runner is still under way: from then until {@link #open()} the runner touches no store.
     */
    static final class Gate {
        private final int pauseAt;
        private int calls;
        private boolean triggered;
        private boolean closed = true;
        private int waiting;
        /** Threads of the runner inside a port call (a call made inside another counts once), and how deep. */
        private final Map<Thread, Integer> inCall = new HashMap<>();
        /** Of those, the ones held at the gate by a call made inside their outer call. */
        private final Set<Thread> heldInside = new HashSet<>();
        private boolean runnerDone;

        Gate(int pauseAt) {
            this.pauseAt = pauseAt;
        }

        /** Makes one port call of the runner: held first when the gate has closed. */
        <T> T call(boolean unitOfWork, Supplier<T> call) {
            enter(unitOfWork);
            try {
                return call.get();
            } finally {
                exit();
            }
        }

        /** {@link #call(boolean, Supplier)} for a call without a result. */
        void run(Runnable call) {
            call(false, () -> {
                call.run();
                return null;
            });
        }

        private synchronized void enter(boolean unitOfWork) {
            calls++;
            Thread me = Thread.currentThread();
            boolean nested = inCall.containsKey(me);
            boolean trigger = !triggered && (pauseAt == 0 ? unitOfWork : calls == pauseAt);
            triggered |= trigger;
            // The call to pause at is held wherever it is made; a later call only when it is not made inside
            // one already under way (holding that could wait forever on the call around it).
            if (closed && (trigger || (triggered && !nested))) {
                waiting++;
                if (nested) {
                    heldInside.add(me);
                }
                notifyAll();
                try {
                    while (closed) {
                        wait();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted at the gate", e);
                } finally {
                    waiting--;
                    heldInside.remove(me);
                }
            }
            inCall.merge(me, 1, Integer::sum);
        }

        private synchronized void exit() {
            inCall.computeIfPresent(Thread.currentThread(), (t, depth) -> depth == 1 ? null : depth - 1);
            notifyAll();
        }

        synchronized void open() {
            closed = false;
            notifyAll();
        }

        synchronized void runnerDone() {
            runnerDone = true;
            notifyAll();
        }

        /** Whether the runner is held now: a call waits at the gate and no other call of it is under way. */
        synchronized boolean held() {
            return waiting > 0 && inCall.size() == heldInside.size();
        }

        /** How many calls wait at the gate now. */
        synchronized int waiting() {
            return waiting;
        }

        /**
         * Waits until the runner is held at the gate with none of its calls under way (true) or the runner
         * finished first (false).
         */
        synchronized boolean awaitPausedOrDone() {
            try {
                while (!runnerDone && !held()) {
                    wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the runner", e);
            }
            return held();
        }
    }

    private final DocumentStore d;
    private final String runner;
    private final WriteLog log;
    private final Optional<Gate> gate;

    GatedDocumentStore(DocumentStore delegate, String runner, WriteLog log, Optional<Gate> gate) {
        this.d = requireNonNull(delegate, "delegate");
        this.runner = requireNonNull(runner, "runner");
        this.log = requireNonNull(log, "log");
        this.gate = requireNonNull(gate, "gate");
    }

    private <T> T read(Supplier<T> call) {
        return gated(false, call);
    }

    private <T> T gated(boolean unitOfWork, Supplier<T> call) {
        return gate.isPresent() ? gate.get().call(unitOfWork, call) : call.get();
    }

    private <T> T write(String what, Supplier<T> call) {
        return gated(false, () -> logged(what, call));
    }

    /**
     * Makes a write and logs it; inside the gate's call, so a write is in the log before the gate counts it as
     * over (the test reads the log's order once the runner is held).
     */
    private <T> T logged(String what, Supplier<T> call) {
        boolean accepted = false;
        try {
            T result = call.get();
            accepted = true;
            return result;
        } finally {
            log.add(runner, what, accepted);
        }
    }

    @Override
    public void fence(FencingToken token) {
        write("fence", () -> {
            d.fence(token);
            return null;
        });
    }

    @Override
    public <T> T inUnitOfWork(FencingToken token, Function<UnitOfWork, T> work) {
        return gated(true, () -> logged("commit", () -> d.inUnitOfWork(token, work)));
    }

    @Override
    public void completeOutbox(FencingToken token, long entryId) {
        write("completeOutbox", () -> {
            d.completeOutbox(token, entryId);
            return null;
        });
    }

    @Override
    public void failOutbox(FencingToken token, long entryId, String reasonCode, boolean park) {
        write("failOutbox", () -> {
            d.failOutbox(token, entryId, reasonCode, park);
            return null;
        });
    }

    @Override
    public boolean markBlobDeleting(FencingToken token, ContentHash hash, String blobEtag, Instant notAfter) {
        return write("markBlobDeleting", () -> d.markBlobDeleting(token, hash, blobEtag, notAfter));
    }

    @Override
    public boolean removeBlobRefIfDeleting(FencingToken token, ContentHash hash, String blobEtag) {
        return write("removeBlobRefIfDeleting", () -> d.removeBlobRefIfDeleting(token, hash, blobEtag));
    }

    @Override
    public void reviveBlobRef(FencingToken token, ContentHash hash, String blobEtag) {
        write("reviveBlobRef", () -> {
            d.reviveBlobRef(token, hash, blobEtag);
            return null;
        });
    }

    @Override
    public void recordRun(FencingToken token, SyncReport report) {
        write("recordRun", () -> {
            d.recordRun(token, report);
            return null;
        });
    }

    @Override
    public void recordRunStarted(FencingToken token, RunId run, Instant startedAt) {
        write("recordRunStarted", () -> {
            d.recordRunStarted(token, run, startedAt);
            return null;
        });
    }

    @Override
    public void recordFilesetReport(FencingToken token, RunId run, FilesetReport report,
            Optional<FilesetClaims.Claim> claim) {
        write("recordFilesetReport", () -> {
            d.recordFilesetReport(token, run, report, claim);
            return null;
        });
    }

    @Override
    public int pruneRuns(FencingToken token, Instant startedBefore, int keepNewest) {
        return write("pruneRuns", () -> d.pruneRuns(token, startedBefore, keepNewest));
    }

    /** Run-history reads are not counted: they are the operator's, not the sync's. */
    @Override public List<RunRecord> runs(Instant from, Instant to, int limit) { return d.runs(from, to, limit); }
    @Override public Optional<RunRecord> findRun(RunId run) { return d.findRun(run); }
    @Override public Page<FilesetReport> runFilesets(RunId run, Optional<String> cursor, int limit) {
        return d.runFilesets(run, cursor, limit);
    }

    @Override public List<SyncMapping> mappings(FilesetId filesetId) { return read(() -> d.mappings(filesetId)); }
    @Override public Optional<SyncMapping> findMapping(VsrxFileId fileId) { return read(() -> d.findMapping(fileId)); }
    @Override public Optional<SilknoteDocument> findDocument(DocumentUuid uuid) { return read(() -> d.findDocument(uuid)); }
    @Override public Optional<SilknoteDocument> findDocumentByClientFileId(VsrxFileId id) {
        return read(() -> d.findDocumentByClientFileId(id));
    }
    @Override public List<SilknoteDocument> documents(FilesetId filesetId) { return read(() -> d.documents(filesetId)); }
    @Override public Optional<PatientFilesetRecord> findFileset(FilesetId id) { return read(() -> d.findFileset(id)); }
    @Override public Optional<BlobRef> findBlobRef(ContentHash hash) { return read(() -> d.findBlobRef(hash)); }
    @Override public Map<VsrxFileId, PermanentSkip> permanentSkips(FilesetId id) { return read(() -> d.permanentSkips(id)); }
    @Override public SyncState loadState() { return read(d::loadState); }
    @Override public List<OutboxEntry> pendingOutbox(long afterId, int limit) {
        return read(() -> d.pendingOutbox(afterId, limit));
    }
    @Override public Map<VsrxFileId, SyncMapping> findMappings(Collection<VsrxFileId> ids) { return read(() -> d.findMappings(ids)); }
    @Override public Map<VsrxFileId, SilknoteDocument> findDocumentsByClientFileIds(Collection<VsrxFileId> ids) {
        return read(() -> d.findDocumentsByClientFileIds(ids));
    }
    /**
     * Not counted: the full run's check for vanished filesets pages these on the run's own thread while its
     * fileset thread works, so counting them would make the pause point depend on thread timing.
     */
    @Override public Page<FilesetId> filesets(Optional<String> cursor, int limit) { return d.filesets(cursor, limit); }
    @Override public List<BlobRef> unreferencedBlobs(int limit) { return read(() -> d.unreferencedBlobs(limit)); }
    @Override public List<SyncReport> recentRuns(int limit) { return read(() -> d.recentRuns(limit)); }
    @Override public List<com.silknote.sync.core.model.AuthoredDocument> authoredDocuments(FilesetId f,
            com.silknote.sync.core.model.PatientUuid p) {
        return read(() -> d.authoredDocuments(f, p));
    }
    @Override public Map<DocumentUuid, com.silknote.sync.core.model.AuthoredDocument> findAuthoredDocuments(
            Collection<DocumentUuid> uuids) {
        return read(() -> d.findAuthoredDocuments(uuids));
    }
    @Override public List<PatientFilesetRecord> filesetsOfPatient(com.silknote.sync.core.model.PatientUuid p) {
        return read(() -> d.filesetsOfPatient(p));
    }
    @Override public com.silknote.sync.core.model.SilknoteChangePage silknoteChanges(long position,
            Optional<String> cursor, int limit) {
        return read(() -> d.silknoteChanges(position, cursor, limit));
    }
    @Override public long loadChangePosition() { return read(d::loadChangePosition); }
    @Override public List<com.silknote.sync.core.model.ConflictRecord> conflicts(FilesetId f) {
        return read(() -> d.conflicts(f));
    }
    @Override public Optional<com.silknote.sync.core.model.ConflictRecord> findConflict(
            com.silknote.sync.core.model.ConflictId id) {
        return read(() -> d.findConflict(id));
    }
    @Override public Page<com.silknote.sync.core.model.ConflictRecord> conflicts(
            java.util.Set<com.silknote.sync.core.model.ConflictStatus> statuses, Optional<String> cursor, int limit) {
        return read(() -> d.conflicts(statuses, cursor, limit));
    }
    // the operations beside the sync (cleanup, check, repair, migration): not the sync's, not counted
    @Override public Map<DocumentUuid, SilknoteDocument> findDocuments(Collection<DocumentUuid> uuids) {
        return d.findDocuments(uuids);
    }
    @Override public Set<DocumentUuid> existingDocuments(Collection<DocumentUuid> uuids) {
        return d.existingDocuments(uuids);
    }
    @Override public Map<ContentHash, BlobRef> findBlobRefs(Collection<ContentHash> hashes) {
        return d.findBlobRefs(hashes);
    }
    @Override public List<SilknoteDocument> findDocumentsByContentHash(ContentHash hash, int limit) {
        return d.findDocumentsByContentHash(hash, limit);
    }
    @Override public Page<SilknoteDocument> documentsWithoutFileset(Optional<String> cursor, int limit) {
        return d.documentsWithoutFileset(cursor, limit);
    }
    @Override public Page<SyncMapping> mappingsWithoutDocument(Optional<String> cursor, int limit) {
        return d.mappingsWithoutDocument(cursor, limit);
    }
    @Override public Page<SilknoteDocument> documentsWithoutMapping(Optional<String> cursor, int limit) {
        return d.documentsWithoutMapping(cursor, limit);
    }
    @Override public Page<ReferenceTally> referenceTallies(Optional<String> cursor, int limit) {
        return d.referenceTallies(cursor, limit);
    }
    @Override public Page<FilesetId> filesetsWithSkips(Optional<String> cursor, int limit) {
        return d.filesetsWithSkips(cursor, limit);
    }
    @Override public Page<PatientFilesetRecord> filesetRecords(Optional<String> cursor, int limit) {
        return d.filesetRecords(cursor, limit);
    }
    @Override public List<AuditRecord> auditTrail(AuditQuery query, long afterId, int limit) {
        return d.auditTrail(query, afterId, limit);
    }
    @Override public List<OutboxEntry> parkedOutbox(long afterId, int limit) {
        return d.parkedOutbox(afterId, limit);
    }

    /** The runner's blob store, counted by the same gate. */
    static BlobStore gated(BlobStore b, Gate gate) {
        return new BlobStore() {
            @Override public boolean usesContentMd5() { return b.usesContentMd5(); }
            @Override public BlobPutResult putIfAbsent(BlobUpload upload) { return gate.call(false, () -> b.putIfAbsent(upload)); }
            @Override public BlobPutResult putNewIfAbsent(BlobUpload upload) { return gate.call(false, () -> b.putNewIfAbsent(upload)); }
            @Override public BlobInfo overwrite(BlobUpload upload) { return gate.call(false, () -> b.overwrite(upload)); }
            @Override public Optional<BlobInfo> stat(ContentHash hash) { return gate.call(false, () -> b.stat(hash)); }
            @Override public InputStream open(ContentHash hash) { return gate.call(false, () -> b.open(hash)); }
            @Override public boolean deleteIfMatch(ContentHash hash, String etag) { return gate.call(false, () -> b.deleteIfMatch(hash, etag)); }
            @Override public Page<BlobInfo> list(Optional<String> cursor, int limit) { return gate.call(false, () -> b.list(cursor, limit)); }
        };
    }

    /** The runner's vector store, counted by the same gate. */
    static VectorStore gated(VectorStore v, Gate gate) {
        return new VectorStore() {
            @Override public void fence(FencingToken token) { gate.run(() -> v.fence(token)); }
            @Override public void replace(FencingToken token, DocumentUuid document, List<VectorEntry> entries) {
                gate.run(() -> v.replace(token, document, entries));
            }
            @Override public void replace(FencingToken token, DocumentUuid document, Iterator<VectorEntry> entries) {
                gate.run(() -> v.replace(token, document, entries));
            }
            @Override public int deleteByDocument(FencingToken token, DocumentUuid document) {
                return gate.call(false, () -> v.deleteByDocument(token, document));
            }
            @Override public List<VectorEntry> entries(DocumentUuid document) { return gate.call(false, () -> v.entries(document)); }
            @Override public Page<DocumentUuid> documents(Optional<String> cursor, int limit) { return gate.call(false, () -> v.documents(cursor, limit)); }
        };
    }
}
