package com.silknote.sync.testkit.contract;

import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.FilesetClaims;
import com.silknote.sync.testkit.InMemoryDocumentStore;
import java.time.Clock;

class InMemoryFilesetClaimsContractTest extends FilesetClaimsContract {
    private InMemoryDocumentStore store;

    @Override
    protected synchronized FilesetClaims newClaims(Clock clock) {
        return documents().filesetClaims();
    }

    @Override
    protected synchronized InMemoryDocumentStore documents() {
        if (store == null) {
            store = new InMemoryDocumentStore(clock);
        }
        return store;
    }

    @Override
    protected void forceExpiry(RunId run, FilesetId fileset) {
        documents().filesetClaims().forceExpiry(run, fileset);
    }
}
