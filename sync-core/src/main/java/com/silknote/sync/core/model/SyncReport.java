package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a run did: totals over every fileset, the reports of some of its filesets, its metrics and alerts.
 * Ids, codes and figures only, except the paths of skipped, vanished and conflicting files
 * ({@link FileReport#path()}), which the operator's report shows on request: never log a report's files or
 * paths.
 *
 * <p>A report holds at most {@link SyncConfig#reportFilesetLimit()} fileset reports, so memory does not grow
 * with the number of filesets: failed and blocked filesets first, then those with conflicts, failed or
 * vanished files or other findings, then those that changed something, then the rest, each group in
 * processing order. {@link #omittedFilesets()} says how many were left out; {@link #totals()} counts them
 * all. Every fileset's report is stored in the run history as the fileset finishes
 * ({@code DocumentStore.runFilesets}) and reaches the {@code SyncListener} as it finishes.
 *
 * @param runId      the run
 * @param startedAt  start
 * @param finishedAt end
 * @param dryRun     {@code true} when nothing was downloaded or written: the report is the plan
 * @param totals     counts over every fileset of the run
 * @param filesets   the reports kept (see above), in processing order
 * @param metrics    monitoring figures
 * @param alerts     thresholds crossed: the run-level ones (duration, error rate, failed runs in a row) always,
 *                   those about single filesets up to {@link SyncConfig#reportFilesetLimit()} (a
 *                   {@link com.silknote.sync.core.port.SyncListener} hears every one)
 * @param status     how the run ended, as its {@link SyncResult} says (a run that could not list VSRX is
 *                   {@link SyncResult.Status#FAILED}, though it has no failed fileset)
 * @param error      the run's log-safe error or stop reason; empty exactly when {@code status} is
 *                   {@link SyncResult.Status#COMPLETED} or {@link SyncResult.Status#JOINED}
 */
public record SyncReport(RunId runId, Instant startedAt, Instant finishedAt, boolean dryRun, RunTotals totals,
        List<FilesetReport> filesets, RunMetrics metrics, List<Alert> alerts, SyncResult.Status status,
        Optional<String> error) {
    public SyncReport {
        requireNonNull(runId, "runId");
        requireNonNull(startedAt, "startedAt");
        requireNonNull(finishedAt, "finishedAt");
        requireNonNull(totals, "totals");
        filesets = List.copyOf(requireNonNull(filesets, "filesets"));
        requireNonNull(metrics, "metrics");
        alerts = List.copyOf(requireNonNull(alerts, "alerts"));
        requireNonNull(status, "status");
        requireNonNull(error, "error");
        if (status == SyncResult.Status.ALREADY_IN_PROGRESS) {
            throw new IllegalArgumentException("a run that did not start has no report");
        }
        if (filesets.size() > totals.filesetCount()) {
            throw new IllegalArgumentException("a report lists more filesets than its totals count");
        }
    }

    /** A report that lists every fileset of the run: the totals are counted from them. */
    public SyncReport(RunId runId, Instant startedAt, Instant finishedAt, boolean dryRun,
            List<FilesetReport> filesets, RunMetrics metrics, List<Alert> alerts, SyncResult.Status status,
            Optional<String> error) {
        this(runId, startedAt, finishedAt, dryRun, RunTotals.of(filesets), filesets, metrics, alerts, status,
                error);
    }

    /**
     * A report that lists every fileset of the run and whose status follows from them ({@code COMPLETED}
     * when none failed, else {@code PARTIAL_FAILURE}), as reports written before the status was recorded are
     * read.
     */
    public SyncReport(RunId runId, Instant startedAt, Instant finishedAt, boolean dryRun,
            List<FilesetReport> filesets, RunMetrics metrics, List<Alert> alerts) {
        this(runId, startedAt, finishedAt, dryRun, filesets, metrics, alerts, derivedStatus(filesets),
                derivedStatus(filesets) == SyncResult.Status.COMPLETED ? Optional.empty()
                        : Optional.of("a fileset failed"));
    }

    private static SyncResult.Status derivedStatus(List<FilesetReport> filesets) {
        return requireNonNull(filesets, "filesets").stream().anyMatch(f -> f.outcome().isFailure())
                ? SyncResult.Status.PARTIAL_FAILURE : SyncResult.Status.COMPLETED;
    }

    /** {@code true} when no fileset failed or was blocked. */
    public boolean allFilesetsSucceeded() {
        return totals.failedFilesets() == 0;
    }

    /** {@code true} when the run completed every fileset ({@link SyncResult.Status#COMPLETED}). */
    public boolean completed() {
        return status == SyncResult.Status.COMPLETED;
    }

    /** Number of files with the given action over all filesets of the run (listed or not). */
    public long count(FileAction action) {
        return totals.files(action);
    }

    /** Number of filesets the run looked at that this report does not list. */
    public long omittedFilesets() {
        return totals.filesetCount() - filesets.size();
    }

    /** The same report without fileset reports (the totals stay): what the run history keeps per run. */
    public SyncReport summary() {
        return filesets.isEmpty() ? this
                : new SyncReport(runId, startedAt, finishedAt, dryRun, totals, List.of(), metrics, alerts, status,
                        error);
    }
}
