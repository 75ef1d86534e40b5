package com.silknote.sync.testkit.engine;

import com.silknote.sync.testkit.SilknoteSimulator;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.reliability.CrashPointSweep;
import com.silknote.sync.testkit.reliability.SilknoteBackend;

/**
 * DESIGN §4 crash safety on the in-memory simulators: {@link CrashPointSweep} with both runs swept in the
 * bounded form (the same sweep runs on PostgreSQL with Azurite and with the file-system blob store in
 * {@code examples}).
 */
class CrashPointSweepTest extends CrashPointSweep {

    @Override
    protected SilknoteBackend newBackend(TestClock clock) {
        return SilknoteBackend.of(new SilknoteSimulator(clock));
    }

    @Override
    protected String backendName() {
        return "in-memory";
    }

    @Override
    protected boolean sweepFirstRunWhenBounded() {
        return true;
    }
}
