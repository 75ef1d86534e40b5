package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.SyncScheduler;
import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.Schedule;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.port.Sleeper;
import com.silknote.sync.core.port.SyncListener;
import com.silknote.sync.testkit.fault.Fault;
import com.silknote.sync.testkit.fault.FaultPlan;
import com.silknote.sync.testkit.fault.FaultySyncLock;
import com.silknote.sync.testkit.fault.FaultyVsrxSource;
import com.silknote.sync.testkit.fault.Operation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Issue 11 "scheduling": SyncScheduler on the test clock. */
class SyncSchedulerTest {
    private final EngineFixture fx = new EngineFixture();

    private void filesets(int n) {
        for (int i = 0; i < n; i++) {
            FilesetId fs = fx.linkedFileset("P-" + i);
            fx.text(fs, "a.txt", "note " + i);
        }
    }

    /** Stops the scheduler once {@code runs} runs finished. */
    private static SyncListener stopAfter(int runs, SyncScheduler[] scheduler, List<SyncReport> reports) {
        return new SyncListener() {
            @Override
            public void runFinished(SyncReport report) {
                reports.add(report);
                if (reports.size() >= runs) {
                    scheduler[0].stop();
                }
            }
        };
    }

    @Test
    @DisplayName("issue 11 scheduling: fixed delay plus seeded jitter after each run, the first run at once")
    void runsOnAFixedDelayWithJitter() {
        filesets(2);
        SyncScheduler[] scheduler = new SyncScheduler[1];
        List<SyncReport> reports = new ArrayList<>();
        fx.listener = stopAfter(3, scheduler, reports);
        Schedule schedule = Schedule.every(Duration.ofMinutes(15)).withJitter(Duration.ofMinutes(1));
        scheduler[0] = SyncScheduler.builder().sync(fx.sync()).schedule(schedule).clock(fx.clock).sleeper(fx.clock)
                .random(new SplittableRandom(7)).build();
        fx.clock.clearSleeps();

        scheduler[0].runUntilStopped();

        assertThat(reports).hasSize(3).allSatisfy(r -> assertThat(r.completed()).isTrue());
        SplittableRandom expected = new SplittableRandom(7);
        Duration first = Duration.ofMinutes(15).plusMillis(expected.nextLong(60_001));
        Duration second = Duration.ofMinutes(15).plusMillis(expected.nextLong(60_001));
        assertThat(fx.clock.sleeps()).as("two pauses between three runs, none after the stop")
                .containsExactly(first, second);
        assertThat(reports.get(1).startedAt()).isEqualTo(reports.get(0).finishedAt().plus(first));
        assertThat(reports.get(2).startedAt()).isEqualTo(reports.get(1).finishedAt().plus(second));
        assertThat(scheduler[0].runs()).isEqualTo(3);
        assertThat(scheduler[0].lastResult().map(SyncResult::status)).contains(SyncResult.Status.COMPLETED);
    }

    @Test
    @DisplayName("issue 11 scheduling: a failed run and a run that throws are logged; the next runs are still"
            + " scheduled")
    void failuresDoNotEndTheSchedule() {
        filesets(1);
        FaultPlan vsrxDown = FaultPlan.seeded(1);
        FaultPlan lockDown = FaultPlan.seeded(2);
        fx.source = new FaultyVsrxSource(fx.vsrx, vsrxDown);
        fx.lock = new FaultySyncLock(fx.silknote.lock(), lockDown);
        // first run: VSRX answers 503 to every attempt of the listing (FAILED); second run: the lock backend is
        // unreachable (the run throws); third run: all is well
        vsrxDown.on(Operation.LIST_FILESETS).times(3).thenFail(Fault.serviceUnavailable());
        SyncScheduler[] scheduler = new SyncScheduler[1];
        List<SyncReport> reports = new ArrayList<>();
        fx.listener = new SyncListener() {
            @Override
            public void runFinished(SyncReport report) {
                reports.add(report);
                if (reports.size() == 1) {
                    lockDown.on(Operation.LOCK_ACQUIRE).times(3).thenFail(Fault.serviceUnavailable());
                }
                if (report.completed()) {
                    scheduler[0].stop();
                }
            }
        };
        scheduler[0] = SyncScheduler.builder().sync(fx.sync()).schedule(Schedule.every(Duration.ofMinutes(5)))
                .clock(fx.clock).sleeper(fx.clock).random(new SplittableRandom(1)).build();

        scheduler[0].runUntilStopped();

        assertThat(scheduler[0].runs()).isEqualTo(3);
        assertThat(reports).extracting(SyncReport::status)
                .containsExactly(SyncResult.Status.FAILED, SyncResult.Status.COMPLETED);
        assertThat(scheduler[0].lastResult().map(SyncResult::success)).contains(true);
    }

    @Test
    @DisplayName("issue 11 scheduling: stopping during a run lets its fileset in flight commit; the next start"
            + " resumes where it stopped")
    void aGracefulStopDuringARunSavesItsResumeState() throws Exception {
        fx.config(c -> c.filesetConcurrency(1));
        filesets(4);
        SyncScheduler[] scheduler = new SyncScheduler[1];
        List<FilesetId> finished = new ArrayList<>();
        fx.listener = new SyncListener() {
            @Override
            public void filesetFinished(RunId runId, FilesetReport report) {
                finished.add(report.filesetId());
                if (finished.size() == 1) {
                    scheduler[0].stop();
                }
            }
        };
        scheduler[0] = SyncScheduler.builder().sync(fx.sync()).schedule(Schedule.every(Duration.ofMinutes(15)))
                .clock(fx.clock).sleeper(fx.clock).random(new SplittableRandom(3)).build();
        scheduler[0].start();

        assertThat(scheduler[0].awaitTermination(Duration.ofMinutes(1))).isTrue();
        SyncResult stopped = scheduler[0].lastResult().orElseThrow();
        assertThat(stopped.status()).isEqualTo(SyncResult.Status.STOPPED);
        assertThat(scheduler[0].runs()).isEqualTo(1);
        assertThat(fx.silknote.documents().loadState().partialSyncState().resumeFromFileset()).isPresent();

        fx.listener = SyncListener.NONE;
        SyncResult resumed = fx.run();
        assertThat(resumed.success()).isTrue();
        assertThat(resumed.report().orElseThrow().totals().filesets(FilesetOutcome.SKIPPED_ALREADY_PROCESSED))
                .isEqualTo(finished.size());
        fx.silknote.assertInvariants();
    }

    @Test
    @DisplayName("issue 11 scheduling: stopping while it waits ends the wait at once")
    void aStopWhileWaitingEndsTheWait() throws Exception {
        filesets(1);
        CountDownLatch waiting = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        Sleeper blocking = d -> {
            waiting.countDown();
            never.await();
        };
        VsrxSync sync = fx.sync();
        SyncScheduler scheduler = SyncScheduler.builder().sync(sync).schedule(Schedule.every(Duration.ofHours(1)))
                .clock(fx.clock).sleeper(blocking).random(new SplittableRandom(4)).build();
        scheduler.start();
        assertThat(waiting.await(1, TimeUnit.MINUTES)).as("the first run ended and the scheduler waits").isTrue();

        scheduler.stop();

        assertThat(scheduler.awaitTermination(Duration.ofMinutes(1))).isTrue();
        assertThat(scheduler.runs()).isEqualTo(1);
    }

    @Test
    @DisplayName("issue 11 scheduling: two schedulers never run at the same time; the lock turns one away")
    void twoSchedulersNeverOverlap() throws Exception {
        fx.config(c -> c.lockTtl(Duration.ofHours(1)));
        filesets(3);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        SyncScheduler[] schedulers = new SyncScheduler[2];
        fx.listener = new SyncListener() {
            @Override
            public void runStarted(RunId runId, boolean dryRun) {
                maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            }

            @Override
            public void runFinished(SyncReport report) {
                running.decrementAndGet();
                if (done.incrementAndGet() >= 6) {
                    schedulers[0].stop();
                    schedulers[1].stop();
                }
            }
        };
        // the pauses do not move the shared test clock: a scheduler turned away by the lock tries again at once,
        // and the other's lease (judged by that clock) stays valid, as it would in real time
        Sleeper noWait = d -> { };
        for (int i = 0; i < 2; i++) {
            schedulers[i] = SyncScheduler.builder().sync(fx.sync())
                    .schedule(Schedule.every(Duration.ofSeconds(30)).withRequest(SyncRequest.incrementalRun()))
                    .clock(fx.clock).sleeper(noWait).random(new SplittableRandom(i)).build();
            schedulers[i].start();
        }
        for (SyncScheduler s : schedulers) {
            assertThat(s.awaitTermination(Duration.ofMinutes(2))).isTrue();
        }
        assertThat(maxRunning.get()).isEqualTo(1);
        assertThat(done.get()).isGreaterThanOrEqualTo(6);
    }

    private SyncScheduler waitingScheduler(Sleeper sleeper) {
        return SyncScheduler.builder().sync(fx.sync()).schedule(Schedule.every(Duration.ofHours(1))).clock(fx.clock)
                .sleeper(sleeper).random(new SplittableRandom(5)).build();
    }

    @Test
    @DisplayName("issue 11 scheduling: a scheduler stopped before it started has ended, runs nothing and cannot start")
    void aSchedulerStoppedBeforeItStartedHasEnded() throws Exception {
        SyncScheduler scheduler = waitingScheduler(d -> { });
        assertThat(scheduler.awaitTermination(Duration.ZERO)).as("not started: not ended").isFalse();

        scheduler.stop();

        assertThat(scheduler.awaitTermination(Duration.ZERO)).isTrue();
        assertThat(scheduler.runs()).isZero();
        assertThat(scheduler.lastResult()).isEmpty();
        org.assertj.core.api.Assertions.assertThatIllegalStateException().isThrownBy(scheduler::runUntilStopped);
        org.assertj.core.api.Assertions.assertThatIllegalStateException().isThrownBy(scheduler::start);
    }

    @Test
    @DisplayName("issue 11 scheduling: close() stops a waiting scheduler and returns once it ended; it runs on a daemon thread")
    void closeStopsAWaitingSchedulerAndWaitsForItsEnd() throws Exception {
        filesets(1);
        CountDownLatch waiting = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        List<Boolean> daemon = new ArrayList<>();
        SyncScheduler scheduler = waitingScheduler(d -> {
            daemon.add(Thread.currentThread().isDaemon());
            waiting.countDown();
            never.await();
        });
        scheduler.start();
        assertThat(waiting.await(1, TimeUnit.MINUTES)).isTrue();

        scheduler.close();

        assertThat(scheduler.awaitTermination(Duration.ZERO)).as("close returned after the end").isTrue();
        assertThat(scheduler.runs()).isEqualTo(1);
        assertThat(daemon).containsExactly(true);
    }

    @Test
    @DisplayName("issue 11 scheduling: a stop while waiting is the scheduler's own interrupt: the caller's thread is left uninterrupted")
    void aStopWhileWaitingLeavesTheLoopThreadUninterrupted() throws Exception {
        filesets(1);
        CountDownLatch waiting = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        SyncScheduler scheduler = waitingScheduler(d -> {
            waiting.countDown();
            never.await();
        });
        boolean[] interrupted = {true};
        Thread host = new Thread(() -> {
            scheduler.runUntilStopped();
            interrupted[0] = Thread.currentThread().isInterrupted();
        });
        host.start();
        assertThat(waiting.await(1, TimeUnit.MINUTES)).isTrue();

        scheduler.stop();
        host.join(TimeUnit.MINUTES.toMillis(1));

        assertThat(host.isAlive()).isFalse();
        assertThat(interrupted[0]).isFalse();
        assertThat(scheduler.awaitTermination(Duration.ZERO)).isTrue();
    }

    @Test
    @DisplayName("issue 11 scheduling: the host interrupting the waiting loop ends it and keeps the host's interrupt")
    void anInterruptFromTheHostEndsTheLoopAndStaysSet() throws Exception {
        filesets(1);
        CountDownLatch waiting = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        SyncScheduler scheduler = waitingScheduler(d -> {
            waiting.countDown();
            never.await();
        });
        boolean[] interrupted = {false};
        Thread host = new Thread(() -> {
            scheduler.runUntilStopped();
            interrupted[0] = Thread.currentThread().isInterrupted();
        });
        host.start();
        assertThat(waiting.await(1, TimeUnit.MINUTES)).isTrue();

        host.interrupt();
        host.join(TimeUnit.MINUTES.toMillis(1));

        assertThat(host.isAlive()).isFalse();
        assertThat(interrupted[0]).isTrue();
        assertThat(scheduler.awaitTermination(Duration.ZERO)).isTrue();
        assertThat(scheduler.runs()).isEqualTo(1);
    }

    @Test
    @DisplayName("issue 11 scheduling: an Error ends the loop and propagates; the schedule has then ended for awaitTermination")
    void anErrorEndsTheLoopAndTheScheduleHasEnded() throws Exception {
        filesets(1);
        Error crash = new Error("the host crashed while the scheduler waited");
        SyncScheduler scheduler = waitingScheduler(d -> {
            throw crash;
        });

        org.assertj.core.api.Assertions.assertThatThrownBy(scheduler::runUntilStopped).isSameAs(crash);

        assertThat(scheduler.runs()).isEqualTo(1);
        assertThat(scheduler.awaitTermination(Duration.ZERO)).as("ended without a stop()").isTrue();
        org.assertj.core.api.Assertions.assertThatIllegalStateException().isThrownBy(scheduler::runUntilStopped);
    }

    @Test
    @DisplayName("issue 11 scheduling: close() from an interrupted thread keeps that thread's interrupt")
    void closeKeepsTheCallersInterrupt() {
        SyncScheduler scheduler = waitingScheduler(d -> { });
        Thread.currentThread().interrupt();
        try {
            scheduler.close();
        } finally {
            assertThat(Thread.interrupted()).isTrue();
        }
    }
}
