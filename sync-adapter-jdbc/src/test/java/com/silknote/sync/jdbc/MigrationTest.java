package com.silknote.sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.RunMetrics;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Flyway migrations from an empty database, from each earlier version, and beside a host's tables. */
class MigrationTest {
    static final List<String> TABLES = List.of("vsrx_sync_audit", "vsrx_sync_blob_ref", "vsrx_sync_change_position",
            "vsrx_sync_claim", "vsrx_sync_claim_run", "vsrx_sync_conflict", "vsrx_sync_document",
            "vsrx_sync_document_removal", "vsrx_sync_fence", "vsrx_sync_fileset", "vsrx_sync_lock",
            "vsrx_sync_mapping", "vsrx_sync_outbox", "vsrx_sync_run", "vsrx_sync_run_fileset",
            "vsrx_sync_schema_history", "vsrx_sync_skip", "vsrx_sync_state", "vsrx_sync_vector");
    static final String LATEST = "40";

    @Test
    void migratesAnEmptyDatabaseToTheLatestVersionAndIsIdempotent() throws SQLException {
        DataSource ds = PostgresFixture.rawDataSource(PostgresFixture.newIsolatedUrl("mig_empty"));
        JdbcLedger.migrate(ds, Optional.empty());
        JdbcLedger.migrate(ds, Optional.empty());
        assertThat(tables(ds)).containsExactlyElementsOf(TABLES);
        assertThat(versions(ds)).containsExactly("1", "2", "3", "4", "5", "10", "20", "21", "40");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "2", "3", "4", "10", "20", "21"})
    void migratesFromEachEarlierVersionKeepingTheData(String from) throws SQLException {
        DataSource ds = PostgresFixture.rawDataSource(PostgresFixture.newIsolatedUrl("mig_from_" + from));
        JdbcLedger.migrate(ds, Optional.of(from));
        assertThat(versions(ds)).last().isEqualTo(from);
        // a version-1 store writes what version 1 has (no audit table yet: insert rows directly)
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO vsrx_sync_fence (name, high_water) VALUES ('ledger', 3)");
            if (!from.equals("1")) {
                // a lease taken before version 4 (no request id), long expired
                s.execute("INSERT INTO vsrx_sync_lock (name, holder, token, acquired_at, expires_at)"
                        + " VALUES ('vsrx-sync', 'old-host', 2, now() - interval '1 hour', now() - interval '1 hour')");
            }
            if (!from.equals("1") && !from.equals("2")) {
                // an audit row with counts only (as before version 10) stays through the later migrations
                s.execute("INSERT INTO vsrx_sync_audit (recorded_at, fencing_token, action, counts)"
                        + " VALUES (now(), 3, 'FILESET_COMMIT', '{\"documentsUpserted\": 1}')");
            }
            s.execute("""
                    INSERT INTO vsrx_sync_mapping (vsrx_file_id, document_uuid, fileset_id, etag, modified_at,
                        modified_at_nanos, size, content_hash, synced_at)
                    VALUES ('f1', '4f1e0c1e-0000-5000-8000-000000000001', 'fs-1', NULL,
                        '2026-01-01T00:00:00Z', 5, 10, repeat('a', 64), '2026-01-01T00:00:00Z')""");
        }
        JdbcLedger.migrate(ds, Optional.empty());
        assertThat(versions(ds)).last().isEqualTo(LATEST);
        assertThat(tables(ds)).containsExactlyElementsOf(TABLES);

        try (JdbcLedger ledger = JdbcLedger.builder().dataSource(ds).build()) {
            var store = ledger.documentStore();
            assertThat(store.findMapping(VsrxFileId.of("f1"))).map(m -> m.modifiedAt().getNano()).contains(5);
            // the fencing high-water mark survived: an older token is still refused
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.inUnitOfWork(FencingToken.of(2), u -> null))
                    .isInstanceOf(com.silknote.sync.core.exception.StaleFencingTokenException.class);
            store.inUnitOfWork(FencingToken.of(3), u -> {
                u.upsertFileset(Samples.fileset(FilesetId.of("fs-1")));
                return null;
            });
            assertThat(ledger.syncLock("h").tryAcquire("vsrx-sync", Duration.ofMinutes(1))).isPresent();
        }
    }

    @Test
    void migratesBesideAHostSchemaThatAlreadyHasTables() throws SQLException {
        DataSource ds = PostgresFixture.rawDataSource(PostgresFixture.newIsolatedUrl("mig_host"));
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY, version text)");
            s.execute("INSERT INTO flyway_schema_history VALUES (1, '7')");
            s.execute("CREATE TABLE documents (id uuid PRIMARY KEY)");
        }
        try (JdbcLedger ledger = JdbcLedger.builder().dataSource(ds).clock(Clock.systemUTC()).build()) {
            assertThat(ledger.documentStore().loadState().partialSyncState().isEmpty()).isTrue();
        }
        assertThat(tables(ds)).contains("documents", "flyway_schema_history").containsAll(TABLES);
        assertThat(versions(ds)).containsExactly("0", "1", "2", "3", "4", "5", "10", "20", "21", "40");
    }

    /**
     * Issue 11 run history (V20): runs recorded before it hold their fileset reports in one array; after the
     * migration each is a row of its own, in order, and the run keeps its totals and (derived) status.
     */
    @Test
    void runsRecordedBeforeVersion20BecomeSummariesAndFilesetRows() throws Exception {
        DataSource ds = PostgresFixture.rawDataSource(PostgresFixture.newIsolatedUrl("mig_runs"));
        JdbcLedger.migrate(ds, Optional.of("4"));
        var files = List.of(FileReport.of(VsrxFileId.of("f1"), FileAction.CREATED),
                FileReport.skipped(VsrxFileId.of("f2"), SkipReason.TOO_LARGE, "limit", 0).withPath("notes/a.pdf"));
        var ok = new FilesetReport(FilesetId.of("fs-1"), FilesetOutcome.COMPLETED, Optional.empty(), files,
                Duration.ofSeconds(1), 10, 5);
        var bad = new FilesetReport(FilesetId.of("fs-2"), FilesetOutcome.FAILED, Optional.of("x"),
                List.of(FileReport.of(VsrxFileId.of("f3"), FileAction.FAILED)), Duration.ofSeconds(2), 3, 0);
        var metrics = new RunMetrics(Duration.ofSeconds(3), Duration.ofMillis(1500), 1.0, 0.5, 5, 13, 1);
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        SyncReport before = new SyncReport(RunId.of("run-old"), t0, t0.plusSeconds(3), false, List.of(ok, bad),
                metrics, List.of());
        // the JSON version 4 stored: no totals; and (older still) no status nor error
        ObjectNode json = (ObjectNode) Json.MAPPER.readTree(Json.report(before));
        json.remove("totals");
        json.remove("status");
        json.remove("error");
        try (Connection c = ds.getConnection(); var ps = c.prepareStatement(
                "INSERT INTO vsrx_sync_run (run_id, started_at, finished_at, report) VALUES (?, ?, ?, CAST(? AS jsonb))")) {
            ps.setString(1, "run-old");
            ps.setObject(2, Jdbis.utc(t0));
            ps.setObject(3, Jdbis.utc(t0.plusSeconds(3)));
            ps.setString(4, json.toString());
            ps.executeUpdate();
        }
        JdbcLedger.migrate(ds, Optional.empty());
        try (JdbcLedger ledger = JdbcLedger.builder().dataSource(ds).build()) {
            var store = ledger.documentStore();
            SyncReport summary = store.recentRuns(1).get(0);
            assertThat(summary).isEqualTo(before.summary());
            assertThat(summary.status()).isEqualTo(SyncResult.Status.PARTIAL_FAILURE);
            assertThat(summary.count(FileAction.SKIPPED)).isEqualTo(1);
            assertThat(summary.omittedFilesets()).isEqualTo(2);
            assertThat(store.runFilesets(RunId.of("run-old"), Optional.empty(), 10).items()).containsExactly(ok, bad);
            assertThat(store.findRun(RunId.of("run-old")).orElseThrow().report()).contains(before.summary());
        }
    }

    static List<String> tables(DataSource ds) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT table_name FROM information_schema.tables"
                        + " WHERE table_schema = current_schema() ORDER BY table_name")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    static List<String> versions(DataSource ds) throws SQLException {
        List<String> versions = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT version FROM vsrx_sync_schema_history WHERE success"
                        + " ORDER BY installed_rank")) {
            while (rs.next()) {
                versions.add(rs.getString(1));
            }
        }
        return versions;
    }
}
