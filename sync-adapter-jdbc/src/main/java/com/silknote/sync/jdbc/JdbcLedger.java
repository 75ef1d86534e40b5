package com.silknote.sync.jdbc;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.ConfigurationException;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.SyncConfig;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Silknote ledger on PostgreSQL: one entry point that connects (a host's {@link DataSource}, a JDBC URL
 * pooled by HikariCP, or the embedded default on a persistent data directory), migrates the schema with
 * Flyway (location {@value #MIGRATIONS}, history table {@value #HISTORY_TABLE}, apart from any host
 * migrations) and hands out the adapters. Closing it closes the pool and the embedded server it started.
 *
 * <pre>{@code
 * try (JdbcLedger ledger = JdbcLedger.builder()
 *         .embedded(Path.of("/var/lib/vsrx-sync/pg"))      // the default ...
 *         .environment(System.getenv())                     // ... replaced by VSRX_SYNC_JDBC_URL when set
 *         .build()) {
 *     DocumentStore documents = ledger.documentStore();
 *     SyncLock lock = ledger.syncLock("host-a/1");
 * }
 * }</pre>
 */
public final class JdbcLedger implements AutoCloseable {
    /** Classpath location of the adapter's migrations. */
    public static final String MIGRATIONS = "classpath:db/vsrx-sync/migration";
    /** Flyway history table of the adapter's migrations. */
    public static final String HISTORY_TABLE = "vsrx_sync_schema_history";
    /** Environment variable with a JDBC URL that replaces the embedded default. */
    public static final String ENV_URL = "VSRX_SYNC_JDBC_URL";
    /** Environment variable with the user for {@link #ENV_URL}. */
    public static final String ENV_USER = "VSRX_SYNC_JDBC_USER";
    /** Environment variable with the password for {@link #ENV_URL}. */
    public static final String ENV_PASSWORD = "VSRX_SYNC_JDBC_PASSWORD";

    private static final Logger LOG = LoggerFactory.getLogger(JdbcLedger.class);
    private static final java.util.concurrent.atomic.AtomicLong POOLS = new java.util.concurrent.atomic.AtomicLong();

    private final DataSource dataSource;
    private final Optional<HikariDataSource> ownedPool;
    private final Optional<EmbeddedPostgresServer> ownedServer;
    private final Optional<String> applicationName;
    private final Jdbi jdbi;
    private final JdbiDocumentStore documentStore;
    private final JdbiVectorStore vectorStore;
    private final JdbiFilesetClaims filesetClaims;
    private final AtomicBoolean closed = new AtomicBoolean();

    private JdbcLedger(DataSource dataSource, Optional<HikariDataSource> ownedPool,
            Optional<EmbeddedPostgresServer> ownedServer, SchemaMapping mapping, Clock clock, boolean fenceByLock) {
        this.dataSource = dataSource;
        this.ownedPool = ownedPool;
        this.ownedServer = ownedServer;
        this.applicationName = ownedPool.map(p -> p.getDataSourceProperties().getProperty("ApplicationName"));
        this.jdbi = Jdbis.create(dataSource);
        this.documentStore = new JdbiDocumentStore(jdbi, mapping, clock,
                fenceByLock ? Optional.of(SyncConfig.LOCK_NAME) : Optional.empty());
        this.vectorStore = new JdbiVectorStore(jdbi);
        this.filesetClaims = new JdbiFilesetClaims(jdbi);
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The embedded default: PostgreSQL on {@code dataDirectory} (kept across restarts, password-protected,
     * loopback only; see {@link EmbeddedPostgresServer}), migrated. When a server already runs on the
     * directory (another process of the same user), the ledger connects to it.
     *
     * @throws ConfigurationException when the server cannot start or the migration fails
     */
    public static JdbcLedger embedded(Path dataDirectory) {
        return builder().embedded(dataDirectory).build();
    }

    /** The document store on this ledger. */
    public JdbiDocumentStore documentStore() {
        return documentStore;
    }

    /**
     * A lock client on this ledger's lease table.
     *
     * @param holderId opaque, log-safe id of the holder (host and instance)
     * @throws IllegalArgumentException when {@code holderId} is blank
     */
    public JdbiSyncLock syncLock(String holderId) {
        return new JdbiSyncLock(jdbi, holderId);
    }

    /** The vector store on this ledger. */
    public JdbiVectorStore vectorStore() {
        return vectorStore;
    }

    /** Fileset claims for scale-out on this ledger. */
    public JdbiFilesetClaims filesetClaims() {
        return filesetClaims;
    }

    /** The data source the ledger uses (the host's, or its own pool). */
    public DataSource dataSource() {
        return dataSource;
    }

    /**
     * Closes the pool and stops the embedded server when the ledger created them. Idempotent.
     *
     * @throws com.silknote.sync.core.exception.PermanentSyncException when the embedded server did not stop
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            ownedPool.ifPresent(HikariDataSource::close);
        } finally {
            // the pool's sessions may linger a moment after it closed: they are not others to wait for
            ownedServer.ifPresent(s -> s.close(applicationName));
        }
    }

    /**
     * Runs the adapter's migrations up to {@code target} (all when empty).
     *
     * @throws ConfigurationException when a migration fails
     */
    static void migrate(DataSource dataSource, Optional<String> target) {
        try {
            var config = Flyway.configure()
                    .dataSource(dataSource)
                    .locations(MIGRATIONS)
                    .table(HISTORY_TABLE)
                    // a host schema that already has tables gets a history table starting below V1
                    .baselineOnMigrate(true)
                    .baselineVersion("0");
            target.ifPresent(t -> config.target(MigrationVersion.fromVersion(t)));
            var flyway = config.load();
            var result = flyway.migrate();
            var current = flyway.info().current();
            LOG.info("ledger schema migrated applied={} version={}", result.migrationsExecuted,
                    current == null ? "none" : current.getVersion());
        } catch (RuntimeException e) {
            throw new ConfigurationException("ledger schema migration failed", e);
        }
    }

    /** Builds a {@link JdbcLedger}: exactly one of data source, JDBC URL or embedded data directory. */
    public static final class Builder {
        private DataSource dataSource;
        private String jdbcUrl;
        private String user;
        private Secret password;
        private Path embeddedDirectory;
        private boolean createEmbedded = true;
        private Map<String, String> environment = Map.of();
        private SchemaMapping mapping = SchemaMapping.defaults();
        private Clock clock = Clock.systemUTC();
        private boolean migrate = true;
        private boolean fenceByLock = true;
        private int maxPoolSize = 10;

        private Builder() {
        }

        /** Use the host's connections (not closed by the ledger). @return this builder */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = requireNonNull(dataSource, "dataSource");
            return this;
        }

        /** Connect to {@code jdbcUrl} through a HikariCP pool owned by the ledger. @return this builder */
        public Builder jdbcUrl(String jdbcUrl, String user, Secret password) {
            this.jdbcUrl = requireNonNull(jdbcUrl, "jdbcUrl");
            this.user = requireNonNull(user, "user");
            this.password = requireNonNull(password, "password");
            return this;
        }

        /**
         * The embedded default: a PostgreSQL server on this data directory, started or (when one already
         * runs there) attached to. Its schema is checked with Flyway once per library version: a marker file
         * in the directory remembers the migration scripts it was migrated with.
         *
         * @return this builder
         */
        public Builder embedded(Path dataDirectory) {
            this.embeddedDirectory = requireNonNull(dataDirectory, "dataDirectory");
            return this;
        }

        /**
         * Whether the embedded data directory is created and initialised when it holds no ledger yet (default
         * {@code true}). Commands that only read pass {@code false}: a mistyped directory is then refused with a
         * {@link ConfigurationException} and nothing is created.
         *
         * @return this builder
         */
        public Builder createEmbedded(boolean create) {
            this.createEmbedded = create;
            return this;
        }

        /**
         * Environment values (typically {@code System.getenv()}): when {@value #ENV_URL} is set it replaces
         * the embedded default, with {@value #ENV_USER} and {@value #ENV_PASSWORD}. The ledger reads no
         * environment by itself.
         *
         * @return this builder
         */
        public Builder environment(Map<String, String> environment) {
            this.environment = Map.copyOf(requireNonNull(environment, "environment"));
            return this;
        }

        /** Table and column names of documents and mappings. @return this builder */
        public Builder schemaMapping(SchemaMapping mapping) {
            this.mapping = requireNonNull(mapping, "mapping");
            return this;
        }

        /** Clock of the document store's {@code updatedAt} values; default system UTC. @return this builder */
        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /** Run the migrations on build (default {@code true}). @return this builder */
        public Builder migrate(boolean migrate) {
            this.migrate = migrate;
            return this;
        }

        /**
         * Also fence the store's writes against the {@code vsrx-sync} lease row (default {@code true}; turn
         * off when the run's lock is not this ledger's {@link JdbiSyncLock}).
         *
         * @return this builder
         */
        public Builder fenceWithLockTable(boolean fenceByLock) {
            this.fenceByLock = fenceByLock;
            return this;
        }

        /** Maximum connections of the ledger's own pool (default 10). @return this builder */
        public Builder maxPoolSize(int maxPoolSize) {
            if (maxPoolSize < 1) {
                throw new IllegalArgumentException("maxPoolSize must be >= 1");
            }
            this.maxPoolSize = maxPoolSize;
            return this;
        }

        /**
         * Connects, migrates and returns the ledger.
         *
         * @throws ConfigurationException when nothing or too much is configured, the database cannot be
         *                                reached or started, or the migration fails
         */
        public JdbcLedger build() {
            String url = jdbcUrl;
            String urlUser = user;
            Secret urlPassword = password;
            String envUrl = environment.get(ENV_URL);
            if (url == null && envUrl != null && !envUrl.isBlank()) {
                url = envUrl;
                urlUser = environment.getOrDefault(ENV_USER, "postgres");
                urlPassword = Secret.of(environment.getOrDefault(ENV_PASSWORD, ""));
            }
            if (dataSource != null && (url != null || embeddedDirectory != null)) {
                throw new ConfigurationException("configure either a data source or a JDBC URL/embedded server");
            }
            if (dataSource != null) {
                if (migrate) {
                    JdbcLedger.migrate(dataSource, Optional.empty());
                }
                return new JdbcLedger(dataSource, Optional.empty(), Optional.empty(), mapping, clock, fenceByLock);
            }
            EmbeddedPostgresServer server = null;
            if (url == null) {
                if (embeddedDirectory == null) {
                    throw new ConfigurationException("no database configured: give a data source, a JDBC URL "
                            + "or an embedded data directory");
                }
                server = EmbeddedPostgresServer.builder().dataDirectory(embeddedDirectory).create(createEmbedded)
                        .whileStarting(JdbcLedger::prepareToOpen).start();
                url = server.jdbcUrl();
                urlUser = server.user();
                urlPassword = server.password();
            }
            HikariDataSource pool = null;
            try {
                pool = pool(url, urlUser, urlPassword, maxPoolSize);
                if (migrate) {
                    migrateOnce(pool, Optional.ofNullable(server));
                }
                return new JdbcLedger(pool, Optional.of(pool), Optional.ofNullable(server), mapping, clock,
                        fenceByLock);
            } catch (RuntimeException e) {
                if (pool != null) {
                    pool.close();
                }
                if (server != null) {
                    server.close();
                }
                if (e instanceof ConfigurationException) {
                    throw e;
                }
                throw new ConfigurationException("ledger database could not be opened", e);
            }
        }

        /** Flyway, unless the embedded server's marker says this library's scripts were applied already. */
        private static void migrateOnce(DataSource pool, Optional<EmbeddedPostgresServer> server) {
            Optional<String> fingerprint = server.flatMap(s -> SchemaMarker.fingerprint());
            if (server.isPresent() && fingerprint.isPresent()
                    && SchemaMarker.matches(server.get().dataDirectory(), fingerprint.get())) {
                LOG.debug("ledger schema already migrated by this version");
                return;
            }
            JdbcLedger.migrate(pool, Optional.empty());
            fingerprint.ifPresent(f -> SchemaMarker.write(server.get().dataDirectory(), f));
        }

        private static HikariDataSource pool(String url, String user, Secret password, int maxPoolSize) {
            HikariConfig config = new HikariConfig();
            config.setPoolName("vsrx-sync-ledger");
            config.setJdbcUrl(url);
            config.setUsername(user);
            config.setPassword(password.value());
            config.setMaximumPoolSize(maxPoolSize);
            config.setMinimumIdle(Math.min(2, maxPoolSize));
            // one round trip per batch instead of per row
            config.addDataSourceProperty("reWriteBatchedInserts", "true");
            // keep row values out of exception messages (they may hold patient data)
            config.addDataSourceProperty("logServerErrorDetail", "false");
            // unique per pool, so the embedded server can tell this pool's sessions from other processes'
            config.addDataSourceProperty("ApplicationName", "vsrx-sync/" + ProcessHandle.current().pid() + "/"
                    + POOLS.incrementAndGet());
            return new HikariDataSource(config);
        }
    }

    /**
     * Sets up, while the embedded server boots, the classes that opening the ledger needs next (issue 12,
     * docs/startup.md): the PostgreSQL driver, the pool's configuration, Jdbi with its statement events, the JSON
     * mapper of stored reports, and the JDK's primitives of the password login (SCRAM). On a read-only command
     * such as {@code status} this moved about 0.1 s of the JVM's start into the server's start. Nothing connects
     * and nothing is kept; a failure here only means the same work happens later.
     */
    static void prepareToOpen() {
        org.postgresql.Driver.isRegistered();
        new HikariConfig();
        Jdbis.create(new org.postgresql.ds.PGSimpleDataSource());
        try {
            // Jdbi registers its statement event with the JDK's flight recorder on the first statement
            Class.forName("org.jdbi.v3.core.statement.internal.JfrSupport");
            Json.MAPPER.readTree("{}");
            javax.crypto.Mac.getInstance("HmacSHA256");
            javax.crypto.SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
            java.security.MessageDigest.getInstance("SHA-256");
        } catch (ReflectiveOperationException | java.io.IOException | java.security.GeneralSecurityException e) {
            LOG.debug("preparing to open the ledger: {}", e.getClass().getSimpleName());
        }
    }
}
