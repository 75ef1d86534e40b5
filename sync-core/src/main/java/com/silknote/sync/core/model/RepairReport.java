package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a repair fixed and what it left to a person (or to the orphan cleanup, or to the next sync).
 *
 * @param runId      the repair's id (also in the audit log)
 * @param dryRun     {@code true} when nothing was changed
 * @param startedAt  start
 * @param finishedAt end
 * @param status     how it ended
 * @param error      why it did not complete, if it did not
 * @param repaired   what was fixed (in a dry run: what would be)
 * @param remaining  findings it did not fix, each with the reason in its detail
 */
public record RepairReport(RunId runId, boolean dryRun, Instant startedAt, Instant finishedAt,
        OperationStatus status, Optional<String> error, List<Repair> repaired, List<Finding> remaining) {

    /**
     * One fix.
     *
     * @param finding what was wrong
     * @param outcome what was done, a log-safe reason code ({@code recounted:3>2}, {@code requeued},
     *                {@code refetched}, {@code purged})
     */
    public record Repair(Finding finding, String outcome) {
        public Repair {
            requireNonNull(finding, "finding");
            requireNonNull(outcome, "outcome");
        }
    }

    public RepairReport {
        requireNonNull(runId, "runId");
        requireNonNull(startedAt, "startedAt");
        requireNonNull(finishedAt, "finishedAt");
        requireNonNull(status, "status");
        requireNonNull(error, "error");
        repaired = List.copyOf(requireNonNull(repaired, "repaired"));
        remaining = List.copyOf(requireNonNull(remaining, "remaining"));
    }

    /** {@code true} when it ran to the end and nothing is left. */
    public boolean clean() {
        return status == OperationStatus.COMPLETED && remaining.isEmpty();
    }
}
