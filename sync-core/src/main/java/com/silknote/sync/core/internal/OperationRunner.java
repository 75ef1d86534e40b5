package com.silknote.sync.core.internal;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.LeaseLostException;
import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.OperationListener;
import com.silknote.sync.core.port.Sleeper;
import com.silknote.sync.core.port.SyncLock;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the operations beside the sync share (issue 11): run ids, the single retry layer, a safe progress
 * listener, and the rule for writing: take the {@code vsrx-sync} lock like a sync (refused: touch nothing),
 * fence the store with the lease's token before reading anything, write only with that token, release at the
 * end. A paused operation's late write is then refused like a paused sync's. Thread-safe.
 */
public final class OperationRunner {
    private static final Logger log = LoggerFactory.getLogger(OperationRunner.class);

    private final DocumentStore documents;
    private final SyncLock lock;
    private final SyncConfig config;
    private final Clock clock;
    private final RandomGenerator random;
    private final Retrier retrier;
    private final OperationListener listener;

    /** @throws NullPointerException when an argument is null */
    public OperationRunner(DocumentStore documents, SyncLock lock, SyncConfig config, OperationListener listener,
            Clock clock, Sleeper sleeper, RandomGenerator random) {
        this.documents = requireNonNull(documents, "documents");
        this.lock = requireNonNull(lock, "lock");
        this.config = requireNonNull(config, "config");
        this.clock = requireNonNull(clock, "clock");
        this.random = requireNonNull(random, "random");
        this.retrier = new Retrier(config.retryPolicy(), requireNonNull(sleeper, "sleeper"), random);
        this.listener = new SafeOperationListener(requireNonNull(listener, "listener"));
    }

    public DocumentStore documents() {
        return documents;
    }

    public SyncConfig config() {
        return config;
    }

    public Clock clock() {
        return clock;
    }

    public Retrier retrier() {
        return retrier;
    }

    public OperationListener listener() {
        return listener;
    }

    /** A new run id for an operation: {@code <kind>-<epoch millis>-<random hex>}. */
    public RunId newRunId(String kind) {
        long r;
        synchronized (random) {
            r = random.nextLong();
        }
        return RunId.of(kind + "-" + clock.instant().toEpochMilli() + "-" + Long.toHexString(r));
    }

    /**
     * Runs {@code work} holding the {@code vsrx-sync} lease, with the store fenced by its token.
     *
     * @return empty when another holder has the lock (nothing was touched)
     * @throws LeaseLostException         when the store already saw a newer token, or from {@code work}
     * @throws com.silknote.sync.core.exception.SyncException when the lock or the store cannot be reached
     */
    public <T> Optional<T> withLease(RunId runId, Function<LeaseKeeper, T> work) {
        requireNonNull(work, "work");
        String requestId = "acquire-" + runId.value();
        Optional<SyncLock.Lease> acquired = retrier.call("lock.acquire",
                () -> lock.tryAcquire(SyncConfig.LOCK_NAME, config.lockTtl(), requestId));
        if (acquired.isEmpty()) {
            log.info("operation refused: lock {} held by another run run={}", SyncConfig.LOCK_NAME, runId);
            return Optional.empty();
        }
        LeaseKeeper lease = new LeaseKeeper(lock, SyncConfig.LOCK_NAME, acquired.get(), config.lockTtl(), clock);
        try {
            try {
                retrier.run("documents.fence", () -> documents.fence(lease.token()));
            } catch (StaleFencingTokenException e) {
                throw new LeaseLostException("a newer lock holder has written to the store", e);
            }
            return Optional.of(work.apply(lease));
        } finally {
            lease.release();
        }
    }

    /** A listener that logs and swallows what the host's listener throws. */
    private static final class SafeOperationListener implements OperationListener {
        private final OperationListener delegate;

        SafeOperationListener(OperationListener delegate) {
            this.delegate = delegate;
        }

        private void call(Runnable r) {
            try {
                r.run();
            } catch (RuntimeException e) {
                log.warn("operation listener failed cause={}", e.getClass().getSimpleName());
            }
        }

        @Override
        public void operationStarted(RunId runId, String operation, boolean dryRun) {
            call(() -> delegate.operationStarted(runId, operation, dryRun));
        }

        @Override
        public void phaseStarted(RunId runId, String phase) {
            call(() -> delegate.phaseStarted(runId, phase));
        }

        @Override
        public void progress(RunId runId, String phase, long examined, long found) {
            call(() -> delegate.progress(runId, phase, examined, found));
        }

        @Override
        public void operationFinished(RunId runId, String operation) {
            call(() -> delegate.operationFinished(runId, operation));
        }
    }
}
