package com.silknote.sync.core.internal;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.RetryPolicy;
import com.silknote.sync.core.port.Sleeper;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's single retry layer: exponential backoff with full jitter (delay before attempt n+1 uniform
 * in {@code [0, min(maxDelay, baseDelay * 2^(n-1))]}), {@code Retry-After} honoured and capped at
 * {@code maxDelay}, bounded attempts. Only {@link TransientSyncException} is retried. Thread-safe.
 */
public final class Retrier {
    private static final Logger log = LoggerFactory.getLogger(Retrier.class);

    private final RetryPolicy policy;
    private final Sleeper sleeper;
    private final RandomGenerator random;

    /** @throws NullPointerException when an argument is null */
    public Retrier(RetryPolicy policy, Sleeper sleeper, RandomGenerator random) {
        this.policy = requireNonNull(policy, "policy");
        this.sleeper = requireNonNull(sleeper, "sleeper");
        this.random = requireNonNull(random, "random");
    }

    public RetryPolicy policy() {
        return policy;
    }

    /**
     * Runs {@code call}, retrying transient failures.
     *
     * @param operation a log-safe name of the call
     * @throws TransientSyncException the last failure once the attempts are used up
     */
    public <T> T call(String operation, Supplier<T> call) {
        requireNonNull(operation, "operation");
        requireNonNull(call, "call");
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (TransientSyncException e) {
                if (attempt >= policy.maxAttempts()) {
                    throw e;
                }
                Duration delay = delayBeforeRetry(attempt, e.retryAfter());
                log.debug("retry op={} attempt={} delayMs={} cause={}", operation, attempt, delay.toMillis(),
                        e.getMessage());
                pause(delay);
            }
        }
    }

    /** Runs {@code call}, retrying transient failures. @throws TransientSyncException once attempts are used up */
    public void run(String operation, Runnable call) {
        requireNonNull(call, "call");
        call(operation, () -> {
            call.run();
            return null;
        });
    }

    /**
     * The delay after failed attempt {@code attempt} (1-based).
     *
     * @throws IllegalArgumentException when attempt is below 1
     */
    public Duration delayBeforeRetry(int attempt, Optional<Duration> retryAfter) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1");
        }
        requireNonNull(retryAfter, "retryAfter");
        long maxNanos = policy.maxDelay().toNanos();
        if (policy.honorRetryAfter() && retryAfter.isPresent()) {
            return Duration.ofNanos(Math.min(retryAfter.get().toNanos(), maxNanos));
        }
        long cap = policy.baseDelay().toNanos();
        for (int i = 1; i < attempt && cap < maxNanos; i++) {
            cap = cap > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : cap * 2;
        }
        cap = Math.min(cap, maxNanos);
        if (cap <= 0) {
            return Duration.ZERO;
        }
        long nanos;
        synchronized (random) {
            nanos = cap == Long.MAX_VALUE ? random.nextLong(0, cap) : random.nextLong(0, cap + 1);
        }
        return Duration.ofNanos(nanos);
    }

    private void pause(Duration delay) {
        try {
            sleeper.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientSyncException("interrupted while backing off", e);
        }
    }
}
