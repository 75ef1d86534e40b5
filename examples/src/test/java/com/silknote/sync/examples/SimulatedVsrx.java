package com.silknote.sync.examples;

import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.examples.demo.SampleFiles;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.vsrx.http.VsrxHttpHandler;
import com.silknote.sync.vsrx.http.VsrxHttpServer;
import java.net.URI;
import java.time.Clock;
import java.util.SplittableRandom;

/** The testkit's VSRX simulator served over HTTP on loopback, for the examples' tests. */
public final class SimulatedVsrx implements AutoCloseable {
    public static final Secret TOKEN = Secret.of("test-token-0123456789abcdef");

    public final InMemoryVsrxSource vsrx = new InMemoryVsrxSource(Clock.systemUTC());
    private final VsrxHttpServer server;

    public SimulatedVsrx() {
        server = VsrxHttpServer.builder()
                .handler(VsrxHttpHandler.builder().source(vsrx).acceptedToken(TOKEN).build())
                .port(0).build().start();
    }

    /** Two linked filesets with three valid files and one the engine refuses. */
    public SimulatedVsrx withSampleData() {
        SplittableRandom random = new SplittableRandom(11);
        FilesetId a = vsrx.addFileset(PatientId.of("P-T-1"), PatientUuid.of("00000000-0000-4000-8000-000000000001"));
        FilesetId b = vsrx.addFileset(PatientId.of("P-T-2"), PatientUuid.of("00000000-0000-4000-8000-000000000002"));
        vsrx.addFile(a, "notes/scan.jpg", "image/jpeg", SampleFiles.jpeg(random, 20_000));
        vsrx.addFile(a, "notes/letter.pdf", "application/pdf", SampleFiles.pdf(random, "Letter", 8_000));
        vsrx.addFile(b, "notes/lab.txt", "text/plain", "Hb 14");
        vsrx.addFile(b, "notes/fake.png", "image/png", SampleFiles.executable(random, 2_000));
        return this;
    }

    public URI url() {
        return server.baseUri();
    }

    @Override
    public void close() {
        server.close();
    }
}
