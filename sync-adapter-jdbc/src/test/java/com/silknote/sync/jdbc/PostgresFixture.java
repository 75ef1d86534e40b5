package com.silknote.sync.jdbc;

import com.silknote.sync.core.model.Secret;
import com.silknote.sync.testkit.TempFolders;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * PostgreSQL for the module's tests, started once per JVM by the tests themselves: a throwaway zonky
 * server (fresh data directory, removed at exit) and the library's own embedded default on a persistent
 * data directory in a temp folder. If either cannot start, the tests that need it fail: nothing skips.
 */
final class PostgresFixture {
    static final String EXTERNAL_URL_ENV = "VSRX_SYNC_TEST_JDBC_URL";

    private static EmbeddedPostgres throwaway;
    private static JdbcLedger embeddedDefault;
    private static JdbcLedger sharedThrowaway;
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private PostgresFixture() {
    }

    /** The throwaway server (started on first use). */
    static synchronized EmbeddedPostgres throwaway() {
        if (throwaway == null) {
            try {
                throwaway = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException("embedded PostgreSQL for tests did not start", e);
            }
        }
        return throwaway;
    }

    /**
     * A new, empty schema on the throwaway server; returns a JDBC URL (user postgres, no password) whose
     * connections work in that schema only ({@code currentSchema}). Cheaper than a database per test.
     */
    static String newIsolatedUrl(String prefix) {
        String name = prefix + "_" + DATABASES.incrementAndGet();
        try (Connection c = throwaway().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create test schema", e);
        }
        String url = throwaway().getJdbcUrl("postgres", "postgres");
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + name;
    }

    /** A raw (unpooled) data source on a database of the throwaway server. */
    static DataSource rawDataSource(String jdbcUrl) {
        var ds = new org.postgresql.ds.PGSimpleDataSource();
        ds.setUrl(jdbcUrl);
        ds.setUser("postgres");
        return ds;
    }

    /** A migrated ledger on a new database of the throwaway server. */
    static JdbcLedger newThrowawayLedger(String prefix, Clock clock) {
        return JdbcLedger.builder().jdbcUrl(newIsolatedUrl(prefix), "postgres", Secret.of("")).clock(clock)
                .maxPoolSize(8).build();
    }

    /** A migrated ledger on the throwaway server shared by tests that empty it before each test. */
    static synchronized JdbcLedger sharedThrowawayLedger() {
        if (sharedThrowaway == null) {
            sharedThrowaway = newThrowawayLedger("shared", Clock.systemUTC());
        }
        return sharedThrowaway;
    }

    /** The library's embedded default on a persistent data directory in a temp folder (started once). */
    static synchronized JdbcLedger embeddedDefault() {
        if (embeddedDefault == null) {
            try {
                Path dir = Files.createTempDirectory("vsrx-sync-embedded-default");
                embeddedDefault = JdbcLedger.embedded(dir.resolve("pgdata"));
                JdbcLedger started = embeddedDefault;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        started.close(); // the server may be stopping already, from its own exit hook
                    } finally {
                        TempFolders.deleteWhenStopped(dir, dir.resolve("pgdata/postmaster.pid"), Duration.ofSeconds(20));
                    }
                }));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return embeddedDefault;
    }

    /**
     * A migrated ledger on the external server named by {@value #EXTERNAL_URL_ENV}, in its own schema
     * {@code vsrx_sync_test} (emptied before each test, so never point it at a production database).
     */
    static JdbcLedger externalLedger(Clock clock) {
        Map<String, String> env = System.getenv();
        String url = env.get(EXTERNAL_URL_ENV);
        String user = env.getOrDefault("VSRX_SYNC_TEST_JDBC_USER", "postgres");
        String password = env.getOrDefault("VSRX_SYNC_TEST_JDBC_PASSWORD", "");
        try (Connection c = java.sql.DriverManager.getConnection(url, user, password);
                Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS vsrx_sync_test");
        } catch (SQLException e) {
            throw new IllegalStateException("external test server unreachable", e);
        }
        return JdbcLedger.builder()
                .jdbcUrl(url + (url.contains("?") ? "&" : "?") + "currentSchema=vsrx_sync_test", user,
                        Secret.of(password))
                .clock(clock).maxPoolSize(8).build();
    }

    /** Empties every table of the ledger and restarts its sequences. */
    static void truncate(DataSource dataSource) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("""
                    TRUNCATE vsrx_sync_fileset, vsrx_sync_document, vsrx_sync_mapping, vsrx_sync_blob_ref,
                        vsrx_sync_skip, vsrx_sync_outbox, vsrx_sync_state, vsrx_sync_run, vsrx_sync_fence,
                        vsrx_sync_lock, vsrx_sync_vector, vsrx_sync_claim, vsrx_sync_claim_run, vsrx_sync_audit,
                        vsrx_sync_run_fileset, vsrx_sync_document_removal, vsrx_sync_change_position,
                        vsrx_sync_conflict RESTART IDENTITY""");
        } catch (SQLException e) {
            throw new IllegalStateException("could not empty the ledger", e);
        }
    }
}
