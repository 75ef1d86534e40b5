package com.silknote.sync.core.exception;

/** The caller's lease on the sync lock expired or was taken over: stop writing at once. */
public final class LeaseLostException extends SyncException {
    private static final long serialVersionUID = 1L;

    public LeaseLostException(String safeMessage) {
        super(safeMessage);
    }

    public LeaseLostException(String safeMessage, Throwable cause) {
        super(safeMessage, cause);
    }
}
