package com.silknote.sync.testkit.engine;

import com.silknote.sync.testkit.SilknoteSimulator;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.reliability.GcRaceSchedules;
import com.silknote.sync.testkit.reliability.SilknoteBackend;

/**
 * DESIGN §4 "GC vs. new reference" on the in-memory simulators: {@link GcRaceSchedules} with 2,000 histories
 * of {@value GcRaceSchedules#RUNS} runs each plus a final one (12,000 schedules; 20,000 histories heavy).
 */
class GcRaceSchedulesTest extends GcRaceSchedules {

    @Override
    protected SilknoteBackend newBackend(TestClock clock) {
        return SilknoteBackend.of(new SilknoteSimulator(clock));
    }

    @Override
    protected String backendName() {
        return "in-memory";
    }

    @Override
    protected int boundedHistories() {
        return 2000;
    }

    @Override
    protected int heavyHistories() {
        return 20000;
    }
}
