package com.silknote.sync.testkit.contract;

import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.port.FilesetClaims;
import com.silknote.sync.testkit.InMemoryFilesetClaims;
import java.time.Clock;

class InMemoryFilesetClaimsContractTest extends FilesetClaimsContract {
    private InMemoryFilesetClaims backend;

    @Override
    protected synchronized FilesetClaims newClaims(Clock clock) {
        if (backend == null) {
            backend = new InMemoryFilesetClaims(clock);
        }
        return backend;
    }

    @Override
    protected void forceExpiry(RunId run, FilesetId fileset) {
        backend.forceExpiry(run, fileset);
    }
}
