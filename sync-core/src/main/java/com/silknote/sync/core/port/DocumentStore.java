package com.silknote.sync.core.port;

import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.OutboxEntry;
import com.silknote.sync.core.model.PatientFilesetRecord;
import com.silknote.sync.core.model.PermanentSkip;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncState;
import com.silknote.sync.core.model.VsrxFileId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Silknote's ledger: documents, patient filesets, sync mappings, blob reference counts, remembered skips,
 * the post-commit outbox, resume state and run history.
 *
 * <p><b>Fencing.</b> Every write takes the writer's {@link FencingToken}. The store keeps the highest token
 * it has accepted (its high-water mark) and refuses, with
 * {@link com.silknote.sync.core.exception.StaleFencingTokenException}, any write whose token is lower. So a
 * paused holder whose lease was taken over cannot write, whatever lock implementation is used.
 *
 * <p><b>Atomicity.</b> {@link #inUnitOfWork} runs its callback in one transaction: all of it commits or
 * none of it does (the callback throwing rolls back and the exception propagates).
 *
 * <p>Backend failures become {@link com.silknote.sync.core.exception.TransientSyncException} (connection
 * lost, serialization failure, deadlock) or {@link com.silknote.sync.core.exception.PermanentSyncException}.
 */
public interface DocumentStore {

    /** All mappings of a fileset. */
    List<SyncMapping> mappings(FilesetId filesetId);

    /** The mapping of one VSRX file. */
    Optional<SyncMapping> findMapping(VsrxFileId fileId);

    /** A document by uuid. */
    Optional<SilknoteDocument> findDocument(DocumentUuid uuid);

    /** A document by its {@code clientFileId} (the VSRX file id). */
    Optional<SilknoteDocument> findDocumentByClientFileId(VsrxFileId clientFileId);

    /** All documents that came from a fileset. */
    List<SilknoteDocument> documents(FilesetId filesetId);

    /** Silknote's record of a fileset. */
    Optional<PatientFilesetRecord> findFileset(FilesetId filesetId);

    /** The reference row of a blob. */
    Optional<BlobRef> findBlobRef(ContentHash hash);

    /** Remembered permanent skips of a fileset's files, by file id. */
    Map<VsrxFileId, PermanentSkip> permanentSkips(FilesetId filesetId);

    /** The resume state; {@link SyncState#initial()} before the first run. */
    SyncState loadState();

    /**
     * Runs {@code work} in one transaction checked against {@code token}.
     *
     * @throws com.silknote.sync.core.exception.StaleFencingTokenException when a newer token wrote before
     * @throws com.silknote.sync.core.exception.BlobBeingCollectedException from {@link UnitOfWork#addBlobRef}
     * @throws com.silknote.sync.core.exception.SyncException on backend failure; nothing was written
     */
    <T> T inUnitOfWork(FencingToken token, Function<UnitOfWork, T> work);

    /** Outbox entries not yet done, oldest first, at most {@code limit}; parked entries excluded. */
    List<OutboxEntry> pendingOutbox(int limit);

    /**
     * Marks an outbox entry done (removes it).
     *
     * @throws com.silknote.sync.core.exception.StaleFencingTokenException on a stale token
     */
    void completeOutbox(FencingToken token, long entryId);

    /**
     * Records a failed attempt of an outbox entry; with {@code park} it is no longer returned as pending.
     *
     * @throws com.silknote.sync.core.exception.StaleFencingTokenException on a stale token
     */
    void failOutbox(FencingToken token, long entryId, String reasonCode, boolean park);

    /**
     * Step 1 of the blob collector: if the row exists, is {@code LIVE}, has {@code refCount == 0} and was
     * last updated before {@code notAfter}, marks it {@code DELETING} with {@code blobEtag} and returns
     * {@code true}; otherwise changes nothing and returns {@code false}.
     */
    boolean markBlobDeleting(FencingToken token, ContentHash hash, String blobEtag, Instant notAfter);

    /**
     * Step 3 of the blob collector: removes the row if it is still {@code DELETING} with {@code blobEtag}.
     *
     * @return {@code true} when removed
     */
    boolean removeBlobRefIfDeleting(FencingToken token, ContentHash hash, String blobEtag);

    /**
     * Reverts a {@code DELETING} row with {@code blobEtag} to {@code LIVE} (the conditional delete lost to a
     * re-upload). No-op otherwise.
     */
    void reviveBlobRef(FencingToken token, ContentHash hash, String blobEtag);

    /** Blob reference rows with {@code refCount == 0} or state {@code DELETING}, at most {@code limit}. */
    List<BlobRef> unreferencedBlobs(int limit);

    /** Appends a finished run's report to the history (not part of any fileset transaction). */
    void recordRun(FencingToken token, SyncReport report);

    /** The latest runs, newest first. */
    List<SyncReport> recentRuns(int limit);

    /** All writes of one fileset; used only inside {@link #inUnitOfWork}. Not thread-safe. */
    interface UnitOfWork {
        /** Inserts or replaces Silknote's record of the fileset. */
        void upsertFileset(PatientFilesetRecord fileset);

        /** Inserts or replaces a document (keyed by uuid; {@code clientFileId} is unique). */
        void upsertDocument(SilknoteDocument document);

        /** Inserts or replaces a mapping (keyed by VSRX file id). */
        void upsertMapping(SyncMapping mapping);

        /** Deletes a document and its mapping; no-op when absent. */
        void deleteDocument(DocumentUuid uuid);

        /**
         * Adds one reference to a blob that is confirmed stored with {@code confirmedEtag}. Creates the row
         * ({@code LIVE}, count 1) when absent; revives a {@code DELETING} row whose recorded ETag differs.
         *
         * @throws com.silknote.sync.core.exception.BlobBeingCollectedException when the row is
         *         {@code DELETING} with exactly {@code confirmedEtag}
         */
        BlobRef addBlobRef(ContentHash hash, long size, String confirmedEtag);

        /**
         * Removes one reference.
         *
         * @throws IllegalStateException when the row is absent or its count is already 0
         */
        BlobRef releaseBlobRef(ContentHash hash);

        /** Remembers a permanent skip (replacing an older one of the same file). */
        void rememberSkip(PermanentSkip skip);

        /** Forgets a file's remembered skip; no-op when none. */
        void forgetSkip(VsrxFileId fileId);

        /** Enqueues post-commit work; the store assigns the entry's id. */
        void enqueue(OutboxEntry entry);

        /** Replaces the resume state. */
        void saveState(SyncState state);
    }
}
