package com.silknote.sync.testkit.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.testkit.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class TestClockTest {

    @Test
    void startsWhereToldAndAdvances() {
        var clock = TestClock.at("2026-01-01T00:00:00Z");
        assertThat(clock.instant()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(clock.advance(Duration.ofMinutes(5))).isEqualTo(Instant.parse("2026-01-01T00:05:00Z"));
        assertThat(clock.millis()).isEqualTo(Instant.parse("2026-01-01T00:05:00Z").toEpochMilli());
        clock.set(Instant.parse("2025-01-01T00:00:00Z"));
        assertThat(clock.instant()).isEqualTo(Instant.parse("2025-01-01T00:00:00Z"));
        assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sleepingAdvancesAndIsRecorded() throws InterruptedException {
        var clock = TestClock.at("2026-01-01T00:00:00Z");
        clock.sleep(Duration.ofSeconds(2));
        clock.sleep(Duration.ofMillis(500));
        assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(2), Duration.ofMillis(500));
        assertThat(clock.totalSlept()).isEqualTo(Duration.ofMillis(2500));
        assertThat(clock.instant()).isEqualTo(Instant.parse("2026-01-01T00:00:02.500Z"));
        clock.clearSleeps();
        assertThat(clock.sleeps()).isEmpty();
        assertThat(clock.totalSlept()).isZero();
    }

    @Test
    void sleepHonoursInterrupt() {
        var clock = TestClock.at("2026-01-01T00:00:00Z");
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> clock.sleep(Duration.ofSeconds(1))).isInstanceOf(InterruptedException.class);
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        assertThat(clock.sleeps()).isEmpty();
    }

    @Test
    void zoneViewSharesTime() {
        var clock = TestClock.at("2026-01-01T00:00:00Z");
        var paris = clock.withZone(ZoneId.of("Europe/Paris"));
        clock.advance(Duration.ofHours(1));
        assertThat(paris.instant()).isEqualTo(clock.instant());
        assertThat(paris.getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
    }

    @Test
    void concurrentSleepsAreAllCounted() throws Exception {
        var clock = TestClock.at("2026-01-01T00:00:00Z");
        int threads = 4;
        int each = 500;
        var start = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < each; i++) {
                        clock.sleep(Duration.ofMillis(1));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            th.start();
            ts.add(th);
        }
        start.countDown();
        for (Thread th : ts) {
            th.join();
        }
        assertThat(clock.sleeps()).hasSize(threads * each);
        assertThat(clock.instant()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z").plusMillis(threads * each));
    }
}
