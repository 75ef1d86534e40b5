package com.silknote.sync.testkit.contract;

import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.testkit.InMemoryBlobStore;
import com.silknote.sync.testkit.InMemoryDocumentStore;
import com.silknote.sync.testkit.InMemorySyncLock;
import java.time.Clock;
import java.util.Optional;

/** Check and repair on the in-memory stores, damaged through their test accessors. */
class InMemoryConsistencyTest extends ConsistencyScenario {
    private InMemoryDocumentStore store;
    private InMemoryBlobStore blobStore;
    private InMemorySyncLock lock;
    private int hosts;

    @Override
    protected DocumentStore newDocumentStore(Clock clock) {
        store = new InMemoryDocumentStore(clock);
        lock = new InMemorySyncLock(clock, "host-0");
        return store;
    }

    @Override
    protected BlobStore newBlobStore(Clock clock) {
        blobStore = new InMemoryBlobStore(clock);
        return blobStore;
    }

    @Override
    protected SyncLock newLock(Clock clock) {
        return lock.newHolder("host-" + (++hosts));
    }

    @Override
    protected void setRefCountBehindTheSync(ContentHash hash, long count) {
        BlobRef r = store.findBlobRef(hash).orElseThrow();
        store.replaceBlobRefBehindTheSync(hash, Optional.of(new BlobRef(hash, count, r.size(), r.state(), r.blobEtag(),
                r.updatedAt())));
    }

    @Override
    protected void removeMappingBehindTheSync(VsrxFileId fileId) {
        store.removeMappingBehindTheSync(fileId);
    }

    @Override
    protected void removeDocumentBehindTheSync(DocumentUuid document) {
        store.removeDocumentAsSilknoteUser(document);
    }

    @Override
    protected void corruptBlob(ContentHash hash, byte[] bytes) {
        blobStore.corrupt(hash, bytes);
    }
}
