package com.silknote.sync.azure;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.options.BlobBreakLeaseOptions;
import com.azure.storage.blob.specialized.BlobLeaseClientBuilder;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.testkit.InMemoryDocumentStore;
import com.silknote.sync.testkit.contract.PausedHolderScenario;
import java.time.Clock;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * DESIGN rule 10 / issue 9 item 2: the paused-holder interleavings with {@link AzureBlobLeaseLock} on
 * Azurite. The ledger knows nothing of the lock (no lock row): fencing rests on the store's high-water mark
 * raised by every run's {@code fence}, and on the units of work's expectations.
 */
class AzureLeaseLockPausedHolderTest extends PausedHolderScenario {
    private BlobContainerClient container;
    private long seed = 101;

    @Override
    protected DocumentStore newDocumentStore(Clock clock) {
        container = Azurite.shared().newContainer();
        return new InMemoryDocumentStore(clock);
    }

    @Override
    protected SyncLock newLock(Clock clock) {
        long s = seed++;
        return AzureBlobLeaseLock.builder().container(container)
                .config(AzureBlobLeaseLockConfig.defaults("paused-host-" + s))
                .clock(clock).random(new SplittableRandom(s)).build();
    }

    @Override
    protected void forceExpiry(String name) {
        new BlobLeaseClientBuilder().blobClient(container.getBlobClient("locks/" + name)).buildClient()
                .breakLeaseWithResponse(new BlobBreakLeaseOptions().setBreakPeriod(Duration.ZERO), null, null);
    }
}
