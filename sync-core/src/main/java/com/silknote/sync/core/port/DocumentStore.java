package com.silknote.sync.core.port;

import com.silknote.sync.core.model.AuthoredDocument;
import com.silknote.sync.core.model.AuditEntry;
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
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Silknote's ledger: documents, patient filesets, sync mappings, blob reference counts, remembered skips,
 * the post-commit outbox, resume state and run history.
 *
 * <p><b>Fencing.</b> Every write takes the writer's {@link FencingToken}. The store keeps the highest token
 * it has accepted (its high-water mark) and refuses, with
 * {@link com.silknote.sync.core.exception.StaleFencingTokenException}, any write whose token is lower. A run
 * raises the mark with {@link #fence} right after taking its lease and before reading anything, so from
 * then on a paused holder whose lease was taken over cannot write, whatever lock implementation is used.
 *
 * <p><b>Optimistic concurrency.</b> A unit of work states what it planned from
 * ({@link UnitOfWork#expectFileset}, {@link UnitOfWork#expectFile}); the store checks it inside the
 * transaction, under row locks where it has them, before writing anything, and refuses the whole unit with
 * {@link com.silknote.sync.core.exception.ConcurrentUpdateException} when a record differs. Records are
 * compared with {@code equals} exactly as this store's reads return them.
 *
 * <p><b>Atomicity.</b> {@link #inUnitOfWork} runs its callback in one transaction: all of it commits or
 * none of it does (the callback throwing rolls back and the exception propagates).
 *
 * <p><b>The Silknote side</b> (bi-directional sync, docs/bidirectional.md §6). Besides the documents the sync
 * made, the store reads documents Silknote users created ({@link AuthoredDocument}: no {@code clientFileId},
 * not made by the sync) and keeps a <em>change sequence</em>: every insert or update of a document by anyone
 * but the sync, and every removal by anyone but the sync, gets a position ({@link #silknoteChanges}); the
 * sync's own writes (everything done through a {@link UnitOfWork}) never do. It also keeps the conflict records
 * of bi-directional sync ({@link ConflictRecord}); a record's {@link ConflictRecord#heldHashes()} are counted
 * in the blob reference rows by the unit of work that writes it, like a document's.
 * <p><b>References.</b> A blob is referenced per VSRX file id: by the content hash of the file's mapping,
 * else (no mapping) by that of the document whose {@code clientFileId} it is. A consistent ledger has, for
 * every hash, a reference row whose count equals the number of those references ({@link #referenceTallies}).
 *
 * <p><b>Audit.</b> A unit of work records its changes with {@link UnitOfWork#audit}; the rows are written in
 * the same transaction, never changed or removed afterwards, and read with {@link #auditTrail}.
 *
 * <p><b>Maintenance reads</b> ({@link #documentsWithoutFileset}, {@link #mappingsWithoutDocument},
 * {@link #documentsWithoutMapping}, {@link #referenceTallies}, ...) page through the whole ledger for the
 * orphan cleanup and the consistency check; each page is read from one consistent snapshot. They see only
 * documents the sync wrote (with sync metadata): a document table shared with the host holds Silknote's own
 * documents too, which are never orphans of the sync and hold no references of it.
 *
 * <p>Backend failures become {@link com.silknote.sync.core.exception.TransientSyncException} (connection
 * lost, serialization failure, deadlock) or {@link com.silknote.sync.core.exception.PermanentSyncException}.
 */
public interface DocumentStore {

    /**
     * Raises the store's high-water mark to {@code token} (no-op when it is there already). Called by a run
     * right after it took its lease and before it reads anything: every later write with a lower token is
     * refused. A store that can must wait for a write of an older token that is in flight, so that write
     * either lands before the mark rises or is refused.
     *
     * @throws com.silknote.sync.core.exception.StaleFencingTokenException when a higher token is there
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    void fence(FencingToken token);

    /**
     * All mappings of a fileset. A store that can should return them in file id order
     * ({@link VsrxFileId#compareTo}): the diff then merges them with the listing instead of building a table
     * (any order is correct; this one is cheaper for large filesets).
     */
    List<SyncMapping> mappings(FilesetId filesetId);

    /** The mapping of one VSRX file. */
    Optional<SyncMapping> findMapping(VsrxFileId fileId);

    /**
     * The mappings of the given files, by file id; files without a mapping are absent. One round trip.
     *
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    Map<VsrxFileId, SyncMapping> findMappings(Collection<VsrxFileId> fileIds);

    /**
     * The documents whose {@code clientFileId} is one of the given files, by client file id; files without
     * a document are absent. One round trip.
     *
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    Map<VsrxFileId, SilknoteDocument> findDocumentsByClientFileIds(Collection<VsrxFileId> clientFileIds);

    /**
     * One page of the filesets Silknote holds: those it has a record of ({@link PatientFilesetRecord}) or
     * documents from (a record may have been removed outside the sync), each once, in a stable order.
     *
     * @param cursor from the previous page, empty for the first
     * @param limit  at most this many (1..1000)
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    Page<FilesetId> filesets(Optional<String> cursor, int limit);

    /** A document by uuid. */
    Optional<SilknoteDocument> findDocument(DocumentUuid uuid);

    /** A document by its {@code clientFileId} (the VSRX file id). */
    Optional<SilknoteDocument> findDocumentByClientFileId(VsrxFileId clientFileId);

    /**
     * All documents that came from a fileset; preferably in {@code clientFileId} order, as for
     * {@link #mappings(FilesetId)}.
     */
    List<SilknoteDocument> documents(FilesetId filesetId);

    /** Silknote's record of a fileset. */
    Optional<PatientFilesetRecord> findFileset(FilesetId filesetId);

    /** The reference row of a blob. */
    Optional<BlobRef> findBlobRef(ContentHash hash);

    /** Remembered permanent skips of a fileset's files, by file id. */
    Map<VsrxFileId, PermanentSkip> permanentSkips(FilesetId filesetId);

    /**
     * The documents of the given uuids, by uuid; uuids without a document are absent. One round trip.
     *
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    Map<DocumentUuid, SilknoteDocument> findDocuments(Collection<DocumentUuid> uuids);

    /**
     * Which of the given uuids name a document row at all, also one the sync did not write (a host that shares
     * its document table holds Silknote's own documents there). The orphan cleanup and the check ask this before
     * they call vector entries or outbox rows orphans. One round trip.
     *
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    Set<DocumentUuid> existingDocuments(Collection<DocumentUuid> uuids);

    /**
     * The reference rows of the given hashes, by hash; hashes without a row are absent. One round trip.
     *
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    Map<ContentHash, BlobRef> findBlobRefs(Collection<ContentHash> hashes);

    /**
     * Up to {@code limit} documents whose content hash is {@code hash}, in uuid order.
     *
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    List<SilknoteDocument> findDocumentsByContentHash(ContentHash hash, int limit);

    /**
     * One page of the documents whose patient fileset has no record ({@link #findFileset} is empty), in uuid
     * order (orphan cleanup, DESIGN rule 14).
     *
     * @param cursor from the previous page (the last uuid), empty for the first
     * @param limit  at most this many (1..1000)
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    Page<SilknoteDocument> documentsWithoutFileset(Optional<String> cursor, int limit);

    /**
     * One page of the mappings no document has the file id of as its {@code clientFileId}, in file id order
     * (a Silknote user removed the document).
     *
     * @param cursor from the previous page (the last file id), empty for the first
     * @param limit  at most this many (1..1000)
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    Page<SyncMapping> mappingsWithoutDocument(Optional<String> cursor, int limit);

    /**
     * One page of the documents whose {@code clientFileId} has no mapping, in uuid order.
     *
     * @param cursor from the previous page (the last uuid), empty for the first
     * @param limit  at most this many (1..1000)
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    Page<SilknoteDocument> documentsWithoutMapping(Optional<String> cursor, int limit);

    /**
     * One page of reference tallies in content hash order: every hash that is referenced (see the interface)
     * or has a reference row appears exactly once over all pages. A page may hold up to three times
     * {@code limit} tallies.
     *
     * @param cursor from the previous page (the last hash), empty for the first
     * @param limit  1..1000
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    Page<ReferenceTally> referenceTallies(Optional<String> cursor, int limit);

    /**
     * One page of the ids of filesets with remembered skips, in id order.
     *
     * @param cursor from the previous page (the last id), empty for the first
     * @param limit  at most this many (1..1000)
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    Page<FilesetId> filesetsWithSkips(Optional<String> cursor, int limit);

    /**
     * One page of Silknote's fileset records, in fileset id order (re-booking candidates).
     *
     * @param cursor from the previous page (the last id), empty for the first
     * @param limit  at most this many (1..1000)
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    Page<PatientFilesetRecord> filesetRecords(Optional<String> cursor, int limit);

    /**
     * Audit rows selected by {@code query} with an id above {@code afterId}, oldest first, at most
     * {@code limit}.
     *
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    List<AuditRecord> auditTrail(AuditQuery query, long afterId, int limit);

    /** The resume state; {@link SyncState#initial()} before the first run. */
    SyncState loadState();

    /**
     * The Silknote-created documents not linked to a VSRX file yet that Silknote filed under {@code filesetId},
     * plus those of {@code patient} filed under no fileset, in uuid order.
     *
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    List<AuthoredDocument> authoredDocuments(FilesetId filesetId, PatientUuid patient);

    /**
     * The Silknote-created documents not linked yet with the given uuids, by uuid; others are absent. One round
     * trip.
     *
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    Map<DocumentUuid, AuthoredDocument> findAuthoredDocuments(Collection<DocumentUuid> uuids);

    /**
     * Silknote's records of the filesets of one patient, in fileset id order.
     *
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    List<PatientFilesetRecord> filesetsOfPatient(PatientUuid patient);

    /**
     * One page of the Silknote change sequence: the changes at or after {@code position}, in position order.
     * The first page (no cursor) also fixes the {@link SilknoteChangePage#settledPosition()}: every change
     * committed later has a position at or after it. A document changed several times may appear once per
     * change or once for the last; a change may appear again in a later read.
     *
     * @param position the stored position ({@link #loadChangePosition()})
     * @param cursor   from the previous page, empty for the first
     * @param limit    at most this many (1..1000)
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    SilknoteChangePage silknoteChanges(long position, Optional<String> cursor, int limit);

    /** The stored change position ({@link UnitOfWork#saveChangePosition}); 0 before one was stored. */
    long loadChangePosition();

    /**
     * The unresolved conflict records ({@code OPEN} or {@code APPLIED}) of a fileset, in id order.
     *
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    List<ConflictRecord> conflicts(FilesetId filesetId);

    /** A conflict record by id. @throws com.silknote.sync.core.exception.SyncException on backend failure */
    Optional<ConflictRecord> findConflict(ConflictId id);

    /**
     * One page of the conflict records whose status is one of {@code statuses}, in id order.
     *
     * @param cursor from the previous page (the last id), empty for the first
     * @param limit  at most this many (1..1000)
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    Page<ConflictRecord> conflicts(Set<ConflictStatus> statuses, Optional<String> cursor, int limit);

    /**
     * Runs {@code work} in one transaction checked against {@code token}.
     *
     * @throws com.silknote.sync.core.exception.StaleFencingTokenException when a newer token wrote before
     * @throws com.silknote.sync.core.exception.ConcurrentUpdateException when an expectation of the unit failed
     * @throws com.silknote.sync.core.exception.BlobBeingCollectedException from {@link UnitOfWork#addBlobRef}
     * @throws com.silknote.sync.core.exception.SyncException on backend failure; nothing was written
     */
    <T> T inUnitOfWork(FencingToken token, Function<UnitOfWork, T> work);

    /**
     * Outbox entries not yet done with an id above {@code afterId}, in id order (oldest first), at most
     * {@code limit}; parked entries excluded. Paging by id lets one drain reach every entry even when the
     * oldest keep failing.
     *
     * @param afterId 0 for the first page, else the last id of the previous page
     */
    List<OutboxEntry> pendingOutbox(long afterId, int limit);

    /** The first page of pending outbox entries: {@code pendingOutbox(0, limit)}. */
    default List<OutboxEntry> pendingOutbox(int limit) {
        return pendingOutbox(0, limit);
    }

    /**
     * Marks an outbox entry done (removes it).
     *
     * @throws com.silknote.sync.core.exception.StaleFencingTokenException on a stale token
     */
    void completeOutbox(FencingToken token, long entryId);

    /**
     * Marks the given outbox entries done (removes them, pending or parked); ids not there are ignored, an empty
     * collection writes nothing. One write for all of them where the store can: the post-commit work of a
     * fileset completes its entries together after their work, so a crash before this call repeats that
     * (idempotent) work and loses none of it (DESIGN §2.6).
     *
     * <p>The default calls {@link #completeOutbox(FencingToken, long)} once per id, in the collection's order:
     * each entry is then done or still pending, never half, and a failure may leave the first ones done. A store
     * that overrides it should complete all of them in one transaction, so the call is all or nothing.
     *
     * @throws com.silknote.sync.core.exception.StaleFencingTokenException on a stale token
     */
    default void completeOutbox(FencingToken token, Collection<Long> entryIds) {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(entryIds, "entryIds");
        for (long id : entryIds) {
            completeOutbox(token, id);
        }
    }

    /**
     * Records a failed attempt of an outbox entry; with {@code park} it is no longer returned as pending.
     *
     * @throws com.silknote.sync.core.exception.StaleFencingTokenException on a stale token
     */
    void failOutbox(FencingToken token, long entryId, String reasonCode, boolean park);

    /**
     * Parked outbox entries (failed {@code maxOutboxAttempts} times) with an id above {@code afterId}, in id
     * order, at most {@code limit}.
     *
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    List<OutboxEntry> parkedOutbox(long afterId, int limit);

    /**
     * Step 1 of the blob collector: if the row exists, is {@code LIVE}, has {@code refCount == 0}, was last
     * updated before {@code notAfter} and no mapping or document holds {@code hash}, marks it {@code DELETING}
     * with {@code blobEtag} and returns {@code true}; otherwise returns {@code false}. A row at zero that a
     * mapping or document still holds (a count damaged behind the sync's back) is never marked: the store sets
     * its count to the references it has (file ids whose mapping, else document, holds the hash), so a
     * referenced blob is never collected whatever happened to the count.
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

    /**
     * Blob reference rows with {@code refCount == 0} or state {@code DELETING}, least recently updated first
     * (so the rows a collector may take first come first), at most {@code limit}.
     */
    List<BlobRef> unreferencedBlobs(int limit);

    // ------------------------------------------------------------------ run history

    /**
     * Records that a run started, so the history shows it even if its process dies before it finishes.
     * Recording a run twice keeps one.
     *
     * @throws com.silknote.sync.core.exception.StaleFencingTokenException on a stale token
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    void recordRunStarted(FencingToken token, RunId run, Instant startedAt);

    /**
     * Stores one fileset's report of a run as the fileset finishes (one row per fileset and run; recording a
     * fileset again replaces its report and keeps its position). With a {@code claim} (scale-out), the same
     * transaction finishes the claim (succeeded unless the report's outcome is a failure) and stores the
     * report only while the claim still holds.
     *
     * @throws com.silknote.sync.core.exception.ClaimLostException when {@code claim} no longer holds; nothing
     *         was stored
     * @throws com.silknote.sync.core.exception.StaleFencingTokenException on a stale token
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    void recordFilesetReport(FencingToken token, RunId run, FilesetReport report,
            Optional<FilesetClaims.Claim> claim);

    /**
     * Records a finished run's summary ({@link SyncReport#summary()}: totals, metrics, alerts, status; its
     * fileset reports are stored by {@link #recordFilesetReport}). Recording a run twice replaces its summary.
     * Not part of any fileset transaction.
     *
     * @throws com.silknote.sync.core.exception.StaleFencingTokenException on a stale token
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    void recordRun(FencingToken token, SyncReport report);

    /**
     * The summaries of the latest finished runs, newest (by start) first; they list no filesets.
     *
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    List<SyncReport> recentRuns(int limit);

    /**
     * Runs that started at or after {@code from} and before {@code to}, newest first, at most {@code limit}
     * (1..1000), finished or not.
     *
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    List<RunRecord> runs(Instant from, Instant to, int limit);

    /**
     * One run of the history.
     *
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    Optional<RunRecord> findRun(RunId run);

    /**
     * One page of a run's fileset reports, in the order they were recorded.
     *
     * @param cursor from the previous page, empty for the first
     * @param limit  at most this many (1..1000)
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    Page<FilesetReport> runFilesets(RunId run, Optional<String> cursor, int limit);

    /**
     * Removes from the history the runs that started before {@code startedBefore} and those beyond the
     * {@code keepNewest} newest (by start), with their fileset reports, in one transaction.
     *
     * @return the number of runs removed
     * @throws IllegalArgumentException when {@code keepNewest} &lt; 1
     * @throws com.silknote.sync.core.exception.StaleFencingTokenException on a stale token
     * @throws com.silknote.sync.core.exception.SyncException on backend failure
     */
    int pruneRuns(FencingToken token, Instant startedBefore, int keepNewest);

    /** All writes of one fileset; used only inside {@link #inUnitOfWork}. Not thread-safe. */
    interface UnitOfWork {
        /**
         * Requires that Silknote's record of the fileset is still {@code asRead} (empty: still absent) when
         * the unit commits. Call before writing.
         *
         * @throws com.silknote.sync.core.exception.ConcurrentUpdateException (here or from
         *         {@link #inUnitOfWork}) when it is not; nothing is written
         */
        void expectFileset(FilesetId filesetId, Optional<PatientFilesetRecord> asRead);

        /**
         * Requires that the mapping of {@code fileId} and the document whose {@code clientFileId} is
         * {@code fileId} are still as read (empty: still absent) when the unit commits. Call before writing.
         *
         * @throws com.silknote.sync.core.exception.ConcurrentUpdateException (here or from
         *         {@link #inUnitOfWork}) when they are not; nothing is written
         */
        void expectFile(VsrxFileId fileId, Optional<SyncMapping> mappingAsRead,
                Optional<SilknoteDocument> documentAsRead);

        /** Inserts or replaces Silknote's record of the fileset. */
        void upsertFileset(PatientFilesetRecord fileset);

        /**
         * Inserts or replaces a document (keyed by uuid; {@code clientFileId} is unique). A Silknote-created
         * document with the same uuid becomes this linked document (its metadata merged, as for any upsert).
         */
        void upsertDocument(SilknoteDocument document);

        /**
         * Requires that the Silknote-created document {@code uuid} is still as read (empty: not an unlinked
         * Silknote-created document) when the unit commits. Call before writing.
         *
         * @throws com.silknote.sync.core.exception.ConcurrentUpdateException (here or from
         *         {@link #inUnitOfWork}) when it is not; nothing is written
         */
        void expectAuthored(DocumentUuid uuid, Optional<AuthoredDocument> asRead);

        /**
         * Requires that the conflict record {@code id} is still as read (empty: still absent) when the unit
         * commits. Call before writing.
         *
         * @throws com.silknote.sync.core.exception.ConcurrentUpdateException (here or from
         *         {@link #inUnitOfWork}) when it is not; nothing is written
         */
        void expectConflict(ConflictId id, Optional<ConflictRecord> asRead);

        /**
         * Inserts a Silknote-created document (a conflict copy the sync makes under {@code KEEP_BOTH}); as a
         * write of the sync it gets no change position.
         *
         * @throws IllegalStateException when a document with that uuid exists
         */
        void addAuthoredDocument(AuthoredDocument document);

        /** Inserts or replaces a conflict record (keyed by id). References are the caller's to count. */
        void upsertConflict(ConflictRecord record);

        /** Deletes the mapping of a file (its document, if any, stays); no-op when absent. */
        void deleteMapping(VsrxFileId fileId);

        /** Replaces the stored change position ({@link #loadChangePosition()}). */
        void saveChangePosition(long position);

        /** Inserts or replaces a mapping (keyed by VSRX file id). */
        void upsertMapping(SyncMapping mapping);

        /** Deletes a document and its mapping; no-op when absent. */
        void deleteDocument(DocumentUuid uuid);

        /**
         * A hint: the blob references this unit will add or release. A store may read (and lock) their rows now
         * in one round trip instead of one at a time at first touch; it changes nothing the unit sees. The
         * default does nothing.
         */
        default void prefetchBlobRefs(Collection<ContentHash> hashes) {
        }

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
         * <p>When there is nothing to release (the row is absent or its count is already 0, which only a change
         * behind the sync's back produces: a removed or edited row), nothing is released and the unit of work
         * still commits: the store then sets the row, when the unit commits, to the number of references the
         * unit leaves (file ids whose mapping, else whose document, holds {@code hash}; a {@code LIVE} row is
         * created when there are some and none exists), so the count is right again as far as the ledger
         * tells. The caller reports the inconsistency.
         *
         * @return the row after the release, or empty when there was nothing to release
         */
        Optional<BlobRef> releaseBlobRef(ContentHash hash);

        /** Remembers a permanent skip (replacing an older one of the same file). */
        void rememberSkip(PermanentSkip skip);

        /** Forgets a file's remembered skip; no-op when none. */
        void forgetSkip(VsrxFileId fileId);

        /** Enqueues post-commit work; the store assigns the entry's id. */
        void enqueue(OutboxEntry entry);

        /** Replaces the resume state. */
        void saveState(SyncState state);

        /** Records a change in the append-only audit log, in this unit's transaction. */
        void audit(AuditEntry entry);

        /** Removes an outbox entry, pending or parked; no-op when absent. */
        void removeOutbox(long entryId);

        /** Puts a parked outbox entry back in the queue with no failed attempts; no-op when absent. */
        void requeueOutbox(long entryId);

        // Blob maintenance (orphan cleanup, repair). Each is evaluated when the unit commits, with the row
        // locked where the store has row locks, against the committed references (see the interface). A unit
        // that uses them writes no documents, mappings or references (IllegalStateException otherwise), so
        // what it counts is what is stored.

        /**
         * Marks the row {@code DELETING} with {@code blobEtag} if, at commit, it is {@code LIVE}, counts 0, was
         * last updated before {@code notAfter} and nothing references the hash; otherwise changes nothing.
         *
         * @throws IllegalStateException when the unit writes documents, mappings or references
         */
        void markBlobDeleting(ContentHash hash, String blobEtag, Instant notAfter);

        /**
         * For a stored blob without a reference row (uploaded by a run that stopped before its commit): creates
         * its row {@code DELETING}, count 0, with {@code blobEtag}, if at commit there is still no row and
         * nothing references the hash; otherwise changes nothing. The collector protocol then deletes it.
         *
         * @throws IllegalStateException when the unit writes documents, mappings or references
         */
        void adoptUnreferencedBlob(ContentHash hash, long size, String blobEtag);

        /**
         * Removes the row if, at commit, it is {@code DELETING} with {@code blobEtag}, and then records
         * {@code ifRemoved}; otherwise changes and records nothing.
         *
         * @throws IllegalStateException when the unit writes documents, mappings or references
         */
        void removeBlobRefIfDeleting(ContentHash hash, String blobEtag, AuditEntry ifRemoved);

        /**
         * Sets the row's count to the number of references at commit (creating a {@code LIVE} row when the
         * hash is referenced and has none; a referenced {@code DELETING} row becomes {@code LIVE}); when that
         * changes the row, records {@code ifChanged} with the detail {@code refCount:<before>><after>} (and
         * {@code ,revived} when a {@code DELETING} row became {@code LIVE}).
         *
         * @throws IllegalStateException when the unit writes documents, mappings or references
         */
        void recountBlobRef(ContentHash hash, AuditEntry ifChanged);
        /**
         * Scale-out: requires that {@code claim} still holds when the unit commits (its fileset is still claimed
         * with this claim's token, by a {@link FilesetClaims} of this store's backend), and keeps a takeover
         * from happening until the unit ends. Call before writing.
         *
         * @throws com.silknote.sync.core.exception.ClaimLostException (here or from {@link #inUnitOfWork}) when
         *         it does not; nothing is written
         */
        void expectClaim(FilesetClaims.Claim claim);
    }
}
