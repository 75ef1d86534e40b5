package com.silknote.sync.testkit.contract;

import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.testkit.InMemoryDocumentStore;
import java.time.Clock;

class InMemoryDocumentStoreContractTest extends DocumentStoreContract {
    @Override
    protected DocumentStore newStore(Clock clock) {
        return new InMemoryDocumentStore(clock);
    }
}
