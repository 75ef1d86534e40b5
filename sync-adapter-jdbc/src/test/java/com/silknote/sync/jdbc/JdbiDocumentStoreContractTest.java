package com.silknote.sync.jdbc;

import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.testkit.contract.DocumentStoreContract;
import java.time.Clock;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/** The DocumentStore contract on a throwaway PostgreSQL, on the embedded default and on an external server. */
class JdbiDocumentStoreContractTest extends DocumentStoreContract {

    static DocumentStore storeOn(Backends backend, Clock clock) {
        return JdbiDocumentStore.builder().dataSource(backend.freshDataSource()).clock(clock)
                .fencedByLock(SyncConfig.LOCK_NAME).build();
    }

    @Override
    protected DocumentStore newStore(Clock clock) {
        return storeOn(Backends.THROWAWAY, clock);
    }

    @Nested
    class OnEmbeddedDefault extends DocumentStoreContract {
        @Override
        protected DocumentStore newStore(Clock clock) {
            return storeOn(Backends.EMBEDDED_DEFAULT, clock);
        }
    }

    @Nested
    @EnabledIfEnvironmentVariable(named = PostgresFixture.EXTERNAL_URL_ENV, matches = ".+")
    class OnExternalServer extends DocumentStoreContract {
        @Override
        protected DocumentStore newStore(Clock clock) {
            return storeOn(Backends.EXTERNAL, clock);
        }
    }
}
