package com.silknote.sync.testkit.history;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.OutboxEntry;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PatientFilesetRecord;
import com.silknote.sync.core.model.PermanentSkip;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncState;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.DocumentStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One runner's view of the shared ledger: records every write it makes in a shared {@link WriteLog} (which
 * runner, which write, whether the store accepted it, in the order they ended) and, while its {@link Gate} is
 * closed, holds every unit of work <em>before</em> it reaches the store: a runner paused between its lease
 * check and its commit.
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

    /** Holds units of work while closed; tells the test when one is waiting or the runner finished. */
    static final class Gate {
        private boolean closed = true;
        private int waiting;
        private boolean runnerDone;

        void pass() {
            synchronized (this) {
                waiting++;
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
                }
            }
        }

        synchronized void open() {
            closed = false;
            notifyAll();
        }

        synchronized void runnerDone() {
            runnerDone = true;
            notifyAll();
        }

        /** Waits until a unit of work waits at the gate (true) or the runner finished first (false). */
        synchronized boolean awaitPausedOrDone() {
            try {
                while (waiting == 0 && !runnerDone) {
                    wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the runner", e);
            }
            return waiting > 0;
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

    private <T> T write(String what, Supplier<T> call) {
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
        gate.ifPresent(Gate::pass);
        return write("commit", () -> d.inUnitOfWork(token, work));
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

    @Override public List<SyncMapping> mappings(FilesetId filesetId) { return d.mappings(filesetId); }
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
    @Override public List<OutboxEntry> pendingOutbox(long afterId, int limit) { return d.pendingOutbox(afterId, limit); }
    @Override public Map<VsrxFileId, SyncMapping> findMappings(Collection<VsrxFileId> ids) { return d.findMappings(ids); }
    @Override public Map<VsrxFileId, SilknoteDocument> findDocumentsByClientFileIds(Collection<VsrxFileId> ids) {
        return d.findDocumentsByClientFileIds(ids);
    }
    @Override public Page<FilesetId> filesets(Optional<String> cursor, int limit) { return d.filesets(cursor, limit); }
    @Override public List<BlobRef> unreferencedBlobs(int limit) { return d.unreferencedBlobs(limit); }
    @Override public List<SyncReport> recentRuns(int limit) { return d.recentRuns(limit); }
}
