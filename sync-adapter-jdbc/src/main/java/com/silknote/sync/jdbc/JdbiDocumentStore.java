package com.silknote.sync.jdbc;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.AuthoredDocument;
import com.silknote.sync.core.model.AuditAction;
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
import com.silknote.sync.core.exception.ClaimLostException;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.OutboxEntry;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PatientFilesetRecord;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.PermanentSkip;
import com.silknote.sync.core.model.SilknoteChange;
import com.silknote.sync.core.model.SilknoteChangePage;
import com.silknote.sync.core.model.ReferenceTally;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.RunRecord;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncState;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.FilesetClaims;
import jakarta.inject.Inject;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * The {@link DocumentStore} on PostgreSQL through Jdbi. Thread-safe and immutable.
 *
 * <p>A unit of work buffers its writes and flushes them at the end of the callback as JDBC batches, in
 * one transaction (PostgreSQL's default {@code READ COMMITTED} suffices) that first checks the fencing token
 * and then the unit's expectations: the fileset record, mappings and documents it was planned from are read
 * with {@code SELECT ... FOR UPDATE} (one query per table, {@code = ANY(:ids)}) and compared with what was
 * read when planning ({@code docs/schema.md}). A blob reference touched by the unit of work is read once
 * with {@code SELECT ... FOR UPDATE}, so reference counts stay exact under concurrent units of work and the
 * collector's conditional updates.
 *
 * <p>The tables must exist: {@link JdbcLedger} runs the migrations; the {@link Inject} constructor does not.
 */
public final class JdbiDocumentStore implements DocumentStore {
    static final String BLOB_COLUMNS = "content_hash, ref_count, size, state, blob_etag, updated_at";
    static final String FILESET_SELECT = "SELECT fileset_id, patient_uuid, patient_id_history::text AS history,"
            + " last_synced_at FROM vsrx_sync_fileset";

    private final Jdbi jdbi;
    private final LedgerSql sql;
    private final Clock clock;
    private final Optional<String> fenceLockName;

    /**
     * A store on the adapter's own tables or on those named by {@code mapping}, not tied to a lock table.
     *
     * @param dataSource connections to a database migrated by {@link JdbcLedger}
     * @param mapping    names of the documents and mappings tables
     * @param clock      time of {@code updatedAt} values written by the store
     * @throws NullPointerException when an argument is null
     */
    @Inject
    public JdbiDocumentStore(DataSource dataSource, SchemaMapping mapping, Clock clock) {
        this(Jdbis.create(requireNonNull(dataSource, "dataSource")), mapping, clock, Optional.empty());
    }

    JdbiDocumentStore(Jdbi jdbi, SchemaMapping mapping, Clock clock, Optional<String> fenceLockName) {
        this.jdbi = requireNonNull(jdbi, "jdbi");
        this.sql = new LedgerSql(requireNonNull(mapping, "mapping"));
        this.clock = requireNonNull(clock, "clock");
        this.fenceLockName = requireNonNull(fenceLockName, "fenceLockName");
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Raises the high-water mark in its own transaction; waits for an older token's commit in flight. */
    @Override
    public void fence(FencingToken token) {
        write("fence", token, h -> null);
    }

    @Override
    public Map<VsrxFileId, SyncMapping> findMappings(Collection<VsrxFileId> fileIds) {
        List<String> ids = ids(fileIds, "fileIds");
        if (ids.isEmpty()) {
            return Map.of();
        }
        return read("read mappings", h -> {
            Map<VsrxFileId, SyncMapping> out = new LinkedHashMap<>();
            h.createQuery(sql.mappingsByFileIds).bindArray("ids", String.class, ids).map(sql.mappingMapper)
                    .forEach(m -> out.put(m.vsrxFileId(), m));
            return out;
        });
    }

    @Override
    public Map<VsrxFileId, SilknoteDocument> findDocumentsByClientFileIds(Collection<VsrxFileId> clientFileIds) {
        List<String> ids = ids(clientFileIds, "clientFileIds");
        if (ids.isEmpty()) {
            return Map.of();
        }
        return read("read documents", h -> {
            Map<VsrxFileId, SilknoteDocument> out = new LinkedHashMap<>();
            h.createQuery(sql.documentsByClientFileIds).bindArray("ids", String.class, ids).map(sql.documentMapper)
                    .forEach(d -> out.put(d.clientFileId(), d));
            return out;
        });
    }

    /** Fileset ids in the database's order of {@code fileset_id}; the cursor is the last id of a page. */
    @Override
    public Page<FilesetId> filesets(Optional<String> cursor, int limit) {
        requireNonNull(cursor, "cursor");
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be in 1..1000, was " + limit);
        }
        // Records, and filesets known by documents only (a record removed outside the sync): the documents'
        // fileset ids are found with one index probe per distinct fileset (a loose index scan).
        List<String> rows = read("read filesets", h -> h.createQuery(sql.filesetsPage)
                .bind("after", cursor.orElse("")).bind("limit", limit + 1).mapTo(String.class).list());
        boolean more = rows.size() > limit;
        List<FilesetId> items = rows.subList(0, Math.min(limit, rows.size())).stream().map(FilesetId::of).toList();
        return new Page<>(items, more ? Optional.of(items.get(items.size() - 1).value()) : Optional.empty());
    }

    private static List<String> ids(Collection<VsrxFileId> fileIds, String name) {
        requireNonNull(fileIds, name);
        List<String> ids = new ArrayList<>(fileIds.size());
        for (VsrxFileId id : fileIds) {
            ids.add(requireNonNull(id, name).value());
        }
        return ids;
    }

    @Override
    public List<SyncMapping> mappings(FilesetId filesetId) {
        requireNonNull(filesetId, "filesetId");
        return read("read mappings", h -> h.createQuery(sql.mappingsByFileset).bind("fileset", filesetId.value())
                .map(sql.mappingMapper).list());
    }

    @Override
    public Optional<SyncMapping> findMapping(VsrxFileId fileId) {
        requireNonNull(fileId, "fileId");
        return read("read mapping", h -> h.createQuery(sql.mappingByFileId).bind("file", fileId.value())
                .map(sql.mappingMapper).findOne());
    }

    @Override
    public Optional<SilknoteDocument> findDocument(DocumentUuid uuid) {
        requireNonNull(uuid, "uuid");
        return read("read document", h -> h.createQuery(sql.documentByUuid).bind("uuid", uuid.value())
                .map(sql.documentMapper).findOne());
    }

    @Override
    public Optional<SilknoteDocument> findDocumentByClientFileId(VsrxFileId clientFileId) {
        requireNonNull(clientFileId, "clientFileId");
        return read("read document", h -> h.createQuery(sql.documentByClientFileId)
                .bind("client", clientFileId.value()).map(sql.documentMapper).findOne());
    }

    @Override
    public List<SilknoteDocument> documents(FilesetId filesetId) {
        requireNonNull(filesetId, "filesetId");
        return read("read documents", h -> h.createQuery(sql.documentsByFileset).bind("fileset", filesetId.value())
                .map(sql.documentMapper).list());
    }

    @Override
    public Optional<PatientFilesetRecord> findFileset(FilesetId filesetId) {
        requireNonNull(filesetId, "filesetId");
        return read("read fileset", h -> h.createQuery(FILESET_SELECT + " WHERE fileset_id = :fileset")
                .bind("fileset", filesetId.value())
                .map((rs, ctx) -> filesetRecord(rs))
                .findOne());
    }

    @Override
    public Optional<BlobRef> findBlobRef(ContentHash hash) {
        requireNonNull(hash, "hash");
        return read("read blob reference", h -> selectBlobRef(h, hash, false));
    }

    @Override
    public Map<VsrxFileId, PermanentSkip> permanentSkips(FilesetId filesetId) {
        requireNonNull(filesetId, "filesetId");
        return read("read skips", h -> {
            Map<VsrxFileId, PermanentSkip> skips = new LinkedHashMap<>();
            h.createQuery("""
                    SELECT file_id, fileset_id, version, reason, skipped_at FROM vsrx_sync_skip
                    WHERE fileset_id = :fileset ORDER BY file_id""")
                    .bind("fileset", filesetId.value())
                    .map((rs, ctx) -> new PermanentSkip(VsrxFileId.of(rs.getString("file_id")),
                            FilesetId.of(rs.getString("fileset_id")), rs.getString("version"),
                            SkipReason.valueOf(rs.getString("reason")), Jdbis.instant(rs, "skipped_at")))
                    .forEach(s -> skips.put(s.fileId(), s));
            return Map.copyOf(skips);
        });
    }

    @Override
    public Map<DocumentUuid, SilknoteDocument> findDocuments(Collection<DocumentUuid> uuids) {
        requireNonNull(uuids, "uuids");
        List<String> ids = new ArrayList<>(uuids.size());
        uuids.forEach(u -> ids.add(requireNonNull(u, "uuid").value().toString()));
        if (ids.isEmpty()) {
            return Map.of();
        }
        return read("read documents", h -> {
            Map<DocumentUuid, SilknoteDocument> out = new LinkedHashMap<>();
            h.createQuery(sql.documentsByUuids).bindArray("ids", String.class, ids).map(sql.documentMapper)
                    .forEach(d -> out.put(d.uuid(), d));
            return out;
        });
    }

    @Override
    public Set<DocumentUuid> existingDocuments(Collection<DocumentUuid> uuids) {
        requireNonNull(uuids, "uuids");
        List<String> ids = new ArrayList<>(uuids.size());
        uuids.forEach(u -> ids.add(requireNonNull(u, "uuid").value().toString()));
        if (ids.isEmpty()) {
            return Set.of();
        }
        return read("read document ids", h -> {
            Set<DocumentUuid> out = new LinkedHashSet<>();
            h.createQuery(sql.existingDocumentUuids).bindArray("ids", String.class, ids)
                    .map((rs, ctx) -> new DocumentUuid(rs.getObject(1, UUID.class))).forEach(out::add);
            return out;
        });
    }

    @Override
    public Map<ContentHash, BlobRef> findBlobRefs(Collection<ContentHash> hashes) {
        requireNonNull(hashes, "hashes");
        List<String> hex = new ArrayList<>(hashes.size());
        hashes.forEach(x -> hex.add(requireNonNull(x, "hash").hex()));
        if (hex.isEmpty()) {
            return Map.of();
        }
        return read("read blob references", h -> {
            Map<ContentHash, BlobRef> out = new LinkedHashMap<>();
            h.createQuery("SELECT " + BLOB_COLUMNS + " FROM vsrx_sync_blob_ref"
                    + " WHERE content_hash = ANY(CAST(:hashes AS char(64)[]))")
                    .bindArray("hashes", String.class, hex).map((rs, ctx) -> blobRef(rs))
                    .forEach(r -> out.put(r.hash(), r));
            return out;
        });
    }

    @Override
    public List<SilknoteDocument> findDocumentsByContentHash(ContentHash hash, int limit) {
        requireNonNull(hash, "hash");
        requirePositive(limit);
        return read("read documents", h -> h.createQuery(sql.documentsByHash).bind("hash", hash.hex())
                .bind("limit", limit).map(sql.documentMapper).list());
    }

    @Override
    public Page<SilknoteDocument> documentsWithoutFileset(Optional<String> cursor, int limit) {
        return documentPage("read documents without fileset", sql.documentsWithoutFileset,
                sql.documentsWithoutFilesetAfter, cursor, limit);
    }

    @Override
    public Page<SilknoteDocument> documentsWithoutMapping(Optional<String> cursor, int limit) {
        return documentPage("read documents without mapping", sql.documentsWithoutMapping,
                sql.documentsWithoutMappingAfter, cursor, limit);
    }

    private Page<SilknoteDocument> documentPage(String operation, String first, String next, Optional<String> cursor,
            int limit) {
        requireNonNull(cursor, "cursor");
        requirePageLimit(limit);
        cursor.ifPresent(c -> DocumentUuid.of(c));
        List<SilknoteDocument> rows = read(operation, h -> (cursor.isPresent()
                ? h.createQuery(next).bind("after", cursor.get()) : h.createQuery(first))
                .bind("limit", limit + 1).map(sql.documentMapper).list());
        return page(rows, limit, d -> d.uuid().value().toString());
    }

    @Override
    public Page<SyncMapping> mappingsWithoutDocument(Optional<String> cursor, int limit) {
        requireNonNull(cursor, "cursor");
        requirePageLimit(limit);
        List<SyncMapping> rows = read("read mappings without document", h -> (cursor.isPresent()
                ? h.createQuery(sql.mappingsWithoutDocumentAfter).bind("after", cursor.get())
                : h.createQuery(sql.mappingsWithoutDocument))
                .bind("limit", limit + 1).map(sql.mappingMapper).list());
        return page(rows, limit, m -> m.vsrxFileId().value());
    }

    @Override
    public Page<ReferenceTally> referenceTallies(Optional<String> cursor, int limit) {
        requireNonNull(cursor, "cursor");
        requirePageLimit(limit);
        String after = cursor.map(c -> ContentHash.ofHex(c).hex()).orElse("");
        // the bound and the page from one snapshot, as if one statement (a read-only repeatable read never fails
        // to serialize)
        return SqlErrors.translate("read reference tallies", () -> jdbi.inTransaction(
                TransactionIsolationLevel.REPEATABLE_READ, h -> tallies(h, after, limit)));
    }

    private Page<ReferenceTally> tallies(Handle h, String after, int limit) {
        h.execute("SET TRANSACTION READ ONLY");
        Optional<String> hi = h.createQuery(sql.referenceTalliesBound).bind("after", after).bind("skip", limit - 1)
                .mapTo(String.class).findOne().map(String::trim);
        List<ReferenceTally> tallies = h.createQuery(sql.referenceTallies).bind("after", after)
                .bind("hi", hi.orElse(null))
                .map((rs, ctx) -> {
                    long size = rs.getLong("referenced_size");
                    OptionalLong referencedSize = rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(size);
                    Optional<BlobRef> row = rs.getString("content_hash") == null ? Optional.empty()
                            : Optional.of(blobRef(rs));
                    return new ReferenceTally(ContentHash.ofHex(rs.getString("hash").trim()), rs.getLong("n"),
                            referencedSize, row);
                }).list();
        // no bound: every source was exhausted within this page; a page without a tally may still not be the last
        return new Page<>(tallies, hi);
    }

    @Override
    public Page<FilesetId> filesetsWithSkips(Optional<String> cursor, int limit) {
        requireNonNull(cursor, "cursor");
        requirePageLimit(limit);
        List<String> rows = read("read filesets with skips", h -> (cursor.isPresent()
                ? h.createQuery("SELECT DISTINCT fileset_id FROM vsrx_sync_skip WHERE fileset_id > :after"
                        + " ORDER BY fileset_id LIMIT :limit").bind("after", cursor.get())
                : h.createQuery("SELECT DISTINCT fileset_id FROM vsrx_sync_skip ORDER BY fileset_id LIMIT :limit"))
                .bind("limit", limit + 1).mapTo(String.class).list());
        return page(rows.stream().map(FilesetId::of).toList(), limit, FilesetId::value);
    }

    @Override
    public Page<PatientFilesetRecord> filesetRecords(Optional<String> cursor, int limit) {
        requireNonNull(cursor, "cursor");
        requirePageLimit(limit);
        List<PatientFilesetRecord> rows = read("read filesets", h -> (cursor.isPresent()
                ? h.createQuery(FILESET_SELECT + " WHERE fileset_id > :after ORDER BY fileset_id LIMIT :limit")
                        .bind("after", cursor.get())
                : h.createQuery(FILESET_SELECT + " ORDER BY fileset_id LIMIT :limit"))
                .bind("limit", limit + 1).map((rs, ctx) -> filesetRecord(rs)).list());
        return page(rows, limit, r -> r.filesetId().value());
    }

    /** Rows of the audit log written for changes (the unit-of-work rows with counts are not returned). */
    @Override
    public List<AuditRecord> auditTrail(AuditQuery query, long afterId, int limit) {
        requireNonNull(query, "query");
        requirePositive(limit);
        String where = switch (query.kind()) {
            case DOCUMENT -> "document_uuid = CAST(:value AS uuid)";
            case FILESET -> "(fileset_id = :value OR from_fileset_id = :value)";
            case RUN -> "run_id = :value";
        };
        if (query.kind() == AuditQuery.Kind.DOCUMENT) {
            DocumentUuid.of(query.value());
        }
        return read("read audit log", h -> h.createQuery("SELECT id, recorded_at, fencing_token, actor, run_id,"
                + " action, document_uuid, file_id, fileset_id, from_fileset_id, before_hash, after_hash, detail"
                + " FROM vsrx_sync_audit WHERE " + where + " AND id > :after AND action <> 'FILESET_COMMIT'"
                + " AND run_id IS NOT NULL ORDER BY id LIMIT :limit")
                .bind("value", query.value()).bind("after", afterId).bind("limit", limit)
                .map((rs, ctx) -> auditRecord(rs)).list());
    }

    private static AuditRecord auditRecord(ResultSet rs) throws SQLException {
        UUID doc = rs.getObject("document_uuid", UUID.class);
        AuditEntry entry = new AuditEntry(RunId.of(rs.getString("run_id")),
                AuditAction.valueOf(rs.getString("action")),
                Optional.ofNullable(doc).map(DocumentUuid::new),
                Optional.ofNullable(rs.getString("file_id")).map(VsrxFileId::of),
                Optional.ofNullable(rs.getString("fileset_id")).map(FilesetId::of),
                Optional.ofNullable(rs.getString("from_fileset_id")).map(FilesetId::of),
                Optional.ofNullable(rs.getString("before_hash")).map(x -> ContentHash.ofHex(x.trim())),
                Optional.ofNullable(rs.getString("after_hash")).map(x -> ContentHash.ofHex(x.trim())),
                Optional.ofNullable(rs.getString("detail")));
        return new AuditRecord(rs.getLong("id"), Jdbis.instant(rs, "recorded_at"),
                FencingToken.of(rs.getLong("fencing_token")), Optional.ofNullable(rs.getString("actor")), entry);
    }

    @Override
    public List<OutboxEntry> parkedOutbox(long afterId, int limit) {
        requirePositive(limit);
        return read("read parked outbox", h -> h.createQuery("""
                SELECT id, document_uuid, action, content_hash, attempts, created_at, last_error
                FROM vsrx_sync_outbox WHERE parked AND id > :after ORDER BY id LIMIT :limit""")
                .bind("after", afterId).bind("limit", limit).map((rs, ctx) -> outboxEntry(rs)).list());
    }

    private static OutboxEntry outboxEntry(ResultSet rs) throws SQLException {
        return new OutboxEntry(rs.getLong("id"), new DocumentUuid(rs.getObject("document_uuid", UUID.class)),
                OutboxEntry.Action.valueOf(rs.getString("action")), ContentHash.ofHex(rs.getString("content_hash")),
                rs.getInt("attempts"), Jdbis.instant(rs, "created_at"),
                Optional.ofNullable(rs.getString("last_error")));
    }

    /** A page of a query that fetched {@code limit + 1} rows. */
    private static <T> Page<T> page(List<T> rows, int limit, Function<T, String> cursorOf) {
        boolean more = rows.size() > limit;
        List<T> items = more ? rows.subList(0, limit) : rows;
        return new Page<>(items, more ? Optional.of(cursorOf.apply(items.get(items.size() - 1))) : Optional.empty());
    }

    private static void requirePageLimit(int limit) {
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be in 1..1000, was " + limit);
        }
    }

    @Override
    public SyncState loadState() {
        return read("read sync state", h -> h.createQuery("SELECT state::text FROM vsrx_sync_state WHERE id = 1")
                .mapTo(String.class).findOne().map(Json::state).orElseGet(SyncState::initial));
    }

    @Override
    public List<AuthoredDocument> authoredDocuments(FilesetId filesetId, PatientUuid patient) {
        requireNonNull(filesetId, "filesetId");
        requireNonNull(patient, "patient");
        return read("read Silknote-created documents", h -> h.createQuery(sql.authoredOfFileset)
                .bind("fileset", filesetId.value()).bind("patient", patient.value()).map(sql.authoredMapper).list());
    }

    @Override
    public Map<DocumentUuid, AuthoredDocument> findAuthoredDocuments(Collection<DocumentUuid> uuids) {
        requireNonNull(uuids, "uuids");
        List<UUID> ids = uuids.stream().map(u -> requireNonNull(u, "uuid").value()).toList();
        if (ids.isEmpty()) {
            return Map.of();
        }
        return read("read Silknote-created documents", h -> {
            Map<DocumentUuid, AuthoredDocument> out = new LinkedHashMap<>();
            h.createQuery(sql.authoredByUuids).bindArray("ids", UUID.class, ids).map(sql.authoredMapper)
                    .forEach(a -> out.put(a.uuid(), a));
            return out;
        });
    }

    @Override
    public List<PatientFilesetRecord> filesetsOfPatient(PatientUuid patient) {
        requireNonNull(patient, "patient");
        return read("read filesets of a patient", h -> h.createQuery(FILESET_SELECT
                + " WHERE patient_uuid = :patient ORDER BY fileset_id").bind("patient", patient.value())
                .map((rs, ctx) -> filesetRecord(rs)).list());
    }

    /**
     * Changes of the document table (its change column) and removals, in (position, uuid, removal) order; the
     * cursor is that triple of the last change of a page. The settled position is the oldest transaction still
     * running ({@code pg_snapshot_xmin}), taken before the changes are read.
     */
    @Override
    public SilknoteChangePage silknoteChanges(long position, Optional<String> cursor, int limit) {
        requireNonNull(cursor, "cursor");
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be in 1..1000, was " + limit);
        }
        long afterSeq;
        String afterUuid;
        boolean afterRemoved;
        if (cursor.isPresent()) {
            String[] parts = cursor.get().split(":", 3);
            if (parts.length != 3) {
                throw new IllegalArgumentException("not a cursor of this store");
            }
            afterSeq = Long.parseLong(parts[0]);
            afterUuid = parts[1];
            afterRemoved = parts[2].equals("1");
        } else {
            afterSeq = Long.MIN_VALUE;
            afterUuid = "";
            afterRemoved = false;
        }
        return read("read Silknote changes", h -> {
            long settled = h.createQuery("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
                    .mapTo(Long.class).one();
            List<SilknoteChange> rows = h.createQuery("SELECT seq, uuid, patient, fileset, removed FROM ("
                    + sql.changedDocuments + " UNION ALL SELECT change_seq, document_uuid::text, patient_uuid,"
                    + " fileset_id, true FROM vsrx_sync_document_removal WHERE change_seq >= :position) c"
                    + " WHERE (seq, uuid, removed) > (:afterSeq, :afterUuid, :afterRemoved)"
                    + " ORDER BY seq, uuid, removed LIMIT :limit")
                    .bind("position", position).bind("afterSeq", afterSeq).bind("afterUuid", afterUuid)
                    .bind("afterRemoved", afterRemoved).bind("limit", limit + 1)
                    .map((rs, ctx) -> new SilknoteChange(rs.getLong("seq"), DocumentUuid.of(rs.getString("uuid")),
                            new PatientUuid(rs.getObject("patient", UUID.class)),
                            Optional.ofNullable(rs.getString("fileset")).map(FilesetId::of), rs.getBoolean("removed")))
                    .list();
            boolean more = rows.size() > limit;
            List<SilknoteChange> items = rows.subList(0, Math.min(limit, rows.size()));
            Optional<String> next = Optional.empty();
            if (more) {
                SilknoteChange last = items.get(items.size() - 1);
                next = Optional.of(last.position() + ":" + last.document().value() + ":" + (last.removed() ? 1 : 0));
            }
            return new SilknoteChangePage(items, next, settled);
        });
    }

    @Override
    public long loadChangePosition() {
        return read("read change position", h -> h.createQuery(
                "SELECT position FROM vsrx_sync_change_position WHERE id = 1").mapTo(Long.class).findOne().orElse(0L));
    }

    @Override
    public List<ConflictRecord> conflicts(FilesetId filesetId) {
        requireNonNull(filesetId, "filesetId");
        return read("read conflicts", h -> h.createQuery(ConflictRows.SELECT
                + " WHERE fileset_id = :fileset AND status <> 'RESOLVED' ORDER BY id")
                .bind("fileset", filesetId.value()).map(ConflictRows.MAPPER).list());
    }

    @Override
    public Optional<ConflictRecord> findConflict(ConflictId id) {
        requireNonNull(id, "id");
        return read("read conflict", h -> h.createQuery(ConflictRows.SELECT + " WHERE id = :id")
                .bind("id", id.value()).map(ConflictRows.MAPPER).findOne());
    }

    @Override
    public Page<ConflictRecord> conflicts(Set<ConflictStatus> statuses, Optional<String> cursor, int limit) {
        requireNonNull(statuses, "statuses");
        requireNonNull(cursor, "cursor");
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be in 1..1000, was " + limit);
        }
        List<String> names = statuses.stream().map(Enum::name).toList();
        List<ConflictRecord> rows = read("read conflicts", h -> h.createQuery(ConflictRows.SELECT
                + " WHERE status = ANY(CAST(:statuses AS text[])) AND id > :after ORDER BY id LIMIT :limit")
                .bindArray("statuses", String.class, names).bind("after", cursor.orElse(""))
                .bind("limit", limit + 1).map(ConflictRows.MAPPER).list());
        boolean more = rows.size() > limit;
        List<ConflictRecord> items = rows.subList(0, Math.min(limit, rows.size()));
        return new Page<>(items, more ? Optional.of(items.get(items.size() - 1).id().value()) : Optional.empty());
    }

    @Override
    public <T> T inUnitOfWork(FencingToken token, Function<UnitOfWork, T> work) {
        requireNonNull(token, "token");
        requireNonNull(work, "work");
        return SqlErrors.translate("fileset unit of work", () ->
                jdbi.inTransaction(h -> {
                    JdbiUnitOfWork uow = new JdbiUnitOfWork(h, sql, clock);
                    T result = work.apply(uow);
                    uow.flush(token, fenceLockName);
                    return result;
                }));
    }

    @Override
    public List<OutboxEntry> pendingOutbox(long afterId, int limit) {
        requirePositive(limit);
        return read("read outbox", h -> h.createQuery("""
                SELECT id, document_uuid, action, content_hash, attempts, created_at, last_error
                FROM vsrx_sync_outbox WHERE NOT parked AND id > :after ORDER BY id LIMIT :limit""")
                .bind("after", afterId).bind("limit", limit).map((rs, ctx) -> outboxEntry(rs)).list());
    }

    @Override
    public void completeOutbox(FencingToken token, long entryId) {
        write("complete outbox entry", token, h -> h.createUpdate("DELETE FROM vsrx_sync_outbox WHERE id = :id")
                .bind("id", entryId).execute());
    }

    /** All of them in one fenced transaction and one statement: all or nothing. */
    @Override
    public void completeOutbox(FencingToken token, Collection<Long> entryIds) {
        requireNonNull(entryIds, "entryIds");
        List<Long> ids = entryIds.stream().map(id -> requireNonNull(id, "entryId")).distinct().toList();
        requireNonNull(token, "token");
        if (ids.isEmpty()) {
            return;
        }
        write("complete outbox entries", token, h -> h.createUpdate(
                "DELETE FROM vsrx_sync_outbox WHERE id = ANY(:ids)").bindArray("ids", Long.class, ids).execute());
    }

    @Override
    public void failOutbox(FencingToken token, long entryId, String reasonCode, boolean park) {
        requireNonNull(reasonCode, "reasonCode");
        write("record outbox failure", token, h -> h.createUpdate("""
                UPDATE vsrx_sync_outbox SET attempts = attempts + 1, last_error = :reason, parked = parked OR :park
                WHERE id = :id""")
                .bind("reason", reasonCode).bind("park", park).bind("id", entryId).execute());
    }

    @Override
    public boolean markBlobDeleting(FencingToken token, ContentHash hash, String blobEtag, Instant notAfter) {
        requireNonNull(hash, "hash");
        requireNonNull(blobEtag, "blobEtag");
        requireNonNull(notAfter, "notAfter");
        return write("mark blob deleting", token, h -> {
            boolean marked = h.createUpdate("""
                    UPDATE vsrx_sync_blob_ref SET state = 'DELETING', blob_etag = :etag, updated_at = :now
                    WHERE content_hash = :hash AND state = 'LIVE' AND ref_count = 0 AND updated_at < :notAfter
                    AND NOT\s""" + sql.hashHeld)
                    .bind("etag", blobEtag).bind("now", now()).bind("hash", hash.hex())
                    .bind("notAfter", Jdbis.utc(notAfter)).execute() == 1;
            if (!marked) {
                // A row at zero that a mapping or document still holds: its count was damaged behind the sync's
                // back. Never collect it; set the count to the references it has.
                h.createUpdate("UPDATE vsrx_sync_blob_ref SET ref_count = " + sql.referencesOfHash
                        + ", updated_at = :now WHERE content_hash = :hash AND state = 'LIVE' AND ref_count = 0"
                        + " AND updated_at < :notAfter AND " + sql.hashHeld)
                        .bind("now", now()).bind("hash", hash.hex()).bind("notAfter", Jdbis.utc(notAfter)).execute();
            }
            return marked;
        });
    }

    @Override
    public boolean removeBlobRefIfDeleting(FencingToken token, ContentHash hash, String blobEtag) {
        requireNonNull(hash, "hash");
        requireNonNull(blobEtag, "blobEtag");
        return write("remove blob reference", token, h -> h.createUpdate("""
                DELETE FROM vsrx_sync_blob_ref
                WHERE content_hash = :hash AND state = 'DELETING' AND blob_etag = :etag""")
                .bind("hash", hash.hex()).bind("etag", blobEtag).execute()) == 1;
    }

    @Override
    public void reviveBlobRef(FencingToken token, ContentHash hash, String blobEtag) {
        requireNonNull(hash, "hash");
        requireNonNull(blobEtag, "blobEtag");
        write("revive blob reference", token, h -> h.createUpdate("""
                UPDATE vsrx_sync_blob_ref SET state = 'LIVE', updated_at = :now
                WHERE content_hash = :hash AND state = 'DELETING' AND blob_etag = :etag""")
                .bind("now", now()).bind("hash", hash.hex()).bind("etag", blobEtag).execute());
    }

    @Override
    public List<BlobRef> unreferencedBlobs(int limit) {
        requirePositive(limit);
        return read("read unreferenced blobs", h -> h.createQuery("SELECT " + BLOB_COLUMNS
                + " FROM vsrx_sync_blob_ref WHERE ref_count = 0 OR state = 'DELETING'"
                + " ORDER BY updated_at, content_hash LIMIT :limit")
                .bind("limit", limit).map((rs, ctx) -> blobRef(rs)).list());
    }

    @Override
    public void recordRunStarted(FencingToken token, RunId run, Instant startedAt) {
        requireNonNull(run, "run");
        requireNonNull(startedAt, "startedAt");
        write("record run start", token, h -> h.createUpdate("""
                INSERT INTO vsrx_sync_run (run_id, started_at) VALUES (:run, :started)
                ON CONFLICT (run_id) DO NOTHING""")
                .bind("run", run.value()).bind("started", Jdbis.utc(startedAt)).execute());
    }

    /**
     * {@inheritDoc} With a claim, one transaction numbers the completion from its run's {@code done_count}
     * (whose row lock keeps the numbers in commit order), finishes the claim row only if it still holds the
     * claim's token, and stores the report.
     */
    @Override
    public void recordFilesetReport(FencingToken token, RunId run, FilesetReport report,
            Optional<FilesetClaims.Claim> claim) {
        requireNonNull(run, "run");
        requireNonNull(report, "report");
        requireNonNull(claim, "claim");
        String json = Json.filesetReport(report);
        write("record fileset report", token, h -> {
            if (claim.isPresent()) {
                FilesetClaims.Claim c = claim.get();
                if (!c.run().equals(run) || !c.fileset().equals(report.filesetId())) {
                    throw new IllegalArgumentException("the claim is not of this run and fileset");
                }
                // the run's row is locked until commit: completions are numbered in commit order, without gaps
                Optional<Long> done = h.createQuery("""
                        UPDATE vsrx_sync_claim_run SET done_count = done_count + 1 WHERE run_id = :run
                        RETURNING done_count""")
                        .bind("run", run.value()).mapTo(Long.class).findOne();
                int finished = done.isEmpty() ? 0 : h.createUpdate("""
                        UPDATE vsrx_sync_claim SET status = :status, claimed_until = NULL, done_seq = :done
                        WHERE run_id = :run AND fileset_id = :fileset AND claim_token = :claim
                          AND status = 'CLAIMED'""")
                        .bind("status", report.outcome().isFailure() ? "FAILED" : "SUCCEEDED").bind("done", done.get())
                        .bind("run", run.value()).bind("fileset", c.fileset().value()).bind("claim", c.token())
                        .execute();
                if (finished != 1) {
                    // rolls back the count too
                    throw new ClaimLostException("claim on fileset " + c.fileset() + " no longer held");
                }
            }
            return h.createUpdate("""
                    INSERT INTO vsrx_sync_run_fileset (run_id, fileset_id, recorded_at, outcome, report)
                    VALUES (:run, :fileset, :at, :outcome, CAST(:report AS jsonb))
                    ON CONFLICT (run_id, fileset_id) DO UPDATE SET recorded_at = EXCLUDED.recorded_at,
                        outcome = EXCLUDED.outcome, report = EXCLUDED.report""")
                    .bind("run", run.value()).bind("fileset", report.filesetId().value()).bind("at", now())
                    .bind("outcome", report.outcome().name()).bind("report", json).execute();
        });
    }

    /** Stores {@link SyncReport#summary()}: the run's fileset reports are rows of their own. */
    @Override
    public void recordRun(FencingToken token, SyncReport report) {
        requireNonNull(report, "report");
        String json = Json.report(report.summary());
        write("record run", token, h -> h.createUpdate("""
                INSERT INTO vsrx_sync_run (run_id, started_at, finished_at, report)
                VALUES (:run, :started, :finished, CAST(:report AS jsonb))
                ON CONFLICT (run_id) DO UPDATE SET started_at = EXCLUDED.started_at,
                    finished_at = EXCLUDED.finished_at, report = EXCLUDED.report""")
                .bind("run", report.runId().value()).bind("started", Jdbis.utc(report.startedAt()))
                .bind("finished", Jdbis.utc(report.finishedAt())).bind("report", json).execute());
    }

    @Override
    public List<SyncReport> recentRuns(int limit) {
        requirePositive(limit);
        return read("read run history", h -> h.createQuery("SELECT report::text FROM vsrx_sync_run"
                + " WHERE report IS NOT NULL ORDER BY started_at DESC, seq DESC LIMIT :limit")
                .bind("limit", limit).mapTo(String.class).list())
                .stream().map(Json::report).toList();
    }

    @Override
    public List<RunRecord> runs(Instant from, Instant to, int limit) {
        requireNonNull(from, "from");
        requireNonNull(to, "to");
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be in 1..1000, was " + limit);
        }
        return read("read run history", h -> h.createQuery("""
                SELECT run_id, started_at, report::text AS report FROM vsrx_sync_run
                WHERE started_at >= :from AND started_at < :to
                ORDER BY started_at DESC, seq DESC LIMIT :limit""")
                .bind("from", Jdbis.utc(from)).bind("to", Jdbis.utc(to)).bind("limit", limit)
                .map((rs, ctx) -> runRecord(rs)).list());
    }

    @Override
    public Optional<RunRecord> findRun(RunId run) {
        requireNonNull(run, "run");
        return read("read run history", h -> h.createQuery(
                "SELECT run_id, started_at, report::text AS report FROM vsrx_sync_run WHERE run_id = :run")
                .bind("run", run.value()).map((rs, ctx) -> runRecord(rs)).findOne());
    }

    /** Reports in the order recorded; the cursor is the last {@code seq} of a page. */
    @Override
    public Page<FilesetReport> runFilesets(RunId run, Optional<String> cursor, int limit) {
        requireNonNull(run, "run");
        requireNonNull(cursor, "cursor");
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be in 1..1000, was " + limit);
        }
        long after;
        try {
            after = cursor.map(Long::parseLong).orElse(0L);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a cursor of this store", e);
        }
        List<StoredReport> rows = read("read fileset reports", h -> h.createQuery("""
                SELECT seq, report::text AS report FROM vsrx_sync_run_fileset
                WHERE run_id = :run AND seq > :after ORDER BY seq LIMIT :limit""")
                .bind("run", run.value()).bind("after", after).bind("limit", limit + 1)
                .map((rs, ctx) -> new StoredReport(rs.getLong("seq"), rs.getString("report"))).list());
        boolean more = rows.size() > limit;
        List<StoredReport> page = rows.subList(0, Math.min(limit, rows.size()));
        List<FilesetReport> items = page.stream().map(r -> Json.filesetReport(r.json())).toList();
        return new Page<>(items, more ? Optional.of(Long.toString(page.get(page.size() - 1).seq()))
                : Optional.empty());
    }

    private record StoredReport(long seq, String json) { }

    /** Removes the runs and, by their run ids, their fileset reports, in one transaction. */
    @Override
    public int pruneRuns(FencingToken token, Instant startedBefore, int keepNewest) {
        requireNonNull(startedBefore, "startedBefore");
        if (keepNewest < 1) {
            throw new IllegalArgumentException("keepNewest must be >= 1, was " + keepNewest);
        }
        return write("prune run history", token, h -> {
            List<String> doomed = h.createQuery("""
                    SELECT run_id FROM (
                        SELECT run_id, started_at, row_number() OVER (ORDER BY started_at DESC, seq DESC) AS n
                        FROM vsrx_sync_run) ranked
                    WHERE started_at < :before OR n > :keep""")
                    .bind("before", Jdbis.utc(startedBefore)).bind("keep", keepNewest).mapTo(String.class).list();
            if (doomed.isEmpty()) {
                return 0;
            }
            h.createUpdate("DELETE FROM vsrx_sync_run_fileset WHERE run_id = ANY(CAST(:runs AS text[]))")
                    .bindArray("runs", String.class, doomed).execute();
            return h.createUpdate("DELETE FROM vsrx_sync_run WHERE run_id = ANY(CAST(:runs AS text[]))")
                    .bindArray("runs", String.class, doomed).execute();
        });
    }

    private static RunRecord runRecord(ResultSet rs) throws SQLException {
        String report = rs.getString("report");
        return new RunRecord(RunId.of(rs.getString("run_id")), Jdbis.instant(rs, "started_at"),
                report == null ? Optional.empty() : Optional.of(Json.report(report)));
    }

    static Optional<BlobRef> selectBlobRef(Handle h, ContentHash hash, boolean forUpdate) {
        return h.createQuery("SELECT " + BLOB_COLUMNS + " FROM vsrx_sync_blob_ref WHERE content_hash = :hash"
                + (forUpdate ? " FOR UPDATE" : ""))
                .bind("hash", hash.hex()).map((rs, ctx) -> blobRef(rs)).findOne();
    }

    static PatientFilesetRecord filesetRecord(ResultSet rs) throws SQLException {
        return new PatientFilesetRecord(FilesetId.of(rs.getString("fileset_id")),
                new PatientUuid(rs.getObject("patient_uuid", UUID.class)),
                Json.patientIdHistory(rs.getString("history")), Jdbis.instant(rs, "last_synced_at"));
    }

    static BlobRef blobRef(ResultSet rs) throws SQLException {
        return new BlobRef(ContentHash.ofHex(rs.getString("content_hash")), rs.getLong("ref_count"),
                rs.getLong("size"), BlobRef.State.valueOf(rs.getString("state")),
                Optional.ofNullable(rs.getString("blob_etag")), Jdbis.instant(rs, "updated_at"));
    }

    private static void requirePositive(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
    }

    private java.time.OffsetDateTime now() {
        return Jdbis.utc(clock.instant());
    }

    private <T> T read(String operation, Function<Handle, T> query) {
        return SqlErrors.translate(operation, () -> jdbi.withHandle(query::apply));
    }

    private <T> T write(String operation, FencingToken token, Function<Handle, T> update) {
        requireNonNull(token, "token");
        return SqlErrors.translate(operation, () ->
                jdbi.inTransaction(h -> {
                    Fence.check(h, token, fenceLockName);
                    return update.apply(h);
                }));
    }

    /** Builds a {@link JdbiDocumentStore}. */
    public static final class Builder {
        private DataSource dataSource;
        private SchemaMapping mapping = SchemaMapping.defaults();
        private Clock clock = Clock.systemUTC();
        private Optional<String> fenceLockName = Optional.empty();

        private Builder() {
        }

        /** Connections to a migrated database (required). @return this builder */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = requireNonNull(dataSource, "dataSource");
            return this;
        }

        /** Table and column names of documents and mappings; default {@link SchemaMapping#defaults()}. @return this builder */
        public Builder schemaMapping(SchemaMapping mapping) {
            this.mapping = requireNonNull(mapping, "mapping");
            return this;
        }

        /** Time of {@code updatedAt} values; default the system UTC clock. @return this builder */
        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Also fence writes against the lease row of {@code lockName} in {@code vsrx_sync_lock} (use only when
         * the run's lock is a {@link JdbiSyncLock} on the same database). Default: the high-water mark only.
         *
         * @return this builder
         */
        public Builder fencedByLock(String lockName) {
            this.fenceLockName = Optional.of(requireNonNull(lockName, "lockName"));
            return this;
        }

        /**
         * The store.
         *
         * @throws IllegalStateException when no data source was given
         */
        public JdbiDocumentStore build() {
            if (dataSource == null) {
                throw new IllegalStateException("dataSource is required");
            }
            return new JdbiDocumentStore(Jdbis.create(dataSource), mapping, clock, fenceLockName);
        }
    }
}
