package com.silknote.sync.jdbc;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.LeaseLostException;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.LockStatus;
import com.silknote.sync.core.port.SyncLock;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SyncLock} on the lease table {@code vsrx_sync_lock}. Expiry is judged by the database's clock
 * ({@code now()}), never the caller's, so hosts with skewed clocks agree. A lease row is never deleted: its
 * token rises by one with every new holder, which makes it the fencing token. The row keeps the request id
 * of the acquire that took it, so a retry of that acquire after a lost answer gets the lease back with the
 * same token. Thread-safe.
 */
public final class JdbiSyncLock implements SyncLock {
    private static final Logger LOG = LoggerFactory.getLogger(JdbiSyncLock.class);

    private final Jdbi jdbi;
    private final String holderId;

    /**
     * A lock client identified by {@code holderId}.
     *
     * @param dataSource connections to a database migrated by {@link JdbcLedger}
     * @param holderId   opaque, log-safe id of this holder (host and instance)
     * @throws NullPointerException     when an argument is null
     * @throws IllegalArgumentException when {@code holderId} is blank
     */
    @Inject
    public JdbiSyncLock(DataSource dataSource, String holderId) {
        this(Jdbis.create(requireNonNull(dataSource, "dataSource")), holderId);
    }

    JdbiSyncLock(Jdbi jdbi, String holderId) {
        this.jdbi = requireNonNull(jdbi, "jdbi");
        this.holderId = requireNonNull(holderId, "holderId");
        if (holderId.isBlank()) {
            throw new IllegalArgumentException("holderId must not be blank");
        }
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when {@code ttl} is not positive
     * @throws com.silknote.sync.core.exception.SyncException when the database failed
     */
    @Override
    public Optional<Lease> tryAcquire(String name, Duration ttl, String requestId) {
        requireNonNull(name, "name");
        requireNonNull(requestId, "requestId");
        long micros = micros(ttl);
        // An expired lease is taken over with the next token; an unexpired one only by the request that took it
        // (a retry after a lost answer, from the same holder), which keeps its token.
        Optional<Long> token = SqlErrors.translate("acquire lock", () -> jdbi.withHandle(h -> h.createQuery("""
                INSERT INTO vsrx_sync_lock AS l (name, holder, token, acquired_at, expires_at, request_id)
                VALUES (:name, :holder, 1, now(), now() + :ttl * interval '1 microsecond', :request)
                ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder,
                    token = CASE WHEN l.expires_at <= now() THEN l.token + 1 ELSE l.token END,
                    acquired_at = CASE WHEN l.expires_at <= now() THEN EXCLUDED.acquired_at ELSE l.acquired_at END,
                    expires_at = EXCLUDED.expires_at, request_id = EXCLUDED.request_id
                WHERE l.expires_at <= now() OR (l.request_id = EXCLUDED.request_id AND l.holder = EXCLUDED.holder)
                RETURNING token""")
                .bind("name", name).bind("holder", holderId).bind("ttl", micros).bind("request", requestId)
                .mapTo(Long.class).findOne()));
        token.ifPresent(t -> LOG.debug("lock acquired token={}", t));
        return token.map(t -> new JdbiLease(name, FencingToken.of(t)));
    }

    /**
     * {@inheritDoc}
     *
     * @throws com.silknote.sync.core.exception.SyncException when the database failed
     */
    @Override
    public Optional<LockStatus> inspect(String name) {
        requireNonNull(name, "name");
        return SqlErrors.translate("inspect lock", () -> jdbi.withHandle(h -> h.createQuery("""
                SELECT name, holder, token, expires_at FROM vsrx_sync_lock
                WHERE name = :name AND expires_at > now()""")
                .bind("name", name)
                .map((rs, ctx) -> new LockStatus(rs.getString("name"), rs.getString("holder"),
                        FencingToken.of(rs.getLong("token")), Jdbis.instant(rs, "expires_at")))
                .findOne()));
    }

    private static long micros(Duration ttl) {
        requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
        return Math.max(1, ttl.toNanos() / 1000);
    }

    private final class JdbiLease implements Lease {
        private final String name;
        private final FencingToken token;
        private final AtomicBoolean closed = new AtomicBoolean();

        JdbiLease(String name, FencingToken token) {
            this.name = name;
            this.token = token;
        }

        @Override
        public FencingToken token() {
            return token;
        }

        @Override
        public void renew(Duration ttl) {
            long micros = micros(ttl);
            if (closed.get()) {
                throw new LeaseLostException("lease was released");
            }
            int updated = SqlErrors.translate("renew lock", () -> jdbi.withHandle(h -> h.createUpdate("""
                    UPDATE vsrx_sync_lock SET expires_at = now() + :ttl * interval '1 microsecond'
                    WHERE name = :name AND token = :token AND expires_at > now()""")
                    .bind("ttl", micros).bind("name", name).bind("token", token.value()).execute()));
            if (updated == 0) {
                throw new LeaseLostException("lease expired or was taken over (token " + token.value() + ")");
            }
        }

        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            try {
                SqlErrors.run("release lock", () -> jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE vsrx_sync_lock SET expires_at = now()
                        WHERE name = :name AND token = :token AND expires_at > now()""")
                        .bind("name", name).bind("token", token.value()).execute()));
            } catch (RuntimeException e) {
                // the lease then runs out by itself; releasing is best effort and never throws
                LOG.warn("lock release failed token={}; the lease will expire", token.value(), e);
            }
        }

        @Override
        public String toString() {
            return "JdbiLease[token=" + token.value() + "]";
        }
    }

    /** Builds a {@link JdbiSyncLock}. */
    public static final class Builder {
        private DataSource dataSource;
        private String holderId;

        private Builder() {
        }

        /** Connections to a migrated database (required). @return this builder */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = requireNonNull(dataSource, "dataSource");
            return this;
        }

        /** Opaque, log-safe id of this holder (required). @return this builder */
        public Builder holderId(String holderId) {
            this.holderId = requireNonNull(holderId, "holderId");
            return this;
        }

        /**
         * The lock.
         *
         * @throws IllegalStateException when the data source or holder id is missing
         */
        public JdbiSyncLock build() {
            if (dataSource == null || holderId == null) {
                throw new IllegalStateException("dataSource and holderId are required");
            }
            return new JdbiSyncLock(dataSource, holderId);
        }
    }
}
