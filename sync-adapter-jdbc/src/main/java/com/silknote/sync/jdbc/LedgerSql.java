package com.silknote.sync.jdbc;

import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.model.AuthoredDocument;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentMetadata;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.VsrxFileId;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * SQL text of the document and mapping tables, built once from a {@link SchemaMapping}. Documents with a client
 * file id are the sync's; those without (and not made by the sync) are Silknote-created
 * ({@link AuthoredDocument}).
 */
final class LedgerSql {
    /** Condition on conflict row {@code c}: it holds {@code :hash} (ConflictRecord.heldHashes, issue 14). */
    static final String CONFLICT_HOLDS = "((c.status = 'OPEN' AND (c.vsrx_hash = :hash OR c.silknote_hash = :hash))"
            + " OR (c.status = 'APPLIED' AND c.kept_hash = :hash))";
    /**
     * Rows {@code (id, h)}: each hash a conflict record holds, once per record (ConflictRecord.heldHashes, issue 14);
     * with {@link #CONFLICT_HOLDS} the one definition of a conflict's references.
     */
    static final String CONFLICT_HELD = "SELECT DISTINCT c.id, x.h FROM vsrx_sync_conflict c CROSS JOIN LATERAL"
            + " (VALUES (CASE WHEN c.status = 'OPEN' THEN c.vsrx_hash END),"
            + " (CASE WHEN c.status = 'OPEN' THEN c.silknote_hash END),"
            + " (CASE WHEN c.status = 'APPLIED' THEN c.kept_hash END)) x(h) WHERE x.h IS NOT NULL";
    final String selectDocument;
    final String selectAuthored;
    final String authoredOfFileset;
    final String authoredByUuids;
    final String lockAuthoredByUuids;
    final String documentsExisting;
    final String insertAuthored;
    final String changedDocuments;
    final RowMapper<AuthoredDocument> authoredMapper;
    final String documentByUuid;
    final String documentByClientFileId;
    final String documentsByFileset;
    final String upsertDocument;
    final String deleteDocument;
    final String selectMapping;
    final String mappingByFileId;
    final String mappingsByFileset;
    final String upsertMapping;
    final String deleteMappingsOfDocument;
    final String deleteMapping;
    final String mappingsByFileIds;
    final String documentsByClientFileIds;
    final String lockMappingsByFileIds;
    final String lockDocumentsByClientFileIds;
    final String documentsByUuids;
    final String existingDocumentUuids;
    final String documentsByHash;
    final String documentsWithoutFileset;
    final String documentsWithoutFilesetAfter;
    final String mappingsWithoutDocument;
    final String mappingsWithoutDocumentAfter;
    final String documentsWithoutMapping;
    final String documentsWithoutMappingAfter;
    final String referenceTalliesBound;
    final String referenceTallies;
    final String referencesOfHashes;
    /** The hashes of {@code :hashes} any document row holds, the sync's or Silknote's own (never collected). */
    final String documentHashesHeld;
    /** Scalar subquery: file ids whose mapping, else document, holds {@code :hash} (the reference definition). */
    final String referencesOfHash;
    /** Scalar subquery: the size the ledger records for {@code :hash}, 0 when nothing holds it. */
    final String sizeOfHash;
    /** Condition: some mapping or document holds {@code :hash}. */
    final String hashHeld;
    /** Fileset ids above {@code :after} with a record or documents, in order, at most {@code :limit}. */
    final String filesetsPage;
    final RowMapper<SilknoteDocument> documentMapper;
    final RowMapper<SyncMapping> mappingMapper;

    LedgerSql(SchemaMapping m) {
        selectDocument = "SELECT " + String.join(", ", m.documentUuid() + " AS d_uuid",
                m.documentPatientUuid() + " AS d_patient", m.documentFilesetId() + " AS d_fileset",
                m.documentClientFileId() + " AS d_client", m.documentContentHash() + " AS d_hash",
                m.documentSize() + " AS d_size", m.documentMimeType() + " AS d_mime",
                m.documentMetadata() + "::text AS d_meta", m.documentUpdatedAt() + " AS d_updated")
                + " FROM " + m.documentTable();
        // A document the sync reads as its own has a client file id; one without is Silknote-created.
        documentByUuid = selectDocument + " WHERE " + m.documentUuid() + " = :uuid AND "
                + m.documentClientFileId() + " IS NOT NULL";
        documentByClientFileId = selectDocument + " WHERE " + m.documentClientFileId() + " = :client";
        documentsByFileset = selectDocument + " WHERE " + m.documentFilesetId() + " = :fileset AND "
                + m.documentClientFileId() + " IS NOT NULL ORDER BY " + m.documentClientFileId();
        String authored = m.documentClientFileId() + " IS NULL AND COALESCE(" + m.documentMetadata()
                + " ->> 'sourceSystem', '') <> '" + DocumentMetadata.SOURCE_SYSTEM + "'";
        selectAuthored = "SELECT " + String.join(", ", m.documentUuid() + " AS d_uuid",
                m.documentPatientUuid() + " AS d_patient", m.documentFilesetId() + " AS d_fileset",
                m.documentContentHash() + " AS d_hash", m.documentSize() + " AS d_size",
                m.documentMimeType() + " AS d_mime", m.documentMetadata() + "::text AS d_meta",
                m.documentUpdatedAt() + " AS d_updated") + " FROM " + m.documentTable() + " WHERE " + authored;
        authoredOfFileset = selectAuthored + " AND (" + m.documentFilesetId() + " = :fileset OR ("
                + m.documentFilesetId() + " IS NULL AND " + m.documentPatientUuid() + " = :patient)) ORDER BY "
                + m.documentUuid();
        authoredByUuids = selectAuthored + " AND " + m.documentUuid() + " = ANY(CAST(:ids AS uuid[]))";
        lockAuthoredByUuids = authoredByUuids + " ORDER BY " + m.documentUuid() + " FOR UPDATE";
        documentsExisting = "SELECT " + m.documentUuid() + " FROM " + m.documentTable() + " WHERE "
                + m.documentUuid() + " = ANY(CAST(:ids AS uuid[]))";
        insertAuthored = "INSERT INTO " + m.documentTable() + " (" + String.join(", ", m.documentUuid(),
                m.documentPatientUuid(), m.documentFilesetId(), m.documentClientFileId(), m.documentContentHash(),
                m.documentSize(), m.documentMimeType(), m.documentMetadata(), m.documentUpdatedAt())
                + ") VALUES (:uuid, :patient, :fileset, NULL, :hash, :size, :mime, CAST(:meta AS jsonb), :updated)";
        changedDocuments = "SELECT " + m.documentChangeSeq() + " AS seq, " + m.documentUuid() + "::text AS uuid, "
                + m.documentPatientUuid() + " AS patient, " + m.documentFilesetId() + " AS fileset, false AS removed"
                + " FROM " + m.documentTable() + " WHERE " + m.documentChangeSeq() + " >= :position AND "
                + m.documentChangeSeq() + " > 0"; // 0: written only by the sync, never a Silknote-side change
        upsertDocument = "INSERT INTO " + m.documentTable() + " AS d (" + String.join(", ", m.documentUuid(),
                m.documentPatientUuid(), m.documentFilesetId(), m.documentClientFileId(), m.documentContentHash(),
                m.documentSize(), m.documentMimeType(), m.documentMetadata(), m.documentUpdatedAt())
                + ") VALUES (:uuid, :patient, :fileset, :client, :hash, :size, :mime, CAST(:meta AS jsonb), :updated)"
                + " ON CONFLICT (" + m.documentUuid() + ") DO UPDATE SET "
                + set(m.documentPatientUuid()) + ", " + set(m.documentFilesetId()) + ", "
                + set(m.documentClientFileId()) + ", " + set(m.documentContentHash()) + ", "
                + set(m.documentSize()) + ", " + set(m.documentMimeType()) + ", "
                + m.documentMetadata() + " = COALESCE(d." + m.documentMetadata() + ", '{}'::jsonb) || EXCLUDED."
                + m.documentMetadata() + ", " + set(m.documentUpdatedAt());
        deleteDocument = "DELETE FROM " + m.documentTable() + " WHERE " + m.documentUuid() + " = :uuid";
        selectMapping = "SELECT " + String.join(", ", m.mappingVsrxFileId() + " AS m_file",
                m.mappingDocumentUuid() + " AS m_doc", m.mappingFilesetId() + " AS m_fileset",
                m.mappingEtag() + " AS m_etag", m.mappingModifiedAt() + " AS m_modified",
                m.mappingModifiedAtNanos() + " AS m_modified_nanos", m.mappingSize() + " AS m_size",
                m.mappingContentHash() + " AS m_hash", m.mappingSyncedAt() + " AS m_synced")
                + " FROM " + m.mappingTable();
        mappingByFileId = selectMapping + " WHERE " + m.mappingVsrxFileId() + " = :file";
        mappingsByFileset = selectMapping + " WHERE " + m.mappingFilesetId() + " = :fileset ORDER BY "
                + m.mappingVsrxFileId();
        upsertMapping = "INSERT INTO " + m.mappingTable() + " (" + String.join(", ", m.mappingVsrxFileId(),
                m.mappingDocumentUuid(), m.mappingFilesetId(), m.mappingEtag(), m.mappingModifiedAt(),
                m.mappingModifiedAtNanos(), m.mappingSize(), m.mappingContentHash(), m.mappingSyncedAt())
                + ") VALUES (:file, :doc, :fileset, :etag, :modified, :modifiedNanos, :size, :hash, :synced)"
                + " ON CONFLICT (" + m.mappingVsrxFileId() + ") DO UPDATE SET "
                + String.join(", ", set(m.mappingDocumentUuid()), set(m.mappingFilesetId()), set(m.mappingEtag()),
                        set(m.mappingModifiedAt()), set(m.mappingModifiedAtNanos()), set(m.mappingSize()),
                        set(m.mappingContentHash()), set(m.mappingSyncedAt()));
        deleteMapping = "DELETE FROM " + m.mappingTable() + " WHERE " + m.mappingVsrxFileId() + " = :file";
        deleteMappingsOfDocument = "DELETE FROM " + m.mappingTable() + " WHERE " + m.mappingDocumentUuid()
                + " = :doc";
        mappingsByFileIds = selectMapping + " WHERE " + m.mappingVsrxFileId() + " = ANY(CAST(:ids AS text[]))";
        documentsByClientFileIds = selectDocument + " WHERE " + m.documentClientFileId()
                + " = ANY(CAST(:ids AS text[]))";
        // sorted, so concurrent units of work lock rows in the same order
        lockMappingsByFileIds = mappingsByFileIds + " ORDER BY " + m.mappingVsrxFileId() + " FOR UPDATE";
        lockDocumentsByClientFileIds = documentsByClientFileIds + " ORDER BY " + m.documentClientFileId()
                + " FOR UPDATE";
        String d = m.documentTable();
        String mt = m.mappingTable();
        // A document table shared with the host holds Silknote's own documents too: maintenance reads see only
        // rows the sync wrote (a client file id and sync metadata), so those are never orphans or references.
        String written = d + "." + m.documentClientFileId() + " IS NOT NULL AND (" + d + "." + m.documentMetadata()
                + "->>'vsrxReference') IS NOT NULL";
        documentsByUuids = selectDocument + " WHERE " + m.documentUuid() + " = ANY(CAST(:ids AS uuid[])) AND "
                + written;
        existingDocumentUuids = "SELECT " + m.documentUuid() + " FROM " + d + " WHERE " + m.documentUuid()
                + " = ANY(CAST(:ids AS uuid[]))";
        documentsByHash = selectDocument + " WHERE " + m.documentContentHash() + " = CAST(:hash AS char(64)) AND "
                + written + " ORDER BY " + m.documentUuid() + " LIMIT :limit";
        String noFileset = "NOT EXISTS (SELECT 1 FROM vsrx_sync_fileset f WHERE f.fileset_id = " + d + "."
                + m.documentFilesetId() + ")";
        String noDocument = "NOT EXISTS (SELECT 1 FROM " + d + " WHERE " + d + "." + m.documentClientFileId() + " = "
                + mt + "." + m.mappingVsrxFileId() + ")";
        String noMapping = "NOT EXISTS (SELECT 1 FROM " + mt + " WHERE " + mt + "." + m.mappingVsrxFileId() + " = "
                + d + "." + m.documentClientFileId() + ")";
        String byUuid = " ORDER BY " + m.documentUuid() + " LIMIT :limit";
        String afterUuid = m.documentUuid() + " > CAST(:after AS uuid) AND ";
        documentsWithoutFileset = selectDocument + " WHERE " + written + " AND " + noFileset + byUuid;
        documentsWithoutFilesetAfter = selectDocument + " WHERE " + afterUuid + written + " AND " + noFileset + byUuid;
        String byFile = " ORDER BY " + m.mappingVsrxFileId() + " LIMIT :limit";
        mappingsWithoutDocument = selectMapping + " WHERE " + noDocument + byFile;
        mappingsWithoutDocumentAfter = selectMapping + " WHERE " + m.mappingVsrxFileId() + " > :after AND " + noDocument
                + byFile;
        documentsWithoutMapping = selectDocument + " WHERE " + written + " AND " + noMapping + byUuid;
        documentsWithoutMappingAfter = selectDocument + " WHERE " + afterUuid + written + " AND " + noMapping + byUuid;

        // References per file id: each mapping by its hash, each document without a mapping by its own; and each
        // hash a conflict record holds, once per record (bi-directional sync's losing versions, issue 14).
        String mHash = mt + "." + m.mappingContentHash();
        String dHash = d + "." + m.documentContentHash();
        documentHashesHeld = "SELECT DISTINCT " + dHash + " AS h FROM " + d + " WHERE " + dHash
                + " = ANY(CAST(:hashes AS char(64)[]))";
        referencesOfHashes = "SELECT h, count(*) AS n, max(s) AS s FROM ("
                + "SELECT " + mHash + " AS h, " + mt + "." + m.mappingSize() + " AS s FROM " + mt
                + " WHERE " + mHash + " = ANY(CAST(:hashes AS char(64)[]))"
                + " UNION ALL SELECT " + dHash + ", " + d + "." + m.documentSize() + " FROM " + d
                + " WHERE " + dHash + " = ANY(CAST(:hashes AS char(64)[])) AND " + written + " AND " + noMapping
                + " UNION ALL SELECT held.h, CAST(NULL AS bigint) FROM (" + CONFLICT_HELD + ") held"
                + " WHERE held.h = ANY(CAST(:hashes AS char(64)[]))"
                + ") x GROUP BY h";
        // A page is bounded above by the smallest of each source's limit-th hash after the cursor, so each
        // source brings at most `limit` distinct hashes into it and every hash up to the bound is complete. The
        // bound is read first (one range scan per source): a page may hold no tally and still not be the last.
        String after = " > CAST(:after AS char(64))";
        referenceTalliesBound = "SELECT LEAST("
                + "(SELECT " + mHash + " FROM " + mt + " WHERE " + mHash + after + " ORDER BY " + mHash
                + " OFFSET :skip LIMIT 1), "
                + "(SELECT " + dHash + " FROM " + d + " WHERE " + dHash + after + " AND " + written + " ORDER BY " + dHash
                + " OFFSET :skip LIMIT 1), "
                + "(SELECT content_hash FROM vsrx_sync_blob_ref WHERE content_hash" + after
                + " ORDER BY content_hash OFFSET :skip LIMIT 1), "
                + "(SELECT held.h FROM (" + CONFLICT_HELD + ") held WHERE held.h" + after
                + " ORDER BY held.h OFFSET :skip LIMIT 1)) AS hi";
        String inPage = " <= CAST(:hi AS char(64)) OR CAST(:hi AS char(64)) IS NULL)";
        referenceTallies = "WITH refs AS (SELECT h, count(*) AS n, max(s) AS s FROM ("
                + "SELECT " + mHash + " AS h, " + mt + "." + m.mappingSize() + " AS s FROM " + mt + " WHERE " + mHash
                + after + " AND (" + mHash + inPage
                + " UNION ALL SELECT " + dHash + ", " + d + "." + m.documentSize() + " FROM " + d + " WHERE " + dHash
                + after + " AND (" + dHash + inPage + " AND " + written + " AND " + noMapping
                + " UNION ALL SELECT held.h, CAST(NULL AS bigint) FROM (" + CONFLICT_HELD + ") held WHERE held.h"
                + after + " AND (held.h" + inPage
                + ") x GROUP BY h), "
                + "rows AS (SELECT * FROM vsrx_sync_blob_ref WHERE content_hash" + after + " AND (content_hash"
                + inPage + ") "
                + "SELECT COALESCE(refs.h, rows.content_hash) AS hash, COALESCE(refs.n, 0) AS n, refs.s AS referenced_size,"
                + " rows.content_hash, rows.ref_count, rows.size, rows.state, rows.blob_etag, rows.updated_at"
                + " FROM refs FULL JOIN rows ON rows.content_hash = refs.h ORDER BY 1";

        String dt = m.documentTable();
        referencesOfHash = "((SELECT count(*) FROM " + mt + " WHERE " + m.mappingContentHash() + " = :hash)"
                + " + (SELECT count(*) FROM " + dt + " d WHERE d." + m.documentContentHash() + " = :hash"
                // only documents the sync wrote hold references (a shared table holds Silknote's own too)
                + " AND d." + m.documentClientFileId() + " IS NOT NULL AND (d." + m.documentMetadata()
                + "->>'vsrxReference') IS NOT NULL"
                + " AND NOT EXISTS (SELECT 1 FROM " + mt + " x WHERE x." + m.mappingVsrxFileId() + " = d."
                + m.documentClientFileId() + "))"
                + " + (SELECT count(*) FROM vsrx_sync_conflict c WHERE " + CONFLICT_HOLDS + "))";
        sizeOfHash = "COALESCE((SELECT max(" + m.mappingSize() + ") FROM " + mt + " WHERE " + m.mappingContentHash()
                + " = :hash), (SELECT max(" + m.documentSize() + ") FROM " + dt + " WHERE "
                + m.documentContentHash() + " = :hash), 0)";
        hashHeld = "(EXISTS (SELECT 1 FROM " + mt + " WHERE " + m.mappingContentHash() + " = :hash) OR EXISTS"
                + " (SELECT 1 FROM " + dt + " WHERE " + m.documentContentHash() + " = :hash) OR EXISTS"
                + " (SELECT 1 FROM vsrx_sync_conflict c WHERE " + CONFLICT_HOLDS + "))";
        String fs = m.documentFilesetId();
        filesetsPage = "WITH RECURSIVE d(fs) AS ((SELECT " + fs + " FROM " + dt + " WHERE " + fs + " > :after ORDER BY "
                + fs + " LIMIT 1) UNION ALL SELECT (SELECT " + fs + " FROM " + dt + " WHERE " + fs + " > d.fs ORDER BY "
                + fs + " LIMIT 1) FROM d WHERE d.fs IS NOT NULL)"
                + " SELECT f FROM ((SELECT fs AS f FROM d WHERE fs IS NOT NULL LIMIT :limit) UNION"
                + " (SELECT fileset_id AS f FROM vsrx_sync_fileset WHERE fileset_id > :after ORDER BY fileset_id"
                + " LIMIT :limit)) u ORDER BY f LIMIT :limit";
        documentMapper = (rs, ctx) -> {
            try {
                return document(rs);
            } catch (NullPointerException | IllegalArgumentException e) {
                throw new PermanentSyncException("stored document row is not one the sync can read", e);
            }
        };
        authoredMapper = (rs, ctx) -> {
            try {
                return authored(rs);
            } catch (NullPointerException | IllegalArgumentException e) {
                throw new PermanentSyncException("stored document row is not one the sync can read", e);
            }
        };
        mappingMapper = (rs, ctx) -> {
            try {
                return mapping(rs);
            } catch (NullPointerException | IllegalArgumentException e) {
                throw new PermanentSyncException("stored mapping row is not one the sync can read", e);
            }
        };
    }

    private static String set(String column) {
        return column + " = EXCLUDED." + column;
    }

    private static SilknoteDocument document(ResultSet rs) throws SQLException {
        return new SilknoteDocument(
                new DocumentUuid(rs.getObject("d_uuid", UUID.class)),
                new PatientUuid(rs.getObject("d_patient", UUID.class)),
                FilesetId.of(rs.getString("d_fileset")),
                VsrxFileId.of(rs.getString("d_client")),
                ContentHash.ofHex(rs.getString("d_hash").trim()),
                rs.getLong("d_size"),
                rs.getString("d_mime"),
                Json.metadata(rs.getString("d_meta")),
                Jdbis.instant(rs, "d_updated"));
    }

    private static AuthoredDocument authored(ResultSet rs) throws SQLException {
        Json.AuthoredMetadata meta = Json.authoredMetadata(rs.getString("d_meta"));
        return new AuthoredDocument(
                new DocumentUuid(rs.getObject("d_uuid", UUID.class)),
                new PatientUuid(rs.getObject("d_patient", UUID.class)),
                Optional.ofNullable(rs.getString("d_fileset")).map(FilesetId::of),
                ContentHash.ofHex(rs.getString("d_hash").trim()),
                rs.getLong("d_size"),
                rs.getString("d_mime"),
                meta.title(),
                meta.sourceSystem(),
                meta.groupingStatus(),
                Jdbis.instant(rs, "d_updated"));
    }

    private static SyncMapping mapping(ResultSet rs) throws SQLException {
        VsrxFileId file = VsrxFileId.of(rs.getString("m_file"));
        Instant modified = Jdbis.instant(rs, "m_modified");
        modified = Instant.ofEpochSecond(modified.getEpochSecond(), rs.getInt("m_modified_nanos"));
        return new SyncMapping(
                file,
                new DocumentUuid(rs.getObject("m_doc", UUID.class)),
                file,
                FilesetId.of(rs.getString("m_fileset")),
                Optional.ofNullable(rs.getString("m_etag")),
                modified,
                rs.getLong("m_size"),
                ContentHash.ofHex(rs.getString("m_hash").trim()),
                Jdbis.instant(rs, "m_synced"));
    }
}
