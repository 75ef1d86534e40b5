package com.silknote.sync.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.AlertThresholds;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.RunMetrics;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.VsrxFileId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RunMetricsCalculatorTest {

    private static FilesetReport fileset(FilesetOutcome outcome, Duration took, int failed, int created,
            int unchanged) {
        List<FileReport> files = new ArrayList<>();
        int n = 0;
        for (int i = 0; i < failed; i++) {
            files.add(FileReport.of(VsrxFileId.of("f" + n++), FileAction.FAILED));
        }
        for (int i = 0; i < created; i++) {
            files.add(FileReport.of(VsrxFileId.of("f" + n++), FileAction.CREATED));
        }
        for (int i = 0; i < unchanged; i++) {
            files.add(FileReport.of(VsrxFileId.of("f" + n++), FileAction.UNCHANGED));
        }
        return new FilesetReport(FilesetId.of("fs"), outcome, Optional.empty(), files, took, 100, 40);
    }

    private static SyncReport run(boolean ok) {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        FilesetReport f = fileset(ok ? FilesetOutcome.COMPLETED : FilesetOutcome.FAILED, Duration.ZERO, 0, 0, 0);
        return new SyncReport(RunId.of("r"), t, t, false, List.of(f), RunMetricsCalculator.metrics(Duration.ZERO,
                List.of(f), !ok, List.of()), List.of());
    }

    @Test
    void computesRatesAveragesAndGrowth() {
        List<FilesetReport> filesets = List.of(
                fileset(FilesetOutcome.COMPLETED, Duration.ofSeconds(10), 1, 9, 50),
                fileset(FilesetOutcome.COMPLETED, Duration.ofSeconds(30), 0, 10, 0),
                fileset(FilesetOutcome.SKIPPED_ALREADY_PROCESSED, Duration.ZERO, 0, 0, 0));
        RunMetrics m = RunMetricsCalculator.metrics(Duration.ofMinutes(2), filesets, false, List.of());
        assertThat(m.averageFilesetDuration()).isEqualTo(Duration.ofSeconds(20));
        assertThat(m.filesPerMinute()).isEqualTo(10.0);
        assertThat(m.errorRate()).isEqualTo(0.05);
        assertThat(m.newUniqueBytes()).isEqualTo(120);
        assertThat(m.bytesDownloaded()).isEqualTo(300);
        assertThat(m.consecutiveFailedRuns()).isZero();
    }

    @Test
    void countsConsecutiveFailedRunsFromHistory() {
        List<SyncReport> history = List.of(run(false), run(false), run(true), run(false));
        assertThat(RunMetricsCalculator.metrics(Duration.ZERO, List.of(), true, history).consecutiveFailedRuns())
                .isEqualTo(3);
        assertThat(RunMetricsCalculator.metrics(Duration.ZERO, List.of(), false, history).consecutiveFailedRuns())
                .isZero();
    }

    @Test
    void alertsUseTheDesignDefaults() {
        AlertThresholds t = AlertThresholds.defaults();
        RunMetrics calm = new RunMetrics(Duration.ofSeconds(299), Duration.ZERO, 1, 0.049, 0, 0, 2);
        assertThat(RunMetricsCalculator.alerts(calm, t)).isEmpty();

        RunMetrics warn = new RunMetrics(Duration.ofSeconds(300), Duration.ZERO, 1, 0.05, 0, 0, 3);
        assertThat(RunMetricsCalculator.alerts(warn, t)).extracting(Alert::kind, Alert::severity).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Alert.Kind.SYNC_DURATION, Alert.Severity.WARNING),
                org.assertj.core.groups.Tuple.tuple(Alert.Kind.ERROR_RATE, Alert.Severity.WARNING),
                org.assertj.core.groups.Tuple.tuple(Alert.Kind.CONSECUTIVE_FAILURES, Alert.Severity.WARNING));

        RunMetrics critical = new RunMetrics(Duration.ofSeconds(600), Duration.ZERO, 1, 0.10, 0, 0, 5);
        assertThat(RunMetricsCalculator.alerts(critical, t)).extracting(Alert::severity)
                .containsOnly(Alert.Severity.CRITICAL).hasSize(3);
    }

    @Test
    @org.junit.jupiter.api.DisplayName("DESIGN §2.15: a run without failed files raises no error-rate alert, even at thresholds of"
            + " zero; a failed file at a threshold of zero does")
    void aRunWithoutFailuresNeverAlertsOnItsErrorRate() {
        Duration d = Duration.ofSeconds(1);
        AlertThresholds zeroCritical = new AlertThresholds(Duration.ofMinutes(5), Duration.ofMinutes(10), 0.0, 0.0, 3, 5);
        AlertThresholds zeroWarning = new AlertThresholds(Duration.ofMinutes(5), Duration.ofMinutes(10), 0.0, 0.5, 3, 5);
        RunMetrics clean = new RunMetrics(d, Duration.ZERO, 1, 0.0, 0, 0, 0);
        RunMetrics oneFailed = new RunMetrics(d, Duration.ZERO, 1, 0.001, 0, 0, 0);

        assertThat(RunMetricsCalculator.alerts(clean, zeroCritical)).isEmpty();
        assertThat(RunMetricsCalculator.alerts(clean, zeroWarning)).isEmpty();
        assertThat(RunMetricsCalculator.alerts(oneFailed, zeroCritical)).extracting(Alert::severity)
                .containsExactly(Alert.Severity.CRITICAL);
        assertThat(RunMetricsCalculator.alerts(oneFailed, zeroWarning)).extracting(Alert::severity)
                .containsExactly(Alert.Severity.WARNING);
    }

    @Test
    @org.junit.jupiter.api.DisplayName("DESIGN §2.15: the error-rate alert names the rate and the threshold in per cent")
    void theErrorRateAlertSaysItsRateInPerCent() {
        AlertThresholds t = AlertThresholds.defaults();
        RunMetrics warn = new RunMetrics(Duration.ofSeconds(1), Duration.ZERO, 1, 0.07, 0, 0, 0);
        RunMetrics critical = new RunMetrics(Duration.ofSeconds(1), Duration.ZERO, 1, 0.25, 0, 0, 0);

        assertThat(RunMetricsCalculator.alerts(warn, t)).singleElement().extracting(Alert::message)
                .isEqualTo("error rate 7.0 % (warning at 5.0 %)");
        assertThat(RunMetricsCalculator.alerts(critical, t)).singleElement().extracting(Alert::message)
                .isEqualTo("error rate 25.0 % (critical at 10.0 %)");
    }
}
