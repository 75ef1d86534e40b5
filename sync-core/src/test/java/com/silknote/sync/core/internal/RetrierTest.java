package com.silknote.sync.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.RetryPolicy;
import com.silknote.sync.core.port.Sleeper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetrierTest {
    private final List<Duration> sleeps = new ArrayList<>();
    private final Sleeper sleeper = sleeps::add;
    private final RetryPolicy policy = new RetryPolicy(4, Duration.ofMillis(100), Duration.ofSeconds(1), true);

    @Test
    void fullJitterStaysWithinTheExponentialCapAndUsesTheWholeRange() {
        Retrier r = new Retrier(policy, sleeper, new SplittableRandom(1));
        for (int attempt = 1; attempt <= 6; attempt++) {
            long cap = Math.min(1000, 100L << (attempt - 1));
            long min = Long.MAX_VALUE;
            long max = 0;
            for (int i = 0; i < 2000; i++) {
                long ms = r.delayBeforeRetry(attempt, Optional.empty()).toMillis();
                assertThat(ms).isBetween(0L, cap);
                min = Math.min(min, ms);
                max = Math.max(max, ms);
            }
            assertThat(min).as("full jitter reaches near zero").isLessThan(cap / 10 + 1);
            assertThat(max).as("and near the cap").isGreaterThan(cap * 9 / 10);
        }
    }

    @Test
    void sameSeedGivesSameDelays() {
        Retrier a = new Retrier(policy, sleeper, new SplittableRandom(5));
        Retrier b = new Retrier(policy, sleeper, new SplittableRandom(5));
        for (int i = 1; i < 10; i++) {
            assertThat(a.delayBeforeRetry(i, Optional.empty())).isEqualTo(b.delayBeforeRetry(i, Optional.empty()));
        }
    }

    @Test
    void retryAfterIsHonouredAndCapped() {
        Retrier r = new Retrier(policy, sleeper, new SplittableRandom(1));
        assertThat(r.delayBeforeRetry(1, Optional.of(Duration.ofMillis(700)))).isEqualTo(Duration.ofMillis(700));
        assertThat(r.delayBeforeRetry(1, Optional.of(Duration.ofSeconds(120)))).isEqualTo(Duration.ofSeconds(1));

        Retrier ignoring = new Retrier(new RetryPolicy(4, Duration.ofMillis(100), Duration.ofSeconds(1), false),
                sleeper, new SplittableRandom(1));
        assertThat(ignoring.delayBeforeRetry(1, Optional.of(Duration.ofMillis(700)))).isLessThanOrEqualTo(
                Duration.ofMillis(100));
    }

    @Test
    void attemptsAreBoundedAndTheLastFailurePropagates() {
        Retrier r = new Retrier(policy, sleeper, new SplittableRandom(1));
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> r.call("op", () -> {
            throw new TransientSyncException("try " + calls.incrementAndGet());
        })).isInstanceOf(TransientSyncException.class).hasMessage("try 4");
        assertThat(calls).hasValue(4);
        assertThat(sleeps).hasSize(3);
    }

    @Test
    void succeedsAfterTransientFailuresAndSleepsBetween() {
        Retrier r = new Retrier(policy, sleeper, new SplittableRandom(1));
        AtomicInteger calls = new AtomicInteger();
        String v = r.call("op", () -> {
            if (calls.incrementAndGet() < 3) {
                throw new TransientSyncException("429", Duration.ofMillis(250), null);
            }
            return "ok";
        });
        assertThat(v).isEqualTo("ok");
        assertThat(sleeps).containsExactly(Duration.ofMillis(250), Duration.ofMillis(250));
    }

    @Test
    void nonTransientFailuresAndErrorsAreNotRetried() {
        Retrier r = new Retrier(policy, sleeper, new SplittableRandom(1));
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> r.call("op", () -> {
            calls.incrementAndGet();
            throw new PermanentSyncException("404");
        })).isInstanceOf(PermanentSyncException.class);
        assertThatThrownBy(() -> r.call("op", () -> {
            calls.incrementAndGet();
            throw new OutOfMemoryError("simulated");
        })).isInstanceOf(OutOfMemoryError.class);
        assertThat(calls).hasValue(2);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void interruptedBackoffStopsRetrying() {
        Retrier r = new Retrier(policy, d -> {
            throw new InterruptedException();
        }, new SplittableRandom(1));
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> r.call("op", () -> {
            calls.incrementAndGet();
            throw new TransientSyncException("503");
        })).isInstanceOf(TransientSyncException.class).hasMessageContaining("interrupted");
        assertThat(calls).hasValue(1);
        assertThat(Thread.interrupted()).isTrue();
    }
}
