package com.silknote.sync.testkit.history;

import com.silknote.sync.testkit.TestClock;

/**
 * Issue 14's bi-directional randomized histories on the in-memory stores: 200 seeds in the test command,
 * {@code -Dvsrx.history.seeds=N} for more, {@code -Dvsrx.history.seed=S} to replay one (docs/history-test.md).
 */
class BidiRandomHistoryTest extends BidiHistoryScenario {
    @Override
    protected SilknoteStores newStores(TestClock clock) {
        return new InMemorySilknoteStores(clock);
    }
}
