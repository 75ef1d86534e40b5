package com.silknote.sync.core.internal;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.AlertThresholds;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.RunMetrics;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Monitoring figures and threshold alerts of a run (DESIGN §2.15). Pure. */
final class RunMetricsCalculator {
    private RunMetricsCalculator() { }

    /**
     * @param runFailed  whether this run failed (its status is neither {@code COMPLETED} nor {@code STOPPED})
     * @param recentRuns earlier runs, newest first; consecutive failed runs are those whose status is not
     *                   {@code COMPLETED} (dry runs and stopped runs are passed over)
     */
    static RunMetrics metrics(Duration duration, List<FilesetReport> filesets, boolean runFailed,
            List<SyncReport> recentRuns) {
        RunTally tally = new RunTally(1);
        long seq = 0;
        for (FilesetReport f : filesets) {
            tally.add(seq++, f);
        }
        return metrics(duration, tally, runFailed, recentRuns);
    }

    /** The metrics of a run whose fileset reports went into {@code tally}. */
    static RunMetrics metrics(Duration duration, RunTally tally, boolean runFailed, List<SyncReport> recentRuns) {
        requireNonNull(duration, "duration");
        requireNonNull(tally, "tally");
        long worked = tally.worked();
        Duration average = worked == 0 ? Duration.ZERO : tally.workedTime().dividedBy(worked);
        double minutes = Math.max(duration.toNanos(), 1_000_000L) / 60e9;
        long fileSyncs = tally.fileSyncs();
        double filesPerMinute = fileSyncs / minutes;
        double errorRate = fileSyncs == 0 ? 0.0 : (double) tally.failedFiles() / fileSyncs;
        int consecutive = 0;
        if (runFailed) {
            consecutive = 1;
            for (SyncReport r : recentRuns) {
                if (r.dryRun() || r.status() == SyncResult.Status.STOPPED || r.status() == SyncResult.Status.JOINED) {
                    continue;
                }
                if (r.completed()) {
                    break;
                }
                consecutive++;
            }
        }
        return new RunMetrics(duration, average, filesPerMinute, errorRate, tally.newUniqueBytes(),
                tally.bytesDownloaded(), consecutive);
    }

    /** Alerts for every threshold crossed; the more severe level wins per kind. */
    static List<Alert> alerts(RunMetrics m, AlertThresholds t) {
        List<Alert> out = new ArrayList<>();
        if (m.duration().compareTo(t.durationCritical()) >= 0) {
            out.add(new Alert(Alert.Kind.SYNC_DURATION, Alert.Severity.CRITICAL,
                    "run took " + m.duration().toSeconds() + " s (critical at " + t.durationCritical().toSeconds() + " s)"));
        } else if (m.duration().compareTo(t.durationWarning()) >= 0) {
            out.add(new Alert(Alert.Kind.SYNC_DURATION, Alert.Severity.WARNING,
                    "run took " + m.duration().toSeconds() + " s (warning at " + t.durationWarning().toSeconds() + " s)"));
        }
        if (m.errorRate() > 0 && m.errorRate() >= t.errorRateCritical()) {
            out.add(new Alert(Alert.Kind.ERROR_RATE, Alert.Severity.CRITICAL,
                    "error rate " + pct(m.errorRate()) + " (critical at " + pct(t.errorRateCritical()) + ")"));
        } else if (m.errorRate() > 0 && m.errorRate() >= t.errorRateWarning()) {
            out.add(new Alert(Alert.Kind.ERROR_RATE, Alert.Severity.WARNING,
                    "error rate " + pct(m.errorRate()) + " (warning at " + pct(t.errorRateWarning()) + ")"));
        }
        if (m.consecutiveFailedRuns() >= t.consecutiveFailuresCritical()) {
            out.add(new Alert(Alert.Kind.CONSECUTIVE_FAILURES, Alert.Severity.CRITICAL,
                    m.consecutiveFailedRuns() + " failed runs in a row (critical at "
                            + t.consecutiveFailuresCritical() + ")"));
        } else if (m.consecutiveFailedRuns() >= t.consecutiveFailuresWarning()) {
            out.add(new Alert(Alert.Kind.CONSECUTIVE_FAILURES, Alert.Severity.WARNING,
                    m.consecutiveFailedRuns() + " failed runs in a row (warning at "
                            + t.consecutiveFailuresWarning() + ")"));
        }
        return out;
    }

    private static String pct(double fraction) {
        return String.format(Locale.ROOT, "%.1f %%", fraction * 100);
    }
}
