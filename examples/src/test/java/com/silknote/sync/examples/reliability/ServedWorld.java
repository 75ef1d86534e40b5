package com.silknote.sync.examples.reliability;

import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.fault.FaultPlan;
import com.silknote.sync.testkit.fault.FaultyBlobStore;
import com.silknote.sync.testkit.fault.FaultyDocumentProcessor;
import com.silknote.sync.testkit.fault.FaultyDocumentStore;
import com.silknote.sync.testkit.fault.FaultySyncLock;
import com.silknote.sync.testkit.fault.FaultyVectorStore;
import com.silknote.sync.testkit.reliability.SilknoteBackend;
import com.silknote.sync.testkit.reliability.SyncScenario;
import com.silknote.sync.testkit.reliability.WriteLog;
import com.silknote.sync.vsrx.http.HttpVsrxSource;
import com.silknote.sync.vsrx.http.VsrxHttpHandler;
import com.silknote.sync.vsrx.http.VsrxHttpServer;
import java.net.URI;
import java.time.Duration;

/**
 * The {@link SyncScenario}'s VSRX served over HTTP ({@link VsrxHttpServer}, read by {@link HttpVsrxSource}) and a
 * Silknote backend, on the scenario's clock: the world of the tests that run syncs in other processes.
 */
final class ServedWorld implements AutoCloseable {
    static final Secret TOKEN = Secret.of("reliability-token-0123456789abcdef");

    final TestClock clock = TestClock.at(SyncScenario.START);
    final SyncScenario scenario = new SyncScenario(clock);
    final SilknoteBackend backend;
    final VsrxHttpServer server;
    final HttpVsrxSource client;
    private int hosts;

    ServedWorld(java.util.function.Function<TestClock, SilknoteBackend> backend) {
        this.backend = backend.apply(clock);
        this.server = VsrxHttpServer.builder().handler(VsrxHttpHandler.builder().source(scenario.vsrx())
                .fileLookup(scenario.vsrx()::findFile).acceptedToken(TOKEN).clock(clock).build()).threads(4)
                .build().start();
        this.client = HttpVsrxSource.builder().baseUri(server.baseUri()).token(TOKEN).clock(clock)
                .requestTimeout(Duration.ofSeconds(30)).build();
    }

    URI baseUri() {
        return server.baseUri();
    }

    /** One run by a new host through {@code plan}'s decorators. */
    SyncResult run(FaultPlan plan) {
        int host = ++hosts;
        SyncLock lock = new FaultySyncLock(backend.newLock("parent-" + host), plan);
        return scenario.engine(client, new FaultyDocumentStore(backend.documents(), plan),
                new FaultyBlobStore(backend.blobs(), plan), new FaultyVectorStore(backend.vectors(), plan),
                new FaultyDocumentProcessor(backend.processor(), plan), lock, SyncScenario.config(), host)
                .run(SyncRequest.full());
    }

    /** One run by a new host whose writes go to {@code log}. */
    SyncResult run(WriteLog log) {
        int host = ++hosts;
        return scenario.engine(client, log.documents(backend.documents()), log.blobs(backend.blobs()),
                log.vectors(backend.vectors()), log.processor(backend.processor()),
                backend.newLock("parent-" + host), SyncScenario.config(), host).run(SyncRequest.full());
    }

    @Override
    public void close() {
        server.stop();
    }
}
