package com.silknote.sync.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.port.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue 11 "bandwidth cap": the token bucket on an injected clock and sleeper. */
class DownloadThrottleTest {

    /** A clock that sleeping advances; never waits. */
    static final class FakeTime extends Clock implements Sleeper {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");
        final List<Duration> sleeps = new ArrayList<>();

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public synchronized Instant instant() {
            return now;
        }

        @Override
        public synchronized void sleep(Duration d) {
            sleeps.add(d);
            now = now.plus(d);
        }

        synchronized void advance(Duration d) {
            now = now.plus(d);
        }
    }

    @Test
    void eachReadWaitsForItsSlotAfterThoseBeforeIt() throws InterruptedException {
        FakeTime t = new FakeTime();
        DownloadThrottle throttle = new DownloadThrottle(1000, t, t);
        throttle.pay(500);
        throttle.pay(1500);
        assertThat(t.sleeps).containsExactly(Duration.ofMillis(500), Duration.ofMillis(1500));
        t.advance(Duration.ofSeconds(10));
        throttle.pay(100);
        assertThat(t.sleeps).as("idle time is not saved up as a burst").last().isEqualTo(Duration.ofMillis(100));
        throttle.pay(0);
        assertThat(t.sleeps).hasSize(3);
    }

    @Test
    void aCapMustBePositive() {
        FakeTime t = new FakeTime();
        assertThatThrownBy(() -> new DownloadThrottle(0, t, t)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Threads reading at random sizes through one throttle: whenever a read returns, the bytes paid so far
     * never exceed the cap times the elapsed time plus the reads not yet paid (one per thread).
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {3L, 99L})
    @DisplayName("issue 11 bandwidth: one bucket shared by every thread keeps their sum within the cap")
    void threadsSharingOneThrottleStayWithinTheCap(long seed) throws Exception {
        FakeTime t = new FakeTime();
        long cap = 50_000;
        DownloadThrottle throttle = new DownloadThrottle(cap, t, t);
        Instant start = t.instant();
        int threads = 4;
        int maxRead = 16 * 1024;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Long>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                SplittableRandom r = new SplittableRandom(seed * 31 + i);
                results.add(pool.submit(() -> {
                    long total = 0;
                    for (int k = 0; k < 200; k++) {
                        int n = 1 + r.nextInt(maxRead);
                        throttle.pay(n);
                        total += n;
                    }
                    return total;
                }));
            }
            long bytes = 0;
            for (Future<Long> f : results) {
                bytes += f.get(60, TimeUnit.SECONDS);
            }
            double seconds = Duration.between(start, t.instant()).toNanos() / 1e9;
            assertThat((double) bytes).as("seed %d", seed).isLessThanOrEqualTo(cap * seconds + threads * maxRead);
        } finally {
            pool.shutdownNow();
        }
    }
}
