package com.silknote.sync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.testkit.ForwardingVsrxSource;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.testkit.SilknoteSimulator;
import com.silknote.sync.testkit.TestClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Issue 11 on the command line: {@code history}, {@code run-every}, budgets of {@code sync}. */
class RunLoopCommandsTest {
    private static final String CANARY_PATH = "notes/canary-secret-name";
    private static final PatientUuid PATIENT = PatientUuid.of("c0ffee00-0000-4000-8000-00000000c0de");

    private final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
    private final InMemoryVsrxSource vsrx = new InMemoryVsrxSource(clock);
    private final List<FilesetId> filesets = new ArrayList<>();

    private void filesets(int n) {
        for (int i = 0; i < n; i++) {
            FilesetId fs = vsrx.addFileset(PatientId.of("P-CANARY-" + i), PATIENT);
            vsrx.addFile(fs, CANARY_PATH + "-" + i + ".txt", "text/plain", "note " + i);
            filesets.add(fs);
        }
    }

    /** The command line's clock is the test clock, so run-every waits on it. */
    private CliFixture cli() {
        return new CliFixture(new SilknoteSimulator(clock), vsrx, Map.of(), false, clock);
    }

    @Test
    @DisplayName("issue 11 history: runs newest first, filtered by time, one run in full; no patient data")
    void historyListsRunsAndShowsOneInFull() throws Exception {
        filesets(3);
        CliFixture cli = cli();
        assertThat(cli.run("sync")).isEqualTo(ExitCode.OK);
        clock.advance(Duration.ofHours(2));
        assertThat(cli.run("sync")).isEqualTo(ExitCode.OK);
        List<SyncReport> runs = cli.silknote.documents().allRuns();
        RunId first = runs.get(0).runId();
        RunId second = runs.get(1).runId();
        // a run whose process died: started, never finished
        clock.advance(Duration.ofMinutes(5));
        RunId crashed = RunId.of("run-crashed");
        cli.silknote.documents().recordRunStarted(FencingToken.of(1000), crashed, clock.instant());

        assertThat(cli.run("history")).isEqualTo(ExitCode.OK);
        String table = cli.out();
        assertThat(table).containsPattern(crashed.value() + " .*UNFINISHED");
        assertThat(table).containsPattern(second.value() + " .*COMPLETED +3 +0 +0");
        assertThat(table).containsPattern(first.value() + " .*COMPLETED +3 +0 +3");
        assertThat(table.indexOf(crashed.value())).isLessThan(table.indexOf(second.value()));
        assertThat(table.indexOf(second.value())).isLessThan(table.indexOf(first.value()));
        assertThat(table).doesNotContain(CANARY_PATH, "P-CANARY");

        assertThat(cli.run("history", "--since", "1h")).isEqualTo(ExitCode.OK);
        assertThat(cli.out()).contains(second.value(), crashed.value()).doesNotContain(first.value());
        assertThat(cli.run("history", "--until", "2026-01-01T01:00:00Z", "--json")).isEqualTo(ExitCode.OK);
        JsonNode json = new ObjectMapper().readTree(cli.out());
        assertThat(json).hasSize(1);
        assertThat(json.get(0).get("runId").asText()).isEqualTo(first.value());
        assertThat(json.get(0).get("files").get("CREATED").asInt()).isEqualTo(3);

        assertThat(cli.run("history", "--run", first.value())).isEqualTo(ExitCode.OK);
        for (FilesetId fs : filesets) {
            assertThat(cli.out()).containsPattern(fs.value() + " +COMPLETED +1");
        }
        assertThat(cli.run("report", "--run", crashed.value())).isEqualTo(ExitCode.OK);
        assertThat(cli.out()).contains("NOT FINISHED");
        assertThat(cli.run("history", "--run", "run-none")).isEqualTo(ExitCode.FAILED);
        assertThat(cli.run("history", "--since", "yesterday")).isEqualTo(ExitCode.CONFIGURATION);
    }

    @Test
    @DisplayName("issue 11 budget: sync --max-files stops at a fileset boundary (exit 0, a line saying so); the"
            + " next sync resumes")
    void syncWithABudgetStopsAndTheNextResumes() {
        filesets(4);
        CliFixture cli = new CliFixture(new SilknoteSimulator(clock), vsrx,
                Map.of("VSRX_SYNC_FILESET_CONCURRENCY", "1"), false, clock);

        assertThat(cli.run("sync", "--max-files", "1")).isEqualTo(ExitCode.OK);
        assertThat(cli.err()).contains("stopped at a fileset boundary: file budget reached",
                "the next run resumes");
        assertThat(cli.run("status")).isEqualTo(ExitCode.OK);
        assertThat(cli.out()).contains("resume from " + filesets.get(1).value());

        assertThat(cli.run("sync")).isEqualTo(ExitCode.OK);
        assertThat(cli.out()).containsPattern(filesets.get(0).value() + " +SKIPPED_ALREADY_PROCESSED");
        assertThat(cli.silknote.documents().allDocuments()).hasSize(4);
        assertThat(cli.run("sync", "--max-files", "0")).isEqualTo(ExitCode.CONFIGURATION);
    }

    @Test
    @DisplayName("issue 11 run-every: runs on the interval plus jitter until it has run --max-runs times")
    void runEveryRunsOnItsInterval() throws Exception {
        filesets(2);
        CliFixture cli = cli();
        clock.clearSleeps();

        assertThat(cli.run("run-every", "15m", "--jitter", "1m", "--max-runs", "3", "--json")).isEqualTo(ExitCode.OK);

        String[] lines = cli.out().trim().split("\n");
        assertThat(lines).hasSize(3);
        for (String line : lines) {
            JsonNode run = new ObjectMapper().readTree(line);
            assertThat(run.get("status").asText()).isEqualTo("COMPLETED");
        }
        assertThat(clock.sleeps()).hasSize(2).allSatisfy(d -> assertThat(d).isBetween(Duration.ofMinutes(15),
                Duration.ofMinutes(16)));
        assertThat(cli.err()).contains("running a sync every 15m", "stopped after 3 run(s)");
        assertThat(cli.out() + cli.err()).doesNotContain(CANARY_PATH);
    }

    @Test
    @DisplayName("issue 11 run-every: SIGTERM (the stop signal) during a run stops it at a fileset boundary;"
            + " the filesets in flight commit and the next start resumes")
    void runEveryStopsGracefully() {
        filesets(4);
        AtomicInteger listed = new AtomicInteger();
        CliFixture[] holder = new CliFixture[1];
        // the stop signal comes while the second fileset is being listed
        VsrxSource signalling = new ForwardingVsrxSource(vsrx) {
            @Override
            public Page<VsrxFile> listFiles(FilesetId id, PageRequest request) {
                if (listed.incrementAndGet() == 2) {
                    holder[0].stop.complete(null);
                }
                return super.listFiles(id, request);
            }
        };
        CliFixture cli = new CliFixture(new SilknoteSimulator(clock), signalling,
                Map.of("VSRX_SYNC_FILESET_CONCURRENCY", "1"), false, clock);
        holder[0] = cli;

        assertThat(cli.run("run-every", "15m")).isEqualTo(ExitCode.OK);

        assertThat(cli.out()).contains("STOPPED");
        assertThat(cli.err()).contains("stopped after 1 run(s)");
        assertThat(cli.silknote.documents().allDocuments()).as("the two filesets started committed").hasSize(2);
        assertThat(cli.silknote.documents().loadState().partialSyncState().resumeFromFileset()).isPresent();
        assertThat(cli.run("sync")).isEqualTo(ExitCode.OK);
        assertThat(cli.silknote.documents().allDocuments()).hasSize(4);
    }
}
