package com.silknote.sync.testkit.contract;

import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.testkit.InMemoryVectorStore;
import java.time.Clock;

class InMemoryVectorStoreContractTest extends VectorStoreContract {
    @Override
    protected VectorStore newStore(Clock clock) {
        return new InMemoryVectorStore();
    }
}
