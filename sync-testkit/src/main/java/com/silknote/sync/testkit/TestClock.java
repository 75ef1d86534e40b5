package com.silknote.sync.testkit;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.port.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * A settable clock that is also the {@link Sleeper}: sleeping advances the clock by the requested duration
 * and returns at once, so tests never wait on wall time and can assert the backoff a component chose.
 *
 * <pre>{@code
 * var clock = TestClock.at("2026-01-01T00:00:00Z");
 * clock.advance(Duration.ofMinutes(5));
 * assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(2));
 * }</pre>
 *
 * <p>Thread-safe. Clocks derived with {@link #withZone(ZoneId)} share the same time and sleep record.
 */
public final class TestClock extends Clock implements Sleeper {

    private static final class Shared {
        Instant now;
        final List<Duration> sleeps = new ArrayList<>();
        Duration slept = Duration.ZERO;

        Shared(Instant now) {
            this.now = now;
        }
    }

    private final Shared shared;
    private final ZoneId zone;

    private TestClock(Shared shared, ZoneId zone) {
        this.shared = shared;
        this.zone = zone;
    }

    /**
     * A clock standing at {@code instant} in UTC.
     *
     * @throws NullPointerException when {@code instant} is null
     */
    public static TestClock at(Instant instant) {
        return new TestClock(new Shared(requireNonNull(instant, "instant")), ZoneOffset.UTC);
    }

    /**
     * A clock standing at the ISO-8601 instant {@code iso} (e.g. {@code 2026-01-01T00:00:00Z}) in UTC.
     *
     * @throws java.time.format.DateTimeParseException when {@code iso} is not an instant
     */
    public static TestClock at(String iso) {
        return at(Instant.parse(requireNonNull(iso, "iso")));
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    /** A view of this clock in another zone, sharing time and sleep record. */
    @Override
    public Clock withZone(ZoneId zone) {
        return new TestClock(shared, requireNonNull(zone, "zone"));
    }

    @Override
    public Instant instant() {
        synchronized (shared) {
            return shared.now;
        }
    }

    /**
     * Moves the clock forward.
     *
     * @return the new instant
     * @throws IllegalArgumentException when {@code duration} is negative
     */
    public Instant advance(Duration duration) {
        requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("cannot advance by a negative duration: " + duration);
        }
        synchronized (shared) {
            shared.now = shared.now.plus(duration);
            return shared.now;
        }
    }

    /** Sets the clock to {@code instant}; may move it backwards (to model a clock step). */
    public void set(Instant instant) {
        requireNonNull(instant, "instant");
        synchronized (shared) {
            shared.now = instant;
        }
    }

    /**
     * Records the sleep and advances the clock by {@code duration}; returns at once.
     *
     * @throws InterruptedException when the calling thread is interrupted (its flag is cleared)
     * @throws IllegalArgumentException when {@code duration} is negative
     */
    @Override
    public void sleep(Duration duration) throws InterruptedException {
        requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("cannot sleep a negative duration: " + duration);
        }
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted before sleeping");
        }
        synchronized (shared) {
            shared.sleeps.add(duration);
            shared.slept = shared.slept.plus(duration);
            shared.now = shared.now.plus(duration);
        }
    }

    /** Every sleep so far, in call order. */
    public List<Duration> sleeps() {
        synchronized (shared) {
            return List.copyOf(shared.sleeps);
        }
    }

    /** The sum of all sleeps so far. */
    public Duration totalSlept() {
        synchronized (shared) {
            return shared.slept;
        }
    }

    /** Forgets the recorded sleeps (the time stays where it is). */
    public void clearSleeps() {
        synchronized (shared) {
            shared.sleeps.clear();
            shared.slept = Duration.ZERO;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TestClock other && other.shared == shared && other.zone.equals(zone);
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(shared) * 31 + zone.hashCode();
    }

    @Override
    public String toString() {
        return "TestClock[" + instant() + "," + zone + "]";
    }
}
