package com.silknote.sync.core;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.SyncException;
import com.silknote.sync.core.model.Schedule;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.port.Sleeper;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link VsrxSync} on a fixed delay with jitter, for hosts without a scheduler of their own (hosts
 * that have one, Spring's {@code @Scheduled} or Quartz, call {@link VsrxSync#run} from it instead; see
 * {@code docs/operations.md}).
 *
 * <ul>
 *   <li><b>Fixed delay:</b> the first run starts at once; each next one starts {@link Schedule#delay()} plus a
 *       random jitter in {@code [0, jitter]} (from the injected random) after the previous one ended. Runs of
 *       one scheduler never overlap, and the {@code vsrx-sync} lock keeps runs of other schedulers and hosts
 *       apart.</li>
 *   <li><b>Failures</b> are logged and the next run is scheduled as usual: a failed run ({@code FAILED},
 *       {@code PARTIAL_FAILURE}), another run holding the lock, or a {@link SyncException} thrown by the run (a
 *       backend unreachable). An {@link Error} ends the loop and propagates.</li>
 *   <li><b>Graceful shutdown:</b> {@link #stop()} ends the loop: a wait is cut short; a run in progress is
 *       asked to stop at a fileset boundary ({@link RunControl}), so the filesets in flight commit and the
 *       resume state is saved; the next start resumes where it stopped.</li>
 * </ul>
 *
 * <p>Waiting uses the injected {@link Sleeper} and {@link Clock}, so tests drive it on a test clock. Thread-safe.
 */
public final class SyncScheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SyncScheduler.class);

    private enum Phase { IDLE, RUNNING, WAITING, STOPPED }

    private final VsrxSync sync;
    private final Schedule schedule;
    private final Clock clock;
    private final Sleeper sleeper;
    private final RandomGenerator random;
    private final CountDownLatch ended = new CountDownLatch(1);
    private Phase phase = Phase.IDLE;
    private boolean stopRequested;
    private Thread loopThread;
    private RunControl control;
    private long runs;
    private SyncResult lastResult;

    /**
     * Constructor for dependency-injection containers; {@link #builder()} is the other way in.
     *
     * @throws NullPointerException when an argument is null
     */
    @Inject
    public SyncScheduler(VsrxSync sync, Schedule schedule, Clock clock, Sleeper sleeper, RandomGenerator random) {
        this.sync = requireNonNull(sync, "sync");
        this.schedule = requireNonNull(schedule, "schedule");
        this.clock = requireNonNull(clock, "clock");
        this.sleeper = requireNonNull(sleeper, "sleeper");
        this.random = requireNonNull(random, "random");
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs the schedule on the calling thread until {@link #stop()} (or until the thread is interrupted while
     * waiting). Returns once the last run ended.
     *
     * @throws IllegalStateException when this scheduler ran or runs already (a scheduler runs once)
     * @throws Error                 when a run crashed with one
     */
    public void runUntilStopped() {
        synchronized (this) {
            if (phase != Phase.IDLE) {
                throw new IllegalStateException("a scheduler runs once");
            }
            loopThread = Thread.currentThread();
            phase = Phase.RUNNING;
        }
        try {
            loop();
        } finally {
            synchronized (this) {
                phase = Phase.STOPPED;
                loopThread = null;
            }
            ended.countDown();
        }
    }

    /**
     * Runs the schedule on a daemon thread of its own.
     *
     * @throws IllegalStateException when this scheduler ran or runs already
     */
    public void start() {
        synchronized (this) {
            if (phase != Phase.IDLE) {
                throw new IllegalStateException("a scheduler runs once");
            }
        }
        Thread t = new Thread(() -> {
            try {
                runUntilStopped();
            } catch (Error e) {
                log.error("scheduler stopped by a crash cause={}", e.getClass().getSimpleName());
                throw e;
            }
        }, "vsrx-sync-scheduler");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Ends the schedule gracefully and returns at once: a wait ends now; a run in progress starts no further
     * fileset, lets those in flight commit and saves its resume state. Idempotent.
     */
    public void stop() {
        RunControl running;
        synchronized (this) {
            stopRequested = true;
            running = control;
            if (phase == Phase.WAITING && loopThread != null) {
                loopThread.interrupt();
            }
            if (phase == Phase.IDLE) {
                phase = Phase.STOPPED;
                ended.countDown();
            }
        }
        if (running != null) {
            running.requestStop("scheduler stopping");
        }
    }

    /**
     * Waits until the schedule ended (after {@link #stop()}), at most {@code max}.
     *
     * @return {@code true} when it ended
     * @throws InterruptedException when interrupted while waiting
     */
    public boolean awaitTermination(Duration max) throws InterruptedException {
        return ended.await(requireNonNull(max, "max").toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Stops and waits for the schedule to end (up to a day: a run in flight finishes its filesets). */
    @Override
    public void close() {
        stop();
        try {
            awaitTermination(Duration.ofDays(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs started so far. */
    public synchronized long runs() {
        return runs;
    }

    /** The result of the last run that returned one. */
    public synchronized Optional<SyncResult> lastResult() {
        return Optional.ofNullable(lastResult);
    }

    private void loop() {
        while (true) {
            RunControl c = new RunControl();
            synchronized (this) {
                if (stopRequested) {
                    return;
                }
                control = c;
                phase = Phase.RUNNING;
                runs++;
            }
            SyncResult result = null;
            try {
                result = sync.run(schedule.request(), c);
                logResult(result);
            } catch (SyncException e) {
                log.error("scheduled run failed reason={}: {}", e.getClass().getSimpleName(), e.getMessage());
            } catch (RuntimeException e) {
                log.error("scheduled run failed reason={}", e.getClass().getSimpleName());
            }
            Duration pause = pause();
            synchronized (this) {
                control = null;
                if (result != null) {
                    lastResult = result;
                }
                if (stopRequested) {
                    return;
                }
                phase = Phase.WAITING;
            }
            log.info("next scheduled run in {} s at {}", pause.toSeconds(), clock.instant().plus(pause));
            try {
                sleeper.sleep(pause);
            } catch (InterruptedException e) {
                synchronized (this) {
                    if (stopRequested) {
                        // our own stop: not the caller's interrupt
                        Thread.interrupted();
                        return;
                    }
                }
                Thread.currentThread().interrupt();
                log.info("scheduler interrupted while waiting; stopping");
                return;
            }
        }
    }

    private Duration pause() {
        long jitterMs = schedule.jitter().toMillis();
        long extra;
        synchronized (random) {
            extra = jitterMs == 0 ? 0 : random.nextLong(jitterMs + 1);
        }
        return schedule.delay().plusMillis(extra);
    }

    private static void logResult(SyncResult r) {
        switch (r.status()) {
            case COMPLETED, JOINED -> log.info("scheduled run done status={}", r.status());
            case STOPPED -> log.info("scheduled run stopped at a fileset boundary: {}", r.error().orElse(""));
            case ALREADY_IN_PROGRESS -> log.info("scheduled run skipped: another run holds the lock");
            default -> log.warn("scheduled run ended status={} error={}", r.status(), r.error().orElse(""));
        }
    }

    /** Builds a {@link SyncScheduler}. The sync and the schedule are required. */
    public static final class Builder {
        private VsrxSync sync;
        private Schedule schedule;
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = Sleeper.SYSTEM;
        private RandomGenerator random;

        private Builder() {
        }

        /** The engine to run (required). @return this builder */
        public Builder sync(VsrxSync v) { sync = requireNonNull(v, "sync"); return this; }
        /** When to run and what (required). @return this builder */
        public Builder schedule(Schedule v) { schedule = requireNonNull(v, "schedule"); return this; }
        /** Default the system UTC clock. @return this builder */
        public Builder clock(Clock v) { clock = requireNonNull(v, "clock"); return this; }
        /** Default {@link Sleeper#SYSTEM}. @return this builder */
        public Builder sleeper(Sleeper v) { sleeper = requireNonNull(v, "sleeper"); return this; }
        /** The jitter's randomness; default a fresh {@link SplittableRandom}. @return this builder */
        public Builder random(RandomGenerator v) { random = requireNonNull(v, "random"); return this; }

        /** @throws IllegalStateException when the sync or the schedule is missing */
        public SyncScheduler build() {
            if (sync == null || schedule == null) {
                throw new IllegalStateException("sync and schedule are required");
            }
            return new SyncScheduler(sync, schedule, clock, sleeper, random != null ? random : new SplittableRandom());
        }
    }
}
