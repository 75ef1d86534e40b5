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
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The store writing into a pre-existing "Silknote" document table through a {@link SchemaMapping}. */
class SchemaMappingTest {
    static final FilesetId FS = FilesetId.of("fs-1");

    @Test
    void writesAndReadsAnExistingSilknoteLayout() throws SQLException {
        DataSource raw = hostLayout("silknote");
        SchemaMapping mapping = hostMapping("silknote");

        try (JdbcLedger ledger = JdbcLedger.builder().dataSource(raw).schemaMapping(mapping)
                .clock(Clock.fixed(T0, ZoneOffset.UTC)).build()) {
            writesAndReads(raw, ledger, "silknote");
        }
    }

    /**
     * Issue 11 / rule 14: in a document table shared with the host, Silknote's own documents (no sync metadata)
     * are neither orphans, nor documents without mappings, nor references; vector entries of one are not stray.
     */
    @Test
    void theOperationsLeaveTheHostsOwnDocumentsAlone() throws SQLException {
        DataSource raw = hostLayout("silknote_ops");
        String schema = "silknote_ops";
        DocumentUuid hostDocument = DocumentUuid.of("00000000-0000-4000-8000-000000000001");
        try (JdbcLedger ledger = JdbcLedger.builder().dataSource(raw).schemaMapping(hostMapping(schema))
                .clock(Clock.fixed(T0, ZoneOffset.UTC)).build()) {
            var store = ledger.documentStore();
            var orphan = document(FilesetId.of("fs-gone"), "f-orphan", hash("orphan"));
            store.inUnitOfWork(FencingToken.of(1), uow -> {
                uow.upsertDocument(orphan);
                uow.addBlobRef(orphan.contentHash(), orphan.size(), "e1");
                return null;
            });
            ledger.vectorStore().replace(FencingToken.of(1), hostDocument, List.of(new com.silknote.sync.core.model.VectorEntry(
                    hostDocument, 0, hash("host"), new float[] {1f})));

            assertThat(store.documentsWithoutFileset(java.util.Optional.empty(), 100).items())
                    .containsExactly(orphan);
            assertThat(store.documentsWithoutMapping(java.util.Optional.empty(), 100).items())
                    .containsExactly(orphan);
            assertThat(store.referenceTallies(java.util.Optional.empty(), 100).items())
                    .extracting(t -> t.hash()).containsExactly(orphan.contentHash());
            assertThat(store.existingDocuments(List.of(hostDocument, orphan.uuid())))
                    .containsExactlyInAnyOrder(hostDocument, orphan.uuid());
            assertThat(store.findDocuments(List.of(hostDocument))).isEmpty();

            var blobs = new com.silknote.sync.testkit.InMemoryBlobStore(Clock.fixed(T0, ZoneOffset.UTC));
            var check = com.silknote.sync.core.ConsistencyCheck.builder().documents(store).blobs(blobs)
                    .vectors(ledger.vectorStore()).lock(ledger.syncLock("host-a"))
                    .clock(Clock.fixed(T0.plusSeconds(86_400), ZoneOffset.UTC)).build()
                    .check(com.silknote.sync.core.model.CheckRequest.defaults());
            assertThat(check.findings()).extracting(f -> f.id()).doesNotContain(hostDocument.value().toString());
            var cleanup = com.silknote.sync.core.OrphanCleanup.builder().documents(store).blobs(blobs)
                    .vectors(ledger.vectorStore()).lock(ledger.syncLock("host-a"))
                    .clock(Clock.fixed(T0.plusSeconds(86_400), ZoneOffset.UTC)).build()
                    .run(com.silknote.sync.core.model.CleanupRequest.removing());
            assertThat(cleanup.success()).as("%s", cleanup.error()).isTrue();
            assertThat(cleanup.removed(com.silknote.sync.core.model.OrphanClass.DOCUMENT_WITHOUT_FILESET).count())
                    .isEqualTo(1);
            assertThat(ledger.vectorStore().entries(hostDocument)).hasSize(1);
            try (Connection c = raw.getConnection(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM " + schema + ".documents")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).as("the host's own document stays").isEqualTo(1);
            }
        }
    }

    /** Silknote's own document table (with one document of its own) and a mapping table, in schema {@code schema}. */
    private static DataSource hostLayout(String schema) throws SQLException {
        String url = PostgresFixture.newIsolatedUrl(schema + "_ledger");
        DataSource raw = PostgresFixture.rawDataSource(url);
        try (Connection c = raw.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
            s.execute("""
                    CREATE TABLE HOST.documents (
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
                        created_at timestamptz NOT NULL DEFAULT now())""".replace("HOST", schema));
            s.execute("""
                    CREATE TABLE HOST.vsrx_links (
                        file_id text PRIMARY KEY, doc_id uuid NOT NULL, fileset text NOT NULL, etag text,
                        file_modified timestamptz NOT NULL, file_modified_nanos integer NOT NULL,
                        byte_size bigint NOT NULL, sha256 text NOT NULL, linked_at timestamptz NOT NULL)"""
                    .replace("HOST", schema));
            s.execute("CREATE INDEX ON " + schema + ".vsrx_links (fileset)");
            s.execute("CREATE INDEX ON " + schema + ".vsrx_links (doc_id)");
            // a document Silknote users made themselves, and one the sync made earlier with a user's note
            s.execute("INSERT INTO " + schema + ".documents (id, patient_id, sha256, byte_size, content_type, modified)"
                    + " VALUES ('00000000-0000-4000-8000-000000000001', gen_random_uuid(), 'x', 1, 'image/png', now())");
        }
        return raw;
    }

    private static SchemaMapping hostMapping(String schema) {
        return SchemaMapping.builder()
                .documentTable(schema + ".documents").documentUuid("id").documentPatientUuid("patient_id")
                .documentFilesetId("vsrx_fileset").documentClientFileId("client_file_id")
                .documentContentHash("sha256").documentSize("byte_size").documentMimeType("content_type")
                .documentMetadata("meta").documentUpdatedAt("modified")
                .mappingTable(schema + ".vsrx_links").mappingVsrxFileId("file_id").mappingDocumentUuid("doc_id")
                .mappingFilesetId("fileset").mappingEtag("etag").mappingModifiedAt("file_modified")
                .mappingModifiedAtNanos("file_modified_nanos").mappingSize("byte_size").mappingContentHash("sha256")
                .mappingSyncedAt("linked_at").build();
    }

    private static void writesAndReads(DataSource raw, JdbcLedger ledger, String schema) throws SQLException {
        {
            var store = ledger.documentStore();
            var doc = document(FS, "f1", hash("a"));
            var map = mapping(FS, "f1", hash("a"), Instant.parse("2025-01-01T00:00:00.000000123Z"));
            store.inUnitOfWork(FencingToken.of(1), uow -> {
                uow.upsertDocument(doc);
                uow.upsertMapping(map);
                return null;
            });
            try (Connection c = raw.getConnection(); Statement s = c.createStatement()) {
                s.execute("UPDATE " + schema + ".documents SET meta = meta || '{\"userNote\": \"keep me\"}', title = 'Scan'"
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
                            + " FROM " + schema + ".documents WHERE client_file_id = 'f1'")) {
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
            // a Silknote user's own document (no client file id) is not read as a synced one
            assertThat(store.findDocument(DocumentUuid.of("00000000-0000-4000-8000-000000000001"))).isEmpty();
            // a row with a client file id but no sync metadata is refused
            try (Connection c = raw.getConnection(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO silknote.documents (id, patient_id, client_file_id, sha256, byte_size,"
                        + " content_type, modified) VALUES ('00000000-0000-4000-8000-000000000002', gen_random_uuid(),"
                        + " 'x1', 'x', 1, 'image/png', now())");
            }
            assertThatThrownBy(() -> store.findDocumentByClientFileId(VsrxFileId.of("x1")))
                    .isInstanceOf(PermanentSyncException.class);
        }
    }

    /**
     * Issue 14: the host's own document table gets the change column and the two triggers docs/schema.md shows;
     * the ledger then reads the Silknote-created documents and Silknote-side changes from it, and the sync's own
     * writes stay out of the change sequence.
     */
    @Test
    void bidirectionalSyncReadsTheSilknoteSideOfAnExistingLayout() throws SQLException {
        String url = PostgresFixture.newIsolatedUrl("silknote_bidi");
        DataSource raw = PostgresFixture.rawDataSource(url);
        SchemaMapping mapping = SchemaMapping.builder()
                .documentTable("silknote_host.documents").documentUuid("id").documentPatientUuid("patient_id")
                .documentFilesetId("vsrx_fileset").documentClientFileId("client_file_id")
                .documentContentHash("sha256").documentSize("byte_size").documentMimeType("content_type")
                .documentMetadata("meta").documentUpdatedAt("modified").documentChangeSeq("change_no")
                .build();
        try (JdbcLedger ledger = JdbcLedger.builder().dataSource(raw).schemaMapping(mapping)
                .clock(Clock.fixed(T0, ZoneOffset.UTC)).build()) {
            try (Connection c = raw.getConnection(); Statement s = c.createStatement()) {
                ResultSet rs = s.executeQuery("SELECT current_schema()");
                rs.next();
                String ledgerSchema = rs.getString(1);
                s.execute("CREATE SCHEMA silknote_host");
                s.execute("""
                        CREATE TABLE silknote_host.documents (
                            id uuid PRIMARY KEY, patient_id uuid NOT NULL, vsrx_fileset text, client_file_id text UNIQUE,
                            sha256 text NOT NULL, byte_size bigint NOT NULL, content_type text NOT NULL, meta jsonb,
                            modified timestamptz NOT NULL)""");
                // what docs/schema.md tells a host to run
                s.execute("ALTER TABLE silknote_host.documents ADD COLUMN change_no bigint NOT NULL DEFAULT 0");
                s.execute("CREATE INDEX ON silknote_host.documents (change_no) WHERE change_no > 0");
                s.execute("CREATE TRIGGER vsrx_sync_stamp_change BEFORE INSERT OR UPDATE ON silknote_host.documents"
                        + " FOR EACH ROW EXECUTE FUNCTION " + ledgerSchema + ".vsrx_sync_stamp_change('change_no')");
                s.execute("CREATE TRIGGER vsrx_sync_record_removal AFTER DELETE ON silknote_host.documents FOR EACH ROW"
                        + " EXECUTE FUNCTION " + ledgerSchema
                        + ".vsrx_sync_record_removal('id', 'patient_id', 'vsrx_fileset')");
                // the host's connections need not see the ledger's schema for the triggers to work
                s.execute("SET search_path TO silknote_host");
                s.execute("INSERT INTO documents (id, patient_id, vsrx_fileset, sha256, byte_size, content_type, meta,"
                        + " modified) VALUES ('00000000-0000-4000-8000-00000000000a', '7d444840-9dc0-11d1-b245-5ffdce74fad2',"
                        + " 'fs-1', repeat('b', 64), 3, 'application/pdf', '{\"title\": \"Befund\"}', now())");
                s.execute("RESET search_path");
            }
            var store = ledger.documentStore();
            var doc = document(FS, "f1", hash("a"));
            store.inUnitOfWork(FencingToken.of(1), uow -> {
                uow.upsertDocument(doc);
                return null;
            });
            var patient = com.silknote.sync.core.model.PatientUuid.of("7d444840-9dc0-11d1-b245-5ffdce74fad2");
            assertThat(store.authoredDocuments(FS, patient)).singleElement().satisfies(a -> {
                assertThat(a.uuid()).isEqualTo(DocumentUuid.of("00000000-0000-4000-8000-00000000000a"));
                assertThat(a.title()).contains("Befund");
                assertThat(a.sourceSystem()).isEqualTo("SILKNOTE");
            });
            var changes = store.silknoteChanges(0, java.util.Optional.empty(), 100).changes();
            assertThat(changes).extracting(c -> c.document().value().toString())
                    .as("the host's insert is a change, the sync's upsert is not")
                    .containsExactly("00000000-0000-4000-8000-00000000000a");
            try (Connection c = raw.getConnection(); Statement s = c.createStatement()) {
                s.execute("DELETE FROM silknote_host.documents WHERE client_file_id = 'f1'");
            }
            assertThat(store.silknoteChanges(0, java.util.Optional.empty(), 100).changes())
                    .filteredOn(com.silknote.sync.core.model.SilknoteChange::removed)
                    .extracting(com.silknote.sync.core.model.SilknoteChange::document).containsExactly(doc.uuid());
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
