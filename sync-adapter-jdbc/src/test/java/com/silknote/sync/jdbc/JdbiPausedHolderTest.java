package com.silknote.sync.jdbc;

import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.testkit.InMemorySyncLock;
import com.silknote.sync.testkit.contract.PausedHolderScenario;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Nested;

/**
 * DESIGN rule 10 / issue 9 item 2: the paused-holder interleavings on PostgreSQL, with each way of building
 * the store and with a lock the store knows and one it does not.
 */
class JdbiPausedHolderTest {
    private static final AtomicInteger HOSTS = new AtomicInteger();

    /** The store of {@link JdbcLedger} (fenced against the lease row too) with {@link JdbiSyncLock}. */
    @Nested
    class LedgerStoreWithJdbcLock extends PausedHolderScenario {
        private DataSource ds;

        @Override
        protected DocumentStore newDocumentStore(Clock clock) {
            ds = Backends.THROWAWAY.freshDataSource();
            return new JdbiDocumentStore(Jdbis.create(ds), SchemaMapping.defaults(), clock,
                    java.util.Optional.of(SyncConfig.LOCK_NAME));
        }

        @Override
        protected SyncLock newLock(Clock clock) {
            return new JdbiSyncLock(ds, "host-" + HOSTS.incrementAndGet());
        }

        @Override
        protected void forceExpiry(String name) {
            LockTestSupport.forceExpiry(ds, name);
        }
    }

    /** The {@code @Inject}-constructed store (high-water mark only) with {@link JdbiSyncLock}. */
    @Nested
    class InjectedStoreWithJdbcLock extends PausedHolderScenario {
        private DataSource ds;

        @Override
        protected DocumentStore newDocumentStore(Clock clock) {
            ds = Backends.THROWAWAY.freshDataSource();
            return new JdbiDocumentStore(ds, SchemaMapping.defaults(), clock);
        }

        @Override
        protected SyncLock newLock(Clock clock) {
            return new JdbiSyncLock(ds, "host-" + HOSTS.incrementAndGet());
        }

        @Override
        protected void forceExpiry(String name) {
            LockTestSupport.forceExpiry(ds, name);
        }
    }

    /** The {@code @Inject}-constructed store with a lock outside the database (as an Azure blob lease is). */
    @Nested
    class InjectedStoreWithALockOutsideTheDatabase extends PausedHolderScenario {
        private InMemorySyncLock first;

        @Override
        protected DocumentStore newDocumentStore(Clock clock) {
            return new JdbiDocumentStore(Backends.THROWAWAY.freshDataSource(), SchemaMapping.defaults(), clock);
        }

        @Override
        protected synchronized SyncLock newLock(Clock clock) {
            if (first == null) {
                first = new InMemorySyncLock(clock, "host-1");
                return first;
            }
            return first.newHolder("host-" + HOSTS.incrementAndGet());
        }

        @Override
        protected void forceExpiry(String name) {
            first.forceExpiry(name);
        }
    }
}
