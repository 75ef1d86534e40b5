package com.silknote.sync.azure;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.options.BlobBreakLeaseOptions;
import com.azure.storage.blob.specialized.BlobLeaseClientBuilder;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.testkit.contract.SyncLockContract;
import java.time.Clock;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;

/**
 * The lock contract on Azurite, one fresh container per test. Lease expiry is the service's: the
 * {@code forceExpiry} hook breaks the lease at once.
 */
class AzureBlobLeaseLockContractTest extends SyncLockContract {

    private BlobContainerClient container;
    private long seed = 11;

    @BeforeEach
    void freshContainer() {
        container = Azurite.shared().newContainer();
    }

    @Override
    protected SyncLock newLock(Clock clock) {
        long s = seed++;
        return AzureBlobLeaseLock.builder().container(container)
                .config(AzureBlobLeaseLockConfig.defaults("contract-host-" + s))
                .clock(clock).random(new SplittableRandom(s)).build();
    }

    @Override
    protected void forceExpiry(String name) {
        new BlobLeaseClientBuilder().blobClient(container.getBlobClient("locks/" + name)).buildClient()
                .breakLeaseWithResponse(new BlobBreakLeaseOptions().setBreakPeriod(Duration.ZERO), null, null);
    }
}
