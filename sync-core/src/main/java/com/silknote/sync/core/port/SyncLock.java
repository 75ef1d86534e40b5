package com.silknote.sync.core.port;

import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.LockStatus;
import java.time.Duration;
import java.util.Optional;

/**
 * A named lease lock with fencing tokens. One sync run at a time holds {@code vsrx-sync}.
 * Expiry is judged by the backend's clock where it has one (database time, blob lease).
 */
public interface SyncLock {

    /**
     * Tries to take the lock for {@code ttl}.
     *
     * @return the lease, or empty when another holder has an unexpired lease
     * @throws com.silknote.sync.core.exception.SyncException when the backend failed
     */
    Optional<Lease> tryAcquire(String name, Duration ttl);

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
