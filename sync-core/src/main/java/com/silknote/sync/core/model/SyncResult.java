package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * The answer of one call to the engine, shaped like the notes' {@code {success:false, error:"..."}}.
 *
 * @param status  how the run ended
 * @param error   a log-safe error or stop reason, e.g. {@value #ALREADY_IN_PROGRESS}; empty exactly when
 *                {@code status} is {@link Status#COMPLETED} or {@link Status#JOINED}
 * @param report  the run's report; empty when the run did not start (lock refused)
 */
public record SyncResult(Status status, Optional<String> error, Optional<SyncReport> report) {
    public static final String ALREADY_IN_PROGRESS = "Sync already in progress";

    /** How a run ended; a scheduler acts on it. */
    public enum Status {
        /** Every fileset the run looked at completed (files may have been skipped or left in conflict). */
        COMPLETED,
        /** The run attempted every fileset and at least one failed or was blocked; the next run retries it. */
        PARTIAL_FAILURE,
        /**
         * The run as a whole failed or was interrupted: VSRX could not be listed, the lease was lost, the run
         * was cancelled. The next run resumes where this one stopped.
         */
        FAILED,
        /**
         * The run stopped at a fileset boundary, as asked ({@code RunControl.requestStop}, a scheduler shutting
         * down) or because its {@link RunBudget} was reached: it started no further fileset, the filesets in
         * flight committed, and it saved its resume state. Not a failure: the next run resumes where it
         * stopped. {@link #error()} says why it stopped.
         */
        STOPPED,
        /**
         * Scale-out: another worker held the lock and had opened its run to workers, and this call worked on
         * that run's filesets until none were left to claim. The report covers the filesets this worker synced;
         * the coordinating worker's result and the run history say how the run ended. Not recorded as a run
         * of its own.
         */
        JOINED,
        /** Another run holds the lock; nothing was touched. */
        ALREADY_IN_PROGRESS
    }

    public SyncResult {
        requireNonNull(status, "status");
        requireNonNull(error, "error");
        requireNonNull(report, "report");
        boolean errorless = status == Status.COMPLETED || status == Status.JOINED;
        if (errorless != error.isEmpty()) {
            throw new IllegalArgumentException("an error is given exactly when the run did not complete");
        }
    }

    public static SyncResult alreadyInProgress() {
        return new SyncResult(Status.ALREADY_IN_PROGRESS, Optional.of(ALREADY_IN_PROGRESS), Optional.empty());
    }

    /** {@code true} when the run completed every fileset ({@link Status#COMPLETED}). */
    public boolean success() {
        return status == Status.COMPLETED;
    }

    public boolean isAlreadyInProgress() {
        return status == Status.ALREADY_IN_PROGRESS;
    }

    /** {@code true} when the run stopped at a fileset boundary ({@link Status#STOPPED}); the next run resumes. */
    public boolean isStopped() {
        return status == Status.STOPPED;
    }
}
