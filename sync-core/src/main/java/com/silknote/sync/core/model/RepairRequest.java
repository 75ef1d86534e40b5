package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

/**
 * What a repair should do.
 *
 * @param check  the check it starts from (what to look at)
 * @param dryRun find and say what would be repaired; change nothing (no lock is taken)
 */
public record RepairRequest(CheckRequest check, boolean dryRun) {
    public RepairRequest {
        requireNonNull(check, "check");
    }

    /** A repair of what a default check finds. */
    public static RepairRequest defaults() {
        return new RepairRequest(CheckRequest.defaults(), false);
    }
}
