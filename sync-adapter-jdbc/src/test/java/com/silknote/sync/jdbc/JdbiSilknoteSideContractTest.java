package com.silknote.sync.jdbc;

import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.testkit.SilknoteUser;
import com.silknote.sync.testkit.SqlSilknoteUser;
import com.silknote.sync.testkit.contract.SilknoteSideDocumentStoreContract;
import java.time.Clock;
import javax.sql.DataSource;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The Silknote side of the ledger on PostgreSQL (issue 14): Silknote's writes go straight to the document table
 * in transactions of their own, so the change sequence is the one the migration's triggers keep.
 */
class JdbiSilknoteSideContractTest extends SilknoteSideDocumentStoreContract {
    private DataSource dataSource;

    DocumentStore storeOn(Backends backend, Clock clock) {
        dataSource = backend.freshDataSource();
        return JdbiDocumentStore.builder().dataSource(dataSource).clock(clock).fencedByLock(SyncConfig.LOCK_NAME)
                .build();
    }

    @Override
    protected DocumentStore newStore(Clock clock) {
        return storeOn(Backends.THROWAWAY, clock);
    }

    @Override
    protected SilknoteUser silknoteUser() {
        store();
        return new SqlSilknoteUser(dataSource, "vsrx_sync_document", clock);
    }

    @Override
    protected SyncLock newLock(Clock clock) {
        store();
        return JdbiSyncLock.builder().dataSource(dataSource).holderId("ops-host").build();
    }

    @Nested
    class OnEmbeddedDefault extends SilknoteSideDocumentStoreContract {
        private DataSource ds;

        @Override
        protected DocumentStore newStore(Clock clock) {
            ds = Backends.EMBEDDED_DEFAULT.freshDataSource();
            return JdbiDocumentStore.builder().dataSource(ds).clock(clock).fencedByLock(SyncConfig.LOCK_NAME).build();
        }

        @Override
        protected SilknoteUser silknoteUser() {
            store();
            return new SqlSilknoteUser(ds, "vsrx_sync_document", clock);
        }

        @Override
        protected SyncLock newLock(Clock clock) {
            store();
            return JdbiSyncLock.builder().dataSource(ds).holderId("ops-host").build();
        }
    }

    @Nested
    @EnabledIfEnvironmentVariable(named = PostgresFixture.EXTERNAL_URL_ENV, matches = ".+")
    class OnExternalServer extends SilknoteSideDocumentStoreContract {
        private DataSource ds;

        @Override
        protected DocumentStore newStore(Clock clock) {
            ds = Backends.EXTERNAL.freshDataSource();
            return JdbiDocumentStore.builder().dataSource(ds).clock(clock).fencedByLock(SyncConfig.LOCK_NAME).build();
        }

        @Override
        protected SilknoteUser silknoteUser() {
            store();
            return new SqlSilknoteUser(ds, "vsrx_sync_document", clock);
        }

        @Override
        protected SyncLock newLock(Clock clock) {
            store();
            return JdbiSyncLock.builder().dataSource(ds).holderId("ops-host").build();
        }
    }
}
