package com.silknote.sync.core.exception;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * A failure that will not go away by retrying: bad credentials, a malformed response, a missing
 * resource, a broken invariant of a backend. {@link #statusCode()} carries the remote status if any.
 */
public class PermanentSyncException extends SyncException {
    private static final long serialVersionUID = 1L;
    private final int statusCode;

    public PermanentSyncException(String safeMessage) {
        this(safeMessage, -1, null);
    }

    public PermanentSyncException(String safeMessage, Throwable cause) {
        this(safeMessage, -1, cause);
    }

    /** @param statusCode the remote status code (e.g. HTTP status), or -1 when there is none */
    public PermanentSyncException(String safeMessage, int statusCode, Throwable cause) {
        super(Objects.requireNonNull(safeMessage, "safeMessage"), cause);
        this.statusCode = statusCode;
    }

    /** The remote status code (e.g. HTTP status) when the failure came with one. */
    public OptionalInt statusCode() {
        return statusCode < 0 ? OptionalInt.empty() : OptionalInt.of(statusCode);
    }
}
