package com.silknote.sync.core.exception;

/**
 * A unit of work was refused because the ledger changed since the fileset was planned: a mapping,
 * document or fileset record it expected (DESIGN rule 10) is no longer as it was read. Nothing of the unit
 * of work was written; the fileset is planned again by the next run.
 */
public final class ConcurrentUpdateException extends SyncException {
    private static final long serialVersionUID = 1L;

    /** The standard message: safe to log. */
    public static final String MESSAGE = "the ledger changed since the fileset was planned; nothing was written";

    public ConcurrentUpdateException() {
        super(MESSAGE);
    }

    /** @param what a log-safe description of what changed (ids and kinds only) */
    public ConcurrentUpdateException(String what) {
        super(MESSAGE + " (" + what + ")");
    }
}
