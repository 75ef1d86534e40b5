package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.report;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.RunControl;
import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.FilesetClaims;
import com.silknote.sync.core.port.Sleeper;
import com.silknote.sync.core.port.SyncListener;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.testkit.InMemoryFilesetClaims;
import com.silknote.sync.testkit.fault.Fault;
import com.silknote.sync.testkit.fault.FaultPlan;
import com.silknote.sync.testkit.fault.FaultyVsrxSource;
import com.silknote.sync.testkit.fault.Interception;
import com.silknote.sync.testkit.fault.Operation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 "scale-out" (DESIGN §6, docs/architecture.md "Scale-out"): the paths of a scale-out run that
 * ScaleOutTest's free-running threads reach only by chance, driven here one step at a time on the test thread.
 * Another process joins the run at a chosen moment by running a worker synchronously from a hook on the claims
 * port; a worker is tested alone on a run the test opens itself through the lock and claims ports. Stop requests,
 * interrupts, the coordinator's lease taken over, claim renewal, claims that cannot be read and filesets VSRX no
 * longer has, each with what the run reports and what the resume state keeps (rules 9 and 10).
 */
class ScaleOutPathsTest {
    private static final Duration TTL = Duration.ofSeconds(30);

    private final EngineFixture fx = new EngineFixture().config(c -> c.filesetConcurrency(1).lockTtl(TTL));
    private final InMemoryFilesetClaims claims = fx.silknote.claims();
    private long seed = 7;

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    private VsrxSync sync(FilesetClaims c, Sleeper sleeper, SyncListener listener) {
        return VsrxSync.builder().source(fx.source).documents(fx.documents).blobs(fx.blobs).vectors(fx.vectors)
                .processor(fx.processor).lock(fx.lock).claims(c).listener(listener).config(fx.config)
                .clock(fx.clock).sleeper(sleeper).random(new SplittableRandom(seed++)).build();
    }

    /**
     * Another process's worker, run to its end on the calling thread: it syncs what it can claim and, the first
     * time it finds nothing to claim and would wait for more, is asked to stop once the filesets it claimed
     * finished (a stop before they start would leave them unstarted).
     */
    private SyncResult joinOnce() {
        RunControl idle = new RunControl();
        AtomicInteger claimed = new AtomicInteger();
        AtomicInteger finished = new AtomicInteger();
        SyncListener counts = new SyncListener() {
            @Override
            public void filesetQueued(RunId runId, FilesetId filesetId, int queuedSoFar) {
                claimed.incrementAndGet();
            }

            @Override
            public void filesetFinished(RunId runId, FilesetReport report) {
                finished.incrementAndGet();
            }
        };
        Sleeper stopWhenIdle = d -> {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (finished.get() < claimed.get()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the worker's filesets never finished");
                }
                Thread.onSpinWait();
            }
            idle.requestStop("nothing left to claim");
        };
        return sync(claims, stopWhenIdle, counts).run(SyncRequest.full(), idle);
    }

    private List<FilesetId> filesets(int n) {
        List<FilesetId> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            FilesetId fs = fx.linkedFileset("P-" + i);
            fx.text(fs, "a.txt", "note of fileset " + i);
            ids.add(fs);
        }
        return ids;
    }

    private boolean synced(FilesetId fs) {
        VsrxFileId file = fx.vsrx.listedFiles(fs).get(0).id();
        return fx.silknote.documents().findMapping(file).isPresent();
    }

    private static List<FilesetId> reported(SyncResult r) {
        return report(r).filesets().stream().map(FilesetReport::filesetId).toList();
    }

    // ---------------------------------------------------------------- the coordinator

    @Test
    @DisplayName("issue 11 stop / rule 9: a stop while the coordinator lists offers the filesets listed so far; the"
            + " worker that claimed one finishes it, the run reports it and the resume state keeps it")
    void aStopWhileListingOffersWhatWasListed() {
        stopWhileListing();
    }

    private List<FilesetId> stopWhileListing() {
        List<FilesetId> ids = filesets(3); // page size 2: the stop comes in the middle of the first page
        RunControl control = new RunControl();
        SyncListener stopAtFirst = new SyncListener() {
            @Override
            public void filesetQueued(RunId runId, FilesetId filesetId, int queuedSoFar) {
                control.requestStop("maintenance");
            }
        };
        List<SyncResult> joined = new ArrayList<>();
        FilesetClaims joinOnOffer = Interception.around(FilesetClaims.class, claims, (method, call) -> {
            Object r = call.proceed();
            if (method.equals("offer") && joined.isEmpty()) {
                joined.add(joinOnce());
            }
            return r;
        });

        SyncResult stopped = sync(joinOnOffer, fx.clock, stopAtFirst).run(SyncRequest.full(), control);

        assertThat(stopped.status()).isEqualTo(SyncResult.Status.STOPPED);
        assertThat(stopped.error().orElseThrow()).contains("maintenance");
        assertThat(joined).singleElement().extracting(SyncResult::status).isEqualTo(SyncResult.Status.JOINED);
        assertThat(synced(ids.get(0))).as("the worker synced the fileset listed before the stop").isTrue();
        assertThat(synced(ids.get(1))).as("nothing listed after the stop is offered").isFalse();
        assertThat(reported(stopped)).containsExactly(ids.get(0));
        var state = fx.silknote.documents().loadState();
        assertThat(state.lastCompleteSync()).isEmpty();
        assertThat(state.partialSyncState().processed(ids.get(0)))
                .as("rule 9: the claims finished after the coordinator stopped are in its resume state").isTrue();
        assertThat(state.partialSyncState().processed(ids.get(1))).isFalse();
        return ids;
    }

    @Test
    @DisplayName("issue 11 stop: a stopped coordinator withdraws the unclaimed filesets and waits for the claimed"
            + " one to finish with its worker, no longer than that")
    void aStoppedCoordinatorWithdrawsTheUnclaimedAndWaitsForTheClaimed() {
        List<FilesetId> ids = filesets(4);
        RunControl control = new RunControl();
        SyncListener stopAtThird = new SyncListener() {
            @Override
            public void filesetQueued(RunId runId, FilesetId filesetId, int queuedSoFar) {
                if (queuedSoFar == 3) {
                    control.requestStop("maintenance");
                }
            }
        };
        AtomicInteger unfinishedCalls = new AtomicInteger();
        AtomicBoolean savedWhileWaiting = new AtomicBoolean();
        List<SyncResult> joined = new ArrayList<>();
        FilesetClaims hooked = Interception.around(FilesetClaims.class, claims, (method, call) -> {
            Object r = call.proceed();
            if (method.equals("offer") && joined.isEmpty() && claims.openRun().isPresent()) {
                // another host claims the first fileset as soon as it is offered and is slow with it
                RunId run = claims.openRun().orElseThrow().run();
                if (claims.status(run, ids.get(0)).orElseThrow() == InMemoryFilesetClaims.Status.OPEN) {
                    assertThat(claims.claimNext(run, "slow-host", TTL)).isPresent();
                }
            }
            int nth = method.equals("unfinished") ? unfinishedCalls.incrementAndGet() : 0;
            if (nth == 1) {
                // the slow host died; its claim expires and a worker of a third host takes it over
                claims.forceExpiryOf("slow-host");
                joined.add(joinOnce());
            }
            if (nth == 2) {
                savedWhileWaiting.set(fx.silknote.documents().loadState().partialSyncState().processed(ids.get(0)));
            }
            return r;
        });
        Instant start = fx.clock.instant();

        SyncResult stopped = sync(hooked, fx.clock, stopAtThird).run(SyncRequest.full(), control);

        assertThat(stopped.status()).isEqualTo(SyncResult.Status.STOPPED);
        assertThat(joined).singleElement().extracting(SyncResult::status).isEqualTo(SyncResult.Status.JOINED);
        assertThat(synced(ids.get(0))).as("the claimed fileset finished").isTrue();
        assertThat(synced(ids.get(1))).as("offered, unclaimed when the stop came: withdrawn").isFalse();
        assertThat(synced(ids.get(2))).as("offered with the stop: withdrawn").isFalse();
        assertThat(reported(stopped)).containsExactly(ids.get(0));
        assertThat(fx.silknote.documents().loadState().partialSyncState().processed(ids.get(0))).isTrue();
        assertThat(Duration.between(start, fx.clock.instant()))
                .as("the coordinator waited only until the claimed fileset finished, not out its lease")
                .isLessThan(TTL);
        assertThat(savedWhileWaiting).as("rule 9: the resume state is saved as claims finish, not only at the end")
                .isTrue();
        assertThat(fx.clock.sleeps()).as("it looks again every tenth of the ttl, at most every second")
                .containsOnly(Duration.ofSeconds(1));
    }

    @Test
    @DisplayName("issue 9.7 / issue 11: a coordinator interrupted while it waits for claims hands its caller's"
            + " interrupt back and ends FAILED, its state interrupted (rule 9)")
    void anInterruptedCoordinatorKeepsTheInterrupt() {
        filesets(4);
        AtomicBoolean interrupted = new AtomicBoolean();
        Thread caller = Thread.currentThread();
        FilesetClaims hooked = Interception.around(FilesetClaims.class, claims, (method, call) -> {
            Object r = call.proceed();
            if (method.equals("claimNext") && Thread.currentThread() == caller && interrupted.compareAndSet(false, true)) {
                caller.interrupt(); // the caller interrupts the run while the coordinator claims its own work
            }
            return r;
        });

        SyncResult r = sync(hooked, fx.clock, SyncListener.NONE).run(SyncRequest.full());

        assertThat(Thread.interrupted()).as("the caller's interrupt is handed back").isTrue();
        assertThat(r.status()).isEqualTo(SyncResult.Status.FAILED);
        assertThat(r.error().orElseThrow()).contains("interrupted");
        assertThat(fx.silknote.documents().loadState().lastCompleteSync()).isEmpty();
    }

    @Test
    @DisplayName("issue 11 scale-out: claims the coordinator cannot read fail the run with the reason; the next run"
            + " completes (rule 10: the lock was released)")
    void claimsTheCoordinatorCannotReadFailTheRun() {
        List<FilesetId> ids = filesets(2);
        FilesetClaims broken = Interception.around(FilesetClaims.class, claims, (method, call) -> {
            if (method.equals("claimNext")) {
                throw new TransientSyncException("claims table unreachable");
            }
            return call.proceed();
        });

        SyncResult r = sync(broken, fx.clock, SyncListener.NONE).run(SyncRequest.full());

        assertThat(r.status()).isEqualTo(SyncResult.Status.FAILED);
        assertThat(r.error().orElseThrow()).contains("listing filesets failed");
        SyncResult next = sync(claims, fx.clock, SyncListener.NONE).run(SyncRequest.full());
        assertThat(next.status()).isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(reported(next)).containsExactlyElementsOf(ids);
    }

    @Test
    @DisplayName("rule 9 / issue 11 scale-out: a stopped scale-out run is resumed by the next one: what it committed"
            + " is skipped, the rest synced, and the run completes")
    void aStoppedScaleOutRunIsResumed() {
        List<FilesetId> ids = stopWhileListing();

        SyncResult resumed = sync(claims, fx.clock, SyncListener.NONE).run(SyncRequest.full());

        assertThat(resumed.status()).isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(report(resumed).filesets()).extracting(FilesetReport::filesetId, FilesetReport::outcome)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(ids.get(0),
                                com.silknote.sync.core.model.FilesetOutcome.SKIPPED_ALREADY_PROCESSED),
                        org.assertj.core.groups.Tuple.tuple(ids.get(1),
                                com.silknote.sync.core.model.FilesetOutcome.COMPLETED),
                        org.assertj.core.groups.Tuple.tuple(ids.get(2),
                                com.silknote.sync.core.model.FilesetOutcome.COMPLETED));
        assertThat(fx.silknote.documents().loadState().partialSyncState().isEmpty()).isTrue();
        assertThat(fx.silknote.documents().loadState().lastCompleteSync()).as("a resumed run keeps the older mark")
                .isEmpty();
    }

    @Test
    @DisplayName("rule 9 / issue 9.1: an incremental scale-out run offers what VSRX lists as changed and, fetched by"
            + " id, the failures it carries; its mark is VSRX's clock at the first page")
    void anIncrementalScaleOutRunOffersTheChangedAndTheCarried() {
        FaultPlan flaky = FaultPlan.seeded(1);
        fx.source = new FaultyVsrxSource(fx.vsrx, flaky);
        List<FilesetId> ids = filesets(3);
        VsrxFileId broken = fx.vsrx.listedFiles(ids.get(1)).get(0).id();
        VsrxFileId changed = fx.vsrx.listedFiles(ids.get(2)).get(0).id();
        flaky.on(Operation.OPEN_CONTENT).key(broken).times(3).thenFail(Fault.serviceUnavailable()); // one run's attempts
        Duration skew = Duration.ofMinutes(-1);
        fx.vsrx.setClockSkew(skew);
        fx.clock.advance(Duration.ofHours(1));

        SyncResult first = sync(claims, fx.clock, SyncListener.NONE).run(SyncRequest.full());

        assertThat(first.status()).isEqualTo(SyncResult.Status.PARTIAL_FAILURE);
        assertThat(fx.silknote.documents().loadState().lastCompleteSync()).as("VSRX's clock at the first page")
                .contains(report(first).startedAt().plus(skew));
        fx.clock.advance(Duration.ofHours(1));
        fx.vsrx.modifyFile(changed, "changed note");
        List<String> queued = new ArrayList<>();
        SyncListener announced = new SyncListener() {
            @Override
            public void filesetQueued(RunId runId, FilesetId filesetId, int queuedSoFar) {
                queued.add(filesetId.value() + "#" + queuedSoFar);
            }
        };

        SyncResult next = sync(claims, fx.clock, announced).run(SyncRequest.incrementalRun());

        assertThat(next.status()).isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(reported(next)).as("the unchanged fileset is not looked at")
                .containsExactlyInAnyOrder(ids.get(2), ids.get(1));
        assertThat(queued).as("the changed fileset listed, then the carried failure, counted")
                .containsExactly(ids.get(2).value() + "#1", ids.get(1).value() + "#2");
        assertThat(fx.silknote.documents().findMapping(broken)).isPresent();
        assertThat(fx.silknote.documents().loadState().partialSyncState().failedFilesets()).isEmpty();
    }

    @Test
    @DisplayName("issue 9.3 / issue 11: a full scale-out run reports a fileset VSRX no longer lists VANISHED, with"
            + " the warning, and keeps its documents")
    void aFullScaleOutRunReportsVanishedFilesets() {
        List<FilesetId> ids = filesets(3);
        VsrxFileId kept = fx.vsrx.listedFiles(ids.get(1)).get(0).id();
        assertThat(sync(claims, fx.clock, SyncListener.NONE).run(SyncRequest.full()).status())
                .isEqualTo(SyncResult.Status.COMPLETED);
        fx.vsrx.removeFileset(ids.get(1));
        fx.clock.advance(Duration.ofMinutes(10));

        SyncResult r = sync(claims, fx.clock, SyncListener.NONE).run(SyncRequest.full());

        assertThat(r.success()).isTrue();
        assertThat(report(r).filesets()).filteredOn(f -> f.filesetId().equals(ids.get(1))).singleElement()
                .extracting(FilesetReport::outcome).isEqualTo(com.silknote.sync.core.model.FilesetOutcome.VANISHED);
        assertThat(report(r).alerts()).filteredOn(a -> a.kind() == com.silknote.sync.core.model.Alert.Kind.FILESET_VANISHED)
                .hasSize(1);
        assertThat(fx.silknote.documents().findMapping(kept)).isPresent();
    }

    @Test
    @DisplayName("rule 10 / issue 11: the coordinator renews its lease and its own claims as it goes, so a slow"
            + " fileset is neither fenced nor taken over by another host")
    void theCoordinatorRenewsItsLeaseAndItsClaims() {
        List<FilesetId> ids = filesets(1);
        Duration slow = TTL.multipliedBy(6).dividedBy(10);
        AtomicBoolean once = new AtomicBoolean();
        fx.source = Interception.around(com.silknote.sync.core.port.VsrxSource.class, fx.vsrx, (method, call) -> {
            if (method.equals("openContent") && once.compareAndSet(false, true)) {
                fx.clock.advance(slow); // the download takes 60 % of the ttl; its commit's lease check renews
            }
            return call.proceed();
        });
        List<java.util.Optional<FilesetClaims.Claim>> otherHost = new ArrayList<>();
        fx.documents = Interception.around(com.silknote.sync.core.port.DocumentStore.class, fx.documents,
                (method, call) -> {
                    if (method.equals("recordFilesetReport") && otherHost.isEmpty()) {
                        // another 60 %: past the first expiry of lease and claim, within the renewed ones
                        fx.clock.advance(slow);
                        RunId run = claims.openRun().orElseThrow().run();
                        otherHost.add(claims.claimNext(run, "other-host", TTL));
                    }
                    return call.proceed();
                });

        SyncResult r = sync(claims, fx.clock, SyncListener.NONE).run(SyncRequest.full());

        assertThat(otherHost).singleElement().as("the renewed claim had not expired")
                .isEqualTo(java.util.Optional.empty());
        assertThat(r.status()).isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(reported(r)).containsExactlyElementsOf(ids);
        assertThat(synced(ids.get(0))).isTrue();
    }

    @Test
    @DisplayName("rule 10 / issue 11: a coordinator whose listing outlasts its lease's ttl renews the lease between"
            + " pages")
    void theCoordinatorRenewsItsLeaseBetweenListingPages() {
        List<FilesetId> ids = filesets(5); // three pages of two
        fx.source = Interception.around(com.silknote.sync.core.port.VsrxSource.class, fx.vsrx, (method, call) -> {
            if (method.equals("listFilesets")) {
                fx.clock.advance(TTL.multipliedBy(4).dividedBy(10)); // each page takes 40 % of the ttl
            }
            return call.proceed();
        });

        SyncResult r = sync(claims, fx.clock, SyncListener.NONE).run(SyncRequest.full());

        assertThat(r.status()).isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(reported(r)).containsExactlyElementsOf(ids);
    }

    @Test
    @DisplayName("rule 9 / issue 11: a scale-out listing whose ids go backwards fails the run; the filesets listed"
            + " before it on the same page are still offered and synced, and the run is not complete")
    void aScaleOutListingOutOfOrderOffersWhatCameBefore() {
        List<FilesetId> ids = filesets(2); // one page of two
        fx.source = Interception.around(com.silknote.sync.core.port.VsrxSource.class, fx.vsrx, (method, call) -> {
            Object out = call.proceed();
            if (method.equals("listFilesets")) {
                @SuppressWarnings("unchecked")
                com.silknote.sync.core.model.Page<com.silknote.sync.core.model.VsrxFileset> p =
                        (com.silknote.sync.core.model.Page<com.silknote.sync.core.model.VsrxFileset>) out;
                List<com.silknote.sync.core.model.VsrxFileset> items = new ArrayList<>(p.items());
                items.add(p.items().get(0)); // the first id again, after a larger one
                return new com.silknote.sync.core.model.Page<>(items, p.nextCursor(), p.serverTime());
            }
            return out;
        });

        SyncResult r = sync(claims, fx.clock, SyncListener.NONE).run(SyncRequest.full());

        assertThat(r.status()).isEqualTo(SyncResult.Status.FAILED);
        assertThat(r.error().orElseThrow()).contains("ids not in increasing order");
        assertThat(synced(ids.get(0))).isTrue();
        assertThat(synced(ids.get(1))).isTrue();
        assertThat(fx.silknote.documents().loadState().lastCompleteSync()).as("not a complete run").isEmpty();
    }

    // ---------------------------------------------------------------- a worker on a run the test opens

    /** The coordinator's side, held by the test: the lock and a run open under its token. */
    private final class OpenRun {
        final SyncLock.Lease lease = fx.lock.tryAcquire(SyncConfig.LOCK_NAME, TTL, "coordinator").orElseThrow();
        final RunId run = RunId.of("run-opened-by-the-test");

        OpenRun(List<FilesetId> offered) {
            claims.open(run, lease.token());
            claims.offer(run, offered);
        }

        InMemoryFilesetClaims.Status status(FilesetId fs) {
            return claims.status(run, fs).orElseThrow();
        }
    }

    private VsrxSync worker(FilesetClaims c, Sleeper sleeper, SyncListener listener) {
        return sync(c, sleeper, listener);
    }

    @Test
    @DisplayName("issue 11 scale-out: a worker waits while the coordinator may still offer, claims what comes, and"
            + " leaves once the last offer is made and nothing is left to claim")
    void aWorkerWaitsForLateOffersAndLeavesAfterTheLast() {
        List<FilesetId> ids = filesets(3);
        OpenRun open = new OpenRun(ids.subList(0, 1));
        AtomicInteger polls = new AtomicInteger();
        Sleeper coordinatorOffersLate = d -> {
            if (polls.incrementAndGet() == 1) {
                claims.offer(open.run, ids.subList(1, 3));
                claims.allOffered(open.run);
            }
        };

        SyncResult r = worker(claims, coordinatorOffersLate, SyncListener.NONE).run(SyncRequest.full());

        assertThat(r.status()).isEqualTo(SyncResult.Status.JOINED);
        assertThat(polls).hasValue(1);
        for (FilesetId fs : ids) {
            assertThat(open.status(fs)).as("fileset %s", fs).isEqualTo(InMemoryFilesetClaims.Status.SUCCEEDED);
            assertThat(synced(fs)).isTrue();
        }
    }

    @Test
    @DisplayName("issue 11 scale-out (docs/architecture.md \"Scale-out\", SyncListener): a worker that joins"
            + " another's run tells its listener the run started, under the coordinator's run id, not as a dry run")
    void aJoinedWorkerTellsItsListenerTheRunStarted() {
        List<FilesetId> ids = filesets(1);
        OpenRun open = new OpenRun(ids);
        claims.allOffered(open.run);
        List<String> started = new ArrayList<>();
        SyncListener hears = new SyncListener() {
            @Override
            public void runStarted(RunId runId, boolean dryRun) {
                started.add(runId.value() + " dryRun=" + dryRun);
            }
        };

        SyncResult r = worker(claims, fx.clock, hears).run(SyncRequest.full());

        assertThat(r.status()).isEqualTo(SyncResult.Status.JOINED);
        assertThat(started).containsExactly(open.run.value() + " dryRun=false");
        assertThat(open.status(ids.get(0))).isEqualTo(InMemoryFilesetClaims.Status.SUCCEEDED);
    }

    @Test
    @DisplayName("issue 11 scale-out / rule 9: a claimed fileset VSRX no longer has fails under its claim (the"
            + " coordinator learns it failed), and so does one VSRX cannot be asked for")
    void aClaimedFilesetVsrxCannotGiveFailsUnderItsClaim() {
        List<FilesetId> ids = filesets(3);
        OpenRun open = new OpenRun(ids);
        claims.allOffered(open.run);
        fx.vsrx.removeFileset(ids.get(0));
        FaultPlan flaky = FaultPlan.seeded(1);
        fx.source = new FaultyVsrxSource(fx.vsrx, flaky);
        flaky.on(Operation.FIND_FILESET).key(ids.get(1).value()).always().thenFail(Fault.status(403));
        List<FilesetReport> finished = new ArrayList<>();
        SyncListener reports = new SyncListener() {
            @Override
            public void filesetFinished(RunId runId, FilesetReport report) {
                finished.add(report);
            }
        };

        SyncResult r = worker(claims, fx.clock, reports).run(SyncRequest.full());

        assertThat(r.status()).isEqualTo(SyncResult.Status.JOINED);
        assertThat(open.status(ids.get(0))).isEqualTo(InMemoryFilesetClaims.Status.FAILED);
        assertThat(open.status(ids.get(1))).isEqualTo(InMemoryFilesetClaims.Status.FAILED);
        assertThat(open.status(ids.get(2))).isEqualTo(InMemoryFilesetClaims.Status.SUCCEEDED);
        assertThat(claims.completions(open.run, 0, 10)).extracting(FilesetClaims.Completion::fileset)
                .containsExactlyInAnyOrderElementsOf(ids);
        assertThat(finished).filteredOn(f -> f.filesetId().equals(ids.get(0))).singleElement()
                .satisfies(f -> assertThat(f.failureReason()).contains("fileset not found in VSRX"));
    }

    @Test
    @DisplayName("issue 11 scale-out: a worker renews its claims with its lease while the coordinator holds the"
            + " lock, so another host cannot take over a fileset it is still syncing")
    void aWorkerRenewsItsClaimsWhileTheCoordinatorHoldsTheLock() {
        List<FilesetId> ids = filesets(1);
        OpenRun open = new OpenRun(ids);
        claims.allOffered(open.run);
        Duration slow = TTL.multipliedBy(6).dividedBy(10);
        AtomicBoolean once = new AtomicBoolean();
        fx.source = Interception.around(com.silknote.sync.core.port.VsrxSource.class, fx.vsrx, (method, call) -> {
            if (method.equals("openContent") && once.compareAndSet(false, true)) {
                // the download takes 60 % of the ttl; its commit's lease check renews the lease and the claims
                fx.clock.advance(slow);
                open.lease.renew(TTL);
            }
            return call.proceed();
        });
        List<java.util.Optional<FilesetClaims.Claim>> otherHost = new ArrayList<>();
        var real = fx.documents;
        fx.documents = Interception.around(com.silknote.sync.core.port.DocumentStore.class, real, (method, call) -> {
            if (method.equals("recordFilesetReport") && otherHost.isEmpty()) {
                // another 60 %: past the claim's first expiry, within the renewed one; another host looks for work
                fx.clock.advance(slow);
                open.lease.renew(TTL);
                otherHost.add(claims.claimNext(open.run, "other-host", TTL));
            }
            return call.proceed();
        });

        SyncResult r = worker(claims, fx.clock, SyncListener.NONE).run(SyncRequest.full());

        assertThat(otherHost).singleElement().as("the renewed claim had not expired").isEqualTo(java.util.Optional.empty());
        assertThat(r.status()).isEqualTo(SyncResult.Status.JOINED);
        assertThat(open.status(ids.get(0))).isEqualTo(InMemoryFilesetClaims.Status.SUCCEEDED);
        assertThat(synced(ids.get(0))).isTrue();
    }

    @Test
    @DisplayName("rule 10 / issue 11: a worker whose coordinator's lock was taken over by a newer run stops before it"
            + " claims again, and reports the lost lease")
    void aWorkerStopsBeforeClaimingOnceTheCoordinatorIsGone() {
        List<FilesetId> ids = filesets(2);
        OpenRun open = new OpenRun(ids.subList(0, 1));
        AtomicInteger finished = new AtomicInteger();
        SyncListener counts = new SyncListener() {
            @Override
            public void filesetFinished(RunId runId, FilesetReport report) {
                finished.incrementAndGet();
            }
        };
        AtomicBoolean once = new AtomicBoolean();
        Sleeper coordinatorDies = d -> {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (finished.get() < 1 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            if (once.compareAndSet(false, true)) {
                // the coordinator offers one more fileset, then its lease runs out and a newer run takes the lock
                claims.offer(open.run, ids.subList(1, 2));
                fx.clock.advance(TTL.plusSeconds(1));
                assertThat(fx.lock.tryAcquire(SyncConfig.LOCK_NAME, TTL, "newer")).isPresent();
            }
        };

        SyncResult r = worker(claims, coordinatorDies, counts).run(SyncRequest.full());

        assertThat(open.status(ids.get(0))).isEqualTo(InMemoryFilesetClaims.Status.SUCCEEDED);
        assertThat(r.status()).isEqualTo(SyncResult.Status.FAILED);
        assertThat(r.error().orElseThrow()).contains("lease lost");
        assertThat(open.status(ids.get(1))).as("no claim after the lease was lost")
                .isEqualTo(InMemoryFilesetClaims.Status.OPEN);
        assertThat(synced(ids.get(1))).isFalse();
    }

    @Test
    @DisplayName("rule 10 / issue 11: a worker whose fileset report meets a newer token stops; the report is not"
            + " stored and the claim stays open for the run that resumes, but the worker's own result reports what its"
            + " commit wrote (as a single run does after a lost lease: the resumed run finds it done)")
    void aWorkersReportMetByANewerTokenIsNotStoredButReported() {
        List<FilesetId> ids = filesets(1);
        OpenRun open = new OpenRun(ids);
        claims.allOffered(open.run);
        fx.documents = Interception.around(com.silknote.sync.core.port.DocumentStore.class, fx.documents,
                (method, call) -> {
                    if (method.equals("recordFilesetReport")) {
                        throw new com.silknote.sync.core.exception.StaleFencingTokenException("newer token");
                    }
                    return call.proceed();
                });
        List<FilesetReport> finished = new ArrayList<>();
        SyncListener reports = new SyncListener() {
            @Override
            public void filesetFinished(RunId runId, FilesetReport report) {
                finished.add(report);
            }
        };

        SyncResult r = worker(claims, fx.clock, reports).run(SyncRequest.full());

        assertThat(r.status()).isEqualTo(SyncResult.Status.FAILED);
        assertThat(r.error().orElseThrow()).contains("lease lost");
        assertThat(finished).singleElement().satisfies(f -> {
            assertThat(f.filesetId()).isEqualTo(ids.get(0));
            assertThat(f.count(com.silknote.sync.core.model.FileAction.CREATED)).isEqualTo(1);
        });
        assertThat(EngineFixture.report(r).filesets()).extracting(FilesetReport::filesetId).containsExactly(ids.get(0));
        assertThat(open.status(ids.get(0))).isEqualTo(InMemoryFilesetClaims.Status.CLAIMED);
        assertThat(fx.silknote.documents().runFilesets(open.run, java.util.Optional.empty(), 10).items())
                .as("nothing stored under the newer token").isEmpty();
    }

    @Test
    @DisplayName("issue 9.7 / issue 11: a worker interrupted while it waits for offers hands the interrupt back")
    void anInterruptedWorkerKeepsTheInterrupt() {
        List<FilesetId> ids = filesets(1);
        OpenRun open = new OpenRun(ids);
        Sleeper interruptible = d -> {
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting");
            }
        };
        FilesetClaims hooked = Interception.around(FilesetClaims.class, claims, (method, call) -> {
            Object r = call.proceed();
            if (method.equals("openRun") && open.status(ids.get(0)) == InMemoryFilesetClaims.Status.SUCCEEDED) {
                Thread.currentThread().interrupt();
            }
            return r;
        });

        SyncResult r = worker(hooked, interruptible, SyncListener.NONE).run(SyncRequest.full());

        assertThat(Thread.interrupted()).as("the caller's interrupt is handed back").isTrue();
        assertThat(r.status()).isEqualTo(SyncResult.Status.FAILED);
        assertThat(r.error().orElseThrow()).contains("interrupted");
    }

    @Test
    @DisplayName("issue 11 scale-out: a worker that cannot read the claims ends FAILED with the reason")
    void aWorkerThatCannotReadTheClaimsFails() {
        List<FilesetId> ids = filesets(1);
        OpenRun open = new OpenRun(ids);
        FilesetClaims broken = Interception.around(FilesetClaims.class, claims, (method, call) -> {
            if (method.equals("claimNext")) {
                throw new TransientSyncException("claims table unreachable");
            }
            return call.proceed();
        });

        SyncResult r = worker(broken, fx.clock, SyncListener.NONE).run(SyncRequest.full());

        assertThat(r.status()).isEqualTo(SyncResult.Status.FAILED);
        assertThat(r.error().orElseThrow()).contains("claiming filesets failed");
        assertThat(open.status(ids.get(0))).isEqualTo(InMemoryFilesetClaims.Status.OPEN);
    }
}
