package com.silknote.sync.jdbc;

import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.model.FencingToken;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The store's fencing check, run inside the writing transaction.
 *
 * <p>The store keeps the highest token it accepted (row {@code ledger} of {@code vsrx_sync_fence}). A write
 * with that token takes a share lock on the row, so writers of one holder run side by side; a write with a
 * higher token raises the mark under an exclusive lock, which waits until older writers have committed;
 * a write with a lower token is refused. When the store is tied to a lock of {@link JdbiSyncLock} in the
 * same database it also refuses a token lower than the lease row's, locking that row for share so a new
 * holder cannot take the lease while an older holder's commit is in flight.
 */
final class Fence {
    static final String LEDGER = "ledger";

    private Fence() {
    }

    /**
     * Checks {@code token}; returns the lease holder when the token is the current lease's.
     *
     * @throws StaleFencingTokenException when a newer token exists
     */
    static Optional<String> check(Handle handle, FencingToken token, Optional<String> lockName) {
        Optional<String> actor = Optional.empty();
        if (lockName.isPresent()) {
            var row = handle.createQuery("SELECT holder, token FROM vsrx_sync_lock WHERE name = :name FOR SHARE")
                    .bind("name", lockName.get())
                    .map((rs, ctx) -> new Object[] {rs.getString("holder"), rs.getLong("token")})
                    .findOne();
            if (row.isPresent()) {
                long leaseToken = (Long) row.get()[1];
                if (leaseToken > token.value()) {
                    throw stale();
                }
                if (leaseToken == token.value()) {
                    actor = Optional.of((String) row.get()[0]);
                }
            }
        }
        Optional<Long> mark = handle.createQuery("SELECT high_water FROM vsrx_sync_fence WHERE name = :name")
                .bind("name", LEDGER).mapTo(Long.class).findOne();
        if (mark.isPresent() && mark.get() > token.value()) {
            throw stale();
        }
        if (mark.isPresent() && mark.get() == token.value()) {
            long locked = handle.createQuery("SELECT high_water FROM vsrx_sync_fence WHERE name = :name FOR SHARE")
                    .bind("name", LEDGER).mapTo(Long.class).one();
            if (locked > token.value()) {
                throw stale();
            }
            return actor;
        }
        Optional<Long> raised = handle.createQuery("""
                INSERT INTO vsrx_sync_fence (name, high_water) VALUES (:name, :token)
                ON CONFLICT (name) DO UPDATE SET high_water = EXCLUDED.high_water
                WHERE vsrx_sync_fence.high_water <= EXCLUDED.high_water
                RETURNING high_water""")
                .bind("name", LEDGER).bind("token", token.value()).mapTo(Long.class).findOne();
        if (raised.isEmpty()) {
            throw stale();
        }
        return actor;
    }

    private static StaleFencingTokenException stale() {
        return new StaleFencingTokenException("write refused: a newer fencing token has written to the store");
    }
}
