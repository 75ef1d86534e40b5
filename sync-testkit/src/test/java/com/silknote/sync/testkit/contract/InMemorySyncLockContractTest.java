package com.silknote.sync.testkit.contract;

import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.testkit.InMemorySyncLock;
import java.time.Clock;

class InMemorySyncLockContractTest extends SyncLockContract {
    private InMemorySyncLock first;
    private int hosts;

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
