package com.silknote.sync.jdbc;

import static com.silknote.sync.jdbc.Samples.T0;
import static com.silknote.sync.jdbc.Samples.document;
import static com.silknote.sync.jdbc.Samples.hash;
import static com.silknote.sync.jdbc.Samples.mapping;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.VsrxFileId;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The store writing into a pre-existing "Silknote" document table through a {@link SchemaMapping}. */
class SchemaMappingTest {
    static final FilesetId FS = FilesetId.of("fs-1");

    @Test
    void writesAndReadsAnExistingSilknoteLayout() throws SQLException {
        String url = PostgresFixture.newIsolatedUrl("silknote");
        DataSource raw = PostgresFixture.rawDataSource(url);
        try (Connection c = raw.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA silknote");
            s.execute("""
                    CREATE TABLE silknote.documents (
                        id uuid PRIMARY KEY,
                        patient_id uuid NOT NULL,
                        title text NOT NULL DEFAULT 'Untitled',
                        vsrx_fileset text,
                        client_file_id text UNIQUE,
                        sha256 text NOT NULL,
                        byte_size bigint NOT NULL,
                        content_type text NOT NULL,
                        meta jsonb,
                        modified timestamptz NOT NULL,
                        created_at timestamptz NOT NULL DEFAULT now())""");
            s.execute("""
                    CREATE TABLE silknote.vsrx_links (
                        file_id text PRIMARY KEY, doc_id uuid NOT NULL, fileset text NOT NULL, etag text,
                        file_modified timestamptz NOT NULL, file_modified_nanos integer NOT NULL,
                        byte_size bigint NOT NULL, sha256 text NOT NULL, linked_at timestamptz NOT NULL)""");
            s.execute("CREATE INDEX ON silknote.vsrx_links (fileset)");
            s.execute("CREATE INDEX ON silknote.vsrx_links (doc_id)");
            // a document Silknote users made themselves, and one the sync made earlier with a user's note
            s.execute("INSERT INTO silknote.documents (id, patient_id, sha256, byte_size, content_type, modified)"
                    + " VALUES ('00000000-0000-4000-8000-000000000001', gen_random_uuid(), 'x', 1, 'image/png', now())");
        }
        SchemaMapping mapping = SchemaMapping.builder()
                .documentTable("silknote.documents").documentUuid("id").documentPatientUuid("patient_id")
                .documentFilesetId("vsrx_fileset").documentClientFileId("client_file_id")
                .documentContentHash("sha256").documentSize("byte_size").documentMimeType("content_type")
                .documentMetadata("meta").documentUpdatedAt("modified")
                .mappingTable("silknote.vsrx_links").mappingVsrxFileId("file_id").mappingDocumentUuid("doc_id")
                .mappingFilesetId("fileset").mappingEtag("etag").mappingModifiedAt("file_modified")
                .mappingModifiedAtNanos("file_modified_nanos").mappingSize("byte_size").mappingContentHash("sha256")
                .mappingSyncedAt("linked_at").build();

        try (JdbcLedger ledger = JdbcLedger.builder().dataSource(raw).schemaMapping(mapping)
                .clock(Clock.fixed(T0, ZoneOffset.UTC)).build()) {
            var store = ledger.documentStore();
            var doc = document(FS, "f1", hash("a"));
            var map = mapping(FS, "f1", hash("a"), Instant.parse("2025-01-01T00:00:00.000000123Z"));
            store.inUnitOfWork(FencingToken.of(1), uow -> {
                uow.upsertDocument(doc);
                uow.upsertMapping(map);
                return null;
            });
            try (Connection c = raw.getConnection(); Statement s = c.createStatement()) {
                s.execute("UPDATE silknote.documents SET meta = meta || '{\"userNote\": \"keep me\"}', title = 'Scan'"
                        + " WHERE client_file_id = 'f1'");
            }
            store.inUnitOfWork(FencingToken.of(1), uow -> {
                uow.upsertDocument(doc);
                return null;
            });
            assertThat(store.findDocument(doc.uuid())).contains(doc);
            assertThat(store.findDocumentByClientFileId(VsrxFileId.of("f1"))).contains(doc);
            assertThat(store.documents(FS)).containsExactly(doc);
            assertThat(store.findMapping(VsrxFileId.of("f1"))).contains(map);
            assertThat(store.mappings(FS)).containsExactly(map);
            try (Connection c = raw.getConnection(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT title, meta->>'userNote', meta->>'sourceSystem', count(*) OVER ()"
                            + " FROM silknote.documents WHERE client_file_id = 'f1'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("Scan");
                assertThat(rs.getString(2)).isEqualTo("keep me");
                assertThat(rs.getString(3)).isEqualTo("VSRX_SYNC");
            }
            assertThat(tableIsEmpty(raw, "vsrx_sync_document")).isTrue();
            assertThat(tableIsEmpty(raw, "vsrx_sync_mapping")).isTrue();

            store.inUnitOfWork(FencingToken.of(1), uow -> {
                uow.deleteDocument(doc.uuid());
                return null;
            });
            assertThat(store.findDocument(doc.uuid())).isEmpty();
            assertThat(store.findMapping(VsrxFileId.of("f1"))).isEmpty();
            // a Silknote user's own document has no sync metadata: reading it as a synced one is refused
            assertThatThrownBy(() -> store.findDocument(DocumentUuid.of("00000000-0000-4000-8000-000000000001")))
                    .isInstanceOf(PermanentSyncException.class);
        }
    }

    @Test
    void rejectsNamesThatAreNotPlainIdentifiers() {
        assertThatThrownBy(() -> SchemaMapping.builder().documentTable("documents; DROP TABLE x").build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SchemaMapping.builder().mappingEtag("\"Etag\"").build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(SchemaMapping.defaults().newBuilder().build()).isEqualTo(SchemaMapping.defaults());
    }

    private static boolean tableIsEmpty(DataSource ds, String table) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT NOT EXISTS (SELECT 1 FROM " + table + ")")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
