package com.silknote.sync.testkit.contract;

import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.testkit.InMemoryDocumentStore;
import com.silknote.sync.testkit.InMemorySyncLock;
import java.time.Clock;

/** The paused-holder interleavings on the in-memory ledger with {@link InMemorySyncLock}. */
class InMemoryPausedHolderTest extends PausedHolderScenario {
    private InMemorySyncLock first;
    private int hosts;

    @Override
    protected DocumentStore newDocumentStore(Clock clock) {
        return new InMemoryDocumentStore(clock);
    }

    @Override
    protected synchronized SyncLock newLock(Clock clock) {
        hosts++;
        if (first == null) {
            first = new InMemorySyncLock(clock, "host-1");
            return first;
        }
        return first.newHolder("host-" + hosts);
    }

    @Override
    protected void forceExpiry(String name) {
        first.forceExpiry(name);
    }
}
