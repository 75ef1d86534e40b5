package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.report;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.RunControl;
import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.SyncState;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.FilesetClaims;
import com.silknote.sync.core.port.Sleeper;
import com.silknote.sync.core.port.SyncListener;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.testkit.InMemoryFilesetClaims;
import com.silknote.sync.testkit.fault.Interception;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 "scale-out" (DESIGN §6, docs/architecture.md "Scale-out") and DESIGN rules 9 and 10: what a scale-out
 * coordinator waits for, driven one step at a time on the test thread. The other hosts' workers are played by the
 * test at the claims port: between two looks of the coordinator (in its {@link Sleeper}) the test claims offered
 * filesets under other worker ids and finishes them by recording their fileset reports under the claim, as a
 * worker's last write does. So a thousand filesets cost a thousand claims, not a thousand syncs; the coordinator's
 * own claims are refused where the test must decide alone which filesets finish when.
 *
 * <p>Pinned here: the offer window ({@code OFFER_WINDOW}: no further page is listed while 1,000 offered filesets are
 * unfinished), the bound on filesets finished ahead of the oldest one still claimed ({@code RunProgress.MAX_AHEAD}),
 * the resume state saved from the finished claims as they come, also when more than one page of them
 * ({@code STORE_PAGE}) is waiting, the order of the report a coordinator builds itself when the run history cannot be
 * read back, carried failures VSRX no longer has, the lease kept while a stopped coordinator waits for other hosts,
 * and the claims of a dead worker taken over (its claims are its own, not the coordinator's).
 */
class CoordinatorWaitsTest {
    private static final Duration TTL = Duration.ofSeconds(30);
    private static final int OFFER_WINDOW = 1000;
    private static final String OTHER_HOST = "other-host";

    private final EngineFixture fx = new EngineFixture().config(c -> c.filesetConcurrency(1).lockTtl(TTL));
    private final InMemoryFilesetClaims claims = fx.silknote.claims();
    private long seed = 11;

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    private VsrxSync sync(FilesetClaims c, Sleeper sleeper, SyncListener listener) {
        return VsrxSync.builder().source(fx.source).documents(fx.documents).blobs(fx.blobs).vectors(fx.vectors)
                .processor(fx.processor).lock(fx.lock).claims(c).listener(listener).config(fx.config)
                .clock(fx.clock).sleeper(sleeper).random(new SplittableRandom(seed++)).build();
    }

    /** Filesets without files, in id order: cheap to list, offer and claim by the thousand. */
    private List<FilesetId> emptyFilesets(int n) {
        List<FilesetId> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(fx.linkedFileset("P-" + i));
        }
        return ids;
    }

    /** The claims port as the coordinator sees it when other hosts are always faster: it never gets a claim. */
    private FilesetClaims ownClaimsRefused(FilesetClaims c) {
        return Interception.around(FilesetClaims.class, c, (method, call) -> method.equals("claimNext")
                ? Optional.empty() : call.proceed());
    }

    private RunId openRun() {
        return claims.openRun().orElseThrow().run();
    }

    /** Another host's worker claims the next offered fileset (empty when none is open). */
    private Optional<FilesetClaims.Claim> claimedBy(String worker) {
        return claims.claimNext(openRun(), worker, TTL);
    }

    /** A worker's last write: the fileset's report under its claim, which finishes the claim. */
    private void finish(FilesetClaims.Claim claim) {
        FilesetClaims.OpenRun open = claims.openRun().orElseThrow();
        fx.silknote.documents().recordFilesetReport(open.token(), open.run(), new FilesetReport(claim.fileset(),
                FilesetOutcome.COMPLETED, Optional.empty(), List.of(), Duration.ZERO, 0, 0), Optional.of(claim));
    }

    /** Other hosts claim and finish up to {@code n} offered filesets, in offer order; returns how many. */
    private int otherHostsFinish(int n) {
        int done = 0;
        while (done < n) {
            Optional<FilesetClaims.Claim> c = claimedBy(OTHER_HOST);
            if (c.isEmpty()) {
                break;
            }
            finish(c.get());
            done++;
        }
        return done;
    }

    private boolean processedInState(FilesetId fs) {
        return fx.silknote.documents().loadState().partialSyncState().processed(fs);
    }

    // ---------------------------------------------------------------- the offer window

    @Test
    @DisplayName("issue 11 scale-out / rule 9: with 1,000 offered filesets unfinished the coordinator lists no further"
            + " page; it follows the finished claims first and saves the resume state from them")
    void noFurtherPageWhileAThousandOfferedAreUnfinished() {
        fx.config(c -> c.pageSize(1000));
        List<FilesetId> ids = emptyFilesets(OFFER_WINDOW + 1); // a page of 1,000 and one more
        AtomicInteger listings = new AtomicInteger();
        List<Long> unfinishedAtSecondPage = new ArrayList<>();
        List<Boolean> savedAtSecondPage = new ArrayList<>();
        fx.source = Interception.around(VsrxSource.class, fx.vsrx, (method, call) -> {
            if (method.equals("listFilesets") && listings.incrementAndGet() == 2) {
                unfinishedAtSecondPage.add(claims.unfinished(openRun()));
                savedAtSecondPage.add(ids.subList(0, OFFER_WINDOW).stream().allMatch(this::processedInState));
            }
            return call.proceed();
        });
        Sleeper otherHostsWork = d -> otherHostsFinish(Integer.MAX_VALUE);

        SyncResult r = sync(ownClaimsRefused(claims), otherHostsWork, SyncListener.NONE).run(SyncRequest.full());

        assertThat(r.status()).isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(report(r).totals().filesetCount()).isEqualTo(OFFER_WINDOW + 1);
        assertThat(unfinishedAtSecondPage).singleElement().as("offered and unfinished when the next page is listed")
                .isEqualTo(0L);
        assertThat(savedAtSecondPage).as("rule 9: the state saved from the finished claims lists them")
                .containsExactly(true);
        assertThat(claims.openRun()).as("the run is closed for workers once the coordinator is done").isEmpty();
    }

    @Test
    @DisplayName("rule 9 / issue 11 scale-out: with 1,000 filesets finished ahead of the oldest one still claimed, the"
            + " coordinator lists no further page until that one finished (RunProgress.MAX_AHEAD)")
    void noFurtherPageWhileAThousandFinishedAheadOfTheOldest() {
        fx.config(c -> c.pageSize(600));
        List<FilesetId> ids = emptyFilesets(1201); // pages of 600, 600 and 1: the first is the slow one
        FilesetId slowest = ids.get(0);
        List<FilesetClaims.Claim> slow = new ArrayList<>();
        AtomicInteger listings = new AtomicInteger();
        List<Boolean> slowestDoneAtThirdPage = new ArrayList<>();
        fx.source = Interception.around(VsrxSource.class, fx.vsrx, (method, call) -> {
            if (method.equals("listFilesets") && listings.incrementAndGet() == 3) {
                slowestDoneAtThirdPage.add(claims.status(openRun(), slowest).orElseThrow()
                        == InMemoryFilesetClaims.Status.SUCCEEDED);
            }
            return call.proceed();
        });
        AtomicInteger polls = new AtomicInteger();
        Sleeper otherHosts = d -> {
            int poll = polls.incrementAndGet();
            if (poll == 1) {
                // a slow host claims the oldest offered fileset; other hosts finish exactly 1,000 after it
                slow.add(claimedBy("slow-host").orElseThrow());
                assertThat(slow.get(0).fileset()).isEqualTo(slowest);
                assertThat(otherHostsFinish(1000)).isEqualTo(1000);
            } else if (poll >= 3) {
                // the coordinator still waits a poll later: the slow host finishes, and the others the rest
                if (claims.status(openRun(), slowest).orElseThrow() == InMemoryFilesetClaims.Status.CLAIMED) {
                    finish(slow.get(0));
                }
                otherHostsFinish(Integer.MAX_VALUE);
            }
        };

        SyncResult r = sync(ownClaimsRefused(claims), otherHosts, SyncListener.NONE).run(SyncRequest.full());

        assertThat(r.status()).isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(slowestDoneAtThirdPage).as("the oldest claimed fileset finished before the next page was listed")
                .containsExactly(true);
    }

    @Test
    @DisplayName("rule 9 / issue 11 stop: a stopped coordinator reads every claim that finished while it waited, more"
            + " than a page of them (1,000) at once, into the resume state it saves")
    void moreThanAPageOfFinishedClaimsAreAllInTheResumeState() {
        fx.config(c -> c.pageSize(999));
        List<FilesetId> ids = emptyFilesets(1002); // pages of 999 and 3; the stop comes before the last one
        RunControl control = new RunControl();
        SyncListener stopAfter1001 = new SyncListener() {
            @Override
            public void filesetQueued(RunId runId, FilesetId filesetId, int queuedSoFar) {
                if (queuedSoFar == 1001) {
                    control.requestStop("maintenance");
                }
            }
        };
        List<FilesetClaims.Claim> claimed = new ArrayList<>();
        FilesetClaims othersClaimWhatIsOffered = Interception.around(FilesetClaims.class, claims, (method, call) -> {
            Object out = call.proceed();
            if (method.equals("offer")) {
                for (Optional<FilesetClaims.Claim> c = claimedBy(OTHER_HOST); c.isPresent(); c = claimedBy(OTHER_HOST)) {
                    claimed.add(c.get());
                }
            }
            return out;
        });
        // while the stopped coordinator waits, the other hosts finish all 1,001 claims between two of its looks
        Sleeper finishAll = d -> {
            claimed.forEach(this::finish);
            claimed.clear();
        };

        SyncResult r = sync(othersClaimWhatIsOffered, finishAll, stopAfter1001).run(SyncRequest.full(), control);

        assertThat(r.status()).isEqualTo(SyncResult.Status.STOPPED);
        assertThat(report(r).totals().filesetCount()).isEqualTo(1001);
        SyncState state = fx.silknote.documents().loadState();
        assertThat(state.lastCompleteSync()).isEmpty();
        assertThat(ids.subList(0, 1001)).as("every finished fileset is in the resume state; the next run skips it")
                .allMatch(fs -> state.partialSyncState().processed(fs));
        assertThat(state.partialSyncState().processed(ids.get(1001))).as("never offered").isFalse();
    }

    // ---------------------------------------------------------------- the coordinator's own report

    @Test
    @DisplayName("issue 11 scale-out / rule 9: when a resumed run's history cannot be read back, the coordinator's own"
            + " report lists the skipped filesets in listing order and the vanished one after them")
    void theCoordinatorsOwnReportKeepsTheListingOrder() {
        List<FilesetId> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            FilesetId fs = fx.linkedFileset("P-" + i);
            fx.text(fs, "a.txt", "note " + i);
            ids.add(fs);
        }
        assertThat(fx.run().status()).isEqualTo(SyncResult.Status.COMPLETED);
        FilesetId vanished = ids.get(3);
        fx.vsrx.removeFileset(vanished);
        // the state of a run interrupted before the third fileset: the first two are committed
        SyncLock.Lease setup = fx.lock.tryAcquire(SyncConfig.LOCK_NAME, TTL, "setup").orElseThrow();
        fx.silknote.documents().inUnitOfWork(setup.token(), uow -> {
            uow.saveState(new SyncState(Optional.empty(),
                    new SyncState.PartialSyncState(List.of(), List.of(), Optional.of(ids.get(2)))));
            return null;
        });
        setup.close();
        fx.documents = Interception.around(DocumentStore.class, fx.documents, (method, call) -> {
            if (method.equals("runFilesets")) {
                throw new TransientSyncException("run history unreachable");
            }
            return call.proceed();
        });

        SyncResult r = sync(claims, fx.clock, SyncListener.NONE).run(SyncRequest.full());

        assertThat(r.status()).isEqualTo(SyncResult.Status.COMPLETED);
        List<FilesetId> order = report(r).filesets().stream().map(FilesetReport::filesetId).toList();
        assertThat(order).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(EngineFixture.fileset(r, ids.get(0)).outcome()).isEqualTo(FilesetOutcome.SKIPPED_ALREADY_PROCESSED);
        assertThat(EngineFixture.fileset(r, vanished).outcome()).isEqualTo(FilesetOutcome.VANISHED);
        assertThat(order.indexOf(ids.get(0))).as("skipped in listing order").isLessThan(order.indexOf(ids.get(1)));
        assertThat(order.indexOf(ids.get(1))).as("the vanished one after the listed ones")
                .isLessThan(order.indexOf(vanished));
    }

    // ---------------------------------------------------------------- carried failures

    @Test
    @DisplayName("rule 9: a stopped incremental scale-out run drops the carried failure VSRX no longer has from the"
            + " state it saves, and keeps the one it offered and withdrew")
    void aStoppedIncrementalScaleOutRunDropsTheCarriedFailureVsrxNoLongerHas() {
        FilesetId gone = fx.linkedFileset("P-gone");
        fx.text(gone, "a.txt", "a note of the gone one");
        FilesetId kept = fx.linkedFileset("P-kept");
        fx.text(kept, "a.txt", "a note of the kept one");
        Set<FilesetId> failing = new HashSet<>(Set.of(gone, kept));
        fx.source = Interception.around(VsrxSource.class, fx.vsrx, (method, call) -> {
            if (method.equals("openContent") && !failing.isEmpty()) {
                throw new TransientSyncException("VSRX unavailable");
            }
            return call.proceed();
        });
        fx.clock.advance(Duration.ofDays(1)); // the incremental run's listing shows neither fileset
        assertThat(fx.run().status()).isEqualTo(SyncResult.Status.PARTIAL_FAILURE);
        assertThat(fx.silknote.documents().loadState().partialSyncState().failedFilesets())
                .containsExactly(gone, kept);
        failing.clear();
        fx.vsrx.removeFileset(gone);
        fx.clock.advance(Duration.ofMinutes(10));
        RunControl control = new RunControl();
        VsrxSource real = fx.source;
        fx.source = Interception.around(VsrxSource.class, real, (method, call) -> {
            Object out = call.proceed();
            if (method.equals("findFileset") && ((Optional<?>) out).isEmpty()) {
                control.requestStop("shutting down"); // comes before the coordinator waits for the offered one
            }
            return out;
        });

        SyncResult stopped = sync(claims, fx.clock, SyncListener.NONE).run(SyncRequest.incrementalRun(), control);

        assertThat(stopped.status()).isEqualTo(SyncResult.Status.STOPPED);
        assertThat(fx.silknote.documents().loadState().partialSyncState().failedFilesets())
                .as("the fileset VSRX no longer has is not carried on").containsExactly(kept);
    }

    // ---------------------------------------------------------------- the coordinator's lease and claims

    @Test
    @DisplayName("rule 10 / issue 11 stop: a stopped coordinator that waits for another host's claim longer than a"
            + " third of the ttl renews its lease, so no newer run takes the lock meanwhile")
    void aStoppedCoordinatorRenewsItsLeaseWhileItWaits() {
        emptyFilesets(2); // one page of two: the stop comes with the first
        RunControl control = new RunControl();
        SyncListener stopAtFirst = new SyncListener() {
            @Override
            public void filesetQueued(RunId runId, FilesetId filesetId, int queuedSoFar) {
                control.requestStop("maintenance");
            }
        };
        Instant start = fx.clock.instant();
        fx.source = Interception.around(VsrxSource.class, fx.vsrx, (method, call) -> {
            if (method.equals("listFilesets")) {
                fx.clock.advance(TTL.multipliedBy(3).dividedBy(10)); // under a third of the ttl: no renewal yet
            }
            return call.proceed();
        });
        List<FilesetClaims.Claim> slow = new ArrayList<>();
        FilesetClaims slowHostClaims = Interception.around(FilesetClaims.class, claims, (method, call) -> {
            Object out = call.proceed();
            if (method.equals("offer") && slow.isEmpty()) {
                slow.add(claimedBy("slow-host").orElseThrow());
            }
            return out;
        });
        List<Optional<SyncLock.Lease>> rival = new ArrayList<>();
        Sleeper waits = d -> {
            fx.clock.sleep(d);
            Duration since = Duration.between(start, fx.clock.instant());
            if (since.compareTo(TTL.plusSeconds(5)) >= 0 && rival.isEmpty()) {
                // a newer run tries the lock past the ttl since the coordinator's last renewal before the stop
                rival.add(fx.lock.tryAcquire(SyncConfig.LOCK_NAME, TTL, "newer-run"));
            }
            if (since.compareTo(TTL.plusSeconds(6)) >= 0 && !slow.isEmpty()) {
                finish(slow.remove(0)); // the slow host finishes, within its claim and the coordinator's deadline
            }
        };

        SyncResult r = sync(slowHostClaims, waits, stopAtFirst).run(SyncRequest.full(), control);

        assertThat(rival).singleElement().as("the waiting coordinator still held the lock")
                .isEqualTo(Optional.empty());
        assertThat(r.status()).isEqualTo(SyncResult.Status.STOPPED);
        assertThat(report(r).totals().filesetCount()).isEqualTo(1);
    }

    @Test
    @DisplayName("issue 11 scale-out: the claim of a worker that died is not renewed with the coordinator's own; it"
            + " expires after the ttl and the coordinator takes the fileset over and completes the run")
    void aDeadWorkersClaimExpiresAndIsTakenOver() {
        FilesetId fs = fx.linkedFileset("P-1");
        fx.text(fs, "a.txt", "a note");
        List<SyncResult> joined = new ArrayList<>();
        List<String> deadWorker = new ArrayList<>();
        FilesetClaims deadWorkerJoins = Interception.around(FilesetClaims.class, claims, (method, call) -> {
            Object out = call.proceed();
            if (method.equals("offer") && joined.isEmpty()) {
                joined.add(aWorkerThatDiesBeforeItsReport());
                deadWorker.add(claims.worker(openRun(), fs).orElseThrow());
            }
            return out;
        });
        RunControl control = new RunControl();
        Instant start = fx.clock.instant();
        Sleeper waits = d -> {
            fx.clock.sleep(d);
            boolean stillTheDeadOnes = claims.worker(openRun(), fs).equals(Optional.of(deadWorker.get(0)));
            if (stillTheDeadOnes && Duration.between(start, fx.clock.instant()).compareTo(TTL.multipliedBy(3)) > 0) {
                control.requestStop("the dead worker's claim never expired"); // ends the test instead of a hang
            }
        };

        SyncResult r = sync(deadWorkerJoins, waits, SyncListener.NONE).run(SyncRequest.full(), control);

        assertThat(joined).singleElement().extracting(SyncResult::status).isEqualTo(SyncResult.Status.JOINED);
        assertThat(r.status()).isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(EngineFixture.fileset(r, fs).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
    }

    /**
     * Another process's worker that claims the offered fileset, syncs it, and dies before it records the report:
     * its claim stays, unrenewed. Run to its end on the calling thread.
     */
    private SyncResult aWorkerThatDiesBeforeItsReport() {
        AtomicBoolean died = new AtomicBoolean();
        DocumentStore diesAtTheReport = Interception.around(DocumentStore.class, fx.documents, (method, call) -> {
            if (method.equals("recordFilesetReport")) {
                died.set(true);
                throw new PermanentSyncException("the worker's host went away");
            }
            return call.proceed();
        });
        RunControl gone = new RunControl();
        Sleeper stopOnceDead = d -> {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (!died.get()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the worker's fileset never reached its report");
                }
                Thread.onSpinWait();
            }
            gone.requestStop("host gone");
        };
        VsrxSync worker = VsrxSync.builder().source(fx.source).documents(diesAtTheReport).blobs(fx.blobs)
                .vectors(fx.vectors).processor(fx.processor).lock(fx.lock).claims(claims).config(fx.config)
                .clock(fx.clock).sleeper(stopOnceDead).random(new SplittableRandom(seed++)).build();
        return worker.run(SyncRequest.full(), gone);
    }
}
