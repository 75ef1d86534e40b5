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
import com.silknote.sync.core.port.Sleeper;
import com.silknote.sync.core.port.SyncListener;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.core.port.VsrxSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run loop behind {@code VsrxSync.run}: lock, outbox recovery, fileset listing in stable order,
 * bounded concurrent fileset processing with in-order results, resume state, report, metrics and alerts.
 * Immutable and thread-safe; every run gets its own executors, shut down when it ends.
 */
public final class SyncEngine {
    private static final Logger log = LoggerFactory.getLogger(SyncEngine.class);
    private static final AtomicInteger POOL_SEQ = new AtomicInteger();
    /** Unreferenced blob rows looked at by the collection pass at the end of a run. */
    private static final int COLLECTION_PASS = 500;
    /** Page size when reading the filesets Silknote knows. */
    private static final int VANISHED_PAGE = 1000;

    private final EngineParts parts;
    private final RandomGenerator random;

    /**
     * An engine over the given ports.
     *
     * @param pathCheck validates listed paths (normally {@code PathValidator::validate})
     * @param typeCheck checks declared type against magic bytes (normally {@code ContentSniffer::agrees})
     * @throws NullPointerException when an argument is null
     */
    public SyncEngine(VsrxSource source, DocumentStore documents, BlobStore blobs, VectorStore vectors,
            DocumentProcessor processor, SyncLock lock, SyncListener listener, SyncConfig config, Clock clock,
            Sleeper sleeper, RandomGenerator random, Function<String, PathVerdict> pathCheck,
            ContentTypeCheck typeCheck) {
        requireNonNull(sleeper, "sleeper");
        this.random = requireNonNull(random, "random");
        this.parts = new EngineParts(source, documents, blobs, vectors, processor, lock,
                new SafeListener(requireNonNull(listener, "listener")), config, clock,
                new Retrier(config.retryPolicy(), sleeper, random), pathCheck, typeCheck);
    }

    /**
     * Runs one sync.
     *
     * @throws NullPointerException when request is null
     * @throws SyncException        when the lock backend cannot be reached
     */
    public SyncResult run(SyncRequest request) {
        requireNonNull(request, "request");
        SyncConfig config = parts.config();
        Clock clock = parts.clock();
        Instant startedAt = clock.instant();
        // One request id for every retry of this acquire: a retry after a lost answer gets its own lease back.
        String requestId = newRequestId();
        Optional<SyncLock.Lease> acquired = parts.retrier().call("lock.acquire",
                () -> parts.lock().tryAcquire(SyncConfig.LOCK_NAME, config.lockTtl(), requestId));
        if (acquired.isEmpty()) {
            log.info("run refused: lock {} held by another run", SyncConfig.LOCK_NAME);
            return SyncResult.alreadyInProgress();
        }
        LeaseKeeper lease = new LeaseKeeper(parts.lock(), SyncConfig.LOCK_NAME, acquired.get(), config.lockTtl(),
                clock);
        RunId runId = newRunId(startedAt);
        ExecutorService filePool = null;
        ExecutorService filesetPool = null;
        Throwable crash = null;
        try {
            filePool = Executors.newFixedThreadPool(config.fileConcurrency(), threads("file"));
            filesetPool = Executors.newFixedThreadPool(config.filesetConcurrency(), threads("fileset"));
            return runLocked(request, runId, startedAt, lease, filePool, filesetPool);
        } catch (Error | RuntimeException e) {
            crash = e;
            throw e;
        } finally {
            shutdown(filesetPool);
            shutdown(filePool);
            // A cancelled fileset thread may still be committing: the lease is released only once no thread of
            // the run can write any more. If they do not stop within the lease's ttl, the lease is left to run
            // out by itself (the store's fencing then refuses a late write).
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
    private static boolean awaitTermination(Duration max, ExecutorService... pools) {
        boolean interrupted = Thread.interrupted();
        long deadline = System.nanoTime() + max.toNanos();
        try {
            for (ExecutorService pool : pools) {
                if (pool == null) {
                    continue;
                }
                while (true) {
                    try {
                        if (!pool.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
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

    private SyncResult runLocked(SyncRequest request, RunId runId, Instant startedAt, LeaseKeeper lease,
            ExecutorService filePool, ExecutorService filesetPool) {
        SyncConfig config = parts.config();
        Retrier retrier = parts.retrier();
        DocumentStore store = parts.documents();
        parts.listener().runStarted(runId, request.dryRun());
        log.info("run start run={} dryRun={} incremental={} singleFileset={} token={}", runId, request.dryRun(),
                request.incremental(), request.onlyFileset().isPresent(), lease.token().value());

        ContentRegistry registry = new ContentRegistry();
        BlobCollector collector = new BlobCollector(store, parts.blobs(), registry, parts.clock(),
                config.blobGracePeriod());
        OutboxDrainer drainer = new OutboxDrainer(store, parts.vectors(), parts.processor(), parts.blobs(), collector,
                retrier, config.maxOutboxAttempts());
        // Fence before reading anything: from now on a stale holder's write is refused, whatever lock is used.
        String stopReason = fence(store, lease);
        if (stopReason == null && !request.dryRun()) {
            stopReason = drain(drainer, lease, "recovery");
        }
        SyncState state = retrier.call("documents.loadState", store::loadState);
        RunProgress progress = new RunProgress(state, request.onlyFileset().isEmpty());
        if (progress.resuming()) {
            log.info("run resumes run={} processed={} failed={}", runId,
                    state.partialSyncState().processedFilesets().size(),
                    state.partialSyncState().failedFilesets().size());
        }
        RunContext ctx = new RunContext(parts, runId, request, lease, progress, filePool,
                new DiffEngine(DiffPolicy.of(config, parts.pathCheck())),
                new ContentSpooler(config.spoolDirectory(), config.maxFileSizeBytes(), parts.blobs().usesContentMd5(),
                        spoolMemory(config)),
                drainer, registry);

        List<FilesetReport> reports = new ArrayList<>();
        String incomplete = null;
        Instant watermark = startedAt;
        if (stopReason == null) {
            Outcome o = processFilesets(ctx, filesetPool, reports, startedAt);
            stopReason = o.stopReason;
            incomplete = o.incomplete;
            watermark = o.watermark;
        }
        // Complete: every fileset was attempted (some may have failed). Otherwise the run was interrupted and
        // the next run resumes it.
        boolean complete = stopReason == null && incomplete == null;
        if (stopReason == null && !request.dryRun()) {
            stopReason = drain(drainer, lease, "final");
        }
        if (stopReason == null && !request.dryRun()) {
            stopReason = collectDue(collector, lease, runId);
        }
        String stateError = null;
        if (stopReason == null && ctx.keepsState()) {
            StateSave saved = saveFinalState(ctx, complete && stopReason == null, watermark);
            stopReason = saved.stopReason;
            stateError = saved.error;
        }
        long failed = reports.stream().filter(r -> r.outcome().isFailure()).count();
        SyncResult.Status status = stopReason != null || incomplete != null || stateError != null
                ? SyncResult.Status.FAILED
                : failed > 0 ? SyncResult.Status.PARTIAL_FAILURE : SyncResult.Status.COMPLETED;
        String error = stopReason != null ? stopReason
                : incomplete != null ? incomplete
                : stateError != null ? stateError
                : failed > 0 ? failed + " of " + reports.size() + " filesets failed" : null;

        Instant finishedAt = parts.clock().instant();
        List<SyncReport> recent = List.of();
        try {
            recent = retrier.call("documents.recentRuns",
                    () -> store.recentRuns(config.alertThresholds().consecutiveFailuresCritical() + 1));
        } catch (SyncException e) {
            log.warn("run history unavailable run={} reason={}", runId, FilesetSync.reasonOf(e));
        }
        RunMetrics metrics = RunMetricsCalculator.metrics(Duration.between(startedAt, finishedAt), reports,
                status != SyncResult.Status.COMPLETED, recent);
        for (Alert a : RunMetricsCalculator.alerts(metrics, config.alertThresholds())) {
            ctx.raise(a);
            log.warn("alert run={} kind={} severity={} message={}", runId, a.kind(), a.severity(), a.message());
        }
        SyncReport report = new SyncReport(runId, startedAt, finishedAt, request.dryRun(), reports, metrics,
                ctx.alerts(), status, Optional.ofNullable(error));
        if (!request.dryRun() && stopReason == null) {
            try {
                SyncReport toRecord = report;
                retrier.run("documents.recordRun", () -> store.recordRun(lease.token(), toRecord));
            } catch (LeaseLostException | StaleFencingTokenException e) {
                status = SyncResult.Status.FAILED;
                error = "lease lost: " + e.getClass().getSimpleName();
                report = new SyncReport(runId, startedAt, finishedAt, request.dryRun(), reports, metrics,
                        ctx.alerts(), status, Optional.of(error));
            } catch (SyncException e) {
                log.warn("recording run failed run={} reason={}", runId, FilesetSync.reasonOf(e));
            }
        }
        parts.listener().runFinished(report);
        if (status == SyncResult.Status.COMPLETED) {
            log.info("run done run={} filesets={} files={} bytes={} newBytes={} tookMs={}", runId, reports.size(),
                    reports.stream().mapToLong(FilesetReport::totalFiles).sum(), metrics.bytesDownloaded(),
                    metrics.newUniqueBytes(), metrics.duration().toMillis());
        } else if (status == SyncResult.Status.FAILED) {
            log.error("run failed run={} filesets={} failedFilesets={} error={} tookMs={}", runId, reports.size(),
                    failed, error, metrics.duration().toMillis());
        } else {
            log.warn("run completed with failures run={} filesets={} failedFilesets={} tookMs={}", runId,
                    reports.size(), failed, metrics.duration().toMillis());
        }
        return new SyncResult(status, Optional.ofNullable(error), Optional.of(report));
    }

    /**
     * @param watermark VSRX's clock at the first fileset page (the host's at run start when VSRX gives none):
     *                  the next {@code lastCompleteSync} when the run completes
     */
    private record Outcome(String stopReason, String incomplete, Instant watermark) { }

    private Outcome processFilesets(RunContext ctx, ExecutorService pool, List<FilesetReport> reports,
            Instant startedAt) {
        SyncRequest request = ctx.request;
        Retrier retrier = parts.retrier();
        AtomicReference<Throwable> fatal = ctx.stopped;
        Semaphore window = new Semaphore(parts.config().filesetConcurrency() * 2);
        List<Slot> slots = new ArrayList<>();
        String incomplete = null;
        Instant watermark = startedAt;
        int queued = 0;
        try {
            if (request.onlyFileset().isPresent()) {
                FilesetId only = request.onlyFileset().get();
                Optional<VsrxFileset> fs = retrier.call("vsrx.findFileset", () -> parts.source().findFileset(only));
                if (fs.isEmpty()) {
                    slots.add(Slot.done(new FilesetReport(only, FilesetOutcome.FAILED,
                            Optional.of("fileset not found in VSRX"), List.of(), Duration.ZERO, 0, 0)));
                } else {
                    queued++;
                    submit(ctx, fs.get(), queued, pool, window, fatal, slots);
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
                while (fatal.get() == null) {
                    PageRequest r = page;
                    Page<VsrxFileset> p = retrier.call("vsrx.listFilesets", () -> parts.source().listFilesets(r));
                    if (firstPage) {
                        // Taken before anything of the run is looked at: a later change is at or after it.
                        watermark = p.serverTime().orElse(startedAt);
                        firstPage = false;
                    }
                    for (VsrxFileset fs : p.items()) {
                        if (fatal.get() != null) {
                            break;
                        }
                        listed.add(fs.id());
                        queued++;
                        submit(ctx, fs, queued, pool, window, fatal, slots);
                    }
                    if (p.isLast()) {
                        listingDone = true;
                        break;
                    }
                    page = page.next(p.nextCursor().orElseThrow());
                    ctx.lease.checkpoint();
                }
                listed.seal();
                if (listingDone && !incremental && fatal.get() == null) {
                    reportVanished(ctx, listed, slots);
                }
                if (listingDone && incremental) {
                    // A failure is never lost by the watermark: failed filesets the listing skipped are fetched.
                    for (FilesetId id : ctx.progress.carriedFailures()) {
                        if (fatal.get() != null || listed.contains(id)) {
                            continue;
                        }
                        Optional<VsrxFileset> fs = retrier.call("vsrx.findFileset",
                                () -> parts.source().findFileset(id));
                        if (fs.isPresent()) {
                            queued++;
                            submit(ctx, fs.get(), queued, pool, window, fatal, slots);
                        } else {
                            ctx.progress.dropCarried(id);
                        }
                    }
                }
            }
        } catch (LeaseLostException | StaleFencingTokenException e) {
            fatal.compareAndSet(null, e);
        } catch (SyncException e) {
            incomplete = "listing filesets failed: " + FilesetSync.reasonOf(e);
            log.warn("listing filesets failed run={} reason={}", ctx.runId, FilesetSync.reasonOf(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            incomplete = "interrupted";
        }
        String stopReason = null;
        for (Slot s : slots) {
            if (s.report != null) {
                reports.add(s.report);
                continue;
            }
            try {
                reports.add(s.future.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancelAll(slots);
                reports.add(stopped(s.filesetId, "interrupted"));
                incomplete = "interrupted";
            } catch (CancellationException e) {
                reports.add(stopped(s.filesetId, stopReason != null ? stopReason : "cancelled"));
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof Error err) {
                    cancelAll(slots);
                    throw err;
                }
                if (cause instanceof LeaseLostException || cause instanceof StaleFencingTokenException) {
                    stopReason = "lease lost: " + cause.getClass().getSimpleName();
                    log.error("run stops run={} fileset={} reason={}", ctx.runId, s.filesetId, stopReason);
                    cancelAll(slots);
                    reports.add(stopped(s.filesetId, stopReason));
                } else {
                    String reason = cause instanceof RuntimeException re ? FilesetSync.reasonOf(re)
                            : cause.getClass().getSimpleName();
                    reports.add(stopped(s.filesetId, reason));
                }
            }
        }
        Throwable f = fatal.get();
        if (f instanceof Error err) {
            throw err;
        }
        if (stopReason == null && f != null) {
            stopReason = "lease lost: " + f.getClass().getSimpleName();
        }
        return new Outcome(stopReason, incomplete, watermark);
    }

    /**
     * Filesets Silknote has a record of that a complete full listing did not return: reported
     * {@link FilesetOutcome#VANISHED} (documents kept) with one {@code FILESET_VANISHED} warning per run.
     */
    private void reportVanished(RunContext ctx, ListedIds listed, List<Slot> slots) {
        List<FilesetId> vanished = new ArrayList<>();
        try {
            Optional<String> cursor = Optional.empty();
            do {
                Optional<String> c = cursor;
                Page<FilesetId> page = parts.retrier().call("documents.filesets",
                        () -> parts.documents().filesets(c, VANISHED_PAGE));
                for (FilesetId id : page.items()) {
                    if (!listed.contains(id)) {
                        vanished.add(id);
                    }
                }
                cursor = page.nextCursor();
            } while (cursor.isPresent());
        } catch (LeaseLostException | StaleFencingTokenException e) {
            throw e;
        } catch (SyncException e) {
            log.warn("vanished filesets not checked run={} reason={}", ctx.runId, FilesetSync.reasonOf(e));
            return;
        }
        for (FilesetId id : vanished) {
            log.warn("fileset vanished from VSRX run={} fileset={}", ctx.runId, id);
            FilesetReport r = new FilesetReport(id, FilesetOutcome.VANISHED, Optional.of("not-listed-by-vsrx"),
                    List.of(), Duration.ZERO, 0, 0);
            parts.listener().filesetFinished(ctx.runId, r);
            slots.add(Slot.done(r));
        }
        if (!vanished.isEmpty()) {
            ctx.raise(new Alert(Alert.Kind.FILESET_VANISHED, Alert.Severity.WARNING, vanished.size()
                    + " filesets Silknote holds are no longer listed by VSRX; their documents are kept (first: "
                    + vanished.get(0) + ")"));
        }
    }

    private static FilesetReport stopped(FilesetId id, String reason) {
        return new FilesetReport(id, FilesetOutcome.FAILED, Optional.of(reason), List.of(), Duration.ZERO, 0, 0);
    }

    private static final class Slot {
        final FilesetId filesetId;
        final Future<FilesetReport> future;
        final FilesetReport report;

        Slot(FilesetId filesetId, Future<FilesetReport> future, FilesetReport report) {
            this.filesetId = filesetId;
            this.future = future;
            this.report = report;
        }

        static Slot done(FilesetReport report) {
            return new Slot(report.filesetId(), null, report);
        }
    }

    private void submit(RunContext ctx, VsrxFileset fs, int queued, ExecutorService pool, Semaphore window,
            AtomicReference<Throwable> fatal, List<Slot> slots) throws InterruptedException {
        ctx.progress.queued(fs.id());
        parts.listener().filesetQueued(ctx.runId, fs.id(), queued);
        if (ctx.progress.alreadyProcessed(fs.id())) {
            log.info("fileset skipped run={} fileset={} reason=ALREADY_PROCESSED", ctx.runId, fs.id());
            FilesetReport r = new FilesetReport(fs.id(), FilesetOutcome.SKIPPED_ALREADY_PROCESSED, Optional.empty(),
                    List.of(), Duration.ZERO, 0, 0);
            parts.listener().filesetFinished(ctx.runId, r);
            slots.add(Slot.done(r));
            return;
        }
        window.acquire();
        Future<FilesetReport> future;
        try {
            future = pool.submit(() -> {
                try {
                    Throwable stop = fatal.get();
                    if (stop != null) {
                        // A crash or a lost lease elsewhere: start nothing new.
                        return stopped(fs.id(), "run stopped: " + stop.getClass().getSimpleName());
                    }
                    FilesetReport r = new FilesetSync(ctx, fs).run();
                    parts.listener().filesetFinished(ctx.runId, r);
                    return r;
                } catch (Error | LeaseLostException | StaleFencingTokenException e) {
                    fatal.compareAndSet(null, e);
                    throw e;
                } finally {
                    window.release();
                }
            });
        } catch (RuntimeException e) {
            window.release();
            throw e;
        }
        slots.add(new Slot(fs.id(), future, null));
    }

    private static void cancelAll(List<Slot> slots) {
        for (Slot s : slots) {
            if (s.future != null) {
                s.future.cancel(true);
            }
        }
    }

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

    /** Raises the store's high-water mark to this run's token; returns a stop reason when it cannot. */
    private String fence(DocumentStore store, LeaseKeeper lease) {
        try {
            parts.retrier().run("documents.fence", () -> store.fence(lease.token()));
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
    private StateSave saveFinalState(RunContext ctx, boolean complete, Instant watermark) {
        SyncState next;
        if (complete) {
            next = ctx.progress.completed(watermark);
        } else if (ctx.progress.changedAnything()) {
            next = ctx.progress.interrupted();
        } else {
            return new StateSave(null, null);
        }
        ctx.commitLock.lock();
        try {
            ctx.lease.verify();
            parts.retrier().run("documents.saveState", () -> parts.documents().inUnitOfWork(ctx.lease.token(),
                    uow -> {
                        uow.saveState(next);
                        return null;
                    }));
            return new StateSave(null, null);
        } catch (LeaseLostException | StaleFencingTokenException e) {
            return new StateSave("lease lost: " + e.getClass().getSimpleName(), null);
        } catch (SyncException e) {
            log.warn("saving resume state failed run={} reason={}", ctx.runId, FilesetSync.reasonOf(e));
            return new StateSave(null, complete ? "saving resume state failed" : null);
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

    private String newRequestId() {
        long high;
        long low;
        synchronized (random) {
            high = random.nextLong();
            low = random.nextLong();
        }
        return "acquire-" + Long.toHexString(high) + Long.toHexString(low);
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
