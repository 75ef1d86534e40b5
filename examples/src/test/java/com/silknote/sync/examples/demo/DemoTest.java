package com.silknote.sync.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.examples.cli.CliEnvironment;
import com.silknote.sync.examples.cli.ExitCode;
import com.silknote.sync.examples.cli.VsrxSyncCommand;
import com.silknote.sync.examples.embedded.EmbeddedDefault;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vsrx-sync demo} on the real embedded default: the story holds, twice in a row, without patient data. */
class DemoTest {
    @TempDir
    Path dataDir;

    @Test
    void theDemoTellsTheSameStoryEveryTime() throws IOException {
        for (int round = 1; round <= 2; round++) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CliEnvironment env = new CliEnvironment(Map.of("VSRX_SYNC_JDBC_URL", "jdbc:postgresql://must-be-ignored/x",
                    "VSRX_SYNC_PAGE_SIZE", "not-a-number", "VSRX_SYNC_CONFIG", "/nowhere/vsrx-sync.properties"),
                    new PrintWriter(out, true), new PrintWriter(err, true), Clock.systemUTC(), false,
                    EmbeddedDefault::open, EmbeddedDefault::vsrxSource, new CompletableFuture<>());

            int code = VsrxSyncCommand.execute(env, "--data-dir", dataDir.toString(), "demo");

            String story = out.toString();
            assertThat(code).as(story + err).isEqualTo(ExitCode.OK);
            assertThat(story).contains("Step 1/3", "Step 2/3", "Step 3/3", "Demo complete");
            assertThat(story).contains("(TOO_LARGE)", "(TYPE_MISMATCH)", "(INVALID_PATH)", "dedup:", "re-booking:");
            assertThat(story).contains("UPDATED: new bytes", "METADATA_ONLY: new ETag", "DELETED: marked deleted");
            assertThat(story).contains("a re-run is a no-op: 0 files downloaded, 0 documents");
            // issue 10 item 9: step 3 explains the files deleted in step 2 instead of leaving them unexplained
            assertThat(story).containsPattern("deleted in step 2, are still listed by VSRX as deleted");
            assertThat(story).contains("detail deleted-not-in-silknote");
            assertThat(story + err).doesNotContain("P-10000", "scan.jpg", "referral", "passwd", "notes/");
            assertThat(dataDir.resolve("demo/postgres")).isDirectory();
        }
    }

    @Test
    void aFolderTheDemoDidNotMakeIsNeverWiped() throws IOException {
        Path foreign = dataDir.resolve("demo");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("precious.txt"), "keep me");
        StringWriter err = new StringWriter();
        CliEnvironment env = new CliEnvironment(Map.of(), new PrintWriter(new StringWriter()), new PrintWriter(err, true),
                Clock.systemUTC(), false, EmbeddedDefault::open, EmbeddedDefault::vsrxSource, new CompletableFuture<>());

        assertThat(VsrxSyncCommand.execute(env, "--data-dir", dataDir.toString(), "demo")).isEqualTo(ExitCode.CONFIGURATION);
        assertThat(foreign.resolve("precious.txt")).hasContent("keep me");
        assertThat(err.toString()).contains("holds files the demo did not make");
    }
}
