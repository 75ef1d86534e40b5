package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Everything a run did, per fileset and per file, plus its metrics and alerts. Ids, codes and figures only,
 * except the paths of skipped, vanished and conflicting files ({@link FileReport#path()}), which the
 * operator's report shows on request: never log a report's files or paths.
 *
 * @param runId      the run
 * @param startedAt  start
 * @param finishedAt end
 * @param dryRun     {@code true} when nothing was downloaded or written: the report is the plan
 * @param filesets   per-fileset outcomes in processing order
 * @param metrics    monitoring figures
 * @param alerts     thresholds crossed
 * @param status     how the run ended, as its {@link SyncResult} says (a run that could not list VSRX is
 *                   {@link SyncResult.Status#FAILED}, though it has no failed fileset)
 * @param error      the run's log-safe error; empty exactly when {@code status} is
 *                   {@link SyncResult.Status#COMPLETED}
 */
public record SyncReport(RunId runId, Instant startedAt, Instant finishedAt, boolean dryRun,
        List<FilesetReport> filesets, RunMetrics metrics, List<Alert> alerts, SyncResult.Status status,
        Optional<String> error) {
    public SyncReport {
        requireNonNull(runId, "runId");
        requireNonNull(startedAt, "startedAt");
        requireNonNull(finishedAt, "finishedAt");
        filesets = List.copyOf(requireNonNull(filesets, "filesets"));
        requireNonNull(metrics, "metrics");
        alerts = List.copyOf(requireNonNull(alerts, "alerts"));
        requireNonNull(status, "status");
        requireNonNull(error, "error");
        if (status == SyncResult.Status.ALREADY_IN_PROGRESS) {
            throw new IllegalArgumentException("a run that did not start has no report");
        }
    }

    /**
     * A report whose status follows from its filesets ({@code COMPLETED} when none failed, else
     * {@code PARTIAL_FAILURE}), as reports written before the status was recorded are read.
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
        return filesets.stream().noneMatch(f -> f.outcome().isFailure());
    }

    /** {@code true} when the run completed every fileset ({@link SyncResult.Status#COMPLETED}). */
    public boolean completed() {
        return status == SyncResult.Status.COMPLETED;
    }

    /** Number of files with the given action over all filesets. */
    public long count(FileAction action) {
        return filesets.stream().mapToLong(f -> f.count(action)).sum();
    }
}
