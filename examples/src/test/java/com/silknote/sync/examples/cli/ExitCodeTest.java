package com.silknote.sync.examples.cli;

import com.silknote.sync.examples.report.Reports;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncResult;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Exit codes follow {@link SyncResult#status()} (issue 10 item 1, issue 9 item 5); docs/cli.md lists them. */
class ExitCodeTest {

    /** A run that could not list VSRX, was refused, or lost its lease is FAILED: 1, even with a report. */
    @Test
    void aFailedRunExitsWithOneEvenWhenItHasAReport() {
        SyncReport ok = withOutcomes(Reports.sample(), FilesetOutcome.COMPLETED, FilesetOutcome.COMPLETED);
        SyncReport empty = new SyncReport(ok.runId(), ok.startedAt(), ok.finishedAt(), false, List.of(), ok.metrics(),
                List.of());
        assertThat(ExitCode.of(new SyncResult(SyncResult.Status.FAILED, Optional.of("VSRX unreachable"),
                Optional.of(empty)))).isEqualTo(ExitCode.FAILED);
        assertThat(ExitCode.of(new SyncResult(SyncResult.Status.FAILED, Optional.of("lease lost"),
                Optional.of(ok)))).isEqualTo(ExitCode.FAILED);
        // a guard-blocked fileset in a run that then failed as a whole: the run failed
        assertThat(ExitCode.of(new SyncResult(SyncResult.Status.FAILED, Optional.of("lease lost"),
                Optional.of(Reports.sample())))).isEqualTo(ExitCode.FAILED);
    }

    @Test
    void eachOutcomeHasItsOwnCode() {
        SyncReport guard = Reports.sample();
        SyncReport partial = withOutcomes(guard, FilesetOutcome.COMPLETED, FilesetOutcome.FAILED);
        SyncReport ok = withOutcomes(guard, FilesetOutcome.COMPLETED, FilesetOutcome.SKIPPED_NOT_LINKED);

        assertThat(ExitCode.of(SyncResult.alreadyInProgress())).isEqualTo(ExitCode.ALREADY_IN_PROGRESS);
        assertThat(ExitCode.of(new SyncResult(SyncResult.Status.PARTIAL_FAILURE, Optional.of("x"), Optional.of(guard)))).isEqualTo(ExitCode.MASS_DELETE_GUARD);
        assertThat(ExitCode.of(new SyncResult(SyncResult.Status.PARTIAL_FAILURE, Optional.of("x"), Optional.of(partial)))).isEqualTo(ExitCode.PARTIAL_FAILURE);
        assertThat(ExitCode.of(new SyncResult(SyncResult.Status.COMPLETED, Optional.empty(), Optional.of(ok)))).isEqualTo(ExitCode.OK);
        assertThat(ExitCode.of(new SyncResult(SyncResult.Status.FAILED, Optional.of("x"), Optional.empty()))).isEqualTo(ExitCode.FAILED);
        assertThat(List.of(ExitCode.OK, ExitCode.FAILED, ExitCode.USAGE, ExitCode.CONFIGURATION,
                ExitCode.ALREADY_IN_PROGRESS, ExitCode.PARTIAL_FAILURE, ExitCode.MASS_DELETE_GUARD))
                .doesNotHaveDuplicates();
    }

    private static SyncReport withOutcomes(SyncReport r, FilesetOutcome a, FilesetOutcome b) {
        FilesetReport f0 = r.filesets().get(0);
        FilesetReport f1 = r.filesets().get(1);
        return new SyncReport(r.runId(), r.startedAt(), r.finishedAt(), false, List.of(
                new FilesetReport(f0.filesetId(), a, Optional.empty(), f0.files(), f0.duration(), 0, 0),
                new FilesetReport(f1.filesetId(), b, b.isFailure() ? Optional.of("failed") : Optional.empty(),
                        f1.files(), f1.duration(), 0, 0)), r.metrics(), List.of());
    }
}
