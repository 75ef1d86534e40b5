package com.silknote.sync.examples.reliability;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.options.BlobBreakLeaseOptions;
import com.azure.storage.blob.specialized.BlobLeaseClientBuilder;
import com.silknote.sync.azure.AzureBlobLeaseLock;
import com.silknote.sync.azure.AzureBlobLeaseLockConfig;
import com.silknote.sync.azure.AzureBlobStore;
import com.silknote.sync.azure.AzureBlobStoreConfig;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentProcessor;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.azure.Azurite;
import com.silknote.sync.fs.FileSystemBlobStore;
import com.silknote.sync.jdbc.JdbcLedger;
import com.silknote.sync.jdbc.JdbiDocumentStore;
import com.silknote.sync.jdbc.JdbiSyncLock;
import com.silknote.sync.jdbc.JdbiVectorStore;
import com.silknote.sync.jdbc.SchemaMapping;
import com.silknote.sync.testkit.InMemoryDocumentProcessor;
import com.silknote.sync.testkit.TempFolders;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.reliability.SilknoteBackend;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * The real stores of the reliability suite, one of each per test JVM: a throwaway PostgreSQL (zonky, started
 * by the tests, migrated by {@link JdbcLedger}) and the JVM's Azurite; and a fresh, empty
 * {@link SilknoteBackend} on them (tables emptied, a new container or folder). Nothing skips: a backend that
 * cannot start fails the test.
 */
final class RealStores {
    private static EmbeddedPostgres server;
    private static JdbcLedger ledger;

    private RealStores() {
    }

    /** The migrated ledger on the JVM's throwaway PostgreSQL (started on first use). */
    static synchronized JdbcLedger ledger() {
        if (ledger == null) {
            try {
                server = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException("embedded PostgreSQL for the reliability suite did not start", e);
            }
            ledger = JdbcLedger.builder().jdbcUrl(jdbcUrl(), "postgres", Secret.of("")).maxPoolSize(24).build();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                ledger.close();
                try {
                    server.close();
                } catch (IOException e) {
                    // the JVM is going away
                }
            }, "reliability-postgres-stop"));
        }
        return ledger;
    }

    /** The JDBC URL of the throwaway server (user postgres, no password), for child JVMs. */
    static synchronized String jdbcUrl() {
        if (server == null) {
            ledger();
        }
        return server.getJdbcUrl("postgres", "postgres");
    }

    static DataSource dataSource() {
        return ledger().dataSource();
    }

    /** Empties every table of the ledger. */
    static void truncate() {
        try (Connection c = dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("""
                    TRUNCATE vsrx_sync_fileset, vsrx_sync_document, vsrx_sync_mapping, vsrx_sync_blob_ref,
                        vsrx_sync_skip, vsrx_sync_outbox, vsrx_sync_state, vsrx_sync_run, vsrx_sync_fence,
                        vsrx_sync_lock, vsrx_sync_vector, vsrx_sync_claim, vsrx_sync_audit, vsrx_sync_conflict,
                        vsrx_sync_document_removal, vsrx_sync_change_position RESTART IDENTITY""");
        } catch (SQLException e) {
            throw new IllegalStateException("could not empty the ledger", e);
        }
    }

    /** Expires a lease inside the database. */
    static void forceExpiry(String name) {
        try (Connection c = dataSource().getConnection(); PreparedStatement s = c.prepareStatement(
                "UPDATE vsrx_sync_lock SET expires_at = now() - interval '1 second' WHERE name = ?")) {
            s.setString(1, name);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("could not expire the lease", e);
        }
    }

    /** Row counts of the ledger's tables, read with plain SQL. */
    static Map<String, Long> ledgerCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Connection c = dataSource().getConnection(); Statement s = c.createStatement()) {
            counts.put("documents", count(s, "SELECT count(*) FROM vsrx_sync_document"));
            counts.put("mappings", count(s, "SELECT count(*) FROM vsrx_sync_mapping"));
            counts.put("blobRefs", count(s, "SELECT count(*) FROM vsrx_sync_blob_ref"));
            counts.put("skips", count(s, "SELECT count(*) FROM vsrx_sync_skip"));
            counts.put("outbox", count(s, "SELECT count(*) FROM vsrx_sync_outbox"));
            counts.put("vectorDocuments", count(s, "SELECT count(DISTINCT document_uuid) FROM vsrx_sync_vector"));
        } catch (SQLException e) {
            throw new IllegalStateException("could not count the ledger's rows", e);
        }
        return counts;
    }

    private static long count(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Objects in a container outside the lock prefix (blobs, and anything an upload left behind). */
    static long containerObjects(BlobContainerClient container) {
        return container.listBlobs().stream().map(BlobItem::getName).filter(n -> !n.startsWith("locks/")).count();
    }

    /** Regular files under a folder (blobs, and temporary files an upload or delete left behind). */
    static long files(Path root) {
        if (!Files.exists(root)) {
            return 0;
        }
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isRegularFile).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh Silknote on PostgreSQL and a new Azurite container; the JDBC lease lock. */
    static Backend postgresWithAzurite(Clock clock) {
        truncate();
        BlobContainerClient container = Azurite.shared().newContainer();
        AzureBlobStore blobs = new AzureBlobStore(container, AzureBlobStoreConfig.defaults(), clock);
        return new Backend(clock, blobs, () -> containerObjects(container), container, null);
    }

    /**
     * A fresh Silknote on PostgreSQL and a new Azurite container, locked with {@link AzureBlobLeaseLock} on
     * that container (the store is fenced by its high-water mark only, as with any lock outside the database).
     */
    static Backend postgresWithAzuriteAndBlobLeaseLock(TestClock clock) {
        Backend b = postgresWithAzurite(clock);
        AtomicLong seeds = new AtomicLong(1000);
        return b.withLock(holder -> AzureBlobLeaseLock.builder().container(b.container)
                        .config(AzureBlobLeaseLockConfig.defaults(holder)).clock(clock)
                        .random(new SplittableRandom(seeds.incrementAndGet())).build(),
                name -> new BlobLeaseClientBuilder().blobClient(b.container.getBlobClient("locks/" + name))
                        .buildClient().breakLeaseWithResponse(new BlobBreakLeaseOptions()
                                .setBreakPeriod(Duration.ZERO), null, null));
    }

    /** A fresh Silknote on PostgreSQL and a new folder for the file-system blob store; the JDBC lease lock. */
    static Backend postgresWithFileSystem(Clock clock) {
        truncate();
        Path root = TempFolders.create("vsrx-reliability-blobs");
        return new Backend(clock, new FileSystemBlobStore(root, clock), () -> files(root), null, root);
    }

    /** A Silknote on the JVM's PostgreSQL and one blob store. */
    static final class Backend implements SilknoteBackend {
        final BlobContainerClient container;
        final Path blobRoot;
        private final DocumentStore documents;
        private final BlobStore blobs;
        private final VectorStore vectors;
        private final DocumentProcessor processor;
        private final java.util.function.LongSupplier blobObjects;
        private Function<String, SyncLock> locks = holder -> new JdbiSyncLock(dataSource(), holder);
        private Consumer<String> expiry = RealStores::forceExpiry;

        Backend(Clock clock, BlobStore blobs, java.util.function.LongSupplier blobObjects,
                BlobContainerClient container, Path blobRoot) {
            this.documents = new JdbiDocumentStore(dataSource(), SchemaMapping.defaults(), clock);
            this.blobs = blobs;
            this.vectors = new JdbiVectorStore(dataSource());
            this.processor = new InMemoryDocumentProcessor(blobs, vectors);
            this.blobObjects = blobObjects;
            this.container = container;
            this.blobRoot = blobRoot;
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
        public DocumentProcessor processor() {
            return processor;
        }

        /** This backend with another lock. */
        Backend withLock(Function<String, SyncLock> locks, Consumer<String> expiry) {
            this.locks = locks;
            this.expiry = expiry;
            return this;
        }

        @Override
        public SyncLock newLock(String holderId) {
            return locks.apply(holderId);
        }

        @Override
        public void forceExpiry(String name) {
            expiry.accept(name);
        }

        @Override
        public Map<String, Long> rawCounts() {
            Map<String, Long> counts = ledgerCounts();
            counts.put("blobs", blobObjects.getAsLong());
            return counts;
        }
    }
}
