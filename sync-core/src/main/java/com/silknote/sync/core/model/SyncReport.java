package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

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
 */
public record SyncReport(RunId runId, Instant startedAt, Instant finishedAt, boolean dryRun,
        List<FilesetReport> filesets, RunMetrics metrics, List<Alert> alerts) {
    public SyncReport {
        requireNonNull(runId, "runId");
        requireNonNull(startedAt, "startedAt");
        requireNonNull(finishedAt, "finishedAt");
        filesets = List.copyOf(requireNonNull(filesets, "filesets"));
        requireNonNull(metrics, "metrics");
        alerts = List.copyOf(requireNonNull(alerts, "alerts"));
    }

    /** {@code true} when no fileset failed or was blocked. */
    public boolean allFilesetsSucceeded() {
        return filesets.stream().noneMatch(f -> f.outcome().isFailure());
    }

    /** Number of files with the given action over all filesets. */
    public long count(FileAction action) {
        return filesets.stream().mapToLong(f -> f.count(action)).sum();
    }
}
