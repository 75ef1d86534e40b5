package com.silknote.sync.core.exception;

/**
 * A store refused a write because it carried a fencing token older than the current lock holder's:
 * the writer lost its lease, possibly without noticing. Nothing of that write was applied.
 */
public final class StaleFencingTokenException extends SyncException {
    private static final long serialVersionUID = 1L;

    public StaleFencingTokenException(String safeMessage) {
        super(safeMessage);
    }
}
