package com.silknote.sync.core.internal;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.dedup.ContentSpooler;
import com.silknote.sync.core.diff.DiffEngine;
import com.silknote.sync.core.diff.DiffPolicy;
import com.silknote.sync.core.exception.LeaseLostException;
import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.exception.SyncException;
import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.LockStatus;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.RunMetrics;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.SyncState;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.path.PathVerdict;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentProcessor;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.FilesetClaims;
import com.silknote.sync.core.port.Sleeper;
import com.silknote.sync.core.port.SyncListener;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.core.port.VsrxTarget;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run loop behind {@code VsrxSync.run}: lock, outbox recovery, fileset listing in stable order,
 * bounded concurrent fileset processing, resume state, streamed fileset reports, report, metrics, alerts and
 * run history; with {@link FilesetClaims}, the coordinator and worker roles of a scale-out run
 * ({@link ScaleOut}). Immutable and thread-safe; every run gets its own executors, shut down when it ends.
 */
public final class SyncEngine {
    private static final Logger log = LoggerFactory.getLogger(SyncEngine.class);
    private static final AtomicInteger POOL_SEQ = new AtomicInteger();
    /** Unreferenced blob rows looked at by the collection pass at the end of a run. */
    private static final int COLLECTION_PASS = 500;
    /** Page size when reading the filesets Silknote knows, and stored fileset reports. */
    static final int STORE_PAGE = 1000;

    private final EngineParts parts;
    private final Optional<FilesetClaims> claims;
    private final Sleeper sleeper;
    private final RandomGenerator random;
    /** Nanoseconds of a monotonic clock: bounds the wait for a run's threads ({@link System#nanoTime}). */
    private final LongSupplier ticker;

    /**
     * An engine over the given ports.
     *
     * @param claims    scale-out claims of the same ledger as {@code documents}; empty for a single worker
     * @param pathCheck validates listed paths (normally {@code PathValidator::validate})
     * @param typeCheck checks declared type against magic bytes (normally {@code ContentSniffer::agrees})
     * @throws NullPointerException when an argument is null
     */
    public SyncEngine(VsrxSource source, DocumentStore documents, BlobStore blobs, VectorStore vectors,
            DocumentProcessor processor, SyncLock lock, Optional<FilesetClaims> claims, SyncListener listener,
            SyncConfig config, Clock clock, Sleeper sleeper, RandomGenerator random,
            Function<String, PathVerdict> pathCheck, ContentTypeCheck typeCheck) {
        this(source, documents, blobs, vectors, processor, lock, claims, listener, config, clock, sleeper, random,
                pathCheck, typeCheck, Optional.empty());
    }

    /**
     * An engine over the given ports that may also write to VSRX (docs/bidirectional.md).
     *
     * @param target the VSRX write port; used only when {@code config.bidirectional()} is enabled
     * @throws NullPointerException     when an argument is null
     * @throws IllegalArgumentException when bi-directional sync is enabled without a target
     */
    public SyncEngine(VsrxSource source, DocumentStore documents, BlobStore blobs, VectorStore vectors,
            DocumentProcessor processor, SyncLock lock, Optional<FilesetClaims> claims, SyncListener listener,
            SyncConfig config, Clock clock, Sleeper sleeper, RandomGenerator random,
            Function<String, PathVerdict> pathCheck, ContentTypeCheck typeCheck, Optional<VsrxTarget> target) {
        this(source, documents, blobs, vectors, processor, lock, claims, listener, config, clock, sleeper, random,
                pathCheck, typeCheck, target, System::nanoTime);
    }

    /**
     * An engine whose wait for a run's threads at its end reads {@code ticker} instead of {@link System#nanoTime}:
     * a test makes the threads outlive the lock's ttl without waiting it out.
     */
    SyncEngine(VsrxSource source, DocumentStore documents, BlobStore blobs, VectorStore vectors,
            DocumentProcessor processor, SyncLock lock, Optional<FilesetClaims> claims, SyncListener listener,
            SyncConfig config, Clock clock, Sleeper sleeper, RandomGenerator random,
            Function<String, PathVerdict> pathCheck, ContentTypeCheck typeCheck, Optional<VsrxTarget> target,
            LongSupplier ticker) {
        this.ticker = requireNonNull(ticker, "ticker");
        requireNonNull(target, "target");
        if (config.bidirectional().enabled() && target.isEmpty()) {
            throw new IllegalArgumentException("bi-directional sync needs a VsrxTarget");
        }
        this.sleeper = requireNonNull(sleeper, "sleeper");
        this.random = requireNonNull(random, "random");
        this.claims = requireNonNull(claims, "claims");
        requireNonNull(source, "source");
        VsrxSource throttled = config.maxDownloadBytesPerSecond() > 0
                ? new ThrottledVsrxSource(source, new DownloadThrottle(config.maxDownloadBytesPerSecond(), clock, sleeper))
                : source;
        this.parts = new EngineParts(throttled, documents, blobs, vectors, processor, lock,
                new SafeListener(requireNonNull(listener, "listener")), config, clock,
                new Retrier(config.retryPolicy(), sleeper, random), pathCheck, typeCheck, target);
    }

    /**
     * Runs one sync.
     *
     * @throws NullPointerException when request is null
     * @throws SyncException        when the lock backend cannot be reached
     */
    public SyncResult run(SyncRequest request) {
        return run(request, Optional::empty);
    }

    /**
     * Runs one sync that stops at the next fileset boundary once {@code stopRequest} gives a reason.
     *
     * @throws NullPointerException when an argument is null
     * @throws SyncException        when the lock backend cannot be reached
     */
    public SyncResult run(SyncRequest request, Supplier<Optional<String>> stopRequest) {
        requireNonNull(request, "request");
        requireNonNull(stopRequest, "stopRequest");
        SyncConfig config = parts.config();
        Clock clock = parts.clock();
        Instant startedAt = clock.instant();
        boolean scaleOut = claims.isPresent() && !request.dryRun() && request.onlyFileset().isEmpty();
        // One request id for every retry of this acquire: a retry after a lost answer gets its own lease back.
        String requestId = newRequestId();
        Optional<SyncLock.Lease> acquired = parts.retrier().call("lock.acquire",
                () -> parts.lock().tryAcquire(SyncConfig.LOCK_NAME, config.lockTtl(), requestId));
        if (acquired.isEmpty()) {
            if (scaleOut) {
                Optional<SyncResult> joined = join(request, stopRequest, startedAt);
                if (joined.isPresent()) {
                    return joined.get();
                }
            }
            log.info("run refused: lock {} held by another run", SyncConfig.LOCK_NAME);
            return SyncResult.alreadyInProgress();
        }
        RunId runId = newRunId(startedAt);
        String worker = newWorkerId();
        SyncLock.Lease lease = acquired.get();
        if (scaleOut) {
            lease = new ScaleOut.ClaimRenewingLease(lease, claims.get(), runId, worker);
        }
        LeaseKeeper keeper = new LeaseKeeper(parts.lock(), SyncConfig.LOCK_NAME, lease, config.lockTtl(), clock);
        RunContext.Role role = scaleOut ? RunContext.Role.COORDINATOR : RunContext.Role.SINGLE;
        return withPools(runId, keeper, pools -> runLocked(request, runId, startedAt, keeper, pools, role,
                worker, stopRequest));
    }

    /** A run's executors. */
    record Pools(ExecutorService files, ExecutorService filesets) { }

    /**
     * Runs {@code body} with fresh pools; once they stopped, releases the lease (a worker's releases nothing).
     * If the run's threads do not stop within the lease's ttl, the lease is left to run out by itself (the
     * store's fencing then refuses a late write).
     */
    private SyncResult withPools(RunId runId, LeaseKeeper lease, Function<Pools, SyncResult> body) {
        SyncConfig config = parts.config();
        ExecutorService filePool = null;
        ExecutorService filesetPool = null;
        Throwable crash = null;
        try {
            filePool = Executors.newFixedThreadPool(config.fileConcurrency(), threads("file"));
            filesetPool = Executors.newFixedThreadPool(config.filesetConcurrency(), threads("fileset"));
            return body.apply(new Pools(filePool, filesetPool));
        } catch (Error | RuntimeException e) {
            crash = e;
            throw e;
        } finally {
            shutdown(filesetPool);
            shutdown(filePool);
            boolean stopped = awaitTermination(config.lockTtl(), filesetPool, filePool);
            try {
                if (stopped) {
                    lease.release();
                } else {
                    log.warn("run threads still busy after {} s; lock {} left to expire run={}",
                            config.lockTtl().toSeconds(), SyncConfig.LOCK_NAME, runId);
                }
            } catch (Error e) {
                if (crash != null) {
                    crash.addSuppressed(e);
                } else {
                    throw e;
                }
            }
        }
    }

    /**
     * Waits, up to {@code max} in all and through interrupts (the interrupt is kept for the caller), for the
     * pools to terminate.
     */
    private boolean awaitTermination(Duration max, ExecutorService... pools) {
        boolean interrupted = Thread.interrupted();
        long deadline = ticker.getAsLong() + max.toNanos();
        try {
            for (ExecutorService pool : pools) {
                if (pool == null) {
                    continue;
                }
                while (true) {
                    try {
                        if (!pool.awaitTermination(Math.max(0, deadline - ticker.getAsLong()), TimeUnit.NANOSECONDS)) {
                            return false;
                        }
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
            return true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private RunContext context(SyncRequest request, RunId runId, LeaseKeeper lease, RunProgress progress,
            Pools pools, RunContext.Role role, Supplier<Optional<String>> stopRequest, ContentRegistry registry,
            OutboxDrainer drainer) {
        SyncConfig config = parts.config();
        return new RunContext(parts, runId, request, role, lease, progress, pools.files(),
                new DiffEngine(DiffPolicy.of(config, parts.pathCheck())),
                new ContentSpooler(config.spoolDirectory(), config.maxFileSizeBytes(), parts.blobs().usesContentMd5(),
                        spoolMemory(config)),
                drainer, registry, stopRequest);
    }

    private SyncResult runLocked(SyncRequest request, RunId runId, Instant startedAt, LeaseKeeper lease, Pools pools,
            RunContext.Role role, String worker, Supplier<Optional<String>> stopRequest) {
        SyncConfig config = parts.config();
        Retrier retrier = parts.retrier();
        DocumentStore store = parts.documents();
        log.info("run start run={} dryRun={} incremental={} singleFileset={} scaleOut={} token={}", runId,
                request.dryRun(), request.incremental(), request.onlyFileset().isPresent(),
                role == RunContext.Role.COORDINATOR, lease.token().value());

        ContentRegistry registry = new ContentRegistry();
        BlobCollector collector = new BlobCollector(store, parts.blobs(), registry, parts.clock(),
                config.blobGracePeriod());
        OutboxDrainer drainer = new OutboxDrainer(store, parts.vectors(), parts.processor(), parts.blobs(), collector,
                retrier, config.maxOutboxAttempts(), role == RunContext.Role.COORDINATOR);
        // Fence before reading anything: from now on a stale holder's write is refused, whatever lock is used
        // (the ledger and the vector store).
        String stopReason = fence(store, lease);
        if (stopReason == null && !request.dryRun()) {
            stopReason = recordStart(runId, lease, startedAt);
        }
        parts.listener().runStarted(runId, request.dryRun());
        if (stopReason == null && !request.dryRun()) {
            stopReason = drain(drainer, lease, "recovery");
        }
        SyncState state = retrier.call("documents.loadState", store::loadState);
        RunProgress progress = new RunProgress(state, request.onlyFileset().isEmpty());
        if (progress.resuming()) {
            log.info("run resumes run={} processed={} failed={} from={}", runId,
                    state.partialSyncState().processedFilesets().size(),
                    state.partialSyncState().failedFilesets().size(),
                    state.partialSyncState().resumeFromFileset().map(FilesetId::value).orElse("-"));
        }
        // In scale-out, the coordinator keeps the resume state from the finished claims; its own filesets see a
        // scratch progress, like every worker's.
        RunProgress filesetProgress = role == RunContext.Role.COORDINATOR
                ? new RunProgress(SyncState.initial(), false) : progress;
        RunContext ctx = context(request, runId, lease, filesetProgress, pools, role, stopRequest, registry, drainer);
        if (stopReason == null) {
            ctx.silknoteChanges = readSilknoteChanges(ctx, progress);
        }

        Outcome o = new Outcome(stopReason, null, null, startedAt);
        if (stopReason == null) {
            o = role == RunContext.Role.COORDINATOR
                    ? new ScaleOut(this, ctx, claims.orElseThrow(), worker, sleeper).coordinate(pools, progress,
                            startedAt)
                    : processFilesets(ctx, pools.filesets(), startedAt);
        }
        stopReason = o.stopReason();
        // Complete: every fileset was attempted (some may have failed). Otherwise the run was interrupted or
        // stopped, and the next run resumes it.
        boolean complete = stopReason == null && o.incomplete() == null && o.stopped() == null;
        if (stopReason == null && o.stopped() == null && !request.dryRun()) {
            stopReason = drain(drainer, lease, "final");
        }
        if (stopReason == null && o.stopped() == null && !request.dryRun()) {
            stopReason = collectDue(collector, lease, runId);
        }
        String stateError = null;
        boolean savesState = !request.dryRun() && request.onlyFileset().isEmpty();
        if (stopReason == null && savesState) {
            StateSave saved = saveFinalState(ctx, progress, complete, o.watermark());
            stopReason = saved.stopReason;
            stateError = saved.error;
        }
        if (role == RunContext.Role.COORDINATOR) {
            ScaleOut.closeQuietly(claims.orElseThrow(), runId, retrier);
        }
        RunTally tally = o.tally() != null ? o.tally() : ctx.tally;
        long failed = tally.failedFilesets();
        SyncResult.Status status = stopReason != null || o.incomplete() != null || stateError != null
                ? SyncResult.Status.FAILED
                : o.stopped() != null ? SyncResult.Status.STOPPED
                : failed > 0 ? SyncResult.Status.PARTIAL_FAILURE : SyncResult.Status.COMPLETED;
        String error = stopReason != null ? stopReason
                : o.incomplete() != null ? o.incomplete()
                : stateError != null ? stateError
                : o.stopped() != null ? "stopped at a fileset boundary: " + o.stopped()
                : failed > 0 ? failed + " of " + tally.filesets() + " filesets failed" : null;
        return finishRun(ctx, tally, startedAt, status, error, stopReason == null);
    }

    /** Builds, records and announces the report; returns the result. */
    SyncResult finishRun(RunContext ctx, RunTally tally, Instant startedAt, SyncResult.Status status, String error,
            boolean record) {
        SyncConfig config = parts.config();
        Retrier retrier = parts.retrier();
        DocumentStore store = parts.documents();
        RunId runId = ctx.runId;
        Instant finishedAt = parts.clock().instant();
        List<SyncReport> recent = List.of();
        if (ctx.role != RunContext.Role.WORKER) {
            try {
                recent = retrier.call("documents.recentRuns",
                        () -> store.recentRuns(config.alertThresholds().consecutiveFailuresCritical() + 1));
            } catch (SyncException e) {
                log.warn("run history unavailable run={} reason={}", runId, FilesetSync.reasonOf(e));
            }
        }
        boolean runFailed = status != SyncResult.Status.COMPLETED && status != SyncResult.Status.STOPPED
                && status != SyncResult.Status.JOINED;
        RunMetrics metrics = RunMetricsCalculator.metrics(Duration.between(startedAt, finishedAt), tally, runFailed,
                recent);
        // run-level thresholds are the coordinator's to judge; a worker saw only part of the run
        List<Alert> thresholds = ctx.role == RunContext.Role.WORKER ? List.of()
                : RunMetricsCalculator.alerts(metrics, config.alertThresholds());
        for (Alert a : thresholds) {
            ctx.raise(a);
            log.warn("alert run={} kind={} severity={} message={}", runId, a.kind(), a.severity(), a.message());
        }
        SyncReport report = new SyncReport(runId, startedAt, finishedAt, ctx.dryRun(), tally.totals(), tally.kept(),
                metrics, ctx.alerts(), status, Optional.ofNullable(error));
        if (record && ctx.keepsHistory() && ctx.role != RunContext.Role.WORKER) {
            try {
                SyncReport toRecord = report;
                retrier.run("documents.recordRun", () -> store.recordRun(ctx.lease.token(), toRecord));
                prune(ctx);
            } catch (LeaseLostException | StaleFencingTokenException e) {
                status = SyncResult.Status.FAILED;
                error = "lease lost: " + e.getClass().getSimpleName();
                report = new SyncReport(runId, startedAt, finishedAt, ctx.dryRun(), tally.totals(), tally.kept(),
                        metrics, ctx.alerts(), status, Optional.of(error));
            } catch (SyncException e) {
                log.warn("recording run failed run={} reason={}", runId, FilesetSync.reasonOf(e));
            }
        }
        parts.listener().runFinished(report);
        long filesets = tally.filesets();
        switch (status) {
            case COMPLETED -> log.info("run done run={} filesets={} files={} bytes={} newBytes={} tookMs={}", runId,
                    filesets, report.totals().fileCount(), metrics.bytesDownloaded(), metrics.newUniqueBytes(),
                    metrics.duration().toMillis());
            case STOPPED -> log.info("run stopped at a fileset boundary run={} filesets={} reason={} tookMs={}", runId,
                    filesets, error, metrics.duration().toMillis());
            case JOINED -> log.info("worker done run={} filesets={} failedFilesets={} tookMs={}", runId, filesets,
                    tally.failedFilesets(), metrics.duration().toMillis());
            case FAILED -> log.error("run failed run={} filesets={} failedFilesets={} error={} tookMs={}", runId,
                    filesets, tally.failedFilesets(), error, metrics.duration().toMillis());
            default -> log.warn("run completed with failures run={} filesets={} failedFilesets={} tookMs={}", runId,
                    filesets, tally.failedFilesets(), metrics.duration().toMillis());
        }
        return new SyncResult(status, Optional.ofNullable(error), Optional.of(report));
    }

    /** Applies the history's retention; a failure is logged, never fails the run. */
    private void prune(RunContext ctx) {
        try {
            Instant before = parts.clock().instant().minus(parts.config().runRetention().maxAge());
            int removed = parts.retrier().call("documents.pruneRuns",
                    () -> parts.documents().pruneRuns(ctx.lease.token(), before, parts.config().runRetention().maxRuns()));
            if (removed > 0) {
                log.info("run history pruned run={} removedRuns={}", ctx.runId, removed);
            }
        } catch (LeaseLostException | StaleFencingTokenException e) {
            throw e;
        } catch (SyncException e) {
            log.warn("run history not pruned run={} reason={}", ctx.runId, FilesetSync.reasonOf(e));
        }
    }

    /** Records the run's start in the history; returns a stop reason when the lease was lost. */
    private String recordStart(RunId runId, LeaseKeeper lease, Instant startedAt) {
        try {
            parts.retrier().run("documents.recordRunStarted",
                    () -> parts.documents().recordRunStarted(lease.token(), runId, startedAt));
            return null;
        } catch (LeaseLostException | StaleFencingTokenException e) {
            return "lease lost: " + e.getClass().getSimpleName();
        } catch (SyncException e) {
            log.warn("run start not recorded run={} reason={}", runId, FilesetSync.reasonOf(e));
            return null;
        }
    }

    /**
     * How the fileset phase of a run ended.
     *
     * @param stopReason the run must stop (lease lost); {@code null} otherwise
     * @param incomplete the run could not attempt every fileset (a listing failed, an interrupt)
     * @param stopped    why the run stopped at a fileset boundary (stop request, budget), leaving filesets
     * @param watermark  VSRX's clock at the first fileset page (the host's at run start when VSRX gives none):
     *                   the next {@code lastCompleteSync} when the run completes
     * @param tally      the run's tally when it is not the context's (scale-out: read back from the history)
     */
    record Outcome(String stopReason, String incomplete, String stopped, Instant watermark, RunTally tally) {
        Outcome(String stopReason, String incomplete, String stopped, Instant watermark) {
            this(stopReason, incomplete, stopped, watermark, null);
        }
    }

    private Outcome processFilesets(RunContext ctx, ExecutorService pool, Instant startedAt) {
        SyncRequest request = ctx.request;
        Retrier retrier = parts.retrier();
        Dispatcher d = new Dispatcher(ctx, pool, parts.config().filesetConcurrency() * 2);
        String incomplete = null;
        String stopped = null;
        Instant watermark = startedAt;
        long seq = 0;
        int queued = 0;
        try {
            if (request.onlyFileset().isPresent()) {
                FilesetId only = request.onlyFileset().get();
                Optional<VsrxFileset> fs = retrier.call("vsrx.findFileset", () -> parts.source().findFileset(only));
                if (fs.isEmpty()) {
                    d.finish(seq, notListed(ctx, only));
                } else if (!d.reserve()) {
                    stopped = stopWhy(ctx);
                } else {
                    parts.listener().filesetQueued(ctx.runId, only, 1);
                    d.dispatch(seq, fs.get());
                }
            } else {
                PageRequest page = PageRequest.first(parts.config().pageSize());
                boolean incremental = request.incremental() && ctx.progress.lastCompleteSync().isPresent();
                if (incremental) {
                    page = page.changedSince(ctx.progress.lastCompleteSync().get()
                            .minus(parts.config().watermarkOverlap()));
                }
                ListedIds listed = new ListedIds();
                boolean listingDone = false;
                boolean firstPage = true;
                listing:
                while (ctx.stopped.get() == null) {
                    PageRequest r = page;
                    Page<VsrxFileset> p = retrier.call("vsrx.listFilesets", () -> parts.source().listFilesets(r));
                    if (firstPage) {
                        // Taken before anything of the run is looked at: a later change is at or after it.
                        watermark = p.serverTime().orElse(startedAt);
                        firstPage = false;
                    }
                    for (VsrxFileset fs : p.items()) {
                        if (ctx.stopped.get() != null) {
                            break listing;
                        }
                        if (ctx.progress.alreadyProcessed(fs.id())) {
                            if (!ctx.progress.queued(fs.id())) {
                                incomplete = outOfOrder(ctx);
                                break listing;
                            }
                            listed.add(fs.id());
                            parts.listener().filesetQueued(ctx.runId, fs.id(), ++queued);
                            skipProcessed(ctx, ctx.progress, d, seq++, fs.id());
                            continue;
                        }
                        ctx.progress.awaitRoomAhead(RunProgress.MAX_AHEAD);
                        if (!d.reserve()) {
                            stopped = stopWhy(ctx);
                            break listing;
                        }
                        if (!ctx.progress.queued(fs.id())) {
                            d.unreserve();
                            incomplete = outOfOrder(ctx);
                            break listing;
                        }
                        listed.add(fs.id());
                        parts.listener().filesetQueued(ctx.runId, fs.id(), ++queued);
                        d.dispatch(seq++, fs);
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
                    seq = reportVanished(ctx, d, listed, seq);
                }
                if (listingDone && stopped == null && incremental) {
                    // A failure is never lost by the watermark: failed filesets the listing skipped are fetched;
                    // so are the filesets with a Silknote-side change (bi-directional runs).
                    Set<FilesetId> extra = new LinkedHashSet<>(ctx.progress.carriedFailures());
                    extra.addAll(ctx.silknoteChanges.filesets());
                    for (FilesetId id : extra) {
                        if (ctx.stopped.get() != null || listed.contains(id)) {
                            continue;
                        }
                        if (ctx.progress.alreadyProcessed(id)) {
                            // committed by the interrupted run this one resumes; this run stores no change
                            // position, so the next run reads the change again
                            continue;
                        }
                        Optional<VsrxFileset> fs = retrier.call("vsrx.findFileset",
                                () -> parts.source().findFileset(id));
                        if (fs.isEmpty()) {
                            // a Silknote change of a fileset VSRX does not list has nothing to write to
                            ctx.progress.dropCarried(id);
                            continue;
                        }
                        if (!d.reserve()) {
                            stopped = stopWhy(ctx);
                            break;
                        }
                        parts.listener().filesetQueued(ctx.runId, id, ++queued);
                        d.dispatch(seq++, fs.get());
                    }
                }
            }
        } catch (LeaseLostException | StaleFencingTokenException e) {
            ctx.stopped.compareAndSet(null, e);
        } catch (SyncException e) {
            incomplete = "listing filesets failed: " + FilesetSync.reasonOf(e);
            log.warn("listing filesets failed run={} reason={}", ctx.runId, FilesetSync.reasonOf(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            d.cancelAll();
            incomplete = "interrupted";
        }
        if (!d.awaitAll(parts.config().lockTtl())) {
            incomplete = "interrupted";
        }
        if (stopped == null && d.leftUnstarted()) {
            stopped = stopWhy(ctx);
        }
        Throwable f = ctx.stopped.get();
        if (f instanceof Error err) {
            throw err;
        }
        String stopReason = f != null ? "lease lost: " + f.getClass().getSimpleName() : null;
        if (stopped != null) {
            log.info("run stops at a fileset boundary run={} reason={}", ctx.runId, stopped);
        }
        return new Outcome(stopReason, incomplete, stopped, watermark);
    }

    private static String stopWhy(RunContext ctx) {
        String why = ctx.stopReason();
        return why != null ? why : "stop requested";
    }

    private static String outOfOrder(RunContext ctx) {
        log.warn("listing filesets failed run={} reason=ids not in increasing order", ctx.runId);
        return "listing filesets failed: ids not in increasing order";
    }

    /** A fileset the interrupted run being resumed committed: reported, not synced again. */
    void skipProcessed(RunContext ctx, RunProgress progress, Dispatcher d, long seq, FilesetId id) {
        log.info("fileset skipped run={} fileset={} reason=ALREADY_PROCESSED", ctx.runId, id);
        progress.markProcessed(id);
        d.finish(seq, new FilesetReport(id, FilesetOutcome.SKIPPED_ALREADY_PROCESSED, Optional.empty(), List.of(),
                Duration.ZERO, 0, 0));
    }

    /**
     * Filesets Silknote has a record of that a complete full listing did not return: reported
     * {@link FilesetOutcome#VANISHED} (documents kept) with one {@code FILESET_VANISHED} warning per run.
     *
     * @return the next sequence number
     */
    long reportVanished(RunContext ctx, Dispatcher d, ListedIds listed, long seq) {
        long vanished = 0;
        FilesetId first = null;
        try {
            Optional<String> cursor = Optional.empty();
            do {
                Optional<String> c = cursor;
                Page<FilesetId> page = parts.retrier().call("documents.filesets",
                        () -> parts.documents().filesets(c, STORE_PAGE));
                for (FilesetId id : page.items()) {
                    if (!listed.contains(id)) {
                        log.warn("fileset vanished from VSRX run={} fileset={}", ctx.runId, id);
                        d.finish(seq++, new FilesetReport(id, FilesetOutcome.VANISHED,
                                Optional.of("not-listed-by-vsrx"), List.of(), Duration.ZERO, 0, 0));
                        if (first == null) {
                            first = id;
                        }
                        vanished++;
                    }
                }
                cursor = page.nextCursor();
            } while (cursor.isPresent());
        } catch (LeaseLostException | StaleFencingTokenException e) {
            throw e;
        } catch (SyncException e) {
            log.warn("vanished filesets not checked run={} reason={}", ctx.runId, FilesetSync.reasonOf(e));
        }
        if (vanished > 0) {
            ctx.raise(new Alert(Alert.Kind.FILESET_VANISHED, Alert.Severity.WARNING, vanished
                    + " filesets Silknote holds are no longer listed by VSRX; their documents are kept (first: "
                    + first + ")"));
        }
        return seq;
    }

    /**
     * A single-fileset run for a fileset VSRX does not list: {@code VANISHED} (documents kept, one
     * {@code FILESET_VANISHED} warning) when Silknote holds it, as a full run would report it; a fileset
     * neither side knows is a failed request.
     */
    private FilesetReport notListed(RunContext ctx, FilesetId id) {
        DocumentStore store = parts.documents();
        boolean held = parts.retrier().call("documents.findFileset", () -> store.findFileset(id)).isPresent()
                || !parts.retrier().call("documents.documents", () -> store.documents(id)).isEmpty();
        FilesetReport r;
        if (held) {
            log.warn("fileset vanished from VSRX run={} fileset={}", ctx.runId, id);
            ctx.raise(new Alert(Alert.Kind.FILESET_VANISHED, Alert.Severity.WARNING, "fileset " + id
                    + " Silknote holds is no longer listed by VSRX; its documents are kept"));
            r = new FilesetReport(id, FilesetOutcome.VANISHED, Optional.of("not-listed-by-vsrx"), List.of(),
                    Duration.ZERO, 0, 0);
        } else {
            r = Dispatcher.failed(id, "fileset not found in VSRX");
        }
        return r;
    }

    // ---------------------------------------------------------------- scale-out: joining another's run

    /** Joins the run another worker opened to scale-out workers, if there is one under the lock's token. */
    private Optional<SyncResult> join(SyncRequest request, Supplier<Optional<String>> stopRequest,
            Instant startedAt) {
        FilesetClaims c = claims.orElseThrow();
        Optional<FilesetClaims.OpenRun> open = parts.retrier().call("claims.openRun", c::openRun);
        if (open.isEmpty()) {
            return Optional.empty();
        }
        Optional<LockStatus> holder = parts.retrier().call("lock.inspect",
                () -> parts.lock().inspect(SyncConfig.LOCK_NAME));
        if (holder.isEmpty() || !holder.get().token().equals(open.get().token())) {
            // an open run of a coordinator that no longer holds the lock: it is over
            return Optional.empty();
        }
        RunId runId = open.get().run();
        String worker = newWorkerId();
        LeaseKeeper keeper = new LeaseKeeper(parts.lock(), SyncConfig.LOCK_NAME,
                new ScaleOut.JoinedLease(parts.lock(), open.get().token(), c, runId, worker), parts.config().lockTtl(),
                parts.clock());
        log.info("joining scale-out run run={} worker={} token={}", runId, worker, open.get().token().value());
        return Optional.of(withPools(runId, keeper, pools -> {
            parts.listener().runStarted(runId, false);
            RunContext ctx = context(request, runId, keeper, new RunProgress(SyncState.initial(), false), pools,
                    RunContext.Role.WORKER, stopRequest, new ContentRegistry(),
                    new OutboxDrainer(parts.documents(), parts.vectors(), parts.processor(), parts.blobs(),
                            new BlobCollector(parts.documents(), parts.blobs(), new ContentRegistry(), parts.clock(),
                                    parts.config().blobGracePeriod()),
                            parts.retrier(), parts.config().maxOutboxAttempts(), true));
            Outcome o = new ScaleOut(this, ctx, c, worker, sleeper).work(pools);
            String error = o.stopReason() != null ? o.stopReason() : o.incomplete();
            SyncResult.Status status = error != null ? SyncResult.Status.FAILED : SyncResult.Status.JOINED;
            return finishRun(ctx, ctx.tally, startedAt, status, error, false);
        }));
    }

    // ---------------------------------------------------------------- run-level writes

    /** The end-of-run collection pass; returns a stop reason when the lease was lost. */
    private String collectDue(BlobCollector collector, LeaseKeeper lease, RunId runId) {
        try {
            int collected = collector.collectDue(lease, parts.retrier(), COLLECTION_PASS);
            if (collected > 0) {
                log.info("blob collection run={} collected={}", runId, collected);
            }
            return null;
        } catch (LeaseLostException | StaleFencingTokenException e) {
            return "lease lost: " + e.getClass().getSimpleName();
        } catch (RuntimeException e) {
            log.warn("blob collection postponed run={} reason={}", runId, FilesetSync.reasonOf(e));
            return null;
        }
    }

    /**
     * Reads the Silknote change sequence before any fileset is looked at (bi-directional runs that store their
     * state): an incremental run gets the filesets to add; a full run only the settled position. A failed read
     * does not stop the pull: the run goes on without it and stores no position, so the next run reads again.
     */
    private SilknoteChangeFeed.Reading readSilknoteChanges(RunContext ctx, RunProgress progress) {
        SyncRequest request = ctx.request;
        if (!parts.config().bidirectional().enabled() || request.onlyFileset().isPresent()) {
            return SilknoteChangeFeed.Reading.NONE;
        }
        SilknoteChangeFeed feed = new SilknoteChangeFeed(parts.documents(), parts.retrier());
        try {
            boolean incremental = request.incremental() && progress.lastCompleteSync().isPresent();
            SilknoteChangeFeed.Reading reading = incremental ? feed.read() : feed.settledOnly();
            if (incremental) {
                log.info("silknote changes read run={} changes={} filesets={}", ctx.runId, reading.changes(),
                        reading.filesets().size());
            }
            return reading;
        } catch (LeaseLostException | StaleFencingTokenException e) {
            throw e;
        } catch (SyncException e) {
            log.warn("silknote changes not read run={} reason={}", ctx.runId, FilesetSync.reasonOf(e));
            return SilknoteChangeFeed.Reading.NONE;
        }
    }

    /** Raises the store's high-water mark to this run's token; returns a stop reason when it cannot. */
    private String fence(DocumentStore store, LeaseKeeper lease) {
        try {
            parts.retrier().run("documents.fence", () -> store.fence(lease.token()));
            // The vector store too: a paused older run's post-commit work can no longer touch vector entries.
            parts.retrier().run("vectors.fence", () -> parts.vectors().fence(lease.token()));
            // And VSRX, when the run may write there: a paused holder whose lease was taken over can no longer
            // write to VSRX, even when this run writes nothing (docs/bidirectional.md §5.1).
            Optional<VsrxTarget> target = parts.writeTarget();
            if (target.isPresent()) {
                parts.retrier().run("vsrx.fence", () -> target.get().fence(lease.token()));
            }
            return null;
        } catch (StaleFencingTokenException e) {
            log.error("run stops: a newer lock holder has written token={}", lease.token().value());
            return "lease lost: " + e.getClass().getSimpleName();
        } catch (SyncException e) {
            log.error("run stops: fencing the store failed reason={}", FilesetSync.reasonOf(e));
            return "fencing the store failed: " + FilesetSync.reasonOf(e);
        }
    }

    /** Drains the outbox; returns a stop reason when the lease was lost. */
    private String drain(OutboxDrainer drainer, LeaseKeeper lease, String phase) {
        try {
            OutboxDrainer.Stats s = drainer.drain(lease, e -> true);
            if (s.completed() + s.failed() + s.deferred() > 0) {
                log.info("outbox {} completed={} failed={} deferred={}", phase, s.completed(), s.failed(),
                        s.deferred());
            }
            return null;
        } catch (LeaseLostException | StaleFencingTokenException e) {
            return "lease lost: " + e.getClass().getSimpleName();
        } catch (RuntimeException e) {
            // Entries stay pending for the next drain; a failing outbox never fails the run.
            log.warn("outbox {} postponed reason={}", phase, FilesetSync.reasonOf(e));
            return null;
        }
    }

    private record StateSave(String stopReason, String error) { }

    /**
     * Saves the state at the end of a run: the completed state when the run attempted every fileset, else
     * (when the run changed anything) the interrupted state the next run resumes from.
     */
    private StateSave saveFinalState(RunContext ctx, RunProgress progress, boolean complete, Instant watermark) {
        SyncState next;
        OptionalLong changePosition = OptionalLong.empty();
        if (complete) {
            next = progress.completed(watermark);
            // A resumed run skipped the filesets the interrupted run committed, so a Silknote change made after
            // such a commit may not have been handled: the position moves only after a run that was not resumed.
            if (!progress.resuming()) {
                changePosition = ctx.silknoteChanges.settledPosition();
            }
        } else if (progress.changedAnything()) {
            next = progress.interrupted();
        } else {
            return new StateSave(null, null);
        }
        try {
            saveState(ctx, next, changePosition);
            return new StateSave(null, null);
        } catch (LeaseLostException | StaleFencingTokenException e) {
            return new StateSave("lease lost: " + e.getClass().getSimpleName(), null);
        } catch (SyncException e) {
            log.warn("saving resume state failed run={} reason={}", ctx.runId, FilesetSync.reasonOf(e));
            return new StateSave(null, complete ? "saving resume state failed" : null);
        }
    }

    /** Saves the resume state in a unit of work of its own, under the commit lock. */
    void saveState(RunContext ctx, SyncState next) {
        saveState(ctx, next, OptionalLong.empty());
    }

    /**
     * Saves the resume state and, when given, the Silknote change position in one unit of work, under the
     * commit lock (docs/bidirectional.md §6: the position moves with the complete resume state, never alone).
     */
    void saveState(RunContext ctx, SyncState next, OptionalLong changePosition) {
        ctx.commitLock.lock();
        try {
            ctx.lease.verify();
            parts.retrier().run("documents.saveState", () -> parts.documents().inUnitOfWork(ctx.lease.token(),
                    uow -> {
                        uow.saveState(next);
                        if (changePosition.isPresent()) {
                            uow.saveChangePosition(changePosition.getAsLong());
                        }
                        return null;
                    }));
        } finally {
            ctx.commitLock.unlock();
        }
    }

    /**
     * Bytes of small downloads a run may hold in memory instead of spool files (issue 12 item 4): 1 MiB per
     * file in flight, so at least eight {@link ContentSpooler#MEMORY_FILE_MAX} files each.
     */
    static long spoolMemory(SyncConfig config) {
        return config.fileConcurrency() * (1L << 20);
    }

    EngineParts parts() {
        return parts;
    }

    private String newRequestId() {
        long high;
        long low;
        synchronized (random) {
            high = random.nextLong();
            low = random.nextLong();
        }
        return "acquire-" + Long.toHexString(high) + Long.toHexString(low);
    }

    private String newWorkerId() {
        long r;
        synchronized (random) {
            r = random.nextLong();
        }
        return "worker-" + Long.toHexString(r);
    }

    private RunId newRunId(Instant startedAt) {
        long r;
        synchronized (random) {
            r = random.nextLong();
        }
        return RunId.of("run-" + startedAt.toEpochMilli() + "-" + Long.toHexString(r));
    }

    private static ThreadFactory threads(String kind) {
        int pool = POOL_SEQ.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "vsrx-sync-" + kind + "-" + pool + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static void shutdown(ExecutorService pool) {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
