package com.silknote.sync.core.exception;

/**
 * Root of every exception thrown across the public API of vsrx-sync.
 *
 * <p>Messages are safe to log: they never carry file names, paths, patient ids or content. Subtypes
 * exist only where a caller acts differently on them.
 */
public abstract class SyncException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected SyncException(String safeMessage) {
        super(safeMessage);
    }

    protected SyncException(String safeMessage, Throwable cause) {
        super(safeMessage, cause);
    }
}
