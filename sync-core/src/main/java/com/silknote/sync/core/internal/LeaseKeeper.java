package com.silknote.sync.core.internal;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.LeaseLostException;
import com.silknote.sync.core.exception.SyncException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.LockStatus;
import com.silknote.sync.core.port.SyncLock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the run's lease: renews it at checkpoints once a third of the ttl has passed (by the injected
 * clock) and verifies it before every commit. Once the lease is lost every later checkpoint throws
 * {@link LeaseLostException}, so the run stops before its next write. Thread-safe.
 */
public final class LeaseKeeper {
    private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);

    private final SyncLock lock;
    private final String name;
    private final SyncLock.Lease lease;
    private final Duration ttl;
    private final Clock clock;
    private Instant lastRenewed;
    private boolean lost;

    /** @throws NullPointerException when an argument is null */
    public LeaseKeeper(SyncLock lock, String name, SyncLock.Lease lease, Duration ttl, Clock clock) {
        this.lock = requireNonNull(lock, "lock");
        this.name = requireNonNull(name, "name");
        this.lease = requireNonNull(lease, "lease");
        this.ttl = requireNonNull(ttl, "ttl");
        this.clock = requireNonNull(clock, "clock");
        this.lastRenewed = clock.instant();
    }

    public FencingToken token() {
        return lease.token();
    }

    /**
     * Renews the lease when a third of the ttl has passed since the last renewal.
     *
     * @throws LeaseLostException when the lease is lost (now or earlier)
     */
    public synchronized void checkpoint() {
        ensureHeld();
        Instant now = clock.instant();
        if (Duration.between(lastRenewed, now).compareTo(ttl.dividedBy(3)) >= 0) {
            renew(now);
        }
    }

    /**
     * Checkpoint plus a check with the lock backend that this lease still holds the lock; called before
     * every commit and before a fileset starts.
     *
     * @throws LeaseLostException when the lease is lost
     */
    public synchronized void verify() {
        checkpoint();
        Instant now = clock.instant();
        if (!now.isBefore(lastRenewed.plus(ttl))) {
            renew(now);
        }
        Optional<LockStatus> status;
        try {
            status = lock.inspect(name);
        } catch (TransientSyncException e) {
            // The lease was renewed within its ttl by our own clock; the store's fencing still guards.
            log.debug("lock inspect failed before commit; relying on fencing cause={}", e.getMessage());
            return;
        }
        if (status.isEmpty() || !status.get().token().equals(lease.token())) {
            lost = true;
            throw new LeaseLostException("lease of lock " + name + " no longer held by this run");
        }
    }

    /** {@code true} once the lease was found lost. */
    public synchronized boolean isLost() {
        return lost;
    }

    /** Releases the lease; never throws a {@link SyncException}. */
    public void release() {
        try {
            lease.close();
        } catch (SyncException e) {
            log.warn("releasing lock failed lock={} cause={}", name, e.getClass().getSimpleName());
        }
    }

    private void ensureHeld() {
        if (lost) {
            throw new LeaseLostException("lease of lock " + name + " was lost");
        }
    }

    private void renew(Instant now) {
        try {
            lease.renew(ttl);
            lastRenewed = now;
        } catch (LeaseLostException e) {
            lost = true;
            throw e;
        } catch (TransientSyncException e) {
            if (!now.isBefore(lastRenewed.plus(ttl))) {
                lost = true;
                throw new LeaseLostException("lease of lock " + name + " expired; renewal failed", e);
            }
            log.debug("lease renewal failed, lease still valid cause={}", e.getMessage());
        }
    }
}
