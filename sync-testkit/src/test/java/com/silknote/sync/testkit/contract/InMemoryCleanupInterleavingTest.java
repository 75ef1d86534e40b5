package com.silknote.sync.testkit.contract;

import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.testkit.InMemoryBlobStore;
import com.silknote.sync.testkit.InMemoryDocumentStore;
import com.silknote.sync.testkit.InMemorySyncLock;
import java.time.Clock;

/** The cleanup/sync interleavings on the in-memory stores and lock. */
class InMemoryCleanupInterleavingTest extends CleanupInterleavingScenario {
    private InMemorySyncLock lock;
    private int hosts;

    @Override
    protected DocumentStore newDocumentStore(Clock clock) {
        lock = new InMemorySyncLock(clock, "host-0");
        return new InMemoryDocumentStore(clock);
    }

    @Override
    protected BlobStore newBlobStore(Clock clock) {
        return new InMemoryBlobStore(clock);
    }

    @Override
    protected SyncLock newLock(Clock clock) {
        return lock.newHolder("host-" + (++hosts));
    }

    @Override
    protected void forceExpiry(String name) {
        lock.forceExpiry(name);
    }
}
