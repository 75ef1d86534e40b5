package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.report;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.RunRecord;
import com.silknote.sync.core.model.RunRetention;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.port.SyncListener;
import com.silknote.sync.testkit.fault.Fault;
import com.silknote.sync.testkit.fault.FaultPlan;
import com.silknote.sync.testkit.fault.FaultyVsrxSource;
import com.silknote.sync.testkit.fault.Operation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Issue 11 "run history" and issue 12 "constant heap": reports are streamed per fileset and kept bounded. */
class RunHistoryTest {
    private final EngineFixture fx = new EngineFixture();

    @Test
    @DisplayName("issue 11 run history: every fileset's report is stored as it finishes, before the listener hears"
            + " of it; the run's summary is stored at its end")
    void filesetReportsAreStoredAsTheyFinish() {
        List<FilesetId> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            FilesetId fs = fx.linkedFileset("P-" + i);
            fx.text(fs, "a.txt", "a" + i);
            ids.add(fs);
        }
        List<Integer> storedWhenHeard = new ArrayList<>();
        RunId[] run = new RunId[1];
        fx.listener = new SyncListener() {
            @Override
            public void runStarted(RunId runId, boolean dryRun) {
                run[0] = runId;
                assertThat(fx.silknote.documents().findRun(runId)).as("the run shows from its start")
                        .contains(new RunRecord(runId, fx.clock.instant(), Optional.empty()));
            }

            @Override
            public void filesetFinished(RunId runId, FilesetReport report) {
                synchronized (storedWhenHeard) {
                    storedWhenHeard.add(fx.silknote.documents().allFilesetReports(runId).size());
                }
                assertThat(fx.silknote.documents().allFilesetReports(runId)).contains(report);
            }
        };

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertThat(storedWhenHeard).hasSize(5);
        List<FilesetReport> stored = fx.silknote.documents().allFilesetReports(run[0]);
        assertThat(stored).extracting(FilesetReport::filesetId).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(stored).containsExactlyInAnyOrderElementsOf(report(r).filesets());
        RunRecord record = fx.silknote.documents().findRun(run[0]).orElseThrow();
        assertThat(record.report()).contains(report(r).summary());
        assertThat(fx.silknote.documents().recentRuns(1).get(0).filesets()).as("summaries only").isEmpty();
        assertThat(fx.silknote.documents().recentRuns(1).get(0).totals().filesetCount()).isEqualTo(5);
    }

    @Test
    @DisplayName("issue 12 constant heap: a result keeps at most the limit of fileset reports, failed ones first,"
            + " and counts the rest")
    void theReportKeepsABoundedNumberOfFilesetsFailedFirst() {
        FaultPlan faults = FaultPlan.seeded(5);
        fx.source = new FaultyVsrxSource(fx.vsrx, faults);
        fx.config(c -> c.reportFilesetLimit(2).filesetConcurrency(1));
        List<FilesetId> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            FilesetId fs = fx.linkedFileset("P-" + i);
            fx.text(fs, "a.txt", "a" + i);
            ids.add(fs);
        }
        FilesetId failing = ids.get(4);
        FilesetId skipping = ids.get(3);
        fx.vsrx.addFile(skipping, "notes/evil.exe", "application/x-msdownload", new byte[] {'M', 'Z'});
        faults.on(Operation.LIST_FILES).key(failing).always().thenFail(Fault.status(500));
        List<FilesetId> heard = new ArrayList<>();
        fx.listener = new SyncListener() {
            @Override
            public void filesetFinished(RunId runId, FilesetReport report) {
                heard.add(report.filesetId());
            }
        };

        SyncResult r = fx.run();

        SyncReport report = report(r);
        assertThat(r.status()).isEqualTo(SyncResult.Status.PARTIAL_FAILURE);
        assertThat(report.filesets()).extracting(FilesetReport::filesetId).as("in processing order")
                .containsExactly(skipping, failing);
        assertThat(report.omittedFilesets()).isEqualTo(4);
        assertThat(report.totals().filesetCount()).isEqualTo(6);
        assertThat(report.totals().filesets(FilesetOutcome.FAILED)).isEqualTo(1);
        assertThat(heard).as("the listener hears every fileset").containsExactlyInAnyOrderElementsOf(ids);
        assertThat(fx.silknote.documents().allFilesetReports(report.runId())).hasSize(6);
    }

    @Test
    @DisplayName("issue 11 run history: retention removes runs by count and by age after each run")
    void retentionIsAppliedAfterEachRun() {
        FilesetId fs = fx.linkedFileset("P-1");
        fx.text(fs, "a.txt", "a");
        fx.config(c -> c.runRetention(new RunRetention(Duration.ofDays(7), 3)));
        List<RunId> runs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            runs.add(report(fx.run()).runId());
            fx.clock.advance(Duration.ofHours(1));
        }
        assertThat(fx.silknote.documents().allRuns()).extracting(SyncReport::runId)
                .containsExactly(runs.get(2), runs.get(3), runs.get(4));
        assertThat(fx.silknote.documents().allFilesetReports(runs.get(0))).isEmpty();

        fx.clock.advance(Duration.ofDays(8));
        RunId latest = report(fx.run()).runId();
        assertThat(fx.silknote.documents().allRuns()).extracting(SyncReport::runId).containsExactly(latest);
        Instant now = fx.clock.instant();
        assertThat(fx.silknote.documents().runs(Instant.EPOCH, now.plusSeconds(1), 10)).hasSize(1);
    }

    @Test
    @DisplayName("issue 11 run history: a dry run records nothing")
    void aDryRunRecordsNothing() {
        FilesetId fs = fx.linkedFileset("P-1");
        fx.text(fs, "a.txt", "a");
        SyncResult r = fx.run(com.silknote.sync.core.model.SyncRequest.full().asDryRun());
        assertThat(report(r).filesets()).hasSize(1);
        assertThat(fx.silknote.documents().findRun(report(r).runId())).isEmpty();
        assertThat(fx.silknote.documents().historyWrites()).isZero();
    }
}
