package com.silknote.sync.examples.reliability;

import com.silknote.sync.azure.Azurite;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.reliability.CrashPointSweep;
import com.silknote.sync.testkit.reliability.SilknoteBackend;
import org.junit.jupiter.api.Nested;

/**
 * Issue 13 item 1 / DESIGN §4: the crash-point sweep of {@link CrashPointSweep} on the stores patients' data
 * really lives in: the JDBC ledger, lock and vector store on PostgreSQL, with Azure Blob Storage (Azurite)
 * and with the file-system blob store.
 */
class RealStoresCrashPointSweepTest {

    @Nested
    class PostgresAndAzurite extends CrashPointSweep {
        @Override
        protected SilknoteBackend newBackend(TestClock clock) {
            return RealStores.postgresWithAzurite(clock);
        }

        @Override
        protected String backendName() {
            return "postgres+azurite";
        }
    }

    @Nested
    class PostgresAndFileSystem extends CrashPointSweep {
        @Override
        protected SilknoteBackend newBackend(TestClock clock) {
            return RealStores.postgresWithFileSystem(clock);
        }

        @Override
        protected String backendName() {
            return "postgres+file-system";
        }
    }
}
