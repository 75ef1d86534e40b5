package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.fileset;
import static com.silknote.sync.testkit.engine.EngineFixture.report;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.RunControl;
import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.RunBudget;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.SyncState;
import com.silknote.sync.core.port.SyncListener;
import com.silknote.sync.testkit.SilknoteSnapshot;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 items "stop at a fileset boundary" and "budgets" (DESIGN rule 9: a run stopped by a budget or a stop
 * request is an interrupted run; the next run resumes it).
 */
class StopAndBudgetTest {
    private final EngineFixture fx = new EngineFixture().config(c -> c.filesetConcurrency(1).fileConcurrency(1));
    private final List<FilesetId> filesets = new ArrayList<>();

    private void sixFilesetsOfTwoFiles() {
        for (int i = 0; i < 6; i++) {
            FilesetId fs = fx.linkedFileset("P-" + i);
            filesets.add(fs);
            fx.text(fs, "a.txt", "first note of fileset " + i);
            fx.text(fs, "b.txt", "second note of fileset " + i);
        }
    }

    /** The same VSRX synced by one clean run into a fresh Silknote. */
    private SilknoteSnapshot cleanRun() {
        EngineFixture clean = new EngineFixture();
        for (int i = 0; i < 6; i++) {
            FilesetId fs = clean.linkedFileset("P-" + i);
            clean.text(fs, "a.txt", "first note of fileset " + i);
            clean.text(fs, "b.txt", "second note of fileset " + i);
        }
        assertThat(clean.run().success()).isTrue();
        return clean.silknote.snapshot().timeless();
    }

    @Test
    @DisplayName("issue 11 budget: a run that reaches its file budget stops at a fileset boundary; the next runs"
            + " resume and complete")
    void aBudgetStoppedRunIsResumedUntilItCompletes() {
        sixFilesetsOfTwoFiles();
        SyncRequest budgeted = SyncRequest.full().withBudget(RunBudget.files(3));

        SyncResult first = fx.run(budgeted);

        assertThat(first.status()).isEqualTo(SyncResult.Status.STOPPED);
        assertThat(first.isStopped()).isTrue();
        assertThat(first.success()).isFalse();
        assertThat(first.error().orElseThrow()).contains("file budget reached");
        assertThat(fileset(first, filesets.get(0)).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
        assertThat(fileset(first, filesets.get(1)).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
        assertThat(report(first).totals().filesetCount()).as("filesets in flight finished, none started after")
                .isEqualTo(2);
        assertThat(fx.vsrx.downloads()).isEqualTo(4);
        SyncState stopped = fx.silknote.documents().loadState();
        assertThat(stopped.partialSyncState().resumeFromFileset()).as("an interrupted run's state").isPresent();
        assertThat(stopped.partialSyncState().processed(filesets.get(0))).isTrue();
        assertThat(stopped.partialSyncState().processed(filesets.get(1))).isTrue();
        assertThat(stopped.partialSyncState().processed(filesets.get(2))).isFalse();
        assertThat(stopped.lastCompleteSync()).as("a stopped run does not move the mark").isEmpty();

        SyncResult second = fx.run(budgeted);
        assertThat(second.status()).isEqualTo(SyncResult.Status.STOPPED);
        assertThat(fileset(second, filesets.get(0)).outcome()).isEqualTo(FilesetOutcome.SKIPPED_ALREADY_PROCESSED);
        assertThat(fileset(second, filesets.get(1)).outcome()).isEqualTo(FilesetOutcome.SKIPPED_ALREADY_PROCESSED);
        assertThat(fileset(second, filesets.get(2)).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
        assertThat(fx.vsrx.downloads()).isEqualTo(8);
        assertThat(report(second).filesets()).as("reported in listing order, skipped ones included")
                .extracting(FilesetReport::filesetId).startsWith(filesets.get(0), filesets.get(1), filesets.get(2));
        SyncState stoppedAgain = fx.silknote.documents().loadState();
        assertThat(filesets.subList(0, 3)).as("rule 9: a resumed run that is interrupted again keeps what the"
                + " first run committed").allMatch(id -> stoppedAgain.partialSyncState().processed(id));

        SyncResult third = fx.run(budgeted);
        assertThat(third.status()).as("the budget is reached only after the last fileset started")
                .isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(fx.vsrx.downloads()).isEqualTo(12);
        assertThat(report(third).filesets()).as("issue 9.3: a fileset skipped as already processed was listed:"
                + " not vanished").noneMatch(f -> f.outcome() == FilesetOutcome.VANISHED);
        assertThat(report(third).alerts()).noneMatch(al -> al.kind() == Alert.Kind.FILESET_VANISHED);
        SyncState done = fx.silknote.documents().loadState();
        assertThat(done.partialSyncState().isEmpty()).isTrue();
        assertThat(done.lastCompleteSync()).as("a resumed run keeps the older mark (none yet)").isEmpty();

        assertThat(fx.run().success()).as("the next run looks at every fileset again").isTrue();
        assertThat(fx.vsrx.downloads()).isEqualTo(12);
        assertThat(fx.silknote.snapshot().timeless()).isEqualTo(cleanRun());
        fx.silknote.assertInvariants();
        // a stopped run is neither a failure nor the end of a failure streak
        assertThat(report(third).metrics().consecutiveFailedRuns()).isZero();
    }

    @Test
    @DisplayName("issue 11 budget: a byte budget stops the run once that many bytes were downloaded")
    void aByteBudgetStopsTheRun() {
        sixFilesetsOfTwoFiles();
        SyncResult r = fx.run(SyncRequest.full().withBudget(RunBudget.bytes(1)));
        assertThat(r.status()).isEqualTo(SyncResult.Status.STOPPED);
        assertThat(r.error().orElseThrow()).contains("byte budget reached");
        assertThat(report(r).totals().filesetCount()).isLessThan(6);
    }

    @Test
    @DisplayName("issue 11 stop: a stop request lets the fileset in flight commit, starts no other, saves resume"
            + " state; the next run resumes to the state of one clean run")
    void aStopRequestEndsTheRunAtAFilesetBoundary() {
        sixFilesetsOfTwoFiles();
        RunControl control = new RunControl();
        List<FilesetId> finished = new ArrayList<>();
        fx.listener = new SyncListener() {
            @Override
            public void filesetStarted(RunId runId, FilesetId filesetId, int files, long bytes) {
                if (filesetId.equals(filesets.get(2))) {
                    control.requestStop("shutting down");
                }
            }

            @Override
            public void filesetFinished(RunId runId, FilesetReport report) {
                finished.add(report.filesetId());
            }
        };

        SyncResult stopped = fx.sync().run(SyncRequest.full(), control);

        assertThat(stopped.status()).isEqualTo(SyncResult.Status.STOPPED);
        assertThat(stopped.error().orElseThrow()).contains("shutting down");
        assertThat(finished).as("the fileset in flight when the stop came committed")
                .containsExactly(filesets.get(0), filesets.get(1), filesets.get(2));
        assertThat(fileset(stopped, filesets.get(2)).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
        assertThat(fx.silknote.documents().loadState().partialSyncState().processed(filesets.get(3))).isFalse();

        fx.listener = SyncListener.NONE;
        SyncResult resumed = fx.run();
        assertThat(resumed.success()).isTrue();
        assertThat(report(resumed).totals().filesets(FilesetOutcome.SKIPPED_ALREADY_PROCESSED)).isEqualTo(3);
        assertThat(report(resumed).totals().filesets(FilesetOutcome.COMPLETED)).isEqualTo(3);
        assertThat(fx.run().success()).isTrue();
        assertThat(fx.silknote.snapshot().timeless()).isEqualTo(cleanRun());
    }

    @Test
    @DisplayName("issue 11 stop: a stop that comes after the last fileset started leaves a complete run")
    void aStopAfterTheLastFilesetStartedIsAComplete() {
        FilesetId only = fx.linkedFileset("P-1");
        fx.text(only, "a.txt", "a");
        RunControl control = new RunControl();
        fx.listener = new SyncListener() {
            @Override
            public void filesetStarted(RunId runId, FilesetId filesetId, int files, long bytes) {
                control.requestStop();
            }
        };
        SyncResult r = fx.sync().run(SyncRequest.full(), control);
        assertThat(r.status()).isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(fx.silknote.documents().loadState().lastCompleteSync()).isPresent();
    }

    @Test
    @DisplayName("issue 11 stop: a stop requested before the run starts stops it before any fileset")
    void aStopRequestedBeforehandStartsNothing() {
        sixFilesetsOfTwoFiles();
        RunControl control = new RunControl();
        control.requestStop("maintenance");
        SyncResult r = fx.sync().run(SyncRequest.full(), control);
        assertThat(r.status()).isEqualTo(SyncResult.Status.STOPPED);
        assertThat(report(r).totals().filesetCount()).isZero();
        assertThat(fx.vsrx.downloads()).isZero();
        assertThat(fx.run().success()).isTrue();
        assertThat(fx.silknote.snapshot().timeless()).isEqualTo(cleanRun());
    }
}
