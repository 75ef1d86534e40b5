package com.silknote.sync.testkit.history;

import com.silknote.sync.testkit.TestClock;

/**
 * Issue 9 "done when": the seeded randomized history test on the in-memory stores, 200 seeds in the normal
 * test command. More: {@code -Dvsrx.history.seeds=N}; one: {@code -Dvsrx.history.seed=S}.
 */
class RandomHistoryTest extends RandomHistoryScenario {
    @Override
    protected SilknoteStores newStores(TestClock clock) {
        return new InMemorySilknoteStores(clock);
    }
}
