package com.silknote.sync.core.model;

/**
 * What an orphan cleanup should do.
 *
 * @param dryRun find and count only; change nothing (no lock is taken)
 */
public record CleanupRequest(boolean dryRun) {
    /** A cleanup that removes what it finds. */
    public static CleanupRequest removing() {
        return new CleanupRequest(false);
    }

    /** A cleanup that only counts. */
    public static CleanupRequest dryRunOnly() {
        return new CleanupRequest(true);
    }
}
