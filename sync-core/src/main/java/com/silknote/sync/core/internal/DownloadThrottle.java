package com.silknote.sync.core.internal;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.port.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * A token bucket on the injected clock and sleeper, shared by every file thread of an engine: each read of
 * downloaded bytes reserves its time slot at the cap ({@code bytes / bytesPerSecond}) after the slots
 * reserved before it, and the reading thread waits until its slot has passed. So the bytes read up to any
 * time {@code t} after the first read are at most {@code cap * t} plus one read per thread (a read is paid
 * after it returned). No burst is allowed beyond that. Thread-safe.
 */
final class DownloadThrottle {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final long bytesPerSecond;
    private final Clock clock;
    private final Sleeper sleeper;
    private Instant nextFree;

    /** @throws IllegalArgumentException when {@code bytesPerSecond} &lt; 1 */
    DownloadThrottle(long bytesPerSecond, Clock clock, Sleeper sleeper) {
        if (bytesPerSecond < 1) {
            throw new IllegalArgumentException("bytesPerSecond must be >= 1");
        }
        this.bytesPerSecond = bytesPerSecond;
        this.clock = requireNonNull(clock, "clock");
        this.sleeper = requireNonNull(sleeper, "sleeper");
    }

    long bytesPerSecond() {
        return bytesPerSecond;
    }

    /**
     * Pays for {@code bytes} just read: waits until their slot at the cap has passed.
     *
     * @throws InterruptedException when the thread is interrupted while waiting
     */
    void pay(long bytes) throws InterruptedException {
        if (bytes <= 0) {
            return;
        }
        Duration wait;
        synchronized (this) {
            Instant now = clock.instant();
            if (nextFree == null || nextFree.isBefore(now)) {
                nextFree = now;
            }
            long nanos = bytes <= Long.MAX_VALUE / NANOS_PER_SECOND ? bytes * NANOS_PER_SECOND / bytesPerSecond
                    : (long) ((double) bytes / bytesPerSecond * NANOS_PER_SECOND);
            nextFree = nextFree.plusNanos(nanos);
            wait = Duration.between(now, nextFree);
        }
        if (!wait.isNegative() && !wait.isZero()) {
            sleeper.sleep(wait);
        }
    }
}
