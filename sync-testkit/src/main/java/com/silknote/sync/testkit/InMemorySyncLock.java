package com.silknote.sync.testkit;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.LeaseLostException;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.LockStatus;
import com.silknote.sync.core.port.SyncLock;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An in-memory lease lock with fencing tokens. Expiry is judged by the injected clock: a lease is expired
 * once {@code now >= expiresAt}. Tokens start at 1 and rise by one on every successful acquire of a name,
 * across holders and releases.
 *
 * <p>One instance is one host with its {@link #holderId()}; {@link #newHolder(String)} gives another host
 * sharing the same lock table, so tests can model several processes competing. Thread-safe.
 */
public final class InMemorySyncLock implements SyncLock {

    private record Row(String holder, long leaseId, FencingToken token, Instant expiresAt, String requestId) {
    }

    /** The shared lock table. */
    private static final class Table {
        final Clock clock;
        final Map<String, Row> rows = new HashMap<>();
        final Map<String, Long> lastToken = new HashMap<>();
        long nextLeaseId = 1;

        Table(Clock clock) {
            this.clock = clock;
        }
    }

    private final Table table;
    private final String holderId;

    /**
     * A lock table with one holder, {@code holderId}.
     *
     * @param clock    judges expiry
     * @param holderId opaque id of this host, reported by {@link #inspect}
     */
    public InMemorySyncLock(Clock clock, String holderId) {
        this(new Table(requireNonNull(clock, "clock")), holderId);
    }

    /** A lock table with one holder called {@code holder-1}. */
    @Inject
    public InMemorySyncLock(Clock clock) {
        this(clock, "holder-1");
    }

    private InMemorySyncLock(Table table, String holderId) {
        this.table = table;
        this.holderId = requireNonNull(holderId, "holderId");
        if (holderId.isBlank()) {
            throw new IllegalArgumentException("holderId must not be blank");
        }
    }

    /** Another host on the same lock table. */
    public InMemorySyncLock newHolder(String holderId) {
        return new InMemorySyncLock(table, holderId);
    }

    /** This host's id. */
    public String holderId() {
        return holderId;
    }

    /**
     * {@inheritDoc} An unexpired lease taken by this holder with the same {@code requestId} is returned again
     * (same token, expiry extended); another holder presenting the same request id is refused.
     *
     * @throws IllegalArgumentException when {@code ttl} is not positive
     */
    @Override
    public Optional<Lease> tryAcquire(String name, Duration ttl, String requestId) {
        requireNonNull(name, "name");
        requireNonNull(requestId, "requestId");
        requirePositive(ttl);
        synchronized (table) {
            Instant now = table.clock.instant();
            Row row = table.rows.get(name);
            if (row != null && now.isBefore(row.expiresAt())) {
                if (!row.requestId().equals(requestId) || !row.holder().equals(holderId)) {
                    return Optional.empty();
                }
                Row again = new Row(row.holder(), row.leaseId(), row.token(), now.plus(ttl), requestId);
                table.rows.put(name, again);
                return Optional.of(new InMemoryLease(name, again.leaseId(), again.token()));
            }
            long token = table.lastToken.merge(name, 1L, Long::sum);
            Row mine = new Row(holderId, table.nextLeaseId++, FencingToken.of(token), now.plus(ttl), requestId);
            table.rows.put(name, mine);
            return Optional.of(new InMemoryLease(name, mine.leaseId(), mine.token()));
        }
    }

    @Override
    public Optional<LockStatus> inspect(String name) {
        requireNonNull(name, "name");
        synchronized (table) {
            Row row = table.rows.get(name);
            if (row == null || !table.clock.instant().isBefore(row.expiresAt())) {
                return Optional.empty();
            }
            return Optional.of(new LockStatus(name, row.holder(), row.token(), row.expiresAt()));
        }
    }

    /** Expires the current lease of {@code name} at once (its holder keeps its token but loses the lock). */
    public void forceExpiry(String name) {
        requireNonNull(name, "name");
        synchronized (table) {
            Row row = table.rows.get(name);
            if (row != null) {
                table.rows.put(name, new Row(row.holder(), row.leaseId(), row.token(), Instant.MIN, row.requestId()));
            }
        }
    }

    /** The last token handed out for {@code name}, if any. */
    public Optional<FencingToken> lastToken(String name) {
        requireNonNull(name, "name");
        synchronized (table) {
            Long t = table.lastToken.get(name);
            return t == null ? Optional.empty() : Optional.of(FencingToken.of(t));
        }
    }

    private static void requirePositive(Duration ttl) {
        requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, was " + ttl);
        }
    }

    private final class InMemoryLease implements Lease {
        private final String name;
        private final long leaseId;
        private final FencingToken token;

        InMemoryLease(String name, long leaseId, FencingToken token) {
            this.name = name;
            this.leaseId = leaseId;
            this.token = token;
        }

        @Override
        public FencingToken token() {
            return token;
        }

        @Override
        public void renew(Duration ttl) {
            requirePositive(ttl);
            synchronized (table) {
                Row row = table.rows.get(name);
                Instant now = table.clock.instant();
                if (row == null || row.leaseId() != leaseId || !now.isBefore(row.expiresAt())) {
                    throw new LeaseLostException("lease on lock " + name + " expired or was taken over");
                }
                table.rows.put(name, new Row(row.holder(), leaseId, token, now.plus(ttl), row.requestId()));
            }
        }

        @Override
        public void close() {
            synchronized (table) {
                Row row = table.rows.get(name);
                if (row != null && row.leaseId() == leaseId) {
                    table.rows.remove(name);
                }
            }
        }

        @Override
        public String toString() {
            return "Lease[name=" + name + ", token=" + token.value() + "]";
        }
    }
}
