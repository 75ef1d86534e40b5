package com.silknote.sync.core.exception;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A failure that may go away when the same call is tried again later: a timeout, a connection reset,
 * HTTP 429 or 5xx, a throttled storage account. {@link #retryAfter()} carries the server's hint.
 */
public final class TransientSyncException extends SyncException {
    private static final long serialVersionUID = 1L;
    private final transient Duration retryAfter;

    public TransientSyncException(String safeMessage) {
        this(safeMessage, null, null);
    }

    public TransientSyncException(String safeMessage, Throwable cause) {
        this(safeMessage, null, cause);
    }

    /**
     * @param retryAfter the delay the remote side asked for, or {@code null} when it gave none
     */
    public TransientSyncException(String safeMessage, Duration retryAfter, Throwable cause) {
        super(Objects.requireNonNull(safeMessage, "safeMessage"), cause);
        if (retryAfter != null && retryAfter.isNegative()) {
            throw new IllegalArgumentException("retryAfter must not be negative");
        }
        this.retryAfter = retryAfter;
    }

    /** The delay the remote side asked for (e.g. HTTP {@code Retry-After}), if it gave one. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
