package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * One run of the history: when it started and, once it finished, its summary report (totals, metrics,
 * alerts, status; the report lists no filesets: they are stored one by one). A run without a report is
 * still going on, or its process died before it finished.
 *
 * @param runId     the run
 * @param startedAt its start
 * @param report    its summary, once it finished
 */
public record RunRecord(RunId runId, Instant startedAt, Optional<SyncReport> report) {
    public RunRecord {
        requireNonNull(runId, "runId");
        requireNonNull(startedAt, "startedAt");
        requireNonNull(report, "report");
    }

    /** {@code true} once the run finished. */
    public boolean finished() {
        return report.isPresent();
    }
}
