package com.silknote.sync.jdbc;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.FilesetClaims;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.testkit.InMemoryBlobStore;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.history.RandomHistoryScenario;
import com.silknote.sync.testkit.history.SilknoteStores;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;

/**
 * Issue 9's randomized history test on PostgreSQL: the independent scenario of the testkit, played on the
 * ledger this adapter builds (the store fenced against the lease table too, as {@link JdbcLedger} builds it),
 * the lease table ({@link JdbiSyncLock}, expiry judged by the database's clock, so a lease is expired with
 * the same hook the lock tests use) and the vector table, with blobs in memory (adapters never depend on
 * each other). 20 seeds in the test command; {@code -Dvsrx.history.seeds=N} and {@code -Dvsrx.history.seed=S}
 * as for the in-memory run (docs/history-test.md).
 */
class JdbcRandomHistoryTest extends RandomHistoryScenario {

    @Override
    protected int defaultSeeds() {
        return 20;
    }

    @Override
    protected SilknoteStores newStores(TestClock clock) {
        return new PostgresStores(Backends.THROWAWAY.freshDataSource(), clock);
    }

    /** The ledger's tables on one emptied database, the behind-the-back changes as plain SQL. */
    private static final class PostgresStores implements SilknoteStores {
        private final DataSource ds;
        private final JdbiDocumentStore documents;
        private final JdbiVectorStore vectors;
        private final JdbiFilesetClaims claims;
        private final InMemoryBlobStore blobs;
        private final TestClock clock;

        PostgresStores(DataSource ds, TestClock clock) {
            this.ds = requireNonNull(ds, "ds");
            this.clock = requireNonNull(clock, "clock");
            Jdbi jdbi = Jdbis.create(ds);
            this.documents = new JdbiDocumentStore(jdbi, SchemaMapping.defaults(), clock,
                    Optional.of(SyncConfig.LOCK_NAME));
            this.vectors = new JdbiVectorStore(jdbi);
            this.claims = new JdbiFilesetClaims(jdbi);
            this.blobs = new InMemoryBlobStore(clock);
        }

        @Override
        public DocumentStore documents() {
            return documents;
        }

        @Override
        public BlobStore blobs() {
            return blobs;
        }

        @Override
        public VectorStore vectors() {
            return vectors;
        }

        @Override
        public SyncLock lock(String holderId) {
            return new JdbiSyncLock(ds, holderId);
        }

        @Override
        public void forceLeaseExpiry(String lockName) {
            LockTestSupport.forceExpiry(ds, lockName);
        }

        @Override
        public Optional<FilesetClaims> claims() {
            return Optional.of(claims);
        }

        @Override
        public void forceClaimsExpiry() {
            execute("UPDATE vsrx_sync_claim SET claimed_until = now() - interval '1 second' WHERE status = 'CLAIMED'",
                    s -> { });
        }

        @Override
        public void editDocumentAsUser(DocumentUuid uuid, UnaryOperator<SilknoteDocument> edit) {
            SilknoteDocument d = documents.findDocument(uuid).orElseThrow();
            SilknoteDocument e = edit.apply(d);
            execute("UPDATE vsrx_sync_document SET patient_uuid = ?, fileset_id = ?, content_hash = ?, size = ?,"
                    + " mime_type = ?, metadata = CAST(? AS jsonb), updated_at = ? WHERE uuid = ?", s -> {
                        s.setObject(1, e.patientUuid().value());
                        s.setString(2, e.filesetId().value());
                        s.setString(3, e.contentHash().hex());
                        s.setLong(4, e.size());
                        s.setString(5, e.mimeType());
                        s.setString(6, Json.metadata(e.metadata()));
                        s.setObject(7, OffsetDateTime.ofInstant(e.updatedAt(), ZoneOffset.UTC));
                        s.setObject(8, uuid.value());
                    });
        }

        @Override
        public void removeDocumentRow(DocumentUuid uuid) {
            execute("DELETE FROM vsrx_sync_document WHERE uuid = ?", s -> s.setObject(1, uuid.value()));
        }

        @Override
        public void removeMappingRow(VsrxFileId fileId) {
            execute("DELETE FROM vsrx_sync_mapping WHERE vsrx_file_id = ?", s -> s.setString(1, fileId.value()));
        }

        @Override
        public void removeBlobRefRow(ContentHash hash) {
            execute("DELETE FROM vsrx_sync_blob_ref WHERE content_hash = ?", s -> s.setString(1, hash.hex()));
        }

        @Override
        public void removeFilesetRecord(FilesetId fileset) {
            execute("DELETE FROM vsrx_sync_fileset WHERE fileset_id = ?", s -> s.setString(1, fileset.value()));
        }

        @Override
        public int removeVectorEntries(DocumentUuid document) {
            return execute("DELETE FROM vsrx_sync_vector WHERE document_uuid = ?", s -> s.setObject(1, document.value()));
        }

        @Override
        public com.silknote.sync.testkit.SilknoteUser silknoteUser() {
            return new com.silknote.sync.testkit.SqlSilknoteUser(ds, "vsrx_sync_document", clock);
        }

        private interface Binder {
            void bind(PreparedStatement s) throws SQLException;
        }

        private int execute(String sql, Binder binder) {
            try (Connection c = ds.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
                binder.bind(s);
                return s.executeUpdate();
            } catch (SQLException e) {
                throw new IllegalStateException("behind-the-back change failed", e);
            }
        }
    }
}
