package com.silknote.sync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.examples.SimulatedVsrx;
import com.silknote.sync.testkit.ForwardingVsrxSource;
import com.silknote.sync.vsrx.http.VsrxHttpHandler;
import com.silknote.sync.vsrx.http.VsrxHttpServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 item 1 with two real processes on one embedded data directory: a {@code sync} in a child JVM holds
 * the lock (its download waits on a latch), while this JVM runs {@code status} and a second {@code sync} on the
 * same directory. Both reach the child's embedded PostgreSQL (port from {@code postmaster.pid}, password from
 * the data directory) and answer "another run holds the lock" with exit code 4 and the child as holder; then
 * the child finishes its run normally.
 */
class TwoProcessesTest {
    @TempDir
    Path dataDir;
    /** The child process's output, apart from its data directory; removed with it. */
    @TempDir
    Path logDir;

    @Test
    void statusAndASecondSyncDuringASyncInAnotherProcessExitWithFourAndNameTheHolder() throws Exception {
        CountDownLatch downloading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (SimulatedVsrx data = new SimulatedVsrx().withSampleData();
                VsrxHttpServer server = VsrxHttpServer.builder().handler(VsrxHttpHandler.builder()
                        .source(new WaitingSource(data.vsrx, downloading, release)).acceptedToken(SimulatedVsrx.TOKEN)
                        .build()).port(0).build().start()) {
            Map<String, String> env = Map.of("VSRX_SYNC_DATA_DIR", dataDir.toString(),
                    "VSRX_SYNC_VSRX_URL", server.baseUri().toString(),
                    "VSRX_SYNC_VSRX_TOKEN", SimulatedVsrx.TOKEN.value());
            Path childOut = logDir.resolve("child-child.txt");
            Process child = startChild(env, childOut, "sync", "--no-progress");
            try {
                assertThat(downloading.await(120, TimeUnit.SECONDS)).as("child started downloading: %s",
                        read(childOut)).isTrue();

                CliRun status = run(env, "status");
                assertThat(status.code()).as(status.out() + status.err()).isEqualTo(ExitCode.ALREADY_IN_PROGRESS);
                assertThat(status.out()).contains("Lock vsrx-sync: held by ").contains("/" + child.pid() + " (token");

                CliRun second = run(env, "sync");
                assertThat(second.code()).as(second.out() + second.err()).isEqualTo(ExitCode.ALREADY_IN_PROGRESS);
                assertThat(second.err()).contains("another run holds the lock: held by ").contains("/" + child.pid());
            } finally {
                release.countDown();
            }
            assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as(read(childOut)).isEqualTo(ExitCode.OK);

            CliRun after = run(env, "status");
            assertThat(after.code()).as(after.err()).isEqualTo(ExitCode.OK);
            assertThat(after.out()).contains("Lock vsrx-sync: free", "created 3");
        }
        assertThat(dataDir.resolve("postgres/postmaster.pid")).doesNotExist();
    }

    private static Process startChild(Map<String, String> env, Path output, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(VsrxSyncCommand.class.getName());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("VSRX_SYNC_"));
        pb.environment().putAll(env);
        return pb.start();
    }

    private static String read(Path p) throws IOException {
        return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
    }

    private static CliRun run(Map<String, String> env, String... args) {
        return CliRun.real(env, args);
    }

    /** Serves a source whose first content download waits until released. */
    private static final class WaitingSource extends ForwardingVsrxSource {
        private final CountDownLatch downloading;
        private final CountDownLatch release;

        WaitingSource(VsrxSource delegate, CountDownLatch downloading, CountDownLatch release) {
            super(delegate);
            this.downloading = downloading;
            this.release = release;
        }

        @Override
        public FileContent openContent(VsrxFileId fileId) {
            downloading.countDown();
            try {
                release.await(120, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return super.openContent(fileId);
        }
    }
}
