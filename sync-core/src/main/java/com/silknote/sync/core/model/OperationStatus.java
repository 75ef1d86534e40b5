package com.silknote.sync.core.model;

/** How an operation beside the sync (cleanup, check, repair, migration) ended. */
public enum OperationStatus {
    /** It ran to the end. Findings, if any, are in its report. */
    COMPLETED,
    /** Another holder has the {@code vsrx-sync} lock; nothing was touched. */
    ALREADY_IN_PROGRESS,
    /** Its preconditions do not hold (a migration of filesets that are not a candidate pair); nothing changed. */
    REFUSED,
    /** It stopped: a backend failed or the lease was lost. What it committed before stays committed. */
    FAILED
}
