package com.silknote.sync.vsrx.http;

import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.testkit.contract.VsrxSourceContract;
import org.junit.jupiter.api.AfterEach;

/** The client, over loopback, against the server handler serving the in-memory VSRX: the port's contract. */
class HttpVsrxSourceContractTest extends VsrxSourceContract {
    private static final Secret TOKEN = Secret.of("contract-token-0123456789");
    private VsrxHttpServer server;

    @Override
    protected VsrxSource newSource(InMemoryVsrxSource backing) {
        server = VsrxHttpServer.builder()
                .handler(VsrxHttpHandler.builder().source(backing).fileLookup(backing::findFile)
                        .acceptedToken(TOKEN).clock(clock).build())
                .threads(2)
                .build()
                .start();
        return HttpVsrxSource.builder().baseUri(server.baseUri()).token(TOKEN).clock(clock).build();
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop();
        }
    }
}
