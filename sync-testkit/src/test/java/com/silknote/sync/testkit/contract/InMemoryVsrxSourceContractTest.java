package com.silknote.sync.testkit.contract;

import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.testkit.InMemoryVsrxSource;

class InMemoryVsrxSourceContractTest extends VsrxSourceContract {
    @Override
    protected VsrxSource newSource(InMemoryVsrxSource backing) {
        return backing;
    }
}
