package com.silknote.sync.testkit.history;

import com.silknote.sync.testkit.TestClock;

/**
 * Issue 9 "done when": the seeded randomized history test on the in-memory stores, 1,000 seeds in the normal
 * test command (the 200 of the scenario's default missed defects seeds beyond it found). More:
 * {@code -Dvsrx.history.seeds=N}; one: {@code -Dvsrx.history.seed=S}.
 */
class RandomHistoryTest extends RandomHistoryScenario {
    @Override
    protected int defaultSeeds() {
        return 1000;
    }

    @Override
    protected SilknoteStores newStores(TestClock clock) {
        return new InMemorySilknoteStores(clock);
    }
}
