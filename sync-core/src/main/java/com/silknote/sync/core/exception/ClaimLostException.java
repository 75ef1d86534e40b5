package com.silknote.sync.core.exception;

/**
 * Scale-out: a worker's claim on a fileset expired and another worker took it over (or the run was closed),
 * so the store refused the worker's write for that fileset inside its transaction. Nothing was written; the
 * worker drops the fileset, which its new holder syncs.
 */
public final class ClaimLostException extends SyncException {
    private static final long serialVersionUID = 1L;

    public ClaimLostException(String safeMessage) {
        super(safeMessage);
    }
}
