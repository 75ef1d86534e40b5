package com.silknote.sync.vsrx.http;

import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.testkit.contract.VsrxTargetContract;
import java.time.Clock;
import java.util.UUID;

/**
 * The client's writes, over loopback, against the server handler writing into the in-memory VSRX: the write
 * port's contract (issue 14). A restart is a new server and a new client over the same data.
 */
class HttpVsrxTargetContractTest extends VsrxTargetContract {
    private static final Secret TOKEN = Secret.of("contract-token-0123456789");
    private InMemoryVsrxSource backing;
    private VsrxHttpServer server;

    @Override
    protected Vsrx newVsrx(Clock clock) {
        backing = new InMemoryVsrxSource(clock);
        return serve();
    }

    private Vsrx serve() {
        if (server != null) {
            server.stop();
        }
        server = VsrxHttpServer.builder()
                .handler(VsrxHttpHandler.builder().source(backing).target(backing).fileLookup(backing::findFile)
                        .acceptedToken(TOKEN).clock(clock).build())
                .threads(8)
                .build()
                .start();
        HttpVsrxSource client = HttpVsrxSource.builder().baseUri(server.baseUri()).token(TOKEN).clock(clock).build();
        return new Vsrx(client, client.target());
    }

    @Override
    protected FilesetId addFileset(String patientId) {
        return backing.addFileset(PatientId.of(patientId), new PatientUuid(UUID.randomUUID()));
    }

    @Override
    protected VsrxFileId addVsrxFile(FilesetId fileset, String path, String mimeType, byte[] content) {
        return backing.addFile(fileset, path, mimeType, content);
    }

    @Override
    protected Vsrx restart() {
        return serve();
    }

    @Override
    protected void close() {
        if (server != null) {
            server.stop();
        }
    }
}
