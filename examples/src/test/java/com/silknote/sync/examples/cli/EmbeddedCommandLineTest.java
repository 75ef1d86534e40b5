package com.silknote.sync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.examples.SimulatedVsrx;
import com.silknote.sync.examples.embedded.EmbeddedDefault;
import com.silknote.sync.vsrx.http.HttpVsrxSource;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line on the real embedded default and the real HTTP client, configured by environment. */
class EmbeddedCommandLineTest {
    @TempDir
    Path dataDir;

    @Test
    void syncStatusAndReportOnTheEmbeddedDefault() {
        try (SimulatedVsrx vsrx = new SimulatedVsrx().withSampleData()) {
            Map<String, String> env = Map.of("VSRX_SYNC_DATA_DIR", dataDir.toString(),
                    "VSRX_SYNC_VSRX_URL", vsrx.url().toString(), "VSRX_SYNC_VSRX_TOKEN", SimulatedVsrx.TOKEN.value());

            CliRun sync = run(env, "sync");
            assertThat(sync.code()).as(sync.out() + sync.err()).isEqualTo(ExitCode.OK);
            assertThat(sync.out()).containsPattern("fs-000001 +COMPLETED +2").contains("TYPE_MISMATCH");

            CliRun status = run(env, "status");
            assertThat(status.code()).isEqualTo(ExitCode.OK);
            assertThat(status.out()).contains("Lock vsrx-sync: free", "Partial state: none", "created 3")
                    .doesNotContain("Last complete sync: never");

            CliRun report = run(env, "report", "--json");
            assertThat(report.code()).isEqualTo(ExitCode.OK);
            assertThat(report.out()).contains("\"CREATED\":3");

            // issue 10 item 3: through the ledger's stored report, the skipped file's path on request only
            CliRun paths = run(env, "report", "--show-paths");
            assertThat(paths.code()).isEqualTo(ExitCode.OK);
            assertThat(paths.out()).containsPattern("TYPE_MISMATCH +unknown-signature +notes/fake\\.png");
            assertThat(report.out()).doesNotContain("notes/");

            CliRun again = run(env, "sync", "--incremental");
            assertThat(again.code()).isEqualTo(ExitCode.OK);
            assertThat(again.out()).doesNotContain("CREATED  ");
            assertThat(sync.out() + status.out() + report.out() + sync.err()).doesNotContain("P-T-1", "notes/");
        }
    }

    /** Issue 10 item 11: {@code config} fails with exactly the message {@code sync} fails with. */
    @Test
    void aMissingVsrxUrlIsAConfigurationErrorForSyncAndConfigAlike() {
        CliRun r = run(Map.of("VSRX_SYNC_DATA_DIR", dataDir.toString()), "sync");
        assertThat(r.code()).isEqualTo(ExitCode.CONFIGURATION);
        assertThat(r.err()).contains("VSRX_SYNC_VSRX_URL");
        CliRun config = run(Map.of("VSRX_SYNC_DATA_DIR", dataDir.toString()), "config");
        assertThat(config.code()).isEqualTo(ExitCode.CONFIGURATION);
        assertThat(config.err()).isEqualTo(r.err());
    }

    /** Issue 10 item 1 and issue 9 item 5: an unreachable VSRX or a refused token fails the run: exit 1. */
    @Test
    void anUnreachableVsrxOrARefusedTokenExitsWithOne() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Map<String, String> unreachable = Map.of("VSRX_SYNC_DATA_DIR", dataDir.toString(),
                "VSRX_SYNC_VSRX_URL", "http://127.0.0.1:" + closedPort, "VSRX_SYNC_VSRX_TOKEN",
                SimulatedVsrx.TOKEN.value(), "VSRX_SYNC_RETRY_MAX_ATTEMPTS", "1");
        CliRun r = run(unreachable, "sync");
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(ExitCode.FAILED);
        assertThat(r.err()).contains("sync did not complete");

        try (SimulatedVsrx vsrx = new SimulatedVsrx().withSampleData()) {
            CliRun refused = run(Map.of("VSRX_SYNC_DATA_DIR", dataDir.toString(), "VSRX_SYNC_VSRX_URL",
                    vsrx.url().toString(), "VSRX_SYNC_VSRX_TOKEN", "a-wrong-token-0123456789"), "sync");
            assertThat(refused.code()).as(refused.out() + refused.err()).isEqualTo(ExitCode.FAILED);
        }
    }

    /**
     * Issue 10 item 1: a second sync, and a status, on an embedded data directory whose server another process
     * runs (here: this test, holding the lock as that process would) reach the same ledger and answer "another
     * run holds the lock" with exit code 4 and the holder, never 3.
     */
    @Test
    void aSecondCommandOnADataDirectoryInUseIsTold4AndTheHolder() {
        try (SimulatedVsrx vsrx = new SimulatedVsrx().withSampleData();
                com.silknote.sync.jdbc.JdbcLedger running = com.silknote.sync.jdbc.JdbcLedger.embedded(
                        dataDir.resolve("postgres"));
                var lease = running.syncLock("other-host/4711").tryAcquire(
                        com.silknote.sync.core.model.SyncConfig.LOCK_NAME, java.time.Duration.ofMinutes(5))
                        .orElseThrow()) {
            Map<String, String> env = Map.of("VSRX_SYNC_DATA_DIR", dataDir.toString(),
                    "VSRX_SYNC_VSRX_URL", vsrx.url().toString(), "VSRX_SYNC_VSRX_TOKEN", SimulatedVsrx.TOKEN.value());

            CliRun sync = run(env, "sync");
            assertThat(sync.code()).as(sync.out() + sync.err()).isEqualTo(ExitCode.ALREADY_IN_PROGRESS);
            assertThat(sync.err()).contains("another run holds the lock: held by other-host/4711");

            CliRun status = run(env, "status");
            assertThat(status.code()).as(status.out() + status.err()).isEqualTo(ExitCode.ALREADY_IN_PROGRESS);
            assertThat(status.out()).contains("Lock vsrx-sync: held by other-host/4711");

            CliRun report = run(env, "report");
            assertThat(report.code()).as(report.err()).isEqualTo(ExitCode.OK);
            assertThat(report.err()).contains("no run recorded yet");
        }
    }

    /** Issue 10 item 6: read-only commands on a directory without a ledger say so, exit 3 and create nothing. */
    @Test
    void readOnlyCommandsOnADirectoryWithoutALedgerCreateNothing() throws Exception {
        java.nio.file.Path typo = dataDir.resolve("vsrx-snyc");
        for (String command : new String[] {"status", "report"}) {
            CliRun r = run(Map.of(), "--data-dir", typo.toString(), command);
            assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.CONFIGURATION);
            assertThat(r.err()).contains("no ledger in " + typo).contains("nothing was created");
            assertThat(typo).doesNotExist();
        }
        java.nio.file.Files.createDirectories(typo);
        CliRun empty = run(Map.of(), "--data-dir", typo.toString(), "status", "--json");
        assertThat(empty.code()).isEqualTo(ExitCode.CONFIGURATION);
        try (var list = java.nio.file.Files.list(typo)) {
            assertThat(list).isEmpty();
        }
    }

    @Test
    void serveVsrxServesTheSimulatorUntilStopped() throws Exception {
        UrlWatcher out = new UrlWatcher();
        CompletableFuture<Void> stop = new CompletableFuture<>();
        String token = "serve-token-0123456789abcdef";
        CliEnvironment env = new CliEnvironment(Map.of("VSRX_SYNC_VSRX_TOKEN", token), new PrintWriter(out, true),
                new PrintWriter(new StringWriter(), true), Clock.systemUTC(), false, EmbeddedDefault::open,
                EmbeddedDefault::vsrxSource, stop);
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> serving = executor.submit(() -> VsrxSyncCommand.execute(env, "serve-vsrx", "--simulator",
                    "--port", "0"));
            URI url = out.url.get(30, TimeUnit.SECONDS);
            HttpVsrxSource client = HttpVsrxSource.builder().baseUri(url).token(Secret.of(token)).build();
            assertThat(client.listFilesets(PageRequest.first(100)).items()).hasSize(6);

            stop.complete(null);
            assertThat(serving.get(30, TimeUnit.SECONDS)).isEqualTo(ExitCode.OK);
        } finally {
            executor.shutdownNow();
        }
    }

    /** Completes {@code url} once a line naming the server's URL was written. */
    private static final class UrlWatcher extends StringWriter {
        final CompletableFuture<URI> url = new CompletableFuture<>();
        private final Pattern pattern = Pattern.compile("on (http://127\\.0\\.0\\.1:\\d+)");

        @Override
        public void flush() {
            Matcher m = pattern.matcher(toString());
            if (m.find()) {
                url.complete(URI.create(m.group(1)));
            }
        }
    }

    private static CliRun run(Map<String, String> env, String... args) {
        return CliRun.real(env, args);
    }
}
