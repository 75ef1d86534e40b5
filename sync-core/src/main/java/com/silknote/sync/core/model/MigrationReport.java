package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a re-booking migration moved.
 *
 * @param runId      the migration's id (also in the audit log)
 * @param dryRun     {@code true} when nothing was changed
 * @param startedAt  start
 * @param finishedAt end
 * @param status     how it ended ({@link OperationStatus#REFUSED} when the filesets are not a candidate pair)
 * @param error      why it did not complete, if it did not
 * @param from       the old fileset
 * @param to         the new fileset
 * @param moved      the documents moved (in a dry run: that would move); empty when run again
 */
public record MigrationReport(RunId runId, boolean dryRun, Instant startedAt, Instant finishedAt,
        OperationStatus status, Optional<String> error, FilesetId from, FilesetId to, List<DocumentUuid> moved) {
    public MigrationReport {
        requireNonNull(runId, "runId");
        requireNonNull(startedAt, "startedAt");
        requireNonNull(finishedAt, "finishedAt");
        requireNonNull(status, "status");
        requireNonNull(error, "error");
        requireNonNull(from, "from");
        requireNonNull(to, "to");
        moved = List.copyOf(requireNonNull(moved, "moved"));
    }

    /** {@code true} when it ran to the end. */
    public boolean success() {
        return status == OperationStatus.COMPLETED;
    }
}
