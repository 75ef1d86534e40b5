package com.silknote.sync.azure;

import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.silknote.sync.core.model.BlobKey;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.testkit.contract.BlobStoreContract;
import java.time.Clock;
import java.util.Optional;

/** The blob store contract on Azurite, one fresh container per test. */
class AzureBlobStoreContractTest extends BlobStoreContract {

    private BlobContainerClient container;

    @Override
    protected BlobStore newStore(Clock clock) {
        container = Azurite.shared().newContainer();
        return AzureBlobStore.builder().container(container).clock(clock).build();
    }

    @Override
    protected Optional<byte[]> rawBytes(ContentHash hash) {
        BlobClient blob = container.getBlobClient(BlobKey.of(hash).value());
        return blob.exists() ? Optional.of(blob.downloadContent().toBytes()) : Optional.empty();
    }
}
