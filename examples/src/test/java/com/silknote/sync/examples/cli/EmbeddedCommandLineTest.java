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

            Run sync = run(env, "sync");
            assertThat(sync.code).as(sync.out + sync.err).isEqualTo(ExitCode.OK);
            assertThat(sync.out).containsPattern("fs-000001 +COMPLETED +2").contains("TYPE_MISMATCH");

            Run status = run(env, "status");
            assertThat(status.code).isEqualTo(ExitCode.OK);
            assertThat(status.out).contains("Lock vsrx-sync: free", "Partial state: none", "created 3")
                    .doesNotContain("Last complete sync: never");

            Run report = run(env, "report", "--json");
            assertThat(report.code).isEqualTo(ExitCode.OK);
            assertThat(report.out).contains("\"CREATED\":3");

            Run again = run(env, "sync", "--incremental");
            assertThat(again.code).isEqualTo(ExitCode.OK);
            assertThat(again.out).doesNotContain("CREATED  ");
            assertThat(sync.out + status.out + report.out + sync.err).doesNotContain("P-T-1", "notes/");
        }
    }

    @Test
    void aMissingVsrxUrlIsAConfigurationError() {
        Run r = run(Map.of("VSRX_SYNC_DATA_DIR", dataDir.toString()), "sync");
        assertThat(r.code).isEqualTo(ExitCode.CONFIGURATION);
        assertThat(r.err).contains("VSRX_SYNC_VSRX_URL");
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

    private record Run(int code, String out, String err) { }

    private static Run run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CliEnvironment e = new CliEnvironment(env, new PrintWriter(out, true), new PrintWriter(err, true),
                Clock.systemUTC(), false, EmbeddedDefault::open, EmbeddedDefault::vsrxSource, new CompletableFuture<>());
        int code = VsrxSyncCommand.execute(e, args);
        return new Run(code, out.toString(), err.toString());
    }
}
