package com.silknote.sync.testkit.contract;

import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import java.time.Clock;
import java.util.UUID;

/** The in-memory VSRX as a {@link com.silknote.sync.core.port.VsrxTarget}: the port's contract (issue 14). */
class InMemoryVsrxTargetContractTest extends VsrxTargetContract {
    private InMemoryVsrxSource vsrx;

    @Override
    protected Vsrx newVsrx(Clock clock) {
        vsrx = new InMemoryVsrxSource(clock);
        return new Vsrx(vsrx, vsrx);
    }

    @Override
    protected FilesetId addFileset(String patientId) {
        return vsrx.addFileset(PatientId.of(patientId), new PatientUuid(UUID.randomUUID()));
    }

    @Override
    protected VsrxFileId addVsrxFile(FilesetId fileset, String path, String mimeType, byte[] content) {
        return vsrx.addFile(fileset, path, mimeType, content);
    }

    /** Its memory is its storage: a restart is the same instance. */
    @Override
    protected Vsrx restart() {
        return new Vsrx(vsrx, vsrx);
    }
}
