package com.silknote.sync.jdbc;

import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.testkit.contract.SyncLockContract;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The SyncLock contract. The lock judges expiry by the database's clock and ignores the test clock;
 * {@code forceExpiry} moves {@code expires_at} into the database's past.
 */
class JdbiSyncLockContractTest extends SyncLockContract {
    private static final AtomicInteger HOSTS = new AtomicInteger();

    @BeforeEach
    void empty() {
        Backends.THROWAWAY.freshDataSource();
    }

    static SyncLock lock(Backends backend) {
        return backend.ledger().syncLock("host-" + HOSTS.incrementAndGet());
    }

    @Override
    protected SyncLock newLock(Clock clock) {
        return lock(Backends.THROWAWAY);
    }

    @Override
    protected void forceExpiry(String name) {
        LockTestSupport.forceExpiry(Backends.THROWAWAY.ledger().dataSource(), name);
    }

    @Nested
    class OnEmbeddedDefault extends SyncLockContract {
        @BeforeEach
        void empty() {
            Backends.EMBEDDED_DEFAULT.freshDataSource();
        }

        @Override
        protected SyncLock newLock(Clock clock) {
            return lock(Backends.EMBEDDED_DEFAULT);
        }

        @Override
        protected void forceExpiry(String name) {
            LockTestSupport.forceExpiry(Backends.EMBEDDED_DEFAULT.ledger().dataSource(), name);
        }
    }

    @Nested
    @EnabledIfEnvironmentVariable(named = PostgresFixture.EXTERNAL_URL_ENV, matches = ".+")
    class OnExternalServer extends SyncLockContract {
        @BeforeEach
        void empty() {
            Backends.EXTERNAL.freshDataSource();
        }

        @Override
        protected SyncLock newLock(Clock clock) {
            return lock(Backends.EXTERNAL);
        }

        @Override
        protected void forceExpiry(String name) {
            LockTestSupport.forceExpiry(Backends.EXTERNAL.ledger().dataSource(), name);
        }
    }
}
