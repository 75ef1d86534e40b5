package com.silknote.sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.exception.ConfigurationException;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded default on a persistent data directory: restart, stale pid file, a second process on the same
 * directory, and issue 9 item 6 (the embedded default must not expose patient data: password only, loopback
 * only, private files, durable settings).
 */
class EmbeddedPostgresServerTest {
    @TempDir
    Path temp;

    @Test
    void dataSurvivesARestartAndAStalePidFileLeftByACrash() throws Exception {
        Path dir = temp.resolve("pg");
        try (JdbcLedger ledger = JdbcLedger.embedded(dir)) {
            ledger.documentStore().inUnitOfWork(FencingToken.of(1), uow -> {
                uow.upsertFileset(Samples.fileset(FilesetId.of("fs-1")));
                return null;
            });
        }
        assertThat(dir.resolve("postmaster.pid")).doesNotExist();
        Files.writeString(dir.resolve("postmaster.pid"), deadPid() + "\n" + dir + "\n", StandardCharsets.UTF_8);

        try (JdbcLedger again = JdbcLedger.embedded(dir)) {
            assertThat(again.documentStore().findFileset(FilesetId.of("fs-1"))).isPresent();
        }
    }

    /** Issue 10 item 1: a second command on a directory in use reaches the same ledger instead of failing. */
    @Test
    void aSecondOpenOfARunningDirectoryAttachesToTheSameServer() {
        Path dir = temp.resolve("pg");
        try (EmbeddedPostgresServer first = EmbeddedPostgresServer.start(dir);
                EmbeddedPostgresServer second = EmbeddedPostgresServer.start(dir)) {
            assertThat(first.ownsServer()).isTrue();
            assertThat(second.ownsServer()).isFalse();
            assertThat(second.port()).isEqualTo(first.port());
            assertThat(second.password()).isEqualTo(first.password());
            second.close(); // forgets the server, never stops it
            assertThat(dir.resolve("postmaster.pid")).exists();
        }
        assertThat(dir.resolve("postmaster.pid")).doesNotExist();
    }

    /** Issue 9 item 6: a connection without the generated password, or with a wrong one, is refused. */
    @Test
    void connectionsWithoutTheSecretAreRefusedAndTrustIsNowhere() throws Exception {
        Path dir = temp.resolve("pg");
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dir)) {
            String url = "jdbc:postgresql://127.0.0.1:" + server.port() + "/postgres";
            assertRefused(url, null);
            assertRefused(url, "");
            assertRefused(url, "wrong-password");
            assertThat(server.jdbcUrl()).doesNotContain("password");
            try (Connection c = DriverManager.getConnection(url, "postgres", server.password().value())) {
                assertThat(show(c, "listen_addresses")).isEqualTo("127.0.0.1");
                assertThat(show(c, "unix_socket_directories")).isEmpty();
                assertThat(show(c, "password_encryption")).isEqualTo("scram-sha-256");
            }
            assertThat(Files.readString(dir.resolve("pg_hba.conf"))).doesNotContain("trust")
                    .contains("127.0.0.1/32   scram-sha-256");
        }
    }

    /** Issue 9 item 6: the running server's settings are the durable ones. */
    @Test
    void theServerRunsWithDurableSettings() throws Exception {
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(temp.resolve("pg"));
                Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password().value())) {
            assertThat(show(c, "fsync")).isEqualTo("on");
            assertThat(show(c, "synchronous_commit")).isEqualTo("on");
            assertThat(show(c, "full_page_writes")).isEqualTo("on");
        }
    }

    /** Issue 9 item 6: only the owner of the data directory can read it or the password. */
    @Test
    void theDataDirectoryIsPrivateAndThePasswordFileIsReadableByItsOwnerOnly() throws Exception {
        Path dir = temp.resolve("a").resolve("pg");
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dir)) {
            assertThat(mode(dir)).isEqualTo("rwx------");
            Path credentials = dir.resolve(EmbeddedPostgresServer.CREDENTIALS_FILE);
            assertThat(mode(credentials)).isEqualTo("rw-------");
            Properties p = new Properties();
            try (var r = Files.newBufferedReader(credentials)) {
                p.load(r);
            }
            assertThat(p.getProperty("password")).isEqualTo(server.password().value()).hasSizeGreaterThan(40);
            assertThat(server.password().toString()).doesNotContain(server.password().value());
        }
        // the password stays the same across restarts
        String before = Files.readString(dir.resolve(EmbeddedPostgresServer.CREDENTIALS_FILE));
        try (EmbeddedPostgresServer again = EmbeddedPostgresServer.start(dir)) {
            assertThat(Files.readString(dir.resolve(EmbeddedPostgresServer.CREDENTIALS_FILE))).isEqualTo(before);
            assertThat(mode(dir)).isEqualTo("rwx------");
        }
    }

    /** Issue 9 item 6: a directory made by an older version (trust) gets a password on its next start. */
    @Test
    void aTrustDirectoryOfAnOlderVersionIsSecuredOnItsFirstStart() throws Exception {
        Path dir = temp.resolve("legacy");
        try (EmbeddedPostgres old = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false)
                .setServerConfig("listen_addresses", "127.0.0.1").start();
                Connection c = old.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE kept (x int)");
        }
        assertThat(Files.readString(dir.resolve("pg_hba.conf"))).contains("trust");
        assertThat(dir.resolve(EmbeddedPostgresServer.CREDENTIALS_FILE)).doesNotExist();

        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dir)) {
            String url = "jdbc:postgresql://127.0.0.1:" + server.port() + "/postgres";
            assertRefused(url, null);
            try (Connection c = DriverManager.getConnection(url, "postgres", server.password().value());
                    Statement s = c.createStatement()) {
                s.execute("SELECT count(*) FROM kept");
            }
            assertThat(Files.readString(dir.resolve("pg_hba.conf"))).doesNotContain("trust");
            assertThat(mode(dir.resolve(EmbeddedPostgresServer.CREDENTIALS_FILE))).isEqualTo("rw-------");
        }
    }

    /** A server whose starting process died is adopted by the next process, which stops it when done. */
    @Test
    void aServerWhoseOwnerIsGoneIsAdoptedAndStoppedByTheNextProcess() throws Exception {
        Path dir = temp.resolve("pg");
        EmbeddedPostgresServer first = EmbeddedPostgresServer.start(dir);
        try {
            Files.writeString(dir.resolve(EmbeddedPostgresServer.OWNER_FILE), "pid=" + deadPid() + "\n");
            EmbeddedPostgresServer next = EmbeddedPostgresServer.start(dir);
            assertThat(next.ownsServer()).isTrue();
            assertThat(next.port()).isEqualTo(first.port());
            next.close();
            assertThat(EmbeddedPostgresServer.PostmasterPid.read(dir).flatMap(p -> p.liveProcess())).isEmpty();
        } finally {
            first.close();
        }
    }

    /** The process that started the server waits for other processes' sessions before stopping it. */
    @Test
    void theStartingProcessHandsOffToSessionsOfOtherProcesses() throws Exception {
        Path dir = temp.resolve("pg");
        List<Boolean> otherStillWorkingWhileWaiting = new ArrayList<>();
        Connection[] other = new Connection[1];
        boolean[] closedOther = {false};
        EmbeddedPostgresServer server = EmbeddedPostgresServer.builder().dataDirectory(dir).sleeper(d -> {
            if (closedOther[0]) {
                return; // the closed session may be listed for a moment longer: wait again
            }
            closedOther[0] = true;
            try (Statement s = other[0].createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                otherStillWorkingWhileWaiting.add(rs.next());
                other[0].close();
            } catch (SQLException e) {
                otherStillWorkingWhileWaiting.add(false);
            }
        }).start();
        other[0] = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password().value());

        server.close();

        assertThat(otherStillWorkingWhileWaiting).containsExactly(true);
        assertThat(dir.resolve("postmaster.pid")).doesNotExist();
    }

    /** Issue 10 item 6: a read-only command on a mistyped directory creates nothing. */
    @Test
    void withoutCreateAMissingOrEmptyDirectoryIsRefusedAndNothingIsCreated() throws IOException {
        Path missing = temp.resolve("typo").resolve("postgres");
        assertThatThrownBy(() -> EmbeddedPostgresServer.builder().dataDirectory(missing).create(false).start())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("no embedded ledger");
        assertThat(temp.resolve("typo")).doesNotExist();
        Path empty = Files.createDirectory(temp.resolve("empty"));
        assertThatThrownBy(() -> JdbcLedger.builder().embedded(empty).createEmbedded(false).build())
                .isInstanceOf(ConfigurationException.class);
        try (var list = Files.list(empty)) {
            assertThat(list).isEmpty();
        }
    }

    /** Issue 10 item 8: the schema is checked once per library version, not on every start. */
    @Test
    void flywayRunsOnlyWhenTheMigrationScriptsChanged() throws Exception {
        Path dir = temp.resolve("pg");
        try (JdbcLedger ledger = JdbcLedger.embedded(dir)) {
            assertThat(ledger.documentStore().loadState().lastCompleteSync()).isEmpty();
        }
        Path marker = dir.resolve(SchemaMarker.FILE);
        String fingerprint = SchemaMarker.fingerprint().orElseThrow();
        assertThat(Files.readString(marker).trim()).isEqualTo(fingerprint);

        // a marker of other scripts: Flyway runs (a no-op here), then the marker is renewed
        Files.writeString(marker, "other-scripts\n");
        try (JdbcLedger ledger = JdbcLedger.embedded(dir)) {
            assertThat(tableExists(ledger, JdbcLedger.HISTORY_TABLE)).isTrue();
        }
        assertThat(Files.readString(marker).trim()).isEqualTo(fingerprint);

        // issue 12: a read-only command migrates as well when the marker does not match (and renews it)
        Files.writeString(marker, "other-scripts\n");
        try (JdbcLedger readOnly = JdbcLedger.builder().embedded(dir).createEmbedded(false).build()) {
            assertThat(tableExists(readOnly, JdbcLedger.HISTORY_TABLE)).isTrue();
        }
        assertThat(Files.readString(marker).trim()).isEqualTo(fingerprint);

        // a matching marker: Flyway does not run, so a dropped history table stays dropped
        try (JdbcLedger ledger = JdbcLedger.embedded(dir); Connection c = ledger.dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("DROP TABLE " + JdbcLedger.HISTORY_TABLE);
        }
        try (JdbcLedger ledger = JdbcLedger.embedded(dir)) {
            assertThat(tableExists(ledger, JdbcLedger.HISTORY_TABLE)).isFalse();
        }

        // issue 12: a read-only command (a ledger that may not create) skips Flyway too when the marker matches
        try (JdbcLedger readOnly = JdbcLedger.builder().embedded(dir).createEmbedded(false).build()) {
            assertThat(tableExists(readOnly, JdbcLedger.HISTORY_TABLE)).isFalse();
        }
    }

    /**
     * Issue 12: a read-only command does not wait for the fast shutdown of the server it started; a command that
     * starts right after it never attaches to that ending server but waits for it and starts a new one.
     */
    @Test
    void aStartRightAfterAStopWithoutWaitingGetsAWorkingServer() {
        Path dir = temp.resolve("pg");
        try (JdbcLedger ledger = JdbcLedger.embedded(dir)) {
            ledger.documentStore().inUnitOfWork(FencingToken.of(1), uow -> {
                uow.upsertFileset(Samples.fileset(FilesetId.of("fs-1")));
                return null;
            });
        }
        for (int i = 0; i < 3; i++) {
            EmbeddedPostgresServer readOnly = EmbeddedPostgresServer.builder().dataDirectory(dir).create(false)
                    .awaitStop(false).start();
            assertThat(readOnly.ownsServer()).isTrue();
            readOnly.close();
            try (JdbcLedger next = JdbcLedger.embedded(dir)) {
                assertThat(next.documentStore().findFileset(FilesetId.of("fs-1"))).isPresent();
            }
            assertThat(dir.resolve("postmaster.pid")).doesNotExist();
        }
    }

    /**
     * Issue 12 (docs/startup.md): work handed to the start runs once, on the starting thread, after the server
     * process was launched and before the start returns; work that fails changes nothing of the start; a process
     * that attaches to a running server does not run it.
     */
    @Test
    void workWhileTheServerStartsRunsOnceAndCannotBreakTheStart() {
        Path dir = temp.resolve("pg");
        List<String> seen = new ArrayList<>();
        Thread caller = Thread.currentThread();
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.builder().dataDirectory(dir)
                .whileStarting(() -> {
                    seen.add(Thread.currentThread() == caller ? "caller" : "other");
                    // after initdb, while the server boots
                    seen.add(Files.exists(dir.resolve("postgresql.conf")) ? "initialised" : "not initialised");
                }).start()) {
            assertThat(seen).containsExactly("caller", "initialised");
            try (EmbeddedPostgresServer attached = EmbeddedPostgresServer.builder().dataDirectory(dir)
                    .whileStarting(() -> seen.add("attached")).start()) {
                assertThat(attached.ownsServer()).isFalse();
            }
            assertThat(seen).containsExactly("caller", "initialised");
            assertThat(server.ownsServer()).isTrue();
        }
        try (EmbeddedPostgresServer failing = EmbeddedPostgresServer.builder().dataDirectory(dir).create(false)
                .whileStarting(() -> {
                    throw new IllegalStateException("work failed");
                }).start();
                Connection c = DriverManager.getConnection(failing.jdbcUrl(), failing.user(),
                        failing.password().value());
                Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
            assertThat(rs.next()).isTrue();
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    /** What the ledger prepares while its server starts needs no database: it runs with none to reach. */
    @Test
    void preparingToOpenTheLedgerNeedsNoDatabase() {
        assertThatCode(JdbcLedger::prepareToOpen).doesNotThrowAnyException();
        assertThatCode(JdbcLedger::prepareToOpen).doesNotThrowAnyException();
    }

    @Test
    void environmentUrlReplacesTheEmbeddedDefault() {
        String url = PostgresFixture.newIsolatedUrl("env");
        Path neverStarted = temp.resolve("unused");
        try (JdbcLedger ledger = JdbcLedger.builder().embedded(neverStarted)
                .environment(java.util.Map.of(JdbcLedger.ENV_URL, url, JdbcLedger.ENV_USER, "postgres")).build()) {
            assertThat(ledger.documentStore().loadState().lastCompleteSync()).isEmpty();
        }
        assertThat(neverStarted).doesNotExist();
        assertThatThrownBy(() -> JdbcLedger.builder().build()).isInstanceOf(ConfigurationException.class);
    }

    private static void assertRefused(String url, String password) {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        if (password != null) {
            p.setProperty("password", password);
        }
        assertThatThrownBy(() -> DriverManager.getConnection(url, p).close()).isInstanceOf(SQLException.class);
    }

    private static String show(Connection c, String setting) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static boolean tableExists(JdbcLedger ledger, String table) throws SQLException {
        try (Connection c = ledger.dataSource().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT to_regclass('" + table + "') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    /** The pid of a process that has exited. */
    private static long deadPid() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of("true")).start();
        p.waitFor();
        return p.pid();
    }
}
