package com.silknote.sync.core.internal;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.LeaseLostException;
import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.exception.SyncException;
import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.LockStatus;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.port.FilesetClaims;
import com.silknote.sync.core.port.Sleeper;
import com.silknote.sync.core.port.SyncLock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two roles of a scale-out run (DESIGN §6, {@code docs/architecture.md} "Scale-out").
 *
 * <p><b>Coordinator</b> (holds the {@code vsrx-sync} lease): opens the run under its fencing token, lists the
 * filesets in id order and offers them, at most {@link #OFFER_WINDOW} unfinished at a time, works on them like
 * any worker, follows the finished claims to keep the resume state (saved under its token), and once every
 * offered fileset finished reads the run's fileset reports back from the history for the run's report. A stop
 * request withdraws the unclaimed filesets and lets the claimed ones finish. A fileset this process committed
 * but could not record (its lease or claim lost first) joins that report when no one else reported it.
 *
 * <p><b>Worker</b> (another call, lock refused, run open under the lock holder's token): claims filesets one at a
 * time and syncs them under the coordinator's token; each unit of work commits only while its claim holds,
 * and recording the fileset's report finishes the claim in the same transaction. It leaves when nothing is left
 * to claim after the last offer, when the run closes, or when the coordinator's lease is gone.
 */
final class ScaleOut {
    private static final Logger log = LoggerFactory.getLogger(ScaleOut.class);
    /** Most offered filesets not finished yet: bounds the coordinator's memory and the claims table. */
    static final int OFFER_WINDOW = 1000;

    private final SyncEngine engine;
    private final RunContext ctx;
    private final FilesetClaims claims;
    private final String worker;
    private final Sleeper sleeper;
    private final Retrier retrier;
    private final Duration ttl;
    private final Duration poll;
    /** The coordinator's resume state. */
    private RunProgress progress;

    ScaleOut(SyncEngine engine, RunContext ctx, FilesetClaims claims, String worker, Sleeper sleeper) {
        this.engine = requireNonNull(engine, "engine");
        this.ctx = requireNonNull(ctx, "ctx");
        this.claims = requireNonNull(claims, "claims");
        this.worker = requireNonNull(worker, "worker");
        this.sleeper = requireNonNull(sleeper, "sleeper");
        this.retrier = ctx.parts.retrier();
        this.ttl = ctx.config().lockTtl();
        this.poll = pollInterval(ctx.config());
    }

    /** How long a worker or the coordinator waits before looking at the claims again. */
    static Duration pollInterval(SyncConfig config) {
        Duration tenth = config.lockTtl().dividedBy(10);
        return tenth.compareTo(Duration.ofSeconds(1)) < 0 ? tenth : Duration.ofSeconds(1);
    }

    // ---------------------------------------------------------------- coordinator

    /**
     * @param progress the run's resume state, kept from the finished claims (the context's progress is the
     *                 scratch one its own filesets see)
     */
    SyncEngine.Outcome coordinate(SyncEngine.Pools pools, RunProgress progress, Instant startedAt) {
        this.progress = progress;
        RunId run = ctx.runId;
        Dispatcher d = new Dispatcher(ctx, pools.filesets(), ctx.config().filesetConcurrency() * 2);
        Pump pump = new Pump();
        String incomplete = null;
        String stopped = null;
        Instant watermark = startedAt;
        long seq = 0;
        int queued = 0;
        try {
            retrier.run("claims.open", () -> claims.open(run, ctx.lease.token()));
            PageRequest page = PageRequest.first(ctx.config().pageSize());
            boolean incremental = ctx.request.incremental() && progress.lastCompleteSync().isPresent();
            if (incremental) {
                page = page.changedSince(progress.lastCompleteSync().get().minus(ctx.config().watermarkOverlap()));
            }
            ListedIds listed = new ListedIds();
            boolean listingDone = false;
            boolean firstPage = true;
            listing:
            while (ctx.stopped.get() == null) {
                PageRequest r = page;
                Page<VsrxFileset> p = retrier.call("vsrx.listFilesets", () -> ctx.parts.source().listFilesets(r));
                if (firstPage) {
                    watermark = p.serverTime().orElse(startedAt);
                    firstPage = false;
                }
                List<FilesetId> offer = new ArrayList<>();
                for (VsrxFileset fs : p.items()) {
                    String why = ctx.stopReason();
                    if (ctx.stopped.get() != null || why != null) {
                        stopped = why;
                        offer(run, offer, pump);
                        break listing;
                    }
                    if (!progress.queued(fs.id())) {
                        offer(run, offer, pump);
                        incomplete = "listing filesets failed: ids not in increasing order";
                        break listing;
                    }
                    listed.add(fs.id());
                    ctx.listener.filesetQueued(ctx.runId, fs.id(), ++queued);
                    if (progress.alreadyProcessed(fs.id())) {
                        engine.skipProcessed(ctx, progress, d, seq++, fs.id());
                    } else {
                        offer.add(fs.id());
                    }
                }
                offer(run, offer, pump);
                while ((pump.outstanding >= OFFER_WINDOW || progress.ahead() >= RunProgress.MAX_AHEAD)
                        && ctx.stopped.get() == null) {
                    step(d, pump);
                }
                if (p.isLast()) {
                    listingDone = true;
                    break;
                }
                page = page.next(p.nextCursor().orElseThrow());
                ctx.lease.checkpoint();
            }
            listed.seal();
            if (listingDone && stopped == null && !incremental && ctx.stopped.get() == null) {
                seq = engine.reportVanished(ctx, d, listed, seq);
            }
            if (listingDone && stopped == null && incremental) {
                List<FilesetId> carried = new ArrayList<>();
                // failed filesets the listing skipped, and those with a Silknote-side change (bi-directional)
                Set<FilesetId> extra = new LinkedHashSet<>(progress.carriedFailures());
                extra.addAll(ctx.silknoteChanges.filesets());
                for (FilesetId id : extra) {
                    if (listed.contains(id) || progress.alreadyProcessed(id)) {
                        continue;
                    }
                    if (retrier.call("vsrx.findFileset", () -> ctx.parts.source().findFileset(id)).isPresent()) {
                        ctx.listener.filesetQueued(ctx.runId, id, ++queued);
                        carried.add(id);
                    } else {
                        progress.dropCarried(id);
                    }
                }
                offer(run, carried, pump);
            }
            if (stopped == null && ctx.stopped.get() == null) {
                retrier.run("claims.allOffered", () -> claims.allOffered(run));
                while (ctx.stopped.get() == null && (pump.outstanding > 0 || d.busy() > 0)) {
                    String why = ctx.stopReason();
                    if (why != null) {
                        stopped = why;
                        break;
                    }
                    step(d, pump);
                }
            }
            if (stopped != null) {
                log.info("run stops at a fileset boundary run={} reason={}", run, stopped);
                retrier.run("claims.withdraw", () -> claims.withdraw(run));
                // the claimed filesets finish with their workers
                Instant deadline = ctx.clock().instant().plus(ttl);
                while (ctx.stopped.get() == null && (d.busy() > 0
                        || retrier.call("claims.unfinished", () -> claims.unfinished(run)) > 0)
                        && ctx.clock().instant().isBefore(deadline)) {
                    pump.pull();
                    ctx.lease.checkpoint();
                    sleeper.sleep(poll);
                }
            }
        } catch (LeaseLostException | StaleFencingTokenException e) {
            ctx.stopped.compareAndSet(null, e);
        } catch (SyncException e) {
            incomplete = "listing filesets failed: " + FilesetSync.reasonOf(e);
            log.warn("coordinating the run failed run={} reason={}", run, FilesetSync.reasonOf(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            d.cancelAll();
            incomplete = "interrupted";
        }
        if (!d.awaitAll(ttl)) {
            incomplete = "interrupted";
        }
        Throwable f = ctx.stopped.get();
        if (f instanceof Error err) {
            throw err;
        }
        String stopReason = f != null ? "lease lost: " + f.getClass().getSimpleName() : null;
        if (stopReason == null) {
            try {
                pump.pull();
                if (incomplete == null && stopped == null && pump.outstanding > 0) {
                    incomplete = pump.outstanding + " offered filesets not finished";
                }
            } catch (LeaseLostException | StaleFencingTokenException e) {
                stopReason = "lease lost: " + e.getClass().getSimpleName();
            } catch (SyncException e) {
                incomplete = "reading finished claims failed: " + FilesetSync.reasonOf(e);
            }
        }
        return new SyncEngine.Outcome(stopReason, incomplete, stopped, watermark, readBack(run, d.unstored()));
    }

    /** Offers filesets (none: nothing) and counts them outstanding. */
    private void offer(RunId run, List<FilesetId> ids, Pump pump) {
        if (ids.isEmpty()) {
            return;
        }
        List<FilesetId> copy = List.copyOf(ids);
        retrier.run("claims.offer", () -> claims.offer(run, copy));
        pump.outstanding += copy.size();
        ids.clear();
    }

    /** One round of the coordinator: follow finished claims, claim work of its own, wait a little. */
    private void step(Dispatcher d, Pump pump) throws InterruptedException {
        pump.pull();
        claimSome(d);
        ctx.lease.checkpoint();
        if (pump.outstanding > 0 || d.busy() > 0) {
            sleeper.sleep(poll);
        }
    }

    /** Claims filesets for this process while it has free slots. */
    private void claimSome(Dispatcher d) {
        while (ctx.stopped.get() == null && ctx.stopReason() == null && d.tryReserve()) {
            Optional<FilesetClaims.Claim> c;
            try {
                c = retrier.call("claims.claimNext", () -> claims.claimNext(ctx.runId, worker, ttl));
            } catch (RuntimeException e) {
                d.unreserve();
                throw e;
            }
            if (c.isEmpty()) {
                d.unreserve();
                return;
            }
            d.dispatchClaimed(0, c.get());
        }
    }

    /** Follows the run's finished claims: resume state and the count of offered filesets not finished. */
    private final class Pump {
        long outstanding;
        long lastSeq;

        void pull() {
            boolean changed = false;
            while (true) {
                long after = lastSeq;
                List<FilesetClaims.Completion> done = retrier.call("claims.completions",
                        () -> claims.completions(ctx.runId, after, SyncEngine.STORE_PAGE));
                for (FilesetClaims.Completion c : done) {
                    lastSeq = c.seq();
                    outstanding--;
                    if (c.succeeded()) {
                        progress.markProcessed(c.fileset());
                    } else {
                        progress.markFailed(c.fileset());
                    }
                    changed = true;
                }
                if (done.size() < SyncEngine.STORE_PAGE) {
                    break;
                }
            }
            if (changed) {
                try {
                    engine.saveState(ctx, progress.interrupted());
                } catch (LeaseLostException | StaleFencingTokenException e) {
                    throw e;
                } catch (SyncException e) {
                    log.warn("saving resume state failed run={} reason={}", ctx.runId, FilesetSync.reasonOf(e));
                }
            }
        }
    }

    /**
     * The stored report of a fileset that another worker finished after this process's earlier attempt had
     * committed changes to it and lost its claim: the files that attempt wrote (a relink move, a delete) are
     * reported as it wrote them, since the later attempt found them done.
     */
    static FilesetReport merged(FilesetReport stored, FilesetReport earlier) {
        Map<VsrxFileId, FileReport> written = new LinkedHashMap<>();
        for (FileReport f : earlier.files()) {
            switch (f.action()) {
                case CREATED, UPDATED, METADATA_ONLY, DELETED -> written.put(f.fileId(), f);
                default -> { }
            }
        }
        if (written.isEmpty()) {
            return stored;
        }
        List<FileReport> files = new ArrayList<>();
        for (FileReport f : stored.files()) {
            FileReport w = written.remove(f.fileId());
            files.add(w != null && (f.action() == FileAction.UNCHANGED || f.action() == FileAction.VANISHED) ? w : f);
        }
        files.addAll(written.values());
        // the files added were counted unchanged by the later attempt (it lists only files with something to say)
        long unchanged = Math.max(0, stored.unchangedFiles() - written.size());
        List<Alert> alerts = new ArrayList<>(earlier.alerts());
        stored.alerts().stream().filter(a -> !alerts.contains(a)).forEach(alerts::add);
        return new FilesetReport(stored.filesetId(), stored.outcome(), stored.failureReason(), files,
                stored.duration().plus(earlier.duration()), stored.bytesDownloaded() + earlier.bytesDownloaded(),
                stored.newUniqueBytes() + earlier.newUniqueBytes(), unchanged, alerts);
    }

    /**
     * A worker raises a fileset's alerts in its own run (its result, its listener); the run's report is the
     * coordinator's, so the alerts a read-back report carries (a relink, a mass-delete block, an inconsistent ledger
     * row, files listed but not served) are raised here too, unless this process raised the same already. A report
     * stored by an earlier version carries none: its alerts are derived from its outcome and file details.
     */
    private void raiseWorkersAlerts(FilesetReport r) {
        for (Alert a : r.alerts().isEmpty() ? FilesetSync.alertsOf(r) : r.alerts()) {
            if (!ctx.alerts().contains(a)) {
                ctx.raise(a);
            }
        }
    }

    /** The run's report figures, read back from the fileset reports every worker stored. */
    private RunTally readBack(RunId run, List<FilesetReport> unstored) {
        RunTally tally = new RunTally(ctx.config().reportFilesetLimit());
        try {
            Optional<String> cursor = Optional.empty();
            long seq = 0;
            // one fileset may have more than one unstored attempt (this process claimed it again after its claim
            // expired): the writes of each count
            Map<FilesetId, FilesetReport> notInHistory = new LinkedHashMap<>();
            unstored.forEach(r -> notInHistory.merge(r.filesetId(), r, (earlier, later) -> merged(later, earlier)));
            do {
                Optional<String> c = cursor;
                Page<FilesetReport> page = retrier.call("documents.runFilesets",
                        () -> ctx.parts.documents().runFilesets(run, c, SyncEngine.STORE_PAGE));
                List<FilesetReport> rewritten = new ArrayList<>();
                for (FilesetReport r : page.items()) {
                    FilesetReport earlier = notInHistory.remove(r.filesetId());
                    FilesetReport m = earlier == null ? r : merged(r, earlier);
                    tally.add(seq++, m);
                    raiseWorkersAlerts(m);
                    if (m != r) {
                        rewritten.add(m);
                    }
                }
                keepInHistory(run, rewritten);
                cursor = page.nextCursor();
            } while (cursor.isPresent());
            // committed here but not stored (lease or claim lost before the report) and reported by no one else
            for (FilesetReport r : notInHistory.values()) {
                tally.add(seq++, r);
            }
            keepInHistory(run, List.copyOf(notInHistory.values()));
            return tally;
        } catch (SyncException e) {
            log.warn("reading the run's fileset reports failed run={} reason={}", run, FilesetSync.reasonOf(e));
            return ctx.tally;
        }
    }

    /**
     * Stores reports the read-back completed (an earlier attempt's writes merged in, or a report no one stored) in
     * the run history, replacing the stored ones in place, so what {@code report} shows later says what the run's
     * result says. Only while this coordinator's lease holds (the writes are fenced by its token); a failure is
     * logged: the run's result and the audit trail have the changes either way.
     */
    private void keepInHistory(RunId run, List<FilesetReport> reports) {
        for (FilesetReport r : reports) {
            try {
                ctx.lease.checkpoint();
                retrier.run("documents.recordFilesetReport",
                        () -> ctx.parts.documents().recordFilesetReport(ctx.lease.token(), run, r, Optional.empty()));
            } catch (SyncException e) {
                log.warn("keeping a merged fileset report in the run history failed run={} fileset={} reason={}", run,
                        r.filesetId(), FilesetSync.reasonOf(e));
                return;
            }
        }
    }

    /** Closes the run for workers; a failure is logged (the next coordinator forgets it anyway). */
    static void closeQuietly(FilesetClaims claims, RunId run, Retrier retrier) {
        try {
            retrier.run("claims.close", () -> claims.close(run));
        } catch (SyncException e) {
            log.warn("closing the scale-out run failed run={} reason={}", run, FilesetSync.reasonOf(e));
        }
    }

    // ---------------------------------------------------------------- worker

    SyncEngine.Outcome work(SyncEngine.Pools pools) {
        RunId run = ctx.runId;
        Dispatcher d = new Dispatcher(ctx, pools.filesets(), ctx.config().filesetConcurrency() * 2);
        String incomplete = null;
        String stopped = null;
        try {
            while (ctx.stopped.get() == null) {
                ctx.lease.checkpoint();
                if (!d.reserve()) {
                    stopped = ctx.stopReason();
                    break;
                }
                Optional<FilesetClaims.Claim> c;
                try {
                    c = retrier.call("claims.claimNext", () -> claims.claimNext(run, worker, ttl));
                } catch (RuntimeException e) {
                    d.unreserve();
                    throw e;
                }
                if (c.isPresent()) {
                    ctx.listener.filesetQueued(run, c.get().fileset(), 0);
                    d.dispatchClaimed(0, c.get());
                    continue;
                }
                d.unreserve();
                Optional<FilesetClaims.OpenRun> open = retrier.call("claims.openRun", claims::openRun);
                if (open.isEmpty() || !open.get().run().equals(run) || open.get().allOffered()) {
                    break;
                }
                sleeper.sleep(poll);
            }
        } catch (LeaseLostException | StaleFencingTokenException e) {
            ctx.stopped.compareAndSet(null, e);
        } catch (SyncException e) {
            incomplete = "claiming filesets failed: " + FilesetSync.reasonOf(e);
            log.warn("claiming filesets failed run={} reason={}", run, FilesetSync.reasonOf(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            d.cancelAll();
            incomplete = "interrupted";
        }
        if (!d.awaitAll(ttl)) {
            incomplete = "interrupted";
        }
        Throwable f = ctx.stopped.get();
        if (f instanceof Error err) {
            throw err;
        }
        if (stopped != null) {
            log.info("worker stops at a fileset boundary run={} reason={}", run, stopped);
        }
        return new SyncEngine.Outcome(f != null ? "lease lost: " + f.getClass().getSimpleName() : null, incomplete,
                stopped, ctx.clock().instant());
    }

    // ---------------------------------------------------------------- leases

    /** The coordinator's lease: renewing it also renews the claims the coordinator holds itself. */
    static final class ClaimRenewingLease implements SyncLock.Lease {
        private final SyncLock.Lease lease;
        private final FilesetClaims claims;
        private final RunId run;
        private final String worker;

        ClaimRenewingLease(SyncLock.Lease lease, FilesetClaims claims, RunId run, String worker) {
            this.lease = requireNonNull(lease, "lease");
            this.claims = requireNonNull(claims, "claims");
            this.run = requireNonNull(run, "run");
            this.worker = requireNonNull(worker, "worker");
        }

        @Override
        public FencingToken token() {
            return lease.token();
        }

        @Override
        public void renew(Duration ttl) {
            lease.renew(ttl);
            renewClaims(claims, run, worker, ttl);
        }

        @Override
        public void close() {
            lease.close();
        }
    }

    /**
     * A worker's stand-in for a lease: it holds no lock, writes under the coordinator's token, and counts as
     * lost once the coordinator's lease is gone (expired, or taken by a newer run). Renewing it renews the
     * worker's claims.
     */
    static final class JoinedLease implements SyncLock.Lease {
        private final SyncLock lock;
        private final FencingToken token;
        private final FilesetClaims claims;
        private final RunId run;
        private final String worker;

        JoinedLease(SyncLock lock, FencingToken token, FilesetClaims claims, RunId run, String worker) {
            this.lock = requireNonNull(lock, "lock");
            this.token = requireNonNull(token, "token");
            this.claims = requireNonNull(claims, "claims");
            this.run = requireNonNull(run, "run");
            this.worker = requireNonNull(worker, "worker");
        }

        @Override
        public FencingToken token() {
            return token;
        }

        /** @throws LeaseLostException when the coordinator no longer holds the lock with this token */
        @Override
        public void renew(Duration ttl) {
            Optional<LockStatus> holder = lock.inspect(SyncConfig.LOCK_NAME);
            if (holder.isEmpty() || !holder.get().token().equals(token)) {
                throw new LeaseLostException("the coordinator of run " + run + " no longer holds the lock");
            }
            renewClaims(claims, run, worker, ttl);
        }

        /** A worker releases nothing: the lock is the coordinator's. */
        @Override
        public void close() {
        }
    }

    private static void renewClaims(FilesetClaims claims, RunId run, String worker, Duration ttl) {
        try {
            claims.renew(run, worker, ttl);
        } catch (SyncException e) {
            // a claim that expires is taken over and synced again; the claim check refuses this worker's commit
            log.debug("renewing claims failed run={} reason={}", run, e.getClass().getSimpleName());
        }
    }
}
