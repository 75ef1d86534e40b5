package com.silknote.sync.jdbc;

import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.FilesetClaims;
import com.silknote.sync.testkit.contract.FilesetClaimsContract;
import java.time.Clock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The FilesetClaims contract with the document store of the same database; claims expire by database time,
 * so {@code forceExpiry} moves it back.
 */
class JdbiFilesetClaimsContractTest extends FilesetClaimsContract {

    @BeforeEach
    void empty() {
        Backends.THROWAWAY.freshDataSource();
    }

    static void expire(Backends backend, RunId run, FilesetId fileset) {
        Backends.update(backend.ledger().dataSource(), "UPDATE vsrx_sync_claim SET claimed_until = now() - interval"
                + " '1 second' WHERE run_id = ? AND fileset_id = ? AND claimed_until IS NOT NULL", run.value(),
                fileset.value());
    }

    static DocumentStore documentsOn(Backends backend) {
        return JdbiDocumentStore.builder().dataSource(backend.ledger().dataSource()).fencedByLock(SyncConfig.LOCK_NAME)
                .build();
    }

    @Override
    protected FilesetClaims newClaims(Clock clock) {
        return JdbiFilesetClaims.builder().dataSource(Backends.THROWAWAY.ledger().dataSource()).build();
    }

    @Override
    protected DocumentStore documents() {
        return documentsOn(Backends.THROWAWAY);
    }

    @Override
    protected void forceExpiry(RunId run, FilesetId fileset) {
        expire(Backends.THROWAWAY, run, fileset);
    }

    @Nested
    class OnEmbeddedDefault extends FilesetClaimsContract {
        @BeforeEach
        void empty() {
            Backends.EMBEDDED_DEFAULT.freshDataSource();
        }

        @Override
        protected FilesetClaims newClaims(Clock clock) {
            return Backends.EMBEDDED_DEFAULT.ledger().filesetClaims();
        }

        @Override
        protected DocumentStore documents() {
            return Backends.EMBEDDED_DEFAULT.ledger().documentStore();
        }

        @Override
        protected void forceExpiry(RunId run, FilesetId fileset) {
            expire(Backends.EMBEDDED_DEFAULT, run, fileset);
        }
    }

    @Nested
    @EnabledIfEnvironmentVariable(named = PostgresFixture.EXTERNAL_URL_ENV, matches = ".+")
    class OnExternalServer extends FilesetClaimsContract {
        @BeforeEach
        void empty() {
            Backends.EXTERNAL.freshDataSource();
        }

        @Override
        protected FilesetClaims newClaims(Clock clock) {
            return Backends.EXTERNAL.ledger().filesetClaims();
        }

        @Override
        protected DocumentStore documents() {
            return Backends.EXTERNAL.ledger().documentStore();
        }

        @Override
        protected void forceExpiry(RunId run, FilesetId fileset) {
            expire(Backends.EXTERNAL, run, fileset);
        }
    }
}
