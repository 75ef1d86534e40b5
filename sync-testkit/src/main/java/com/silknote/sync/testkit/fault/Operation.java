package com.silknote.sync.testkit.fault;

/**
 * The port calls a {@link FaultPlan} can fail. Each names the key a rule may match on, and whether it is
 * an <em>effect</em> (a write, counted for crash points).
 */
public enum Operation {
    /** {@code VsrxSource.listFilesets}; key: none (empty string). */
    LIST_FILESETS(false),
    /** {@code VsrxSource.findFileset}; key: fileset id. */
    FIND_FILESET(false),
    /** {@code VsrxSource.listFiles}; key: fileset id. */
    LIST_FILES(false),
    /** {@code VsrxSource.openContent}; key: file id. Stream faults and wrong checksums apply. */
    OPEN_CONTENT(false),

    /** {@code BlobStore.putIfAbsent}; key: hash hex. Effect. */
    BLOB_PUT_IF_ABSENT(true),
    /** {@code BlobStore.overwrite}; key: hash hex. Effect. */
    BLOB_OVERWRITE(true),
    /** {@code BlobStore.stat}; key: hash hex. */
    BLOB_STAT(false),
    /** {@code BlobStore.open}; key: hash hex. Stream faults apply. */
    BLOB_OPEN(false),
    /** {@code BlobStore.deleteIfMatch}; key: hash hex. Effect. */
    BLOB_DELETE_IF_MATCH(true),
    /** {@code BlobStore.list}; key: none. */
    BLOB_LIST(false),

    /** Any read of {@code DocumentStore} (lookups, state, outbox, runs, unreferenced blobs); key: method name. */
    DOCUMENTS_READ(false),
    /** {@code DocumentStore.fence}; key: the token. Effect (it raises the high-water mark). */
    DOCUMENTS_FENCE(true),
    /** {@code DocumentStore.inUnitOfWork}; key: none. Effect (the commit). */
    DOCUMENTS_UNIT_OF_WORK(true),
    /** {@code DocumentStore.completeOutbox}; key: entry id, or the ids joined by {@code ,} for a batch. Effect. */
    DOCUMENTS_COMPLETE_OUTBOX(true),
    /** {@code DocumentStore.failOutbox}; key: entry id. Effect. */
    DOCUMENTS_FAIL_OUTBOX(true),
    /** {@code DocumentStore.markBlobDeleting}; key: hash hex. Effect. */
    DOCUMENTS_MARK_BLOB_DELETING(true),
    /** {@code DocumentStore.removeBlobRefIfDeleting}; key: hash hex. Effect. */
    DOCUMENTS_REMOVE_BLOB_REF(true),
    /** {@code DocumentStore.reviveBlobRef}; key: hash hex. Effect. */
    DOCUMENTS_REVIVE_BLOB_REF(true),
    /** {@code DocumentStore.recordRun}; key: run id. Effect. */
    DOCUMENTS_RECORD_RUN(true),
    /** {@code DocumentStore.recordRunStarted}; key: run id. Effect. */
    DOCUMENTS_RECORD_RUN_STARTED(true),
    /** {@code DocumentStore.recordFilesetReport}; key: fileset id. Effect. */
    DOCUMENTS_RECORD_FILESET_REPORT(true),
    /** {@code DocumentStore.pruneRuns}; key: none. Effect. */
    DOCUMENTS_PRUNE_RUNS(true),

    /** {@code VectorStore.replace}; key: document uuid. Effect. */
    VECTOR_REPLACE(true),
    /** {@code VectorStore.deleteByDocument}; key: document uuid. Effect. */
    VECTOR_DELETE(true),
    /** {@code VectorStore.entries} (key: document uuid) and {@code documents} (key: none). */
    VECTOR_READ(false),

    /** {@code DocumentProcessor.process}; key: document uuid. Effect. */
    PROCESS(true),

    /** {@code SyncLock.tryAcquire} through {@link FaultySyncLock}; key: lock name. */
    LOCK_ACQUIRE(false),
    /** {@code Lease.renew} through {@link FaultySyncLock}; key: lock name. */
    LOCK_RENEW(false),
    /** {@code SyncLock.inspect} through {@link FaultySyncLock}; key: lock name. */
    LOCK_INSPECT(false);

    private final boolean effect;

    Operation(boolean effect) {
        this.effect = effect;
    }

    /** {@code true} when the call writes, so it counts towards crash points. */
    public boolean isEffect() {
        return effect;
    }
}
