package com.silknote.sync.core.model;

/** How one fileset ended in a run. */
public enum FilesetOutcome {
    /** All its changes committed (files may still have been skipped). */
    COMPLETED,
    /** Failed (transient failures exhausted, lease lost, a store error); nothing of it committed. */
    FAILED,
    /** Would have deleted more than the mass-delete guard allows; nothing of it committed. */
    MASS_DELETE_BLOCKED,
    /** No linked Silknote patient yet; nothing done. */
    SKIPPED_NOT_LINKED,
    /** Already processed by the interrupted run being resumed. */
    SKIPPED_ALREADY_PROCESSED,
    /**
     * Known to Silknote (it has documents or a record of it) but no longer in VSRX's listing: reported, its
     * documents kept (like a vanished file). Only a full run can tell.
     */
    VANISHED;

    /** {@code true} when the fileset needs another run. */
    public boolean isFailure() {
        return this == FAILED || this == MASS_DELETE_BLOCKED;
    }
}
