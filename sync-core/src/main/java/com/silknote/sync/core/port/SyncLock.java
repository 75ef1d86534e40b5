package com.silknote.sync.core.port;

import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.LockStatus;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * A named lease lock with fencing tokens. One sync run at a time holds {@code vsrx-sync}.
 * Expiry is judged by the backend's clock where it has one (database time, blob lease).
 */
public interface SyncLock {

    /**
     * Tries to take the lock for {@code ttl}, idempotently per attempt: a caller that did not get the answer
     * of an acquire (a timeout after the backend took the lock) retries with the same {@code requestId}, and
     * an implementation that finds an unexpired lease taken with that request id returns it (same token,
     * expiry extended to {@code ttl} from now) instead of refusing until it runs out. A retry is recognised by
     * the request id <em>and</em> the lock client's holder (host) id: any other request, and the same request id
     * presented by another holder (two hosts whose generators were seeded alike), is refused while the lease is
     * unexpired.
     *
     * @param requestId unique per acquire attempt (not per retry); opaque, never logged at INFO or above
     * @return the lease, or empty when another holder (another request) has an unexpired lease
     * @throws com.silknote.sync.core.exception.SyncException when the backend failed
     */
    Optional<Lease> tryAcquire(String name, Duration ttl, String requestId);

    /**
     * Tries to take the lock for {@code ttl} as a new attempt (a fresh request id): a retry of this call after
     * a lost answer is refused until the lease runs out. Callers that retry use
     * {@link #tryAcquire(String, Duration, String)}.
     *
     * @return the lease, or empty when another holder has an unexpired lease
     * @throws com.silknote.sync.core.exception.SyncException when the backend failed
     */
    default Optional<Lease> tryAcquire(String name, Duration ttl) {
        return tryAcquire(name, ttl, "fresh-" + UUID.randomUUID());
    }

    /** The current holder of a lock, if its lease has not expired. */
    Optional<LockStatus> inspect(String name);

    /** A held lease. Thread-safe: a heartbeat may renew it while the run works. */
    interface Lease extends AutoCloseable {
        /** Strictly increasing per name, across holders. */
        FencingToken token();

        /**
         * Extends the lease to {@code ttl} from now.
         *
         * @throws com.silknote.sync.core.exception.LeaseLostException once expired or taken over
         */
        void renew(Duration ttl);

        /** Releases the lock; idempotent; never throws for a lease already lost. */
        @Override
        void close();
    }
}
