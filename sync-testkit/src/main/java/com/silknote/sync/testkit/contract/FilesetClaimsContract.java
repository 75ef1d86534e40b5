package com.silknote.sync.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.port.FilesetClaims;
import com.silknote.sync.testkit.TestClock;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The behaviour every {@link FilesetClaims} implementation must have. An adapter's test extends this class
 * and supplies {@link #newClaims(Clock)} (every call within one test reaches the same backend namespace; two
 * calls model two workers' hosts) and {@link #forceExpiry(RunId, FilesetId)} (expire one claim inside the
 * backend). Claim ttls are long, so a backend judging expiry by its own clock never expires one by itself.
 */
public abstract class FilesetClaimsContract {

    /** The clock given to every client. */
    protected final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");

    private static final Duration TTL = Duration.ofMinutes(10);

    /** A claims client on this test's backend namespace. */
    protected abstract FilesetClaims newClaims(Clock clock);

    /** Expires the current claim on {@code fileset} in {@code run} inside the backend. */
    protected abstract void forceExpiry(RunId run, FilesetId fileset);

    private static List<FilesetId> filesets(int n) {
        List<FilesetId> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            out.add(FilesetId.of(String.format("fs-%06d", i)));
        }
        return out;
    }

    private static List<FilesetId> claimAll(FilesetClaims claims, RunId run, String worker) {
        List<FilesetId> out = new ArrayList<>();
        for (Optional<FilesetId> next; (next = claims.claimNext(run, worker, TTL)).isPresent(); ) {
            out.add(next.get());
            assertThat(out.size()).isLessThanOrEqualTo(10_000);
        }
        return out;
    }

    @Test
    public void eachOfferedFilesetIsClaimedOnce() {
        FilesetClaims claims = newClaims(clock);
        RunId run = RunId.of("run-1");
        List<FilesetId> all = filesets(5);
        claims.offer(run, all);
        List<FilesetId> claimed = claimAll(claims, run, "w1");
        assertThat(claimed).containsExactlyInAnyOrderElementsOf(all);
        assertThat(claims.claimNext(run, "w2", TTL)).isEmpty();
    }

    @Test
    public void offeringTwiceKeepsOneClaimPerFileset() {
        FilesetClaims claims = newClaims(clock);
        RunId run = RunId.of("run-1");
        claims.offer(run, filesets(3));
        FilesetId first = claims.claimNext(run, "w1", TTL).orElseThrow();
        claims.offer(run, filesets(4));
        List<FilesetId> rest = claimAll(newClaims(clock), run, "w2");
        assertThat(rest).doesNotContain(first).hasSize(3);
    }

    @Test
    public void completedFilesetsAreNotClaimedAgain() {
        FilesetClaims claims = newClaims(clock);
        RunId run = RunId.of("run-1");
        claims.offer(run, filesets(2));
        FilesetId a = claims.claimNext(run, "w1", TTL).orElseThrow();
        FilesetId b = claims.claimNext(run, "w1", TTL).orElseThrow();
        claims.complete(run, a, "w1", true);
        claims.complete(run, b, "w1", false);
        forceExpiry(run, a);
        forceExpiry(run, b);
        assertThat(claims.claimNext(run, "w2", TTL)).isEmpty();
    }

    @Test
    public void expiredClaimsCanBeClaimedAgainLiveOnesCannot() {
        FilesetClaims w1 = newClaims(clock);
        FilesetClaims w2 = newClaims(clock);
        RunId run = RunId.of("run-1");
        claimsOf(w1, run, 2);
        FilesetId a = w1.claimNext(run, "w1", TTL).orElseThrow();
        FilesetId b = w1.claimNext(run, "w1", TTL).orElseThrow();
        assertThat(w2.claimNext(run, "w2", TTL)).isEmpty();
        forceExpiry(run, a);
        assertThat(w2.claimNext(run, "w2", TTL)).contains(a);
        assertThat(w2.claimNext(run, "w2", TTL)).isEmpty();
        w2.complete(run, a, "w2", true);
        w1.complete(run, b, "w1", true);
        assertThat(w1.claimNext(run, "w1", TTL)).isEmpty();
    }

    @Test
    public void runsAreIndependent() {
        FilesetClaims claims = newClaims(clock);
        claims.offer(RunId.of("run-1"), filesets(2));
        claims.offer(RunId.of("run-2"), filesets(2));
        assertThat(claimAll(claims, RunId.of("run-1"), "w1")).hasSize(2);
        assertThat(claimAll(claims, RunId.of("run-2"), "w1")).hasSize(2);
        assertThat(claims.claimNext(RunId.of("run-3"), "w1", TTL)).isEmpty();
    }

    private static void claimsOf(FilesetClaims claims, RunId run, int n) {
        claims.offer(run, filesets(n));
    }

    /** Workers on several hosts claim concurrently: every fileset goes to exactly one worker. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {8L, 1234L})
    public void concurrentWorkersClaimEachFilesetExactlyOnce(long seed) throws Exception {
        int workers = 4;
        RunId run = RunId.of("run-" + seed);
        List<FilesetId> all = filesets(60);
        newClaims(clock).offer(run, all);
        List<FilesetClaims> clients = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            clients.add(newClaims(clock));
        }
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            List<Future<List<FilesetId>>> results = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                FilesetClaims c = clients.get(w);
                String worker = "worker-" + w;
                SplittableRandom r = new SplittableRandom(seed + w);
                results.add(pool.submit(() -> {
                    start.await();
                    List<FilesetId> mine = new ArrayList<>();
                    for (Optional<FilesetId> next; (next = c.claimNext(run, worker, TTL)).isPresent(); ) {
                        mine.add(next.get());
                        c.complete(run, next.get(), worker, r.nextInt(10) > 0);
                    }
                    return mine;
                }));
            }
            start.countDown();
            List<FilesetId> claimed = new ArrayList<>();
            for (Future<List<FilesetId>> f : results) {
                claimed.addAll(f.get(60, TimeUnit.SECONDS));
            }
            assertThat(claimed).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(all);
        } finally {
            pool.shutdownNow();
        }
    }
}
