package com.silknote.sync.testkit.engine;

import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobPutResult;
import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.BlobUpload;
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
import com.silknote.sync.core.model.VectorEntry;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentProcessor;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.VectorStore;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Counts the side effects (writes) the engine makes on Silknote's ports, and crashes with {@link Crash}
 * just before or just after effect number {@code crashAt}. Wraps the ports handed to the engine.
 */
final class Effects {
    private final AtomicLong count = new AtomicLong();
    private volatile long crashAt = Long.MAX_VALUE;
    private volatile boolean afterEffect;

    /** Crash on effect {@code n} (1-based): before it takes effect, or after it took effect. */
    void crashAt(long n, boolean after) {
        count.set(0);
        crashAt = n;
        afterEffect = after;
    }

    void disarm() {
        crashAt = Long.MAX_VALUE;
    }

    long count() {
        return count.get();
    }

    void reset() {
        count.set(0);
    }

    <T> T effect(String name, Supplier<T> write) {
        long n = count.incrementAndGet();
        if (n == crashAt && !afterEffect) {
            throw new Crash("before " + name + " #" + n);
        }
        T result = write.get();
        if (n == crashAt) {
            throw new Crash("after " + name + " #" + n);
        }
        return result;
    }

    void effect(String name, Runnable write) {
        effect(name, () -> {
            write.run();
            return null;
        });
    }

    DocumentStore documents(DocumentStore d) {
        return new DocumentStore() {
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
            @Override public <T> T inUnitOfWork(FencingToken token, Function<UnitOfWork, T> work) {
                return effect("inUnitOfWork", () -> d.inUnitOfWork(token, work));
            }
            @Override public List<OutboxEntry> pendingOutbox(int limit) { return d.pendingOutbox(limit); }
            @Override public void completeOutbox(FencingToken token, long entryId) {
                effect("completeOutbox", () -> d.completeOutbox(token, entryId));
            }
            @Override public void failOutbox(FencingToken token, long entryId, String reasonCode, boolean park) {
                effect("failOutbox", () -> d.failOutbox(token, entryId, reasonCode, park));
            }
            @Override public boolean markBlobDeleting(FencingToken t, ContentHash h, String etag, Instant notAfter) {
                return effect("markBlobDeleting", () -> d.markBlobDeleting(t, h, etag, notAfter));
            }
            @Override public boolean removeBlobRefIfDeleting(FencingToken t, ContentHash h, String etag) {
                return effect("removeBlobRefIfDeleting", () -> d.removeBlobRefIfDeleting(t, h, etag));
            }
            @Override public void reviveBlobRef(FencingToken t, ContentHash h, String etag) {
                effect("reviveBlobRef", () -> d.reviveBlobRef(t, h, etag));
            }
            @Override public List<BlobRef> unreferencedBlobs(int limit) { return d.unreferencedBlobs(limit); }
            @Override public void recordRun(FencingToken token, SyncReport report) {
                effect("recordRun", () -> d.recordRun(token, report));
            }
            @Override public List<SyncReport> recentRuns(int limit) { return d.recentRuns(limit); }
        };
    }

    BlobStore blobs(BlobStore b) {
        return new BlobStore() {
            @Override public BlobPutResult putIfAbsent(BlobUpload upload) {
                return effect("putIfAbsent", () -> b.putIfAbsent(upload));
            }
            @Override public BlobInfo overwrite(BlobUpload upload) { return effect("overwrite", () -> b.overwrite(upload)); }
            @Override public Optional<BlobInfo> stat(ContentHash hash) { return b.stat(hash); }
            @Override public InputStream open(ContentHash hash) { return b.open(hash); }
            @Override public boolean deleteIfMatch(ContentHash hash, String etag) {
                return effect("deleteIfMatch", () -> b.deleteIfMatch(hash, etag));
            }
            @Override public Page<BlobInfo> list(Optional<String> cursor, int limit) { return b.list(cursor, limit); }
        };
    }

    VectorStore vectors(VectorStore v) {
        return new VectorStore() {
            @Override public void replace(DocumentUuid document, List<VectorEntry> entries) {
                effect("vectors.replace", () -> v.replace(document, entries));
            }
            @Override public int deleteByDocument(DocumentUuid document) {
                return effect("vectors.deleteByDocument", () -> v.deleteByDocument(document));
            }
            @Override public List<VectorEntry> entries(DocumentUuid document) { return v.entries(document); }
            @Override public Page<DocumentUuid> documents(Optional<String> cursor, int limit) {
                return v.documents(cursor, limit);
            }
        };
    }

    DocumentProcessor processor(DocumentProcessor p) {
        return document -> effect("process", () -> p.process(document));
    }
}
