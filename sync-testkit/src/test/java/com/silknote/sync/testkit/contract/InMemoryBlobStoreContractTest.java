package com.silknote.sync.testkit.contract;

import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.testkit.InMemoryBlobStore;
import java.time.Clock;
import java.util.Optional;

class InMemoryBlobStoreContractTest extends BlobStoreContract {
    private InMemoryBlobStore backend;

    @Override
    protected BlobStore newStore(Clock clock) {
        backend = new InMemoryBlobStore(clock);
        return backend;
    }

    @Override
    protected Optional<byte[]> rawBytes(ContentHash hash) {
        return backend.rawBytes(hash);
    }
}
