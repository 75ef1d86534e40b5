package com.silknote.sync.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.exception.ClaimLostException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.PatientFilesetRecord;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.FilesetClaims;
import com.silknote.sync.testkit.TestClock;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The behaviour every {@link FilesetClaims} implementation must have, together with the
 * {@link DocumentStore} of its backend, which checks claims inside units of work and finishes them when a
 * fileset's report is recorded (issue 11, scale-out; DESIGN §6). An adapter's test extends this class and
 * supplies {@link #newClaims(Clock)} (every call within one test reaches the same backend namespace; two calls
 * model two workers' hosts), {@link #documents()} (the document store of that backend) and
 * {@link #forceExpiry(RunId, FilesetId)} (expire one claim inside the backend). Claim ttls are long, so a
 * backend judging expiry by its own clock never expires one by itself.
 */
public abstract class FilesetClaimsContract {

    /** The clock given to every client. */
    protected final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");

    private static final Duration TTL = Duration.ofMinutes(10);
    private static final FencingToken TOKEN = FencingToken.of(1);

    /** A claims client on this test's backend namespace. */
    protected abstract FilesetClaims newClaims(Clock clock);

    /** The document store of this test's backend: it checks and finishes the claims. */
    protected abstract DocumentStore documents();

    /** Expires the current claim on {@code fileset} in {@code run} inside the backend. */
    protected abstract void forceExpiry(RunId run, FilesetId fileset);

    private static List<FilesetId> filesets(int n) {
        List<FilesetId> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            out.add(FilesetId.of(String.format("fs-%06d", i)));
        }
        return out;
    }

    private static List<FilesetClaims.Claim> claimAll(FilesetClaims claims, RunId run, String worker) {
        List<FilesetClaims.Claim> out = new ArrayList<>();
        for (Optional<FilesetClaims.Claim> next; (next = claims.claimNext(run, worker, TTL)).isPresent(); ) {
            out.add(next.get());
            assertThat(out.size()).isLessThanOrEqualTo(10_000);
        }
        return out;
    }

    private static FilesetReport report(FilesetId id, FilesetOutcome outcome) {
        return new FilesetReport(id, outcome, outcome.isFailure() ? Optional.of("failed") : Optional.empty(),
                List.of(), Duration.ZERO, 0, 0);
    }

    /** Finishes a claim the way a worker does: by recording the fileset's report under it. */
    private void finish(FilesetClaims.Claim claim, boolean succeeded) {
        documents().recordFilesetReport(TOKEN, claim.run(), report(claim.fileset(),
                succeeded ? FilesetOutcome.COMPLETED : FilesetOutcome.FAILED), Optional.of(claim));
    }

    private RunId opened(FilesetClaims claims, String name, List<FilesetId> offered) {
        RunId run = RunId.of(name);
        claims.open(run, TOKEN);
        claims.offer(run, offered);
        return run;
    }

    @Test
    public void eachOfferedFilesetIsClaimedOnceInOfferOrderWithRisingTokens() {
        FilesetClaims claims = newClaims(clock);
        List<FilesetId> all = filesets(5);
        RunId run = opened(claims, "run-1", all);
        List<FilesetClaims.Claim> claimed = claimAll(claims, run, "w1");
        assertThat(claimed).extracting(FilesetClaims.Claim::fileset).containsExactlyElementsOf(all);
        assertThat(claimed).extracting(FilesetClaims.Claim::token).isSorted().doesNotHaveDuplicates();
        assertThat(claimed).allSatisfy(c -> assertThat(c.worker()).isEqualTo("w1"));
        assertThat(claims.claimNext(run, "w2", TTL)).isEmpty();
        assertThat(claims.unfinished(run)).isEqualTo(5);
    }

    @Test
    public void offeringTwiceKeepsOneClaimPerFileset() {
        FilesetClaims claims = newClaims(clock);
        RunId run = opened(claims, "run-1", filesets(3));
        FilesetClaims.Claim first = claims.claimNext(run, "w1", TTL).orElseThrow();
        claims.offer(run, filesets(4));
        List<FilesetClaims.Claim> rest = claimAll(newClaims(clock), run, "w2");
        assertThat(rest).extracting(FilesetClaims.Claim::fileset).doesNotContain(first.fileset()).hasSize(3);
    }

    @Test
    public void nothingIsOfferedOrClaimedInARunThatIsNotOpen() {
        FilesetClaims claims = newClaims(clock);
        RunId closed = RunId.of("run-closed");
        claims.offer(closed, filesets(2));
        assertThat(claims.claimNext(closed, "w1", TTL)).isEmpty();
        assertThat(claims.unfinished(closed)).isZero();
        assertThat(claims.openRun()).isEmpty();
    }

    @Test
    public void finishedFilesetsAreNotClaimedAgainAndComeBackInFinishingOrder() {
        FilesetClaims claims = newClaims(clock);
        RunId run = opened(claims, "run-1", filesets(3));
        FilesetClaims.Claim a = claims.claimNext(run, "w1", TTL).orElseThrow();
        FilesetClaims.Claim b = claims.claimNext(run, "w1", TTL).orElseThrow();
        finish(b, false);
        finish(a, true);
        forceExpiry(run, a.fileset());
        forceExpiry(run, b.fileset());
        FilesetClaims.Claim c = claims.claimNext(run, "w2", TTL).orElseThrow();
        assertThat(c.fileset()).isEqualTo(filesets(3).get(2));
        assertThat(claims.claimNext(run, "w2", TTL)).isEmpty();
        assertThat(claims.unfinished(run)).isEqualTo(1);

        List<FilesetClaims.Completion> done = claims.completions(run, 0, 10);
        assertThat(done).extracting(FilesetClaims.Completion::fileset).containsExactly(b.fileset(), a.fileset());
        assertThat(done).extracting(FilesetClaims.Completion::succeeded).containsExactly(false, true);
        assertThat(done).extracting(FilesetClaims.Completion::seq).isSorted().doesNotHaveDuplicates();
        assertThat(claims.completions(run, done.get(0).seq(), 10)).extracting(FilesetClaims.Completion::fileset)
                .containsExactly(a.fileset());
        assertThat(claims.completions(run, 0, 1)).hasSize(1);
        assertThat(documents().runFilesets(run, Optional.empty(), 10).items())
                .extracting(FilesetReport::filesetId).containsExactly(b.fileset(), a.fileset());
    }

    @Test
    @org.junit.jupiter.api.DisplayName("issue 11 scale-out: an expired claim goes to another worker with a higher token;"
            + " the old holder can neither commit nor report")
    public void anExpiredClaimIsTakenOverAndItsOldHolderIsRefusedInsideTheTransaction() {
        FilesetClaims w1 = newClaims(clock);
        FilesetClaims w2 = newClaims(clock);
        RunId run = opened(w1, "run-1", filesets(2));
        FilesetClaims.Claim old = w1.claimNext(run, "w1", TTL).orElseThrow();
        FilesetClaims.Claim other = w1.claimNext(run, "w1", TTL).orElseThrow();
        assertThat(w2.claimNext(run, "w2", TTL)).as("live claims are not handed out").isEmpty();

        forceExpiry(run, old.fileset());
        FilesetClaims.Claim taken = w2.claimNext(run, "w2", TTL).orElseThrow();
        assertThat(taken.fileset()).isEqualTo(old.fileset());
        assertThat(taken.token()).isGreaterThan(Math.max(old.token(), other.token()));
        assertThat(w2.claimNext(run, "w2", TTL)).isEmpty();

        PatientFilesetRecord record = new PatientFilesetRecord(old.fileset(),
                new PatientUuid(UUID.nameUUIDFromBytes("P1".getBytes())), List.of(), clock.instant());
        assertThatThrownBy(() -> documents().inUnitOfWork(TOKEN, u -> {
            u.expectClaim(old);
            u.upsertFileset(record);
            return null;
        })).isInstanceOf(ClaimLostException.class);
        assertThat(documents().findFileset(old.fileset())).as("the refused unit wrote nothing").isEmpty();
        assertThatThrownBy(() -> finish(old, true)).isInstanceOf(ClaimLostException.class);
        assertThat(documents().runFilesets(run, Optional.empty(), 10).items()).isEmpty();

        documents().inUnitOfWork(TOKEN, u -> {
            u.expectClaim(taken);
            u.upsertFileset(record);
            return null;
        });
        assertThat(documents().findFileset(old.fileset())).contains(record);
        finish(taken, true);
        finish(other, true);
        assertThat(w1.unfinished(run)).isZero();
    }

    @Test
    public void renewingKeepsAClaimFromBeingTakenOver() {
        FilesetClaims w1 = newClaims(clock);
        RunId run = opened(w1, "run-1", filesets(1));
        FilesetClaims.Claim a = w1.claimNext(run, "w1", TTL).orElseThrow();
        forceExpiry(run, a.fileset());
        w1.renew(run, "w1", TTL);
        assertThat(newClaims(clock).claimNext(run, "w2", TTL)).isEmpty();
        finish(a, true);
    }

    @Test
    public void theNewestOpenRunIsFoundAndOpeningARunForgetsTheOthers() {
        FilesetClaims claims = newClaims(clock);
        RunId first = opened(claims, "run-1", filesets(2));
        FilesetClaims.Claim stale = claims.claimNext(first, "w1", TTL).orElseThrow();
        assertThat(claims.openRun()).contains(new FilesetClaims.OpenRun(first, TOKEN, false));

        RunId second = RunId.of("run-2");
        claims.open(second, FencingToken.of(2));
        assertThat(newClaims(clock).openRun()).contains(new FilesetClaims.OpenRun(second, FencingToken.of(2), false));
        assertThat(claims.claimNext(first, "w2", TTL)).as("the older run is gone").isEmpty();
        assertThatThrownBy(() -> finish(stale, true)).isInstanceOf(ClaimLostException.class);

        claims.offer(second, filesets(1));
        claims.allOffered(second);
        assertThat(claims.openRun()).contains(new FilesetClaims.OpenRun(second, FencingToken.of(2), true));
        claims.close(second);
        claims.close(second);
        assertThat(claims.openRun()).isEmpty();
        assertThat(claims.claimNext(second, "w1", TTL)).isEmpty();
    }

    @Test
    public void withdrawingLeavesTheClaimedFilesetsWithTheirWorkers() {
        FilesetClaims claims = newClaims(clock);
        RunId run = opened(claims, "run-1", filesets(4));
        FilesetClaims.Claim a = claims.claimNext(run, "w1", TTL).orElseThrow();
        claims.withdraw(run);
        assertThat(claims.claimNext(run, "w2", TTL)).isEmpty();
        assertThat(claims.unfinished(run)).isEqualTo(1);
        finish(a, true);
        assertThat(claims.unfinished(run)).isZero();
    }

    /** Workers on several hosts claim concurrently: every fileset goes to exactly one worker. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {8L, 1234L})
    public void concurrentWorkersClaimEachFilesetExactlyOnce(long seed) throws Exception {
        int workers = 4;
        List<FilesetId> all = filesets(60);
        RunId run = opened(newClaims(clock), "run-" + seed, all);
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
                    for (Optional<FilesetClaims.Claim> next; (next = retry(() -> c.claimNext(run, worker, TTL)))
                            .isPresent(); ) {
                        mine.add(next.get().fileset());
                        FilesetClaims.Claim claim = next.get();
                        boolean ok = r.nextInt(10) > 0;
                        retry(() -> {
                            finish(claim, ok);
                            return null;
                        });
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
            assertThat(newClaims(clock).unfinished(run)).isZero();
            List<FilesetClaims.Completion> done = newClaims(clock).completions(run, 0, 1000);
            assertThat(done).hasSize(all.size());
            assertThat(done).extracting(FilesetClaims.Completion::seq).as("in commit order, without gaps")
                    .isSorted().doesNotHaveDuplicates();
            assertThat(done.get(done.size() - 1).seq() - done.get(0).seq()).isEqualTo(all.size() - 1);
        } finally {
            pool.shutdownNow();
        }
    }

    private static <T> T retry(java.util.function.Supplier<T> call) {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (TransientSyncException e) {
                if (attempt >= 50) {
                    throw e;
                }
            }
        }
    }
}
