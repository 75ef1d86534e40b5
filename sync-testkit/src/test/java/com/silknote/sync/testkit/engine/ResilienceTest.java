package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.assertCountedUnchanged;
import static com.silknote.sync.testkit.engine.EngineFixture.action;
import static com.silknote.sync.testkit.engine.EngineFixture.fileset;
import static com.silknote.sync.testkit.engine.EngineFixture.report;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.LockStatus;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.SyncState;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.SyncListener;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.testkit.fault.Fault;
import com.silknote.sync.testkit.fault.FaultPlan;
import com.silknote.sync.testkit.fault.FaultyVsrxSource;
import com.silknote.sync.testkit.fault.Operation;
import com.silknote.sync.testkit.fault.SimulatedCrash;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Transient failures, resume, lease loss, fencing and crashes, end to end. */
class ResilienceTest {
    private final EngineFixture fx = new EngineFixture();

    @Test
    void transientDownloadFailuresAreRetriedWithJitteredBackoff() {
        FaultPlan flaky = FaultPlan.seeded(1);
        fx.source = new FaultyVsrxSource(fx.vsrx, flaky);
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a");
        flaky.on(Operation.OPEN_CONTENT).key(a).times(2).thenFail(Fault.serviceUnavailable());

        SyncResult result = fx.run();

        assertThat(result.success()).isTrue();
        assertThat(action(result, a)).isEqualTo(FileAction.CREATED);
        assertThat(flaky.injected()).hasSize(2);
        List<Duration> sleeps = fx.clock.sleeps();
        assertThat(sleeps).hasSize(2);
        assertThat(sleeps.get(0)).isBetween(Duration.ZERO, Duration.ofMillis(100));
        assertThat(sleeps.get(1)).isBetween(Duration.ZERO, Duration.ofMillis(200));
    }

    @Test
    void retryAfterIsHonouredAndCappedAtMaxDelay() {
        FaultPlan flaky = FaultPlan.seeded(1);
        fx.source = new FaultyVsrxSource(fx.vsrx, flaky);
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a");
        flaky.on(Operation.OPEN_CONTENT).key(a).times(2).thenFail(Fault.status(503, Duration.ofSeconds(30)));

        assertThat(fx.run().success()).isTrue();

        assertThat(fx.clock.sleeps()).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(2));
    }

    @Test
    @DisplayName("rule 8/9: exhausted retries fail the fileset, the run goes on and completes; the next run looks"
            + " at every fileset again (issue 9.1)")
    void exhaustedRetriesFailTheFilesetTheRunGoesOnAndTheNextRunRetriesIt() {
        FaultPlan flaky = FaultPlan.seeded(1);
        fx.source = new FaultyVsrxSource(fx.vsrx, flaky);
        FilesetId fs1 = fx.linkedFileset("P1");
        FilesetId fs2 = fx.linkedFileset("P2");
        VsrxFileId a = fx.text(fs1, "a.txt", "a");
        VsrxFileId a2 = fx.text(fs1, "a2.txt", "a2");
        VsrxFileId b = fx.text(fs2, "b.txt", "b");
        flaky.on(Operation.OPEN_CONTENT).key(a).always().thenFail(Fault.serviceUnavailable());

        SyncResult first = fx.run();

        assertThat(first.status()).isEqualTo(SyncResult.Status.PARTIAL_FAILURE);
        assertThat(fileset(first, fs1).outcome()).isEqualTo(FilesetOutcome.FAILED);
        assertThat(fileset(first, fs1).failureReason().orElseThrow()).contains("TransientSyncException");
        assertThat(fileset(first, fs2).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
        assertThat(flaky.injected()).hasSize(3);
        assertThat(action(first, a)).isEqualTo(FileAction.FAILED);
        assertThat(action(first, a2)).isEqualTo(FileAction.FAILED);
        assertThat(fx.silknote.documents().findMapping(a2)).as("nothing of a failed fileset commits").isEmpty();
        SyncState state = fx.silknote.documents().loadState();
        // The run attempted every fileset: it is complete, not interrupted (issue 9.1).
        assertThat(state.lastCompleteSync()).contains(report(first).startedAt());
        assertThat(state.partialSyncState().failedFilesets()).containsExactly(fs1);
        assertThat(state.partialSyncState().processedFilesets()).isEmpty();
        assertThat(state.partialSyncState().resumeFromFileset()).isEmpty();

        fx.source = fx.vsrx;
        fx.clock.advance(Duration.ofMinutes(5));
        SyncResult second = fx.run();

        assertThat(second.success()).isTrue();
        assertThat(fileset(second, fs2).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
        assertCountedUnchanged(second, fs2, b);
        assertThat(fileset(second, fs1).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
        assertThat(action(second, a)).isEqualTo(FileAction.CREATED);
        SyncState after = fx.silknote.documents().loadState();
        assertThat(after.partialSyncState().isEmpty()).isTrue();
        assertThat(after.lastCompleteSync()).contains(report(second).startedAt());
        fx.silknote.assertQuiescent();
    }

    @Test
    @DisplayName("rule 9: a listing that fails part-way interrupts the run; the next run resumes it and keeps the"
            + " older mark")
    void aListingThatFailsPartWayInterruptsTheRunAndTheNextRunResumes() {
        FaultPlan flaky = FaultPlan.seeded(1);
        fx.source = new FaultyVsrxSource(fx.vsrx, flaky);
        FilesetId fs1 = fx.linkedFileset("P1");
        FilesetId fs2 = fx.linkedFileset("P2");
        FilesetId fs3 = fx.linkedFileset("P3");
        fx.text(fs1, "a.txt", "a");
        fx.text(fs2, "b.txt", "b");
        VsrxFileId c = fx.text(fs3, "c.txt", "c");
        SyncResult initial = fx.run();
        Optional<java.time.Instant> mark = fx.silknote.documents().loadState().lastCompleteSync();
        assertThat(mark).contains(report(initial).startedAt());
        fx.clock.advance(Duration.ofMinutes(10));
        fx.vsrx.modifyFile(c, "c changed");
        // page size 2: the second page of filesets never comes
        flaky.on(Operation.LIST_FILESETS).fromCall(2).always().thenFail(Fault.serviceUnavailable());

        SyncResult interrupted = fx.run();

        assertThat(interrupted.status()).isEqualTo(SyncResult.Status.FAILED);
        assertThat(interrupted.error().orElseThrow()).contains("listing filesets failed");
        SyncState state = fx.silknote.documents().loadState();
        assertThat(state.lastCompleteSync()).isEqualTo(mark);
        assertThat(state.partialSyncState().resumeFromFileset()).isPresent();
        assertThat(state.partialSyncState().processed(fs1)).isTrue();
        assertThat(state.partialSyncState().processed(fs2)).isTrue();
        assertThat(state.partialSyncState().processed(fs3)).isFalse();

        fx.source = fx.vsrx;
        SyncResult resumed = fx.run();

        assertThat(resumed.success()).isTrue();
        assertThat(fileset(resumed, fs1).outcome()).isEqualTo(FilesetOutcome.SKIPPED_ALREADY_PROCESSED);
        assertThat(fileset(resumed, fs2).outcome()).isEqualTo(FilesetOutcome.SKIPPED_ALREADY_PROCESSED);
        assertThat(action(resumed, c)).isEqualTo(FileAction.UPDATED);
        SyncState after = fx.silknote.documents().loadState();
        assertThat(after.partialSyncState().isEmpty()).isTrue();
        assertThat(after.lastCompleteSync()).as("a resumed run keeps the older mark").isEqualTo(mark);
    }

    @Test
    @DisplayName("rule 9: lastCompleteSync moves when a run attempted every fileset, even with a failure")
    void lastCompleteSyncMovesWhenARunAttemptedEveryFileset() {
        FaultPlan flaky = FaultPlan.seeded(1);
        fx.source = new FaultyVsrxSource(fx.vsrx, flaky);
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a");
        SyncResult ok = fx.run();
        assertThat(fx.silknote.documents().loadState().lastCompleteSync()).contains(report(ok).startedAt());

        fx.clock.advance(Duration.ofMinutes(10));
        fx.vsrx.modifyFile(a, "a2");
        flaky.on(Operation.OPEN_CONTENT).key(a).always().thenFail(Fault.serviceUnavailable());
        SyncResult failing = fx.run();
        assertThat(failing.status()).isEqualTo(SyncResult.Status.PARTIAL_FAILURE);

        SyncState state = fx.silknote.documents().loadState();
        assertThat(state.lastCompleteSync()).contains(report(failing).startedAt());
        assertThat(state.partialSyncState().failedFilesets()).containsExactly(fs);
    }

    @Test
    void consecutiveFailedRunsRaiseAlerts() {
        FaultPlan flaky = FaultPlan.seeded(1);
        fx.source = new FaultyVsrxSource(fx.vsrx, flaky);
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a");
        flaky.on(Operation.OPEN_CONTENT).key(a).always().thenFail(Fault.serviceUnavailable());

        SyncResult r1 = fx.run();
        SyncResult r2 = fx.run();
        SyncResult r3 = fx.run();

        assertThat(report(r1).metrics().consecutiveFailedRuns()).isEqualTo(1);
        assertThat(report(r2).metrics().consecutiveFailedRuns()).isEqualTo(2);
        assertThat(report(r3).metrics().consecutiveFailedRuns()).isEqualTo(3);
        assertThat(report(r2).alerts()).noneMatch(al -> al.kind() == Alert.Kind.CONSECUTIVE_FAILURES);
        assertThat(report(r3).alerts()).contains(new Alert(Alert.Kind.CONSECUTIVE_FAILURES, Alert.Severity.WARNING,
                "3 failed runs in a row (warning at 3)"));
        assertThat(report(r3).metrics().errorRate()).isEqualTo(1.0);
        assertThat(report(r3).alerts()).anyMatch(al -> al.kind() == Alert.Kind.ERROR_RATE
                && al.severity() == Alert.Severity.CRITICAL);
    }

    @Test
    @DisplayName("rule 15: the failure streak is counted from the history beyond the critical threshold")
    void theFailureStreakIsCountedPastTheCriticalThreshold() {
        FaultPlan flaky = FaultPlan.seeded(1);
        fx.source = new FaultyVsrxSource(fx.vsrx, flaky);
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a");
        flaky.on(Operation.OPEN_CONTENT).key(a).always().thenFail(Fault.serviceUnavailable());

        SyncResult last = null;
        for (int i = 1; i <= 6; i++) {
            last = fx.run();
            assertThat(report(last).metrics().consecutiveFailedRuns()).as("run %d", i).isEqualTo(i);
        }
        assertThat(report(last).alerts()).contains(new Alert(Alert.Kind.CONSECUTIVE_FAILURES, Alert.Severity.CRITICAL,
                "6 failed runs in a row (critical at 5)"));
    }

    @Test
    @DisplayName("rule 9: a failed fileset that VSRX no longer lists is dropped from the failures the next incremental"
            + " run carries")
    void aCarriedFailureVsrxNoLongerListsIsDropped() {
        FaultPlan flaky = FaultPlan.seeded(1);
        fx.source = new FaultyVsrxSource(fx.vsrx, flaky);
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a");
        FilesetId other = fx.linkedFileset("P2");
        fx.text(other, "b.txt", "b");
        flaky.on(Operation.OPEN_CONTENT).key(a).always().thenFail(Fault.serviceUnavailable());
        assertThat(fx.run().status()).isEqualTo(SyncResult.Status.PARTIAL_FAILURE);
        assertThat(fx.silknote.documents().loadState().partialSyncState().failedFilesets()).containsExactly(fs);
        fx.vsrx.removeFileset(fs);
        fx.clock.advance(Duration.ofMinutes(10));

        SyncResult next = fx.run(com.silknote.sync.core.model.SyncRequest.incrementalRun());

        assertThat(next.status()).isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(fx.silknote.documents().loadState().partialSyncState().failedFilesets()).isEmpty();
    }

    @Test
    void longRunRaisesDurationAlert() {
        fx.config(c -> c.lockTtl(Duration.ofMinutes(30)));
        FilesetId fs = fx.linkedFileset("P1");
        fx.text(fs, "a.txt", "a");
        fx.listener = new SyncListener() {
            @Override
            public void filesetFinished(RunId runId, FilesetReport report) {
                fx.clock.advance(Duration.ofSeconds(301));
            }
        };

        SyncResult result = fx.run();

        assertThat(result.success()).isTrue();
        assertThat(report(result).metrics().duration()).isGreaterThanOrEqualTo(Duration.ofSeconds(301));
        assertThat(report(result).alerts()).anyMatch(al -> al.kind() == Alert.Kind.SYNC_DURATION
                && al.severity() == Alert.Severity.WARNING);
    }

    @Test
    void runThatLosesItsLeaseStopsBeforeItsNextWrite() {
        fx.config(c -> c.filesetConcurrency(1));
        FilesetId fs1 = fx.linkedFileset("P1");
        FilesetId fs2 = fx.linkedFileset("P2");
        VsrxFileId a = fx.text(fs1, "a.txt", "a");
        VsrxFileId b = fx.text(fs2, "b.txt", "b");
        fx.listener = new SyncListener() {
            @Override
            public void filesetFinished(RunId runId, FilesetReport report) {
                if (report.filesetId().equals(fs1)) {
                    fx.silknote.lock().forceExpiry(SyncConfig.LOCK_NAME);
                    fx.silknote.lock().newHolder("other").tryAcquire(SyncConfig.LOCK_NAME, Duration.ofMinutes(5))
                            .orElseThrow();
                }
            }
        };

        SyncResult result = fx.run();

        assertThat(result.success()).isFalse();
        assertThat(result.error().orElseThrow()).contains("lease lost");
        assertThat(fx.silknote.documents().findMapping(a)).isPresent();
        assertThat(fx.silknote.documents().findMapping(b)).isEmpty();
        assertThat(fx.vsrx.downloads(b)).isZero();
        assertThat(fileset(result, fs2).outcome()).isEqualTo(FilesetOutcome.FAILED);
        assertThat(fx.silknote.documents().allRuns()).isEmpty();
    }

    @Test
    void storeFencingRejectsAStaleWriterEvenWhenItsLockCheckIsWrong() {
        var real = fx.silknote.lock();
        fx.lock = new SyncLock() {
            @Override
            public Optional<Lease> tryAcquire(String name, Duration ttl, String requestId) {
                return real.tryAcquire(name, ttl, requestId).map(l -> {
                    mine = l.token();
                    return l;
                });
            }

            @Override
            public Optional<LockStatus> inspect(String name) {
                // a lock check that believes the old holder still holds the lock (e.g. clock skew)
                return Optional.of(new LockStatus(name, "me", mine, fx.clock.instant().plusSeconds(60)));
            }

            private volatile FencingToken mine = FencingToken.of(0);
        };
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a");
        fx.vsrx.beforeOpen(a, () -> {
            real.forceExpiry(SyncConfig.LOCK_NAME);
            var newer = real.newHolder("newer").tryAcquire(SyncConfig.LOCK_NAME, Duration.ofMinutes(5)).orElseThrow();
            fx.silknote.documents().inUnitOfWork(newer.token(), uow -> {
                uow.saveState(SyncState.initial());
                return null;
            });
        });

        SyncResult result = fx.run();

        assertThat(result.success()).isFalse();
        assertThat(result.error().orElseThrow()).contains("StaleFencingTokenException");
        assertThat(fx.silknote.documents().findMapping(a)).isEmpty();
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(a))).isEmpty();
    }

    @Test
    @DisplayName("rule 9/10: a fileset that committed before its run lost the lease is reported with what it committed")
    void aFilesetCommittedBeforeTheLeaseWasLostIsReportedWithItsChanges() {
        fx.config(c -> c.filesetConcurrency(1));
        FilesetId first = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(first, "a.txt", "a");
        FilesetId second = fx.linkedFileset("P2");
        VsrxFileId b = fx.text(second, "b.txt", "b");
        var real = fx.silknote.documents();
        java.util.concurrent.atomic.AtomicBoolean taken = new java.util.concurrent.atomic.AtomicBoolean();
        fx.documents = new DelegatingDocumentStore(real) {
            @Override
            public <T> T inUnitOfWork(FencingToken token, java.util.function.Function<UnitOfWork, T> work) {
                T result = real.inUnitOfWork(token, work);
                if (taken.compareAndSet(false, true)) {
                    // another holder fences the store right after this commit: the run's next write is refused
                    real.fence(FencingToken.of(token.value() + 100));
                }
                return result;
            }
        };

        SyncResult result = fx.run();

        assertThat(result.status()).isEqualTo(SyncResult.Status.FAILED);
        assertThat(fileset(result, first).outcome()).as("its commit landed").isEqualTo(FilesetOutcome.COMPLETED);
        assertThat(action(result, a)).isEqualTo(FileAction.CREATED);
        assertThat(fx.silknote.documents().findDocumentByClientFileId(a)).isPresent();
        // The second fileset is reported FAILED ("run stopped") when the dispatcher had queued it before the stop,
        // and not at all when the stop came first (a stopped run starts nothing new): which one depends on the
        // threads' timing. Either way nothing of it is written after the lease was lost (rule 10).
        assertThat(report(result).filesets()).filteredOn(f -> f.filesetId().equals(second))
                .allSatisfy(f -> assertThat(f.outcome()).isEqualTo(FilesetOutcome.FAILED));
        assertThat(fx.silknote.documents().findDocumentByClientFileId(b)).isEmpty();
    }

    @Test
    @DisplayName("issue 9.7: an interrupted run keeps its lease until its fileset threads stopped committing")
    void anInterruptedRunReleasesItsLeaseOnlyAfterTheCommitInFlightEnded() throws Exception {
        FilesetId fs = fx.linkedFileset("P1");
        fx.text(fs, "a.txt", "a");
        java.util.concurrent.CountDownLatch inCommit = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch finishCommit = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean committing = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicBoolean releasedWhileCommitting =
                new java.util.concurrent.atomic.AtomicBoolean();
        var real = fx.silknote.documents();
        fx.documents = new DelegatingDocumentStore(real) {
            @Override
            public <T> T inUnitOfWork(FencingToken token, java.util.function.Function<UnitOfWork, T> work) {
                committing.set(true);
                try {
                    inCommit.countDown();
                    boolean interrupted = false;
                    while (true) {
                        try {
                            finishCommit.await();
                            break;
                        } catch (InterruptedException e) {
                            interrupted = true; // a commit in flight is not abandoned half-way
                        }
                    }
                    T result = real.inUnitOfWork(token, work);
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                    return result;
                } finally {
                    committing.set(false);
                }
            }
        };
        var lock = fx.silknote.lock();
        fx.lock = new SyncLock() {
            @Override
            public Optional<Lease> tryAcquire(String name, Duration ttl, String requestId) {
                return lock.tryAcquire(name, ttl, requestId).map(l -> new Lease() {
                    @Override
                    public FencingToken token() {
                        return l.token();
                    }

                    @Override
                    public void renew(Duration t) {
                        l.renew(t);
                    }

                    @Override
                    public void close() {
                        releasedWhileCommitting.compareAndSet(false, committing.get());
                        l.close();
                        released.countDown();
                    }
                });
            }

            @Override
            public Optional<LockStatus> inspect(String name) {
                return lock.inspect(name);
            }
        };
        java.util.concurrent.atomic.AtomicReference<SyncResult> result = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean interruptKept = new java.util.concurrent.atomic.AtomicBoolean();
        Thread runner = new Thread(() -> {
            result.set(fx.run(com.silknote.sync.core.model.SyncRequest.fileset(fs)));
            interruptKept.set(Thread.currentThread().isInterrupted());
        });
        runner.start();
        inCommit.await();

        runner.interrupt();
        // either the run released its lease (while the commit is still blocked) or it waits for its threads
        while (released.getCount() > 0 && runner.getState() != Thread.State.TIMED_WAITING
                && runner.getState() != Thread.State.WAITING) {
            Thread.onSpinWait();
        }
        finishCommit.countDown();
        runner.join();

        assertThat(releasedWhileCommitting).as("lease released while a commit was in flight").isFalse();
        assertThat(released.getCount()).isZero();
        assertThat(result.get().success()).isFalse();
        assertThat(interruptKept).as("the caller's interrupt is kept for it").isTrue();
    }

    @Test
    @DisplayName("issue 9.7: the engine retries a lost acquire with the same request id and gets its lease")
    void aLostAnswerToTheAcquireIsRetriedIntoTheSameLease() {
        FaultPlan lost = FaultPlan.seeded(1);
        lost.on(Operation.LOCK_ACQUIRE).onCall(1).thenFail(Fault.lostResponse());
        fx.lock = new com.silknote.sync.testkit.fault.FaultySyncLock(fx.silknote.lock(), lost);
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a");

        SyncResult result = fx.run();

        assertThat(lost.injected()).hasSize(1);
        assertThat(result.status()).isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(action(result, a)).isEqualTo(FileAction.CREATED);
        assertThat(fx.silknote.lock().inspect(SyncConfig.LOCK_NAME)).as("released at the end").isEmpty();
    }

    @Test
    void errorsFromWorkerThreadsPropagateOutOfRun() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a");
        fx.vsrx.beforeOpen(a, () -> {
            throw new SimulatedCrash(1, Operation.OPEN_CONTENT, "simulated crash at download");
        });

        assertThatThrownBy(fx::run).isInstanceOf(SimulatedCrash.class);

        fx.processor = (doc, token) -> {
            throw new SimulatedCrash(1, Operation.PROCESS, "simulated crash at processing");
        };
        assertThatThrownBy(fx::run).isInstanceOf(SimulatedCrash.class).hasMessageContaining("processing");
        assertThat(fx.silknote.documents().allPendingOutbox()).isNotEmpty();
    }
}
