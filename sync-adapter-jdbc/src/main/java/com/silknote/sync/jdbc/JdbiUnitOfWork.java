package com.silknote.sync.jdbc;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.BlobBeingCollectedException;
import com.silknote.sync.core.exception.ClaimLostException;
import com.silknote.sync.core.exception.ConcurrentUpdateException;
import com.silknote.sync.core.model.AuthoredDocument;
import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.ConflictId;
import com.silknote.sync.core.model.ConflictRecord;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.OutboxEntry;
import com.silknote.sync.core.model.PatientFilesetRecord;
import com.silknote.sync.core.model.PermanentSkip;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.SyncState;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.FilesetClaims;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Buffers one unit of work's writes and flushes them as batches inside its transaction. Blob references
 * are read (and row-locked) on first touch and then kept in memory, so a second {@code addBlobRef} of the
 * same hash sees the first.
 */
final class JdbiUnitOfWork implements DocumentStore.UnitOfWork {
    static final String AUDIT_ACTION = "FILESET_COMMIT";

    private final Handle handle;
    private final LedgerSql sql;
    private final Instant now;

    private final Map<FilesetId, PatientFilesetRecord> filesets = new LinkedHashMap<>();
    private final Set<DocumentUuid> documentDeletes = new LinkedHashSet<>();
    private final Map<DocumentUuid, SilknoteDocument> documentUpserts = new LinkedHashMap<>();
    private final Map<VsrxFileId, SyncMapping> mappingUpserts = new LinkedHashMap<>();
    private final Set<VsrxFileId> skipDeletes = new LinkedHashSet<>();
    private final Map<VsrxFileId, PermanentSkip> skipUpserts = new LinkedHashMap<>();
    private final List<OutboxEntry> outbox = new ArrayList<>();
    private final Map<ContentHash, TouchedRef> blobRefs = new LinkedHashMap<>();
    /** Hashes a release found nothing to release for: recounted from the ledger when the unit flushes. */
    private final Set<ContentHash> recount = new LinkedHashSet<>();
    private Optional<SyncState> state = Optional.empty();
    private final Map<FilesetId, Optional<PatientFilesetRecord>> expectedFilesets = new LinkedHashMap<>();
    private final Map<VsrxFileId, Optional<SyncMapping>> expectedMappings = new LinkedHashMap<>();
    private final Map<VsrxFileId, Optional<SilknoteDocument>> expectedDocuments = new LinkedHashMap<>();
    private final Map<DocumentUuid, Optional<AuthoredDocument>> expectedAuthored = new LinkedHashMap<>();
    private final Map<ConflictId, Optional<ConflictRecord>> expectedConflicts = new LinkedHashMap<>();
    private final Map<DocumentUuid, AuthoredDocument> authoredInserts = new LinkedHashMap<>();
    private final Map<ConflictId, ConflictRecord> conflictUpserts = new LinkedHashMap<>();
    private final Set<VsrxFileId> mappingDeletes = new LinkedHashSet<>();
    private Optional<Long> changePosition = Optional.empty();
    private final List<FilesetClaims.Claim> expectedClaims = new ArrayList<>();
    private long blobRefsAdded;
    private long blobRefsReleased;

    /** A blob reference row as this unit of work sees it. */
    private static final class TouchedRef {
        final boolean existed;
        BlobRef ref;
        long added;
        String lastEtag;
        boolean recounted;

        TouchedRef(boolean existed, BlobRef ref) {
            this.existed = existed;
            this.ref = ref;
        }
    }

    JdbiUnitOfWork(Handle handle, LedgerSql sql, Clock clock) {
        this.handle = handle;
        this.sql = sql;
        this.now = clock.instant();
    }

    @Override
    public void expectFileset(FilesetId filesetId, Optional<PatientFilesetRecord> asRead) {
        requireNonNull(filesetId, "filesetId");
        expectedFilesets.put(filesetId, requireNonNull(asRead, "asRead"));
    }

    @Override
    public void expectFile(VsrxFileId fileId, Optional<SyncMapping> mappingAsRead,
            Optional<SilknoteDocument> documentAsRead) {
        requireNonNull(fileId, "fileId");
        expectedMappings.put(fileId, requireNonNull(mappingAsRead, "mappingAsRead"));
        expectedDocuments.put(fileId, requireNonNull(documentAsRead, "documentAsRead"));
    }

    @Override
    public void expectAuthored(DocumentUuid uuid, Optional<AuthoredDocument> asRead) {
        requireNonNull(uuid, "uuid");
        expectedAuthored.put(uuid, requireNonNull(asRead, "asRead"));
    }

    @Override
    public void expectConflict(ConflictId id, Optional<ConflictRecord> asRead) {
        requireNonNull(id, "id");
        expectedConflicts.put(id, requireNonNull(asRead, "asRead"));
    }

    @Override
    public void addAuthoredDocument(AuthoredDocument document) {
        requireNonNull(document, "document");
        if (authoredInserts.containsKey(document.uuid()) || documentUpserts.containsKey(document.uuid())) {
            throw new IllegalStateException("document " + document.uuid() + " exists");
        }
        authoredInserts.put(document.uuid(), document);
    }

    @Override
    public void upsertConflict(ConflictRecord record) {
        requireNonNull(record, "record");
        conflictUpserts.put(record.id(), record);
    }

    @Override
    public void deleteMapping(VsrxFileId fileId) {
        requireNonNull(fileId, "fileId");
        mappingUpserts.remove(fileId);
        mappingDeletes.add(fileId);
    }

    @Override
    public void saveChangePosition(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("position must be >= 0");
        }
        changePosition = Optional.of(position);
    }

    @Override
    public void upsertFileset(PatientFilesetRecord fileset) {
        requireNonNull(fileset, "fileset");
        filesets.put(fileset.filesetId(), fileset);
    }

    @Override
    public void upsertDocument(SilknoteDocument document) {
        requireNonNull(document, "document");
        documentUpserts.put(document.uuid(), document);
    }

    @Override
    public void upsertMapping(SyncMapping mapping) {
        requireNonNull(mapping, "mapping");
        mappingUpserts.put(mapping.vsrxFileId(), mapping);
    }

    @Override
    public void deleteDocument(DocumentUuid uuid) {
        requireNonNull(uuid, "uuid");
        documentUpserts.remove(uuid);
        mappingUpserts.values().removeIf(m -> m.silknoteDocumentUuid().equals(uuid));
        documentDeletes.add(uuid);
    }

    @Override
    public BlobRef addBlobRef(ContentHash hash, long size, String confirmedEtag) {
        requireNonNull(hash, "hash");
        requireNonNull(confirmedEtag, "confirmedEtag");
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0");
        }
        TouchedRef touched = touch(hash);
        BlobRef before = touched.ref;
        BlobRef after;
        if (before == null) {
            after = new BlobRef(hash, 1, size, BlobRef.State.LIVE, Optional.of(confirmedEtag), now);
        } else {
            if (before.state() == BlobRef.State.DELETING && before.blobEtag().equals(Optional.of(confirmedEtag))) {
                throw new BlobBeingCollectedException(hash);
            }
            after = new BlobRef(hash, before.refCount() + 1, before.size(), BlobRef.State.LIVE,
                    Optional.of(confirmedEtag), now);
        }
        touched.ref = after;
        touched.added++;
        touched.lastEtag = confirmedEtag;
        blobRefsAdded++;
        return after;
    }

    @Override
    public Optional<BlobRef> releaseBlobRef(ContentHash hash) {
        requireNonNull(hash, "hash");
        TouchedRef touched = touch(hash);
        BlobRef before = touched.ref;
        if (before == null || before.refCount() == 0) {
            recount.add(hash);
            return Optional.empty();
        }
        BlobRef after = new BlobRef(hash, before.refCount() - 1, before.size(), before.state(), before.blobEtag(),
                now);
        touched.ref = after;
        touched.added--;
        blobRefsReleased++;
        return Optional.of(after);
    }

    private TouchedRef touch(ContentHash hash) {
        TouchedRef touched = blobRefs.get(hash);
        if (touched == null) {
            Optional<BlobRef> row = JdbiDocumentStore.selectBlobRef(handle, hash, true);
            touched = new TouchedRef(row.isPresent(), row.orElse(null));
            blobRefs.put(hash, touched);
        }
        return touched;
    }

    @Override
    public void rememberSkip(PermanentSkip skip) {
        requireNonNull(skip, "skip");
        skipUpserts.put(skip.fileId(), skip);
    }

    @Override
    public void forgetSkip(VsrxFileId fileId) {
        requireNonNull(fileId, "fileId");
        skipUpserts.remove(fileId);
        skipDeletes.add(fileId);
    }

    @Override
    public void enqueue(OutboxEntry entry) {
        requireNonNull(entry, "entry");
        outbox.add(entry);
    }

    @Override
    public void expectClaim(FilesetClaims.Claim claim) {
        requireNonNull(claim, "claim");
        expectedClaims.add(claim);
    }

    @Override
    public void saveState(SyncState newState) {
        requireNonNull(newState, "state");
        state = Optional.of(newState);
    }

    /**
     * Checks the token, then the claims (locking their rows until the transaction ends, so no worker takes them
     * over meanwhile), then the expectations, then writes everything buffered as batches, in this transaction.
     */
    void flush(FencingToken token, Optional<String> fenceLockName) {
        Optional<String> actor = Fence.check(handle, token, fenceLockName);
        checkClaims();
        checkExpectations();
        OffsetDateTime at = Jdbis.utc(now);
        // The sync's own writes are not Silknote-side changes: the change-sequence triggers leave them alone.
        handle.createQuery("SELECT set_config('vsrx_sync.writer', 'sync', true)").mapTo(String.class).one();
        if (!authoredInserts.isEmpty()) {
            List<UUID> ids = authoredInserts.keySet().stream().map(DocumentUuid::value).toList();
            if (!handle.createQuery(sql.documentsExisting).bindArray("ids", UUID.class, ids).mapTo(UUID.class)
                    .list().isEmpty()) {
                throw new IllegalStateException("a document with the uuid of a new Silknote-created one exists");
            }
        }
        if (!mappingDeletes.isEmpty()) {
            PreparedBatch batch = handle.prepareBatch(sql.deleteMappingByFileId);
            mappingDeletes.forEach(f -> batch.bind("file", f.value()).add());
            batch.execute();
        }

        if (!documentDeletes.isEmpty()) {
            PreparedBatch docs = handle.prepareBatch(sql.deleteDocument);
            PreparedBatch maps = handle.prepareBatch(sql.deleteMappingsOfDocument);
            for (DocumentUuid uuid : documentDeletes) {
                docs.bind("uuid", uuid.value()).add();
                maps.bind("doc", uuid.value()).add();
            }
            docs.execute();
            maps.execute();
        }
        if (!skipDeletes.isEmpty()) {
            PreparedBatch batch = handle.prepareBatch("DELETE FROM vsrx_sync_skip WHERE file_id = :file");
            skipDeletes.forEach(f -> batch.bind("file", f.value()).add());
            batch.execute();
        }
        if (!filesets.isEmpty()) {
            PreparedBatch batch = handle.prepareBatch("""
                    INSERT INTO vsrx_sync_fileset (fileset_id, patient_uuid, patient_id_history, last_synced_at)
                    VALUES (:fileset, :patient, CAST(:history AS jsonb), :synced)
                    ON CONFLICT (fileset_id) DO UPDATE SET patient_uuid = EXCLUDED.patient_uuid,
                        patient_id_history = EXCLUDED.patient_id_history, last_synced_at = EXCLUDED.last_synced_at""");
            for (PatientFilesetRecord f : filesets.values()) {
                batch.bind("fileset", f.filesetId().value()).bind("patient", f.patientUuid().value())
                        .bind("history", Json.patientIdHistory(f.patientIdHistory()))
                        .bind("synced", Jdbis.utc(f.lastSyncedAt())).add();
            }
            batch.execute();
        }
        if (!documentUpserts.isEmpty()) {
            PreparedBatch batch = handle.prepareBatch(sql.upsertDocument);
            for (SilknoteDocument d : documentUpserts.values()) {
                batch.bind("uuid", d.uuid().value()).bind("patient", d.patientUuid().value())
                        .bind("fileset", d.filesetId().value()).bind("client", d.clientFileId().value())
                        .bind("hash", d.contentHash().hex()).bind("size", d.size()).bind("mime", d.mimeType())
                        .bind("meta", Json.metadata(d.metadata())).bind("updated", Jdbis.utc(d.updatedAt()))
                        .add();
            }
            batch.execute();
        }
        if (!mappingUpserts.isEmpty()) {
            PreparedBatch batch = handle.prepareBatch(sql.upsertMapping);
            for (SyncMapping m : mappingUpserts.values()) {
                batch.bind("file", m.vsrxFileId().value()).bind("doc", m.silknoteDocumentUuid().value())
                        .bind("fileset", m.filesetId().value()).bind("etag", m.etag().orElse(null))
                        .bind("modified", Jdbis.utc(m.modifiedAt()))
                        .bind("modifiedNanos", m.modifiedAt().getNano())
                        .bind("size", m.size()).bind("hash", m.contentHash().hex())
                        .bind("synced", Jdbis.utc(m.syncedAt())).add();
            }
            batch.execute();
        }
        if (!skipUpserts.isEmpty()) {
            PreparedBatch batch = handle.prepareBatch("""
                    INSERT INTO vsrx_sync_skip (file_id, fileset_id, version, reason, skipped_at)
                    VALUES (:file, :fileset, :version, :reason, :at)
                    ON CONFLICT (file_id) DO UPDATE SET fileset_id = EXCLUDED.fileset_id,
                        version = EXCLUDED.version, reason = EXCLUDED.reason, skipped_at = EXCLUDED.skipped_at""");
            for (PermanentSkip s : skipUpserts.values()) {
                batch.bind("file", s.fileId().value()).bind("fileset", s.filesetId().value())
                        .bind("version", s.version()).bind("reason", s.reason().name())
                        .bind("at", Jdbis.utc(s.skippedAt())).add();
            }
            batch.execute();
        }
        if (!authoredInserts.isEmpty()) {
            PreparedBatch batch = handle.prepareBatch(sql.insertAuthored);
            for (AuthoredDocument a : authoredInserts.values()) {
                batch.bind("uuid", a.uuid().value()).bind("patient", a.patientUuid().value())
                        .bind("fileset", a.filesetId().map(FilesetId::value).orElse(null))
                        .bind("hash", a.contentHash().hex()).bind("size", a.size()).bind("mime", a.mimeType())
                        .bind("meta", Json.authoredMetadata(a)).bind("updated", Jdbis.utc(a.updatedAt())).add();
            }
            batch.execute();
        }
        if (!conflictUpserts.isEmpty()) {
            PreparedBatch batch = handle.prepareBatch(ConflictRows.UPSERT);
            conflictUpserts.values().forEach(c -> ConflictRows.bind(batch, c));
            batch.execute();
        }
        if (changePosition.isPresent()) {
            handle.createUpdate("INSERT INTO vsrx_sync_change_position (id, position) VALUES (1, :position)"
                    + " ON CONFLICT (id) DO UPDATE SET position = EXCLUDED.position")
                    .bind("position", changePosition.get()).execute();
            // removals before the stored position are read by no one any more
            handle.createUpdate("DELETE FROM vsrx_sync_document_removal WHERE change_seq < :position")
                    .bind("position", changePosition.get()).execute();
        }
        recountDamagedRefs();
        flushBlobRefs(at);
        if (!outbox.isEmpty()) {
            PreparedBatch batch = handle.prepareBatch("""
                    INSERT INTO vsrx_sync_outbox (document_uuid, action, content_hash, attempts, created_at, last_error)
                    VALUES (:doc, :action, :hash, :attempts, :created, :error)""");
            for (OutboxEntry e : outbox) {
                batch.bind("doc", e.document().value()).bind("action", e.action().name())
                        .bind("hash", e.contentHash().hex()).bind("attempts", e.attempts())
                        .bind("created", Jdbis.utc(e.createdAt())).bind("error", e.lastError().orElse(null)).add();
            }
            batch.execute();
        }
        if (state.isPresent()) {
            handle.createUpdate("""
                    INSERT INTO vsrx_sync_state (id, state, updated_at) VALUES (1, CAST(:state AS jsonb), :at)
                    ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at""")
                    .bind("state", state.get().toJson()).bind("at", at).execute();
        }
        writeAudit(token, actor, at);
    }

    /** @throws ClaimLostException when a claim's row no longer has its token, or is finished */
    private void checkClaims() {
        for (FilesetClaims.Claim c : expectedClaims) {
            boolean held = handle.createQuery("""
                    SELECT 1 FROM vsrx_sync_claim WHERE run_id = :run AND fileset_id = :fileset
                        AND claim_token = :claim AND status = 'CLAIMED'
                    FOR UPDATE""")
                    .bind("run", c.run().value()).bind("fileset", c.fileset().value()).bind("claim", c.token())
                    .mapTo(Integer.class).findOne().isPresent();
            if (!held) {
                throw new ClaimLostException("claim on fileset " + c.fileset() + " no longer held");
            }
        }
    }

    /**
     * Reads the expected rows with {@code FOR UPDATE} (one query per table, rows locked in key order) and
     * compares them with what the unit of work was planned from.
     *
     * @throws ConcurrentUpdateException when one differs; the transaction then rolls back
     */
    private void checkExpectations() {
        if (!expectedAuthored.isEmpty()) {
            Map<DocumentUuid, AuthoredDocument> found = new LinkedHashMap<>();
            handle.createQuery(sql.lockAuthoredByUuids)
                    .bindArray("ids", UUID.class, expectedAuthored.keySet().stream().map(DocumentUuid::value).toList())
                    .map(sql.authoredMapper).forEach(a -> found.put(a.uuid(), a));
            expectedAuthored.forEach((id, expected) -> {
                if (!Objects.equals(found.get(id), expected.orElse(null))) {
                    throw new ConcurrentUpdateException("Silknote-created document " + id);
                }
            });
        }
        if (!expectedConflicts.isEmpty()) {
            Map<ConflictId, ConflictRecord> found = new LinkedHashMap<>();
            handle.createQuery(ConflictRows.SELECT + " WHERE id = ANY(CAST(:ids AS text[])) ORDER BY id FOR UPDATE")
                    .bindArray("ids", String.class, expectedConflicts.keySet().stream().map(ConflictId::value).toList())
                    .map(ConflictRows.MAPPER).forEach(c -> found.put(c.id(), c));
            expectedConflicts.forEach((id, expected) -> {
                if (!Objects.equals(found.get(id), expected.orElse(null))) {
                    throw new ConcurrentUpdateException("conflict record " + id);
                }
            });
        }
        if (!expectedFilesets.isEmpty()) {
            Map<FilesetId, PatientFilesetRecord> found = new LinkedHashMap<>();
            handle.createQuery(JdbiDocumentStore.FILESET_SELECT
                    + " WHERE fileset_id = ANY(CAST(:ids AS text[])) ORDER BY fileset_id FOR UPDATE")
                    .bindArray("ids", String.class, expectedFilesets.keySet().stream().map(FilesetId::value).toList())
                    .map((rs, ctx) -> JdbiDocumentStore.filesetRecord(rs))
                    .forEach(r -> found.put(r.filesetId(), r));
            expectedFilesets.forEach((id, expected) -> {
                if (!Objects.equals(found.get(id), expected.orElse(null))) {
                    throw new ConcurrentUpdateException("fileset record " + id);
                }
            });
        }
        if (!expectedMappings.isEmpty()) {
            List<String> ids = expectedMappings.keySet().stream().map(VsrxFileId::value).toList();
            Map<VsrxFileId, SyncMapping> found = new LinkedHashMap<>();
            handle.createQuery(sql.lockMappingsByFileIds).bindArray("ids", String.class, ids).map(sql.mappingMapper)
                    .forEach(m -> found.put(m.vsrxFileId(), m));
            expectedMappings.forEach((id, expected) -> {
                if (!Objects.equals(found.get(id), expected.orElse(null))) {
                    throw new ConcurrentUpdateException("mapping of file " + id);
                }
            });
            Map<VsrxFileId, SilknoteDocument> documents = new LinkedHashMap<>();
            handle.createQuery(sql.lockDocumentsByClientFileIds).bindArray("ids", String.class, ids)
                    .map(sql.documentMapper).forEach(d -> documents.put(d.clientFileId(), d));
            expectedDocuments.forEach((id, expected) -> {
                if (!Objects.equals(documents.get(id), expected.orElse(null))) {
                    throw new ConcurrentUpdateException("document of file " + id);
                }
            });
        }
    }

    /**
     * After documents and mappings are written: the rows a release found nothing in are set to the references
     * the ledger now holds (see {@link DocumentStore.UnitOfWork#releaseBlobRef}).
     */
    private void recountDamagedRefs() {
        for (ContentHash hash : recount) {
            TouchedRef t = touch(hash);
            long[] refs = handle.createQuery("SELECT " + sql.referencesOfHash + " AS refs, " + sql.sizeOfHash
                    + " AS size").bind("hash", hash.hex())
                    .map((rs, ctx) -> new long[] {rs.getLong("refs"), rs.getLong("size")}).one();
            if (t.ref != null) {
                t.ref = new BlobRef(hash, refs[0], t.ref.size(), t.ref.state(), t.ref.blobEtag(), now);
            } else if (refs[0] > 0) {
                t.ref = new BlobRef(hash, refs[0], refs[1], BlobRef.State.LIVE, Optional.empty(), now);
            }
            t.recounted = true;
        }
    }

    private void flushBlobRefs(OffsetDateTime at) {
        List<TouchedRef> existing = new ArrayList<>();
        List<TouchedRef> created = new ArrayList<>();
        for (TouchedRef t : blobRefs.values()) {
            if (t.existed) {
                existing.add(t);
            } else if (t.ref != null) {
                created.add(t);
            }
        }
        if (!existing.isEmpty()) {
            // rows read FOR UPDATE: nobody changed them since, so the absolute values are right
            PreparedBatch batch = handle.prepareBatch("""
                    UPDATE vsrx_sync_blob_ref SET ref_count = :count, state = :state, blob_etag = :etag,
                        updated_at = :at WHERE content_hash = :hash""");
            for (TouchedRef t : existing) {
                batch.bind("count", t.ref.refCount()).bind("state", t.ref.state().name())
                        .bind("etag", t.ref.blobEtag().orElse(null)).bind("at", at).bind("hash", t.ref.hash().hex())
                        .add();
            }
            batch.execute();
        }
        if (created.isEmpty()) {
            return;
        }
        List<String> hashes = new ArrayList<>();
        List<Long> countList = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        List<String> etags = new ArrayList<>();
        for (TouchedRef t : created) {
            hashes.add(t.ref.hash().hex());
            countList.add(t.ref.refCount());
            sizes.add(t.ref.size());
            etags.add(t.ref.blobEtag().orElse(null));
        }
        Set<String> inserted = new HashSet<>(handle.createQuery("""
                INSERT INTO vsrx_sync_blob_ref (content_hash, ref_count, size, state, blob_etag, updated_at)
                SELECT h, c, s, 'LIVE', e, :at
                FROM unnest(CAST(:hashes AS text[]), CAST(:counts AS bigint[]), CAST(:sizes AS bigint[]),
                            CAST(:etags AS text[])) AS x(h, c, s, e)
                ON CONFLICT (content_hash) DO NOTHING
                RETURNING content_hash""")
                .bindArray("hashes", String.class, hashes).bindArray("counts", Long.class, countList)
                .bindArray("sizes", Long.class, sizes).bindArray("etags", String.class, etags).bind("at", at)
                .mapTo(String.class).list());
        for (TouchedRef t : created) {
            if (!inserted.contains(t.ref.hash().hex())) {
                if (t.recounted) {
                    handle.createUpdate("UPDATE vsrx_sync_blob_ref SET ref_count = " + sql.referencesOfHash
                            + ", updated_at = :at WHERE content_hash = :hash")
                            .bind("hash", t.ref.hash().hex()).bind("at", at).execute();
                } else {
                    mergeIntoConcurrentRow(t, at);
                }
            }
        }
    }

    /** Another transaction created the row after this one looked: apply this unit's net change to it. */
    private void mergeIntoConcurrentRow(TouchedRef t, OffsetDateTime at) {
        ContentHash hash = t.ref.hash();
        BlobRef row = JdbiDocumentStore.selectBlobRef(handle, hash, true).orElseThrow(() ->
                new IllegalStateException("blob reference row vanished during commit: " + hash));
        if (t.added <= 0) {
            return;
        }
        if (row.state() == BlobRef.State.DELETING && row.blobEtag().equals(Optional.of(t.lastEtag))) {
            throw new BlobBeingCollectedException(hash);
        }
        handle.createUpdate("""
                UPDATE vsrx_sync_blob_ref SET ref_count = ref_count + :added, state = 'LIVE', blob_etag = :etag,
                    updated_at = :at WHERE content_hash = :hash""")
                .bind("added", t.added).bind("etag", t.lastEtag).bind("at", at).bind("hash", hash.hex()).execute();
    }

    private void writeAudit(FencingToken token, Optional<String> actor, OffsetDateTime at) {
        Set<FilesetId> touched = new TreeSet<>(filesets.keySet());
        documentUpserts.values().forEach(d -> touched.add(d.filesetId()));
        mappingUpserts.values().forEach(m -> touched.add(m.filesetId()));
        skipUpserts.values().forEach(s -> touched.add(s.filesetId()));
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("filesetsTouched", (long) touched.size());
        counts.put("documentsUpserted", (long) documentUpserts.size());
        counts.put("documentsDeleted", (long) documentDeletes.size());
        counts.put("mappingsUpserted", (long) mappingUpserts.size());
        counts.put("blobRefsAdded", blobRefsAdded);
        counts.put("blobRefsReleased", blobRefsReleased);
        counts.put("skipsRemembered", (long) skipUpserts.size());
        counts.put("skipsForgotten", (long) skipDeletes.size());
        counts.put("outboxEnqueued", (long) outbox.size());
        counts.put("stateSaved", state.isPresent() ? 1L : 0L);
        counts.put("conflictsWritten", (long) conflictUpserts.size());
        counts.put("silknoteDocumentsAdded", (long) authoredInserts.size());
        counts.put("mappingsDeleted", (long) mappingDeletes.size());
        handle.createUpdate("""
                INSERT INTO vsrx_sync_audit (recorded_at, run_id, actor, fencing_token, fileset_id, action, counts)
                VALUES (:at, NULL, :actor, :token, :fileset, :action, CAST(:counts AS jsonb))""")
                .bind("at", at).bind("actor", actor.orElse(null)).bind("token", token.value())
                .bind("fileset", touched.size() == 1 ? touched.iterator().next().value() : null)
                .bind("action", AUDIT_ACTION).bind("counts", Json.counts(counts)).execute();
    }
}
