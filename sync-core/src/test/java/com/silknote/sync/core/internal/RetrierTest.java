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
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** DESIGN rule 8 (transient failures): the engine's single retry layer. */
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

    @Test
    @DisplayName("DESIGN rule 8: attempts are counted from 1")
    void anAttemptBelowOneIsRefused() {
        Retrier r = new Retrier(policy, sleeper, new SplittableRandom(1));
        assertThatThrownBy(() -> r.delayBeforeRetry(0, Optional.empty())).isInstanceOf(IllegalArgumentException.class);
        assertThat(r.delayBeforeRetry(1, Optional.empty())).isBetween(Duration.ZERO, Duration.ofMillis(100));
        assertThat(r.policy()).isSameAs(policy);
    }

    @Test
    @DisplayName("DESIGN rule 8: doubling past the range of a long neither overflows nor throws; delays stay in [0, maxDelay]")
    void backoffNearTheLimitsOfALongStaysInRange() {
        Duration max = Duration.ofNanos(Long.MAX_VALUE);
        Retrier r = new Retrier(new RetryPolicy(100, Duration.ofDays(1), max, true), sleeper, new SplittableRandom(3));
        for (int attempt = 1; attempt <= 90; attempt++) {
            long most = 0;
            for (int i = 0; i < 20; i++) {
                Duration d = r.delayBeforeRetry(attempt, Optional.empty());
                assertThat(d).as("attempt %d", attempt).isBetween(Duration.ZERO, max);
                most = Math.max(most, d.toNanos());
            }
            // the cap only grows: from the second attempt on it is at least two days, so 20 draws reach past a day
            if (attempt >= 2) {
                assertThat(most).as("attempt %d: full jitter over a cap that kept doubling", attempt)
                        .isGreaterThan(Duration.ofDays(1).toNanos());
            }
        }
    }

    @Test
    @DisplayName("DESIGN rule 8: a zero delay policy retries at once")
    void aZeroDelayPolicyNeverWaits() {
        Retrier r = new Retrier(new RetryPolicy(3, Duration.ZERO, Duration.ZERO, false), sleeper,
                new SplittableRandom(1));
        assertThat(r.delayBeforeRetry(1, Optional.empty())).isEqualTo(Duration.ZERO);
        assertThat(r.delayBeforeRetry(5, Optional.of(Duration.ofSeconds(9)))).isEqualTo(Duration.ZERO);
    }

    @Test
    @DisplayName("DESIGN rule 8: run() retries a void call like call()")
    void runRetriesAVoidCall() {
        Retrier r = new Retrier(policy, sleeper, new SplittableRandom(1));
        AtomicInteger calls = new AtomicInteger();
        r.run("op", () -> {
            if (calls.incrementAndGet() < 2) {
                throw new TransientSyncException("503");
            }
        });
        assertThat(calls).hasValue(2);
        assertThat(sleeps).hasSize(1);
    }
}
