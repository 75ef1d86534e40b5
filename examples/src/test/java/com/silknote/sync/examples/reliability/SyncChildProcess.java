package com.silknote.sync.examples.reliability;

import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.fs.FileSystemBlobStore;
import com.silknote.sync.jdbc.JdbcLedger;
import com.silknote.sync.jdbc.JdbiDocumentStore;
import com.silknote.sync.jdbc.JdbiSyncLock;
import com.silknote.sync.jdbc.JdbiVectorStore;
import com.silknote.sync.jdbc.SchemaMapping;
import com.silknote.sync.testkit.InMemoryDocumentProcessor;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.fault.FaultPlan;
import com.silknote.sync.testkit.fault.FaultyBlobStore;
import com.silknote.sync.testkit.fault.FaultyDocumentProcessor;
import com.silknote.sync.testkit.fault.FaultyDocumentStore;
import com.silknote.sync.testkit.fault.FaultyVectorStore;
import com.silknote.sync.testkit.reliability.SyncScenario;
import com.silknote.sync.vsrx.http.HttpVsrxSource;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A sync in a process of its own, for the reliability tests that kill or pause it: the scenario's engine
 * configuration against a VSRX served over HTTP, the JDBC ledger, lease lock and vector store on a PostgreSQL
 * server, and the file-system blob store, all on a frozen clock at {@link SyncScenario#START}.
 *
 * <p>Arguments: {@code <jdbc url> <blob folder> <vsrx base uri> <vsrx token> <holder id> <seed> [pause]}.
 * Prints {@code effect N} before every effect (writes to the ledger, blobs, vectors, processing) and
 * {@code done STATUS} at the end. With {@code pause}, it prints {@code paused} before its first fileset commit
 * and waits for a line on standard input before going on.
 */
public final class SyncChildProcess {
    private SyncChildProcess() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        String jdbcUrl = args[0];
        Path blobRoot = Path.of(args[1]);
        URI vsrx = URI.create(args[2]);
        Secret token = Secret.of(args[3]);
        String holder = args[4];
        long seed = Long.parseLong(args[5]);
        boolean pause = args.length > 6 && args[6].equals("pause");
        TestClock clock = TestClock.at(SyncScenario.START);
        try (JdbcLedger ledger = JdbcLedger.builder().jdbcUrl(jdbcUrl, "postgres", Secret.of("")).migrate(false)
                .maxPoolSize(4).build()) {
            FaultPlan plan = FaultPlan.none().onEffect(e -> out.println("effect " + e.number() + " " + e.operation()));
            BlobStore blobs = new FileSystemBlobStore(blobRoot, clock);
            VectorStore vectors = new JdbiVectorStore(ledger.dataSource());
            JdbiDocumentStore store = new JdbiDocumentStore(ledger.dataSource(), SchemaMapping.defaults(), clock);
            SyncLock lock = new JdbiSyncLock(ledger.dataSource(), holder);
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            com.silknote.sync.core.port.DocumentStore documents = new FaultyDocumentStore(store, plan);
            if (pause) {
                documents = new PausingDocumentStore(documents, () -> {
                    out.println("paused");
                    try {
                        in.readLine();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
            }
            HttpVsrxSource source = HttpVsrxSource.builder().baseUri(vsrx).token(token).clock(clock)
                    .requestTimeout(Duration.ofSeconds(30)).build();
            VsrxSync sync = VsrxSync.builder().source(source).documents(documents)
                    .blobs(new FaultyBlobStore(blobs, plan)).vectors(new FaultyVectorStore(vectors, plan))
                    .processor(new FaultyDocumentProcessor(new InMemoryDocumentProcessor(blobs, vectors), plan))
                    .lock(lock).config(SyncScenario.config()).clock(clock).sleeper(clock)
                    .random(new java.util.SplittableRandom(seed)).build();
            SyncResult result = sync.run(SyncRequest.full());
            out.println("done " + result.status() + " " + result.error().orElse(""));
        }
    }
}
