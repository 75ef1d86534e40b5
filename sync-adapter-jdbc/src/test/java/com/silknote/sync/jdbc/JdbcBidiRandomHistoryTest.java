package com.silknote.sync.jdbc;

import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.history.BidiHistoryScenario;
import com.silknote.sync.testkit.history.SilknoteStores;

/**
 * Issue 14's bi-directional randomized histories on PostgreSQL: the testkit's suite played on the ledger this
 * adapter builds, with Silknote users writing the document table in SQL (so its change-sequence triggers record
 * them) and blobs in memory, set up as {@link JdbcRandomHistoryTest} sets it up. 10 seeds in the test command;
 * {@code -Dvsrx.history.seeds=N} and {@code -Dvsrx.history.seed=S} as for the in-memory run (docs/history-test.md).
 */
class JdbcBidiRandomHistoryTest extends BidiHistoryScenario {

    @Override
    protected int defaultSeeds() {
        return 10;
    }

    @Override
    protected SilknoteStores newStores(TestClock clock) {
        return new JdbcRandomHistoryTest().newStores(clock);
    }
}
