package com.silknote.sync.jdbc;

import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.model.ConflictId;
import com.silknote.sync.core.model.ConflictKind;
import com.silknote.sync.core.model.ConflictRecord;
import com.silknote.sync.core.model.ConflictStatus;
import com.silknote.sync.core.model.ConflictStrategy;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.VsrxFileId;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.PreparedBatch;

/** The rows of {@code vsrx_sync_conflict} (bi-directional sync): reading, writing. */
final class ConflictRows {
    static final String SELECT = "SELECT id, fileset_id, file_id, document_uuid, kind, status, base_hash, vsrx_hash,"
            + " vsrx_etag, silknote_hash, strategy, decision, kept_hash, detail, detected_at, updated_at"
            + " FROM vsrx_sync_conflict";
    static final String UPSERT = """
            INSERT INTO vsrx_sync_conflict (id, fileset_id, file_id, document_uuid, kind, status, base_hash, vsrx_hash,
                vsrx_etag, silknote_hash, strategy, decision, kept_hash, detail, detected_at, updated_at)
            VALUES (:id, :fileset, :file, :doc, :kind, :status, :base, :vsrx, :etag, :silknote, :strategy, :decision,
                :kept, :detail, :detected, :updated)
            ON CONFLICT (id) DO UPDATE SET fileset_id = EXCLUDED.fileset_id, file_id = EXCLUDED.file_id,
                document_uuid = EXCLUDED.document_uuid, kind = EXCLUDED.kind, status = EXCLUDED.status,
                base_hash = EXCLUDED.base_hash, vsrx_hash = EXCLUDED.vsrx_hash, vsrx_etag = EXCLUDED.vsrx_etag,
                silknote_hash = EXCLUDED.silknote_hash, strategy = EXCLUDED.strategy, decision = EXCLUDED.decision,
                kept_hash = EXCLUDED.kept_hash, detail = EXCLUDED.detail, detected_at = EXCLUDED.detected_at,
                updated_at = EXCLUDED.updated_at""";

    static final RowMapper<ConflictRecord> MAPPER = (rs, ctx) -> {
        try {
            return read(rs);
        } catch (NullPointerException | IllegalArgumentException e) {
            throw new PermanentSyncException("stored conflict record is not one the sync can read", e);
        }
    };

    private ConflictRows() {
    }

    private static ConflictRecord read(ResultSet rs) throws SQLException {
        return new ConflictRecord(ConflictId.of(rs.getString("id")), FilesetId.of(rs.getString("fileset_id")),
                Optional.ofNullable(rs.getString("file_id")).map(VsrxFileId::of),
                new DocumentUuid(rs.getObject("document_uuid", UUID.class)),
                ConflictKind.valueOf(rs.getString("kind")), ConflictStatus.valueOf(rs.getString("status")),
                hash(rs, "base_hash"), hash(rs, "vsrx_hash"), Optional.ofNullable(rs.getString("vsrx_etag")),
                hash(rs, "silknote_hash"), strategy(rs, "strategy"), strategy(rs, "decision"), hash(rs, "kept_hash"),
                Optional.ofNullable(rs.getString("detail")), Jdbis.instant(rs, "detected_at"),
                Jdbis.instant(rs, "updated_at"));
    }

    private static Optional<ContentHash> hash(ResultSet rs, String column) throws SQLException {
        return Optional.ofNullable(rs.getString(column)).map(s -> ContentHash.ofHex(s.trim()));
    }

    private static Optional<ConflictStrategy> strategy(ResultSet rs, String column) throws SQLException {
        return Optional.ofNullable(rs.getString(column)).map(ConflictStrategy::valueOf);
    }

    static void bind(PreparedBatch batch, ConflictRecord c) {
        batch.bind("id", c.id().value()).bind("fileset", c.filesetId().value())
                .bind("file", c.fileId().map(VsrxFileId::value).orElse(null)).bind("doc", c.document().value())
                .bind("kind", c.kind().name()).bind("status", c.status().name())
                .bind("base", c.baseHash().map(ContentHash::hex).orElse(null))
                .bind("vsrx", c.vsrxHash().map(ContentHash::hex).orElse(null))
                .bind("etag", c.vsrxEtag().orElse(null))
                .bind("silknote", c.silknoteHash().map(ContentHash::hex).orElse(null))
                .bind("strategy", c.strategy().map(Enum::name).orElse(null))
                .bind("decision", c.decision().map(Enum::name).orElse(null))
                .bind("kept", c.keptHash().map(ContentHash::hex).orElse(null))
                .bind("detail", c.detail().orElse(null))
                .bind("detected", Jdbis.utc(c.detectedAt())).bind("updated", Jdbis.utc(c.updatedAt()))
                .add();
    }
}
