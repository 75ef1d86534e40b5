package com.silknote.sync.examples.reliability;

import com.silknote.sync.azure.Azurite;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.reliability.GcRaceSchedules;
import com.silknote.sync.testkit.reliability.SilknoteBackend;

/**
 * Issue 13 item 4 / DESIGN §4 on PostgreSQL and Azurite: {@link GcRaceSchedules} with 4 histories (24
 * schedules) in the test command, 40 (240) with {@code -Dvsrx.reliability=heavy}; the 10,000-schedule form runs
 * in memory ({@code GcRaceSchedulesTest} in the testkit).
 */
class RealStoresGcRaceSchedulesTest extends GcRaceSchedules {

    @Override
    protected SilknoteBackend newBackend(TestClock clock) {
        return RealStores.postgresWithAzurite(clock);
    }

    @Override
    protected String backendName() {
        return "postgres+azurite";
    }

    @Override
    protected int boundedHistories() {
        return 4;
    }

    @Override
    protected int heavyHistories() {
        return 40;
    }
}
