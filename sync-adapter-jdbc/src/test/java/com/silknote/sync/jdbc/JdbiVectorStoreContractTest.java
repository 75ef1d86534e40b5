package com.silknote.sync.jdbc;

import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.testkit.contract.VectorStoreContract;
import java.time.Clock;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/** The VectorStore contract on each PostgreSQL setup. */
class JdbiVectorStoreContractTest extends VectorStoreContract {

    @Override
    protected VectorStore newStore(Clock clock) {
        return JdbiVectorStore.builder().dataSource(Backends.THROWAWAY.freshDataSource()).build();
    }

    @Nested
    class OnEmbeddedDefault extends VectorStoreContract {
        @Override
        protected VectorStore newStore(Clock clock) {
            Backends.EMBEDDED_DEFAULT.freshDataSource();
            return Backends.EMBEDDED_DEFAULT.ledger().vectorStore();
        }
    }

    @Nested
    @EnabledIfEnvironmentVariable(named = PostgresFixture.EXTERNAL_URL_ENV, matches = ".+")
    class OnExternalServer extends VectorStoreContract {
        @Override
        protected VectorStore newStore(Clock clock) {
            Backends.EXTERNAL.freshDataSource();
            return Backends.EXTERNAL.ledger().vectorStore();
        }
    }
}
