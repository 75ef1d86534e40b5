package com.silknote.sync.testkit.reliability;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.AuditEntry;
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
import com.silknote.sync.core.port.FilesetClaims;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.testkit.ForwardingDocumentStore;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Records every write a run sends to Silknote's ports, through decorators handed to the engine: the
 * evidence for "one more run writes nothing" and "a refused run touches nothing" (DESIGN rule 10).
 *
 * <p>Each write is one line, {@code <port>.<method>}; a unit of work is one line listing the kinds of writes
 * it made, e.g. {@code documents.unitOfWork[releaseBlobRef,upsertDocument]}. A write that threw ends in
 * {@code !<exception>}. {@link #dataWrites()} leaves out the bookkeeping every run does: raising the fences
 * (ledger and vectors), recording the run and its fileset reports in the history, units of work that only
 * save the resume state, and those that only audit a standing conflict (the audit log records a conflict every
 * run it is reported, issue 11) with the fileset's sync time and the resume state. Thread-safe.
 */
public final class WriteLog {
    private static final Set<String> BOOKKEEPING = Set.of("documents.fence", "vectors.fence",
            "documents.recordRun", "documents.recordRunStarted", "documents.recordFilesetReport",
            "documents.pruneRuns", "documents.unitOfWork[saveState]", "documents.unitOfWork[]",
            "documents.unitOfWork[audit, saveState, upsertFileset]", "documents.unitOfWork[audit, upsertFileset]");

    private final List<String> writes = new ArrayList<>();

    /** Every write recorded so far, in order. */
    public synchronized List<String> writes() {
        return List.copyOf(writes);
    }

    /** The writes that change documents, mappings, references, skips, outbox, blobs, vectors or processing. */
    public synchronized List<String> dataWrites() {
        return writes.stream().filter(w -> !BOOKKEEPING.contains(w)).toList();
    }

    /** Forgets what was recorded. */
    public synchronized void clear() {
        writes.clear();
    }

    private synchronized void add(String write) {
        writes.add(write);
    }

    private <T> T record(String write, Supplier<T> call) {
        try {
            T result = call.get();
            add(write);
            return result;
        } catch (RuntimeException | Error e) {
            add(write + "!" + e.getClass().getSimpleName());
            throw e;
        }
    }

    private void record(String write, Runnable call) {
        record(write, () -> {
            call.run();
            return null;
        });
    }

    /** {@code store}, recording its writes here. */
    public DocumentStore documents(DocumentStore store) {
        return new ForwardingDocumentStore(store) {
            @Override
            public void fence(FencingToken token) {
                record("documents.fence", () -> super.fence(token));
            }

            @Override
            public <T> T inUnitOfWork(FencingToken token, Function<UnitOfWork, T> work) {
                Set<String> kinds = new TreeSet<>();
                try {
                    T result = super.inUnitOfWork(token, uow -> work.apply(new RecordingUnit(uow, kinds)));
                    add("documents.unitOfWork" + kinds);
                    return result;
                } catch (RuntimeException | Error e) {
                    add("documents.unitOfWork" + kinds + "!" + e.getClass().getSimpleName());
                    throw e;
                }
            }

            @Override
            public void recordRunStarted(FencingToken token, RunId run, Instant startedAt) {
                record("documents.recordRunStarted", () -> super.recordRunStarted(token, run, startedAt));
            }

            @Override
            public void recordFilesetReport(FencingToken token, RunId run, FilesetReport report,
                    Optional<FilesetClaims.Claim> claim) {
                record("documents.recordFilesetReport", () -> super.recordFilesetReport(token, run, report, claim));
            }

            @Override
            public int pruneRuns(FencingToken token, Instant startedBefore, int keepNewest) {
                return record("documents.pruneRuns", () -> super.pruneRuns(token, startedBefore, keepNewest));
            }

            @Override
            public void completeOutbox(FencingToken token, long entryId) {
                record("documents.completeOutbox", () -> super.completeOutbox(token, entryId));
            }

            @Override
            public void failOutbox(FencingToken token, long entryId, String reasonCode, boolean park) {
                record("documents.failOutbox", () -> super.failOutbox(token, entryId, reasonCode, park));
            }

            @Override
            public boolean markBlobDeleting(FencingToken token, ContentHash hash, String blobEtag, Instant notAfter) {
                return record("documents.markBlobDeleting",
                        () -> super.markBlobDeleting(token, hash, blobEtag, notAfter));
            }

            @Override
            public boolean removeBlobRefIfDeleting(FencingToken token, ContentHash hash, String blobEtag) {
                return record("documents.removeBlobRefIfDeleting",
                        () -> super.removeBlobRefIfDeleting(token, hash, blobEtag));
            }

            @Override
            public void reviveBlobRef(FencingToken token, ContentHash hash, String blobEtag) {
                record("documents.reviveBlobRef", () -> super.reviveBlobRef(token, hash, blobEtag));
            }

            @Override
            public void recordRun(FencingToken token, SyncReport report) {
                record("documents.recordRun", () -> super.recordRun(token, report));
            }
        };
    }

    /** {@code blobs}, recording its writes here. */
    public BlobStore blobs(BlobStore blobs) {
        requireNonNull(blobs, "blobs");
        return new BlobStore() {
            @Override
            public boolean usesContentMd5() {
                return blobs.usesContentMd5();
            }

            @Override
            public BlobPutResult putIfAbsent(BlobUpload upload) {
                return record("blobs.putIfAbsent", () -> blobs.putIfAbsent(upload));
            }

            @Override
            public BlobPutResult putNewIfAbsent(BlobUpload upload) {
                return record("blobs.putNewIfAbsent", () -> blobs.putNewIfAbsent(upload));
            }

            @Override
            public BlobInfo overwrite(BlobUpload upload) {
                return record("blobs.overwrite", () -> blobs.overwrite(upload));
            }

            @Override
            public Optional<BlobInfo> stat(ContentHash hash) {
                return blobs.stat(hash);
            }

            @Override
            public InputStream open(ContentHash hash) {
                return blobs.open(hash);
            }

            @Override
            public boolean deleteIfMatch(ContentHash hash, String etag) {
                return record("blobs.deleteIfMatch", () -> blobs.deleteIfMatch(hash, etag));
            }

            @Override
            public Page<BlobInfo> list(Optional<String> cursor, int limit) {
                return blobs.list(cursor, limit);
            }
        };
    }

    /** {@code vectors}, recording its writes here. */
    public VectorStore vectors(VectorStore vectors) {
        requireNonNull(vectors, "vectors");
        return new VectorStore() {
            @Override
            public void fence(FencingToken token) {
                record("vectors.fence", () -> vectors.fence(token));
            }

            @Override
            public void replace(FencingToken token, DocumentUuid document, List<VectorEntry> entries) {
                record("vectors.replace", () -> vectors.replace(token, document, entries));
            }

            @Override
            public void replace(FencingToken token, DocumentUuid document, Iterator<VectorEntry> entries) {
                record("vectors.replace", () -> vectors.replace(token, document, entries));
            }

            @Override
            public int deleteByDocument(FencingToken token, DocumentUuid document) {
                return record("vectors.deleteByDocument", () -> vectors.deleteByDocument(token, document));
            }

            @Override
            public List<VectorEntry> entries(DocumentUuid document) {
                return vectors.entries(document);
            }

            @Override
            public Page<DocumentUuid> documents(Optional<String> cursor, int limit) {
                return vectors.documents(cursor, limit);
            }
        };
    }

    /** {@code processor}, recording each call here (processing writes vector entries). */
    public DocumentProcessor processor(DocumentProcessor processor) {
        requireNonNull(processor, "processor");
        return (document, token) -> record("processor.process", () -> processor.process(document, token));
    }

    /** Records the kinds of writes of one unit of work. */
    private static final class RecordingUnit implements DocumentStore.UnitOfWork {
        private final DocumentStore.UnitOfWork uow;
        private final Set<String> kinds;

        RecordingUnit(DocumentStore.UnitOfWork uow, Set<String> kinds) {
            this.uow = uow;
            this.kinds = kinds;
        }

        @Override
        public void expectFileset(FilesetId filesetId, Optional<PatientFilesetRecord> asRead) {
            uow.expectFileset(filesetId, asRead);
        }

        @Override
        public void expectFile(VsrxFileId fileId, Optional<SyncMapping> mappingAsRead,
                Optional<SilknoteDocument> documentAsRead) {
            uow.expectFile(fileId, mappingAsRead, documentAsRead);
        }

        @Override
        public void expectClaim(FilesetClaims.Claim claim) {
            uow.expectClaim(claim);
        }

        @Override
        public void upsertFileset(PatientFilesetRecord fileset) {
            kinds.add("upsertFileset");
            uow.upsertFileset(fileset);
        }

        @Override
        public void upsertDocument(SilknoteDocument document) {
            kinds.add("upsertDocument");
            uow.upsertDocument(document);
        }

        @Override
        public void upsertMapping(SyncMapping mapping) {
            kinds.add("upsertMapping");
            uow.upsertMapping(mapping);
        }

        @Override
        public void deleteDocument(DocumentUuid uuid) {
            kinds.add("deleteDocument");
            uow.deleteDocument(uuid);
        }

        @Override
        public BlobRef addBlobRef(ContentHash hash, long size, String confirmedEtag) {
            kinds.add("addBlobRef");
            return uow.addBlobRef(hash, size, confirmedEtag);
        }

        @Override
        public Optional<BlobRef> releaseBlobRef(ContentHash hash) {
            kinds.add("releaseBlobRef");
            return uow.releaseBlobRef(hash);
        }

        @Override
        public void rememberSkip(PermanentSkip skip) {
            kinds.add("rememberSkip");
            uow.rememberSkip(skip);
        }

        @Override
        public void forgetSkip(VsrxFileId fileId) {
            kinds.add("forgetSkip");
            uow.forgetSkip(fileId);
        }

        @Override
        public void enqueue(OutboxEntry entry) {
            kinds.add("enqueue");
            uow.enqueue(entry);
        }

        @Override
        public void expectAuthored(com.silknote.sync.core.model.DocumentUuid uuid,
                Optional<com.silknote.sync.core.model.AuthoredDocument> asRead) {
            uow.expectAuthored(uuid, asRead);
        }

        @Override
        public void expectConflict(com.silknote.sync.core.model.ConflictId id,
                Optional<com.silknote.sync.core.model.ConflictRecord> asRead) {
            uow.expectConflict(id, asRead);
        }

        @Override
        public void addAuthoredDocument(com.silknote.sync.core.model.AuthoredDocument document) {
            kinds.add("addAuthoredDocument");
            uow.addAuthoredDocument(document);
        }

        @Override
        public void upsertConflict(com.silknote.sync.core.model.ConflictRecord record) {
            kinds.add("upsertConflict");
            uow.upsertConflict(record);
        }

        @Override
        public void saveChangePosition(long position) {
            kinds.add("saveChangePosition");
            uow.saveChangePosition(position);
        }

        @Override
        public void saveState(SyncState state) {
            kinds.add("saveState");
            uow.saveState(state);
        }

        // the operations beside the sync (cleanup, repair, migration) and the audit rows

        @Override
        public void audit(AuditEntry entry) {
            kinds.add("audit");
            uow.audit(entry);
        }

        @Override
        public void deleteMapping(VsrxFileId fileId) {
            kinds.add("deleteMapping");
            uow.deleteMapping(fileId);
        }

        @Override
        public void removeOutbox(long entryId) {
            kinds.add("removeOutbox");
            uow.removeOutbox(entryId);
        }

        @Override
        public void requeueOutbox(long entryId) {
            kinds.add("requeueOutbox");
            uow.requeueOutbox(entryId);
        }

        @Override
        public void markBlobDeleting(ContentHash hash, String blobEtag, Instant notAfter) {
            kinds.add("markBlobDeleting");
            uow.markBlobDeleting(hash, blobEtag, notAfter);
        }

        @Override
        public void adoptUnreferencedBlob(ContentHash hash, long size, String blobEtag) {
            kinds.add("adoptUnreferencedBlob");
            uow.adoptUnreferencedBlob(hash, size, blobEtag);
        }

        @Override
        public void removeBlobRefIfDeleting(ContentHash hash, String blobEtag, AuditEntry ifRemoved) {
            kinds.add("removeBlobRefIfDeleting");
            uow.removeBlobRefIfDeleting(hash, blobEtag, ifRemoved);
        }

        @Override
        public void recountBlobRef(ContentHash hash, AuditEntry ifChanged) {
            kinds.add("recountBlobRef");
            uow.recountBlobRef(hash, ifChanged);
        }
    }
}
