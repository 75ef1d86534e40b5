package com.silknote.sync.core.internal;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.ClaimLostException;
import com.silknote.sync.core.exception.LeaseLostException;
import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.exception.SyncException;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.port.FilesetClaims;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.FutureTask;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a run's filesets on its fileset pool, at most {@code window} queued or running at once, and disposes
 * of each report as the fileset finishes ({@link #finish}): to the run history, the tally and the listener.
 * Nothing is kept per fileset once it finished, so memory does not grow with the number of filesets.
 *
 * <p>A fileset starts only while the run may go on: a task that finds a stop requested (or the budget
 * reached) when it comes to run does not start its fileset and leaves no report; the fileset stays
 * unfinished in the resume state. A lost lease or a newer token stops the run ({@link RunContext#stopped}) and
 * interrupts the filesets in flight; an {@link Error} does too and is rethrown by the run.
 */
final class Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final RunContext ctx;
    private final ExecutorService pool;
    private final int window;
    private final Semaphore slots;
    /** By task, not by fileset: a worker may run two attempts on one fileset (see {@link #dispatchClaimed}). */
    private final Set<Task> inFlight = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean leftUnstarted = new AtomicBoolean();
    /**
     * Reports of filesets this process committed under a claim but could not store (the claim or the lease was
     * lost before the report): this process's result reports them; few, as each costs a lost claim or lease.
     */
    private final List<FilesetReport> unstored = new CopyOnWriteArrayList<>();

    Dispatcher(RunContext ctx, ExecutorService pool, int window) {
        this.ctx = requireNonNull(ctx, "ctx");
        this.pool = requireNonNull(pool, "pool");
        if (window < 1) {
            throw new IllegalArgumentException("window must be >= 1");
        }
        this.window = window;
        this.slots = new Semaphore(window);
    }

    /** {@code true} when a stop request kept a queued fileset from starting. */
    boolean leftUnstarted() {
        return leftUnstarted.get();
    }

    /**
     * Waits for a free slot; returns {@code false} (holding none) when the run must start nothing more: a stop
     * was requested, the budget is reached, or the run stopped.
     *
     * @throws InterruptedException when interrupted while waiting
     */
    boolean reserve() throws InterruptedException {
        slots.acquire();
        if (ctx.stopped.get() != null || ctx.stopReason() != null) {
            slots.release();
            return false;
        }
        return true;
    }

    /** Takes a free slot without waiting; {@code false} when none is free. */
    boolean tryReserve() {
        return slots.tryAcquire();
    }

    /** Gives back a reserved slot that was not used. */
    void unreserve() {
        slots.release();
    }

    /** Filesets queued or running. */
    int busy() {
        return window - slots.availablePermits();
    }

    /** Runs {@code fs} in a reserved slot; its report goes to {@link #finish} with {@code seq}. */
    void dispatch(long seq, VsrxFileset fs) {
        submit(() -> runFileset(seq, fs, Optional.empty()));
    }

    /**
     * Scale-out: runs the claimed fileset in a reserved slot (fetched from VSRX first); its report is recorded
     * under the claim, which finishes it. The claim travels with this attempt only: when this worker's earlier
     * claim on the same fileset expired and it claimed the fileset again, the earlier attempt still runs under
     * the earlier claim, so its unit of work and its report are refused, and the new attempt's are checked
     * against the new claim.
     */
    void dispatchClaimed(long seq, FilesetClaims.Claim claim) {
        submit(() -> {
            Optional<VsrxFileset> fs;
            try {
                fs = ctx.parts.retrier().call("vsrx.findFileset", () -> ctx.parts.source().findFileset(claim.fileset()));
            } catch (LeaseLostException | StaleFencingTokenException e) {
                ctx.stopped.compareAndSet(null, e);
                return;
            } catch (SyncException e) {
                finish(seq, failed(claim.fileset(), FilesetSync.reasonOf(e)), Optional.of(claim));
                return;
            }
            if (fs.isEmpty()) {
                finish(seq, new FilesetReport(claim.fileset(), FilesetOutcome.FAILED,
                        Optional.of("fileset not found in VSRX"), List.of(), Duration.ZERO, 0, 0), Optional.of(claim));
                return;
            }
            runFileset(seq, fs.get(), Optional.of(claim));
        });
    }

    private void submit(Runnable body) {
        Task task = Task.of(body, this);
        inFlight.add(task);
        try {
            pool.execute(task);
        } catch (RuntimeException e) {
            task.releaseOnce();
            throw e;
        }
    }

    /** Gives its slot back exactly once: when its body ends, or when it was cancelled before it started. */
    private static final class Task extends FutureTask<Void> {
        private final Dispatcher owner;
        private final AtomicBoolean started;
        private final AtomicBoolean released = new AtomicBoolean();

        private Task(Dispatcher owner, AtomicBoolean started, Runnable run) {
            super(run, null);
            this.owner = owner;
            this.started = started;
        }

        static Task of(Runnable body, Dispatcher owner) {
            AtomicBoolean started = new AtomicBoolean();
            Task[] self = new Task[1];
            self[0] = new Task(owner, started, () -> {
                started.set(true);
                try {
                    body.run();
                } finally {
                    self[0].releaseOnce();
                }
            });
            return self[0];
        }

        @Override
        protected void done() {
            if (isCancelled() && !started.get()) {
                releaseOnce();
            }
        }

        void releaseOnce() {
            if (released.compareAndSet(false, true)) {
                owner.inFlight.remove(this);
                owner.slots.release();
            }
        }
    }

    private void runFileset(long seq, VsrxFileset fs, Optional<FilesetClaims.Claim> claim) {
        Throwable stop = ctx.stopped.get();
        if (stop != null) {
            // A crash or a lost lease elsewhere: start nothing new.
            finish(seq, failed(fs.id(), "run stopped: " + stop.getClass().getSimpleName()), claim);
            return;
        }
        String why = ctx.stopReason();
        if (why != null) {
            leftUnstarted.set(true);
            log.debug("fileset not started run={} fileset={} reason=stop-requested", ctx.runId, fs.id());
            return;
        }
        try {
            FilesetReport r = new FilesetSync(ctx, fs, claim).run();
            finish(seq, r, claim);
        } catch (LeaseLostException | StaleFencingTokenException e) {
            ctx.stopped.compareAndSet(null, e);
            String reason = "lease lost: " + e.getClass().getSimpleName();
            log.error("run stops run={} fileset={} reason={}", ctx.runId, fs.id(), reason);
            cancelAll();
            finish(seq, failed(fs.id(), reason), claim);
        } catch (Error e) {
            ctx.stopped.compareAndSet(null, e);
            cancelAll();
            throw e;
        } catch (RuntimeException e) {
            finish(seq, failed(fs.id(), FilesetSync.reasonOf(e)), claim);
        }
    }

    static FilesetReport failed(FilesetId id, String reason) {
        return new FilesetReport(id, FilesetOutcome.FAILED, Optional.of(reason), List.of(), Duration.ZERO, 0, 0);
    }

    /** A finished fileset's report without a claim: to the run history, the tally and the listener. */
    void finish(long seq, FilesetReport r) {
        finish(seq, r, Optional.empty());
    }

    /**
     * Records the report in the run history (under the claim, which that finishes), then counts it and tells
     * the listener. A report whose claim was lost meanwhile is not stored: the fileset's new holder reports it in
     * the run history. After the run stopped (lease lost) nothing is written any more. When this attempt had
     * committed before its claim or the lease was lost (a relink move, deletes), this process's result still
     * reports what it committed, as a single worker's run does after a lost lease ({@link #unstored()}: the
     * coordinator adds these to the reports it reads back).
     */
    void finish(long seq, FilesetReport r, Optional<FilesetClaims.Claim> claim) {
        if (ctx.keepsHistory() && ctx.stopped.get() == null && !ctx.lease.isLost()) {
            try {
                ctx.parts.retrier().run("documents.recordFilesetReport",
                        () -> ctx.parts.documents().recordFilesetReport(ctx.lease.token(), ctx.runId, r, claim));
            } catch (ClaimLostException e) {
                log.info("fileset taken over by another worker run={} fileset={}", ctx.runId, r.filesetId());
                keepUnstored(seq, r);
                return;
            } catch (LeaseLostException | StaleFencingTokenException e) {
                ctx.stopped.compareAndSet(null, e);
                log.error("run stops run={} fileset={} reason=lease lost: {}", ctx.runId, r.filesetId(),
                        e.getClass().getSimpleName());
                if (claim.isPresent()) {
                    keepUnstored(seq, r);
                    return;
                }
            } catch (SyncException e) {
                log.warn("fileset report not stored run={} fileset={} reason={}", ctx.runId, r.filesetId(),
                        FilesetSync.reasonOf(e));
                if (claim.isPresent()) {
                    // the claim stays open: it expires and the fileset is synced again
                    keepUnstored(seq, r);
                    return;
                }
            }
        } else if (claim.isPresent() && ctx.keepsHistory() && committed(r)) {
            // the run stopped (lease lost) between the fileset's commit and its report: not stored, still reported
            unstored.add(r);
        }
        ctx.tally.add(seq, r);
        ctx.listener.filesetFinished(ctx.runId, r);
    }

    /**
     * A report the store refused after the fileset committed under its claim: reported in this process's result
     * (as a single run reports a fileset committed before its lease was lost), not in the run history.
     */
    private void keepUnstored(long seq, FilesetReport r) {
        if (committed(r)) {
            unstored.add(r);
            ctx.tally.add(seq, r);
            ctx.listener.filesetFinished(ctx.runId, r);
        }
    }

    /** The reports of {@link #keepUnstored}. */
    List<FilesetReport> unstored() {
        return List.copyOf(unstored);
    }

    /** Whether the report shows a commit of the fileset: it completed, or some of its files were written. */
    private static boolean committed(FilesetReport r) {
        return r.outcome() == FilesetOutcome.COMPLETED || r.files().stream().anyMatch(f -> switch (f.action()) {
            case CREATED, UPDATED, METADATA_ONLY, DELETED -> true;
            default -> false;
        });
    }

    /** Interrupts every fileset in flight. */
    void cancelAll() {
        for (Task t : inFlight) {
            t.cancel(true);
        }
    }

    /**
     * Waits until every dispatched fileset finished. When interrupted, cancels them, keeps the interrupt and
     * waits on up to {@code grace} for them to end.
     *
     * @return {@code false} when interrupted
     */
    boolean awaitAll(Duration grace) {
        try {
            slots.acquire(window);
            slots.release(window);
            return true;
        } catch (InterruptedException e) {
            cancelAll();
            try {
                if (slots.tryAcquire(window, grace.toNanos(), TimeUnit.NANOSECONDS)) {
                    slots.release(window);
                }
            } catch (InterruptedException again) {
                // keep going: the caller stops the run
            }
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
