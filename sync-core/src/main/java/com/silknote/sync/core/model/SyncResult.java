package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * The answer of one call to the engine, shaped like the notes' {@code {success:false, error:"..."}}.
 *
 * @param success {@code true} when the run took the lock and every fileset completed
 * @param error   a log-safe error, e.g. {@value #ALREADY_IN_PROGRESS}
 * @param report  the run's report; empty when the run did not start (lock refused)
 */
public record SyncResult(boolean success, Optional<String> error, Optional<SyncReport> report) {
    public static final String ALREADY_IN_PROGRESS = "Sync already in progress";

    public SyncResult {
        requireNonNull(error, "error");
        requireNonNull(report, "report");
    }

    public static SyncResult alreadyInProgress() {
        return new SyncResult(false, Optional.of(ALREADY_IN_PROGRESS), Optional.empty());
    }

    public boolean isAlreadyInProgress() {
        return !success && report.isEmpty() && error.filter(ALREADY_IN_PROGRESS::equals).isPresent();
    }
}
