package com.silknote.sync.jdbc;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.BlobBeingCollectedException;
import com.silknote.sync.core.exception.ClaimLostException;
import com.silknote.sync.core.exception.ConcurrentUpdateException;
import com.silknote.sync.core.model.AuthoredDocument;
import com.silknote.sync.core.model.AuditEntry;
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
import java.util.Collection;
import java.util.HashMap;
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
    private Optional<Long> changePosition = Optional.empty();
    private final List<FilesetClaims.Claim> expectedClaims = new ArrayList<>();
    private long blobRefsAdded;
    private long blobRefsReleased;
    private final Set<VsrxFileId> mappingDeletes = new LinkedHashSet<>();
    private final Set<Long> outboxRemovals = new LinkedHashSet<>();
    private final Set<Long> outboxRequeues = new LinkedHashSet<>();
    private final List<AuditEntry> auditEntries = new ArrayList<>();
    private final List<Maintenance> maintenance = new ArrayList<>();
    /** Documents, mappings or references written: blob maintenance is refused in this unit. */
    private boolean ledgerWritten;

    /** A blob maintenance operation, evaluated at flush under the rows' locks. */
    private sealed interface Maintenance permits Mark, Adopt, Remove, Recount {
        ContentHash hash();
    }

    private record Mark(ContentHash hash, String etag, Instant notAfter) implements Maintenance { }

    private record Adopt(ContentHash hash, long size, String etag) implements Maintenance { }

    private record Remove(ContentHash hash, String etag, AuditEntry audit) implements Maintenance { }

    private record Recount(ContentHash hash, AuditEntry audit) implements Maintenance { }

    /** A blob reference row as this unit of work sees it. */
    private static final class TouchedRef {
        final boolean existed;
        BlobRef ref;
        long added;
        String lastEtag;
        boolean recounted;
        /** Added to or released by this unit (a row only prefetched is written back by no one). */
        boolean used;

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
        ledgerWrite();
        documentUpserts.put(document.uuid(), document);
    }

    @Override
    public void upsertMapping(SyncMapping mapping) {
        requireNonNull(mapping, "mapping");
        ledgerWrite();
        mappingUpserts.put(mapping.vsrxFileId(), mapping);
    }

    @Override
    public void deleteDocument(DocumentUuid uuid) {
        requireNonNull(uuid, "uuid");
        ledgerWrite();
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
        ledgerWrite();
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
        ledgerWrite();
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

    /**
     * Reads and locks the rows of all of them in one statement, in hash order (so two units that share
     * hashes lock them in the same order); {@link #touch} then finds them here.
     */
    @Override
    public void prefetchBlobRefs(Collection<ContentHash> hashes) {
        requireNonNull(hashes, "hashes");
        List<String> wanted = hashes.stream().filter(h -> !blobRefs.containsKey(requireNonNull(h, "hash")))
                .map(ContentHash::hex).distinct().sorted().toList();
        if (wanted.isEmpty()) {
            return;
        }
        Map<ContentHash, BlobRef> found = new HashMap<>();
        handle.createQuery("SELECT " + JdbiDocumentStore.BLOB_COLUMNS + " FROM vsrx_sync_blob_ref"
                        + " WHERE content_hash = ANY(:hashes) ORDER BY content_hash FOR UPDATE")
                .bindArray("hashes", String.class, wanted).map((rs, ctx) -> JdbiDocumentStore.blobRef(rs))
                .forEach(r -> found.put(r.hash(), r));
        for (String hex : wanted) {
            ContentHash h = ContentHash.ofHex(hex);
            BlobRef row = found.get(h);
            blobRefs.put(h, new TouchedRef(row != null, row));
        }
    }

    private TouchedRef touch(ContentHash hash) {
        TouchedRef touched = blobRefs.get(hash);
        if (touched == null) {
            Optional<BlobRef> row = JdbiDocumentStore.selectBlobRef(handle, hash, true);
            touched = new TouchedRef(row.isPresent(), row.orElse(null));
            blobRefs.put(hash, touched);
        }
        touched.used = true;
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

    private void ledgerWrite() {
        if (!maintenance.isEmpty()) {
            throw new IllegalStateException("a unit of work with blob maintenance writes no documents, mappings or"
                    + " references");
        }
        ledgerWritten = true;
    }

    private void maintain(Maintenance op) {
        if (ledgerWritten) {
            throw new IllegalStateException("blob maintenance in a unit of work that writes documents, mappings or"
                    + " references");
        }
        maintenance.add(op);
    }

    @Override
    public void audit(AuditEntry entry) {
        auditEntries.add(requireNonNull(entry, "entry"));
    }

    @Override
    public void deleteMapping(VsrxFileId fileId) {
        requireNonNull(fileId, "fileId");
        ledgerWrite();
        mappingUpserts.remove(fileId);
        mappingDeletes.add(fileId);
    }

    @Override
    public void removeOutbox(long entryId) {
        outboxRequeues.remove(entryId);
        outboxRemovals.add(entryId);
    }

    @Override
    public void requeueOutbox(long entryId) {
        if (!outboxRemovals.contains(entryId)) {
            outboxRequeues.add(entryId);
        }
    }

    @Override
    public void markBlobDeleting(ContentHash hash, String blobEtag, Instant notAfter) {
        maintain(new Mark(requireNonNull(hash, "hash"), requireNonNull(blobEtag, "blobEtag"),
                requireNonNull(notAfter, "notAfter")));
    }

    @Override
    public void adoptUnreferencedBlob(ContentHash hash, long size, String blobEtag) {
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0");
        }
        maintain(new Adopt(requireNonNull(hash, "hash"), size, requireNonNull(blobEtag, "blobEtag")));
    }

    @Override
    public void removeBlobRefIfDeleting(ContentHash hash, String blobEtag, AuditEntry ifRemoved) {
        maintain(new Remove(requireNonNull(hash, "hash"), requireNonNull(blobEtag, "blobEtag"),
                requireNonNull(ifRemoved, "ifRemoved")));
    }

    @Override
    public void recountBlobRef(ContentHash hash, AuditEntry ifChanged) {
        maintain(new Recount(requireNonNull(hash, "hash"), requireNonNull(ifChanged, "ifChanged")));
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
        if (!mappingDeletes.isEmpty()) {
            PreparedBatch batch = handle.prepareBatch(sql.deleteMapping);
            mappingDeletes.forEach(f -> batch.bind("file", f.value()).add());
            batch.execute();
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
        flushMaintenance(at);
        if (!outboxRemovals.isEmpty()) {
            PreparedBatch batch = handle.prepareBatch("DELETE FROM vsrx_sync_outbox WHERE id = :id");
            outboxRemovals.forEach(id -> batch.bind("id", id).add());
            batch.execute();
        }
        if (!outboxRequeues.isEmpty()) {
            PreparedBatch batch = handle.prepareBatch("UPDATE vsrx_sync_outbox SET parked = false, attempts = 0,"
                    + " last_error = NULL WHERE id = :id AND parked");
            outboxRequeues.forEach(id -> batch.bind("id", id).add());
            batch.execute();
        }
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
            if (!t.used) {
                continue;
            }
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

    /**
     * Evaluates the unit's blob maintenance with the rows locked ({@code FOR UPDATE}, key order) and the
     * references counted after the locks were taken: every change of a hash's references locks its row first
     * (or inserts it), so nothing can reference the hash between the count and the commit.
     */
    private void flushMaintenance(OffsetDateTime at) {
        if (maintenance.isEmpty()) {
            return;
        }
        TreeSet<String> hashes = new TreeSet<>();
        maintenance.forEach(op -> hashes.add(op.hash().hex()));
        Map<String, BlobRef> before = lockRows(List.copyOf(hashes));
        Map<String, long[]> refs = references(List.copyOf(hashes));
        // bytes of a document row that holds no reference of the sync (a Silknote-created document waiting for its
        // export, issue 14) are Silknote's: never marked or adopted for collection
        Set<String> documentHeld = new HashSet<>(handle.createQuery(sql.documentHashesHeld)
                .bindArray("hashes", String.class, List.copyOf(hashes)).map((rs, ctx) -> rs.getString("h").trim())
                .list());
        Map<String, BlobRef> after = new HashMap<>(before);
        Map<String, AuditEntry> recounts = new HashMap<>();
        for (Maintenance op : maintenance) {
            String h = op.hash().hex();
            BlobRef row = after.get(h);
            long[] r = refs.getOrDefault(h, new long[] {0, 0});
            if (op instanceof Mark m) {
                if (row != null && row.state() == BlobRef.State.LIVE && row.refCount() == 0 && r[0] == 0
                        && !documentHeld.contains(h) && row.updatedAt().isBefore(m.notAfter())) {
                    after.put(h, new BlobRef(m.hash(), 0, row.size(), BlobRef.State.DELETING, Optional.of(m.etag()),
                            now));
                }
            } else if (op instanceof Adopt a) {
                if (row == null && r[0] == 0 && !documentHeld.contains(h)) {
                    after.put(h, new BlobRef(a.hash(), 0, a.size(), BlobRef.State.DELETING, Optional.of(a.etag()),
                            now));
                }
            } else if (op instanceof Remove x) {
                if (row != null && row.state() == BlobRef.State.DELETING
                        && row.blobEtag().equals(Optional.of(x.etag()))) {
                    after.remove(h);
                    auditEntries.add(x.audit());
                }
            } else if (op instanceof Recount c) {
                BlobRef next = recounted(c.hash(), row, r);
                if (next != null) {
                    after.put(h, next);
                    recounts.put(h, c.audit().withDetail(recountDetail(row, next)));
                }
            }
        }
        List<String> deletes = new ArrayList<>();
        List<BlobRef> updates = new ArrayList<>();
        List<BlobRef> inserts = new ArrayList<>();
        for (String h : hashes) {
            BlobRef b = before.get(h);
            BlobRef a = after.get(h);
            if (b != null && a == null) {
                deletes.add(h);
            } else if (b != null && !b.equals(a)) {
                updates.add(a);
            } else if (b == null && a != null) {
                inserts.add(a);
            }
        }
        if (!deletes.isEmpty()) {
            PreparedBatch batch = handle.prepareBatch("DELETE FROM vsrx_sync_blob_ref WHERE content_hash = :hash");
            deletes.forEach(h -> batch.bind("hash", h).add());
            batch.execute();
        }
        if (!updates.isEmpty()) {
            updateRows(updates, at);
        }
        Set<String> inserted = inserts.isEmpty() ? Set.of() : insertRows(inserts, at);
        for (BlobRef a : inserts) {
            String h = a.hash().hex();
            if (!inserted.contains(h) && recounts.containsKey(h)) {
                // created by a writer committing since our lock: count again with that row locked
                BlobRef row = lockRows(List.of(h)).get(h);
                BlobRef next = recounted(a.hash(), row, references(List.of(h)).getOrDefault(h, new long[] {0, 0}));
                if (next == null) {
                    recounts.remove(h);
                } else {
                    updateRows(List.of(next), at);
                    recounts.put(h, recounts.get(h).withDetail(recountDetail(row, next)));
                }
            } else if (!inserted.contains(h)) {
                recounts.remove(h); // an adoption that lost to a writer: the hash is that writer's now
            }
        }
        for (String h : hashes) {
            if (recounts.containsKey(h)) {
                auditEntries.add(recounts.get(h));
            }
        }
    }

    /** The row after a recount, or {@code null} when the recount changes nothing. */
    private BlobRef recounted(ContentHash hash, BlobRef row, long[] refs) {
        long references = refs[0];
        if (row == null && references == 0) {
            return null;
        }
        if (row != null && row.refCount() == references
                && (references == 0 || row.state() == BlobRef.State.LIVE)) {
            return null;
        }
        long size = row != null ? row.size() : refs[1];
        BlobRef.State state = references > 0 ? BlobRef.State.LIVE : row.state();
        return new BlobRef(hash, references, size, state, row == null ? Optional.empty() : row.blobEtag(), now);
    }

    private static String recountDetail(BlobRef before, BlobRef after) {
        boolean revived = before != null && before.state() != after.state();
        return "refCount:" + (before == null ? 0 : before.refCount()) + ">" + after.refCount()
                + (revived ? ",revived" : "");
    }

    private Map<String, BlobRef> lockRows(List<String> hashes) {
        Map<String, BlobRef> rows = new HashMap<>();
        handle.createQuery("SELECT " + JdbiDocumentStore.BLOB_COLUMNS + " FROM vsrx_sync_blob_ref"
                + " WHERE content_hash = ANY(CAST(:hashes AS char(64)[])) ORDER BY content_hash FOR UPDATE")
                .bindArray("hashes", String.class, hashes).map((rs, ctx) -> JdbiDocumentStore.blobRef(rs))
                .forEach(r -> rows.put(r.hash().hex(), r));
        return rows;
    }

    /** File ids referencing each hash (count, largest recorded size), as committed. */
    private Map<String, long[]> references(List<String> hashes) {
        Map<String, long[]> out = new HashMap<>();
        handle.createQuery(sql.referencesOfHashes).bindArray("hashes", String.class, hashes)
                .map((rs, ctx) -> new Object[] {rs.getString("h").trim(), rs.getLong("n"), rs.getLong("s")})
                .forEach(r -> out.put((String) r[0], new long[] {(Long) r[1], (Long) r[2]}));
        return out;
    }

    private void updateRows(List<BlobRef> rows, OffsetDateTime at) {
        PreparedBatch batch = handle.prepareBatch("""
                UPDATE vsrx_sync_blob_ref SET ref_count = :count, size = :size, state = :state, blob_etag = :etag,
                    updated_at = :at WHERE content_hash = :hash""");
        for (BlobRef r : rows) {
            batch.bind("count", r.refCount()).bind("size", r.size()).bind("state", r.state().name())
                    .bind("etag", r.blobEtag().orElse(null)).bind("at", at).bind("hash", r.hash().hex()).add();
        }
        batch.execute();
    }

    /** Inserts rows unless another transaction created them meanwhile; returns the hashes inserted. */
    private Set<String> insertRows(List<BlobRef> rows, OffsetDateTime at) {
        List<String> hashes = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        List<String> states = new ArrayList<>();
        List<String> etags = new ArrayList<>();
        for (BlobRef r : rows) {
            hashes.add(r.hash().hex());
            counts.add(r.refCount());
            sizes.add(r.size());
            states.add(r.state().name());
            etags.add(r.blobEtag().orElse(null));
        }
        return new HashSet<>(handle.createQuery("""
                INSERT INTO vsrx_sync_blob_ref (content_hash, ref_count, size, state, blob_etag, updated_at)
                SELECT h, c, s, st, e, :at
                FROM unnest(CAST(:hashes AS text[]), CAST(:counts AS bigint[]), CAST(:sizes AS bigint[]),
                            CAST(:states AS text[]), CAST(:etags AS text[])) AS x(h, c, s, st, e)
                ON CONFLICT (content_hash) DO NOTHING
                RETURNING content_hash""")
                .bindArray("hashes", String.class, hashes).bindArray("counts", Long.class, counts)
                .bindArray("sizes", Long.class, sizes).bindArray("states", String.class, states)
                .bindArray("etags", String.class, etags).bind("at", at)
                .mapTo(String.class).list());
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
        counts.put("mappingsDeleted", (long) mappingDeletes.size());
        counts.put("blobRefsAdded", blobRefsAdded);
        counts.put("blobRefsReleased", blobRefsReleased);
        counts.put("blobMaintenance", (long) maintenance.size());
        counts.put("skipsRemembered", (long) skipUpserts.size());
        counts.put("skipsForgotten", (long) skipDeletes.size());
        counts.put("outboxEnqueued", (long) outbox.size());
        counts.put("outboxRemoved", (long) outboxRemovals.size());
        counts.put("outboxRequeued", (long) outboxRequeues.size());
        counts.put("stateSaved", state.isPresent() ? 1L : 0L);
        counts.put("conflictsWritten", (long) conflictUpserts.size());
        counts.put("silknoteDocumentsAdded", (long) authoredInserts.size());
        counts.put("changesAudited", (long) auditEntries.size());
        // One statement for the unit's row and every change's row (a 10,000-file commit stays one round trip).
        int n = auditEntries.size() + 1;
        List<String> runs = new ArrayList<>(n);
        List<String> filesetIds = new ArrayList<>(n);
        List<String> actions = new ArrayList<>(n);
        List<String> countJson = new ArrayList<>(n);
        List<String> documents = new ArrayList<>(n);
        List<String> files = new ArrayList<>(n);
        List<String> fromFilesets = new ArrayList<>(n);
        List<String> beforeHashes = new ArrayList<>(n);
        List<String> afterHashes = new ArrayList<>(n);
        List<String> details = new ArrayList<>(n);
        Set<String> runIds = new HashSet<>();
        auditEntries.forEach(e -> runIds.add(e.runId().value()));
        runs.add(runIds.size() == 1 ? runIds.iterator().next() : null);
        filesetIds.add(touched.size() == 1 ? touched.iterator().next().value() : null);
        actions.add(AUDIT_ACTION);
        countJson.add(Json.counts(counts));
        documents.add(null);
        files.add(null);
        fromFilesets.add(null);
        beforeHashes.add(null);
        afterHashes.add(null);
        details.add(null);
        for (AuditEntry e : auditEntries) {
            runs.add(e.runId().value());
            filesetIds.add(e.filesetId().map(FilesetId::value).orElse(null));
            actions.add(e.action().name());
            countJson.add(null);
            documents.add(e.document().map(d -> d.value().toString()).orElse(null));
            files.add(e.fileId().map(VsrxFileId::value).orElse(null));
            fromFilesets.add(e.fromFilesetId().map(FilesetId::value).orElse(null));
            beforeHashes.add(e.beforeHash().map(ContentHash::hex).orElse(null));
            afterHashes.add(e.afterHash().map(ContentHash::hex).orElse(null));
            details.add(e.detail().orElse(null));
        }
        handle.createUpdate("""
                INSERT INTO vsrx_sync_audit (recorded_at, run_id, actor, fencing_token, fileset_id, action, counts,
                    document_uuid, file_id, from_fileset_id, before_hash, after_hash, detail)
                SELECT :at, r, :actor, :token, f, a, CAST(c AS jsonb), CAST(d AS uuid), fi, ff, bh, ah, de
                FROM unnest(CAST(:runs AS text[]), CAST(:filesets AS text[]), CAST(:actions AS text[]),
                            CAST(:counts AS text[]), CAST(:documents AS text[]), CAST(:files AS text[]),
                            CAST(:fromFilesets AS text[]), CAST(:before AS text[]), CAST(:after AS text[]),
                            CAST(:details AS text[]))
                    WITH ORDINALITY AS x(r, f, a, c, d, fi, ff, bh, ah, de, ord)
                ORDER BY ord""")
                .bind("at", at).bind("actor", actor.orElse(null)).bind("token", token.value())
                .bindArray("runs", String.class, runs).bindArray("filesets", String.class, filesetIds)
                .bindArray("actions", String.class, actions).bindArray("counts", String.class, countJson)
                .bindArray("documents", String.class, documents).bindArray("files", String.class, files)
                .bindArray("fromFilesets", String.class, fromFilesets).bindArray("before", String.class, beforeHashes)
                .bindArray("after", String.class, afterHashes).bindArray("details", String.class, details)
                .execute();
    }
}
