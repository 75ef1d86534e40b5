package com.silknote.sync.testkit.contract;

import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.testkit.InMemoryDocumentStore;
import java.time.Clock;

class InMemoryDocumentStoreMaintenanceContractTest extends DocumentStoreMaintenanceContract {
    @Override
    protected DocumentStore newStore(Clock clock) {
        return new InMemoryDocumentStore(clock);
    }
}
