package com.silknote.sync.examples.folder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The walks kept for continuation pages: their age, their bounds, and the cursor's position in a walk. */
class ListingScansTest {
    private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");
    private final TestClock clock = TestClock.at(T0);

    @Test
    void aWalkServesUntilTheReuseWindowHasPassed() {
        ListingScans scans = new ListingScans(clock, Duration.ofSeconds(60), 4, 100);
        List<VsrxFile> walk = files("a", 3);
        scans.walk(fs("a"), () -> walk);
        clock.advance(Duration.ofSeconds(59));
        assertThat(scans.recent(fs("a"))).contains(walk);
        clock.advance(Duration.ofSeconds(1));
        assertThat(scans.recent(fs("a"))).isEmpty();
        assertThat(scans.size()).isZero();
        assertThat(scans.files()).isZero();
    }

    @Test
    void theEldestWalksGoFirstWhenABoundIsReached() {
        ListingScans scans = new ListingScans(clock, Duration.ofSeconds(60), 2, 10);
        scans.walk(fs("a"), () -> files("a", 3));
        scans.walk(fs("b"), () -> files("b", 3));
        scans.recent(fs("a"));                           // used last: b is now the eldest
        scans.walk(fs("c"), () -> files("c", 3));
        assertThat(scans.recent(fs("b"))).isEmpty();
        assertThat(scans.recent(fs("a"))).isPresent();
        assertThat(scans.recent(fs("c"))).isPresent();
        scans.walk(fs("d"), () -> files("d", 8));              // 3 + 3 + 8 > 10 files: a and c go
        assertThat(scans.size()).isEqualTo(1);
        assertThat(scans.files()).isEqualTo(8);
        scans.walk(fs("e"), () -> files("e", 11));             // larger than the bound: not kept, d stays
        assertThat(scans.recent(fs("e"))).isEmpty();
        assertThat(scans.recent(fs("d"))).isPresent();
        scans.walk(fs("d"), () -> files("d", 2));              // a new walk replaces the fileset's old one
        assertThat(scans.files()).isEqualTo(2);
        scans.forget(fs("d"));
        assertThat(scans.size()).isZero();
        assertThat(scans.files()).isZero();
    }

    @Test
    void aWalkThatStartedEarlierDoesNotReplaceOneThatStartedLater() {
        ListingScans scans = new ListingScans(clock, Duration.ofSeconds(60), 4, 100);
        List<VsrxFile> later = files("a", 2);
        List<VsrxFile> earlier = scans.walk(fs("a"), () -> {
            clock.advance(Duration.ofSeconds(1));       // another client's walk starts and ends meanwhile
            scans.walk(fs("a"), () -> later);
            return files("a", 5);
        });
        assertThat(earlier).hasSize(5);
        assertThat(scans.recent(fs("a"))).contains(later);
        assertThat(scans.files()).isEqualTo(2);
    }

    @Test
    void aWriteWhileAWalkRunsKeepsThatWalkOut() {
        ListingScans scans = new ListingScans(clock, Duration.ofSeconds(60), 4, 100);
        List<VsrxFile> walk = scans.walk(fs("a"), () -> {
            scans.forget(fs("a"));                       // a write through the source
            return files("a", 3);
        });
        assertThat(walk).hasSize(3);
        assertThat(scans.recent(fs("a"))).isEmpty();
        scans.walk(fs("a"), () -> files("a", 4));        // the next walk is kept again
        assertThat(scans.recent(fs("a")).orElseThrow()).hasSize(4);
    }

    @Test
    void aWalksAgeCountsFromItsStart() {
        ListingScans scans = new ListingScans(clock, Duration.ofSeconds(60), 4, 100);
        scans.walk(fs("a"), () -> {
            clock.advance(Duration.ofSeconds(45));       // a slow walk
            return files("a", 3);
        });
        clock.advance(Duration.ofSeconds(15));
        assertThat(scans.recent(fs("a"))).isEmpty();
    }

    @Test
    void aKeptWalkIsACopy() {
        ListingScans scans = new ListingScans(clock, Duration.ofSeconds(60), 2, 10);
        List<VsrxFile> walk = new ArrayList<>(files("a", 2));
        scans.walk(fs("a"), () -> walk);
        walk.clear();
        assertThat(scans.recent(fs("a")).orElseThrow()).hasSize(2);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void concurrentWalksForgetsAndReadsKeepTheBounds(long seed) throws Exception {
        ListingScans scans = new ListingScans(clock, Duration.ofSeconds(60), 3, 20);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Random rnd = new Random(seed * 31 + t);
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 2000; i++) {
                        FilesetId id = fs("f" + rnd.nextInt(5));
                        switch (rnd.nextInt(3)) {
                            case 0 -> {
                                int n = rnd.nextInt(12);
                                assertThat(scans.walk(id, () -> files(id.value(), n))).hasSize(n);
                            }
                            case 1 -> scans.forget(id);
                            default -> scans.recent(id).ifPresent(w -> assertThat(w).allSatisfy(
                                    f -> assertThat(f.filesetId()).isEqualTo(id)));
                        }
                        assertThat(scans.size()).isBetween(0, 3);
                        assertThat(scans.files()).isBetween(0, 20);
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < 5; i++) {
            scans.forget(fs("f" + i));
        }
        assertThat(scans.size()).isZero();
        assertThat(scans.files()).isZero();
    }

    @Test
    void rejectsNonsenseBounds() {
        assertThatThrownBy(() -> new ListingScans(clock, Duration.ofSeconds(-1), 1, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ListingScans(clock, Duration.ZERO, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ListingScans(clock, Duration.ZERO, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void firstAfterIsTheFirstIdAboveTheCursor(long seed) {
        Random rnd = new Random(seed);
        List<VsrxFile> sorted = new ArrayList<>();
        for (int i = 0, n = rnd.nextInt(40); i < n; i++) {
            sorted.add(file("a", "f-" + Integer.toHexString(rnd.nextInt(4096))));
        }
        sorted.sort((x, y) -> x.id().compareTo(y.id()));
        for (int k = 0; k < 50; k++) {
            String cursor = k % 3 == 0 && !sorted.isEmpty() ? sorted.get(rnd.nextInt(sorted.size())).id().value()
                    : "f-" + Integer.toHexString(rnd.nextInt(4096));
            int expected = 0;
            while (expected < sorted.size() && sorted.get(expected).id().value().compareTo(cursor) <= 0) {
                expected++;
            }
            assertThat(ListingScans.firstAfter(sorted, cursor)).as("cursor %s", cursor).isEqualTo(expected);
        }
    }

    private static FilesetId fs(String id) {
        return FilesetId.of(id);
    }

    private static List<VsrxFile> files(String fileset, int n) {
        List<VsrxFile> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(file(fileset, "f-" + fileset + i));
        }
        return out;
    }

    private static VsrxFile file(String fileset, String id) {
        return new VsrxFile(VsrxFileId.of(id), FilesetId.of(fileset), "notes/" + id + ".txt", 1, "text/plain", T0,
                Optional.of("e"), Optional.empty(), false, Optional.empty());
    }
}
