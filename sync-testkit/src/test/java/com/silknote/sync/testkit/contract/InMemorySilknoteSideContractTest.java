package com.silknote.sync.testkit.contract;

import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.testkit.InMemoryDocumentStore;
import com.silknote.sync.testkit.SilknoteUser;
import java.time.Clock;

/** The Silknote side of the in-memory ledger (issue 14). */
class InMemorySilknoteSideContractTest extends SilknoteSideDocumentStoreContract {
    private InMemoryDocumentStore store;

    @Override
    protected DocumentStore newStore(Clock clock) {
        store = new InMemoryDocumentStore(clock);
        return store;
    }

    @Override
    protected SilknoteUser silknoteUser() {
        store();
        return store.silknoteUser();
    }
}
