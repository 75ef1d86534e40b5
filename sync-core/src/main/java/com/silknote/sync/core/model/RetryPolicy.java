package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Retries of transient failures: exponential backoff with full jitter, bounded attempts and delay.
 * The delay before attempt {@code n+1} is uniform in {@code [0, min(maxDelay, baseDelay * 2^(n-1))]};
 * when {@code honorRetryAfter} is set, a server's {@code Retry-After} replaces it (capped at {@code maxDelay}).
 *
 * @param maxAttempts     total attempts including the first (>= 1)
 * @param baseDelay       delay cap of the first retry
 * @param maxDelay        upper bound of any single delay
 * @param honorRetryAfter whether to wait what the server asked for
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay, boolean honorRetryAfter) {
    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
        }
        requireNonNull(baseDelay, "baseDelay");
        requireNonNull(maxDelay, "maxDelay");
        if (baseDelay.isNegative() || maxDelay.isNegative()) {
            throw new IllegalArgumentException("delays must not be negative");
        }
        if (maxDelay.compareTo(baseDelay) < 0) {
            throw new IllegalArgumentException("maxDelay must be >= baseDelay");
        }
    }

    public static RetryPolicy defaults() {
        return new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(30), true);
    }

    public static RetryPolicy none() {
        return new RetryPolicy(1, Duration.ZERO, Duration.ZERO, false);
    }
}
