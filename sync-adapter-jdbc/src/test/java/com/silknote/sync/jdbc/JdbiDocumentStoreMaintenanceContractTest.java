package com.silknote.sync.jdbc;

import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.testkit.contract.DocumentStoreMaintenanceContract;
import java.time.Clock;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/** The maintenance contract (issue 11) on a throwaway PostgreSQL, on the embedded default and on an external server. */
class JdbiDocumentStoreMaintenanceContractTest extends DocumentStoreMaintenanceContract {

    @Override
    protected DocumentStore newStore(Clock clock) {
        return JdbiDocumentStoreContractTest.storeOn(Backends.THROWAWAY, clock);
    }

    @Nested
    class OnEmbeddedDefault extends DocumentStoreMaintenanceContract {
        @Override
        protected DocumentStore newStore(Clock clock) {
            return JdbiDocumentStoreContractTest.storeOn(Backends.EMBEDDED_DEFAULT, clock);
        }
    }

    @Nested
    @EnabledIfEnvironmentVariable(named = PostgresFixture.EXTERNAL_URL_ENV, matches = ".+")
    class OnExternalServer extends DocumentStoreMaintenanceContract {
        @Override
        protected DocumentStore newStore(Clock clock) {
            return JdbiDocumentStoreContractTest.storeOn(Backends.EXTERNAL, clock);
        }
    }
}
