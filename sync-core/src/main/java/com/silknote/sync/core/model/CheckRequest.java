package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * What the consistency check looks at.
 *
 * @param verifyContent stream every blob and compare its bytes with its hash (slow: reads everything)
 * @param stuckAfter    an outbox entry pending, or a reference row {@code DELETING}, for longer than this is
 *                      reported stuck
 */
public record CheckRequest(boolean verifyContent, Duration stuckAfter) {
    /** The default threshold of stuck work. */
    public static final Duration DEFAULT_STUCK_AFTER = Duration.ofHours(24);

    public CheckRequest {
        requireNonNull(stuckAfter, "stuckAfter");
        if (stuckAfter.isNegative()) {
            throw new IllegalArgumentException("stuckAfter must not be negative");
        }
    }

    /** Metadata only, the default threshold. */
    public static CheckRequest defaults() {
        return new CheckRequest(false, DEFAULT_STUCK_AFTER);
    }
}
