package com.silknote.sync.examples.reliability;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.silknote.sync.azure.AzureBlobLeaseLock;
import com.silknote.sync.azure.AzureBlobLeaseLockConfig;
import com.silknote.sync.azure.AzureBlobStore;
import com.silknote.sync.azure.AzureBlobStoreConfig;
import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.LockStatus;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentStore;
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
import com.silknote.sync.testkit.reliability.WriteLog;
import com.silknote.sync.vsrx.http.HttpVsrxSource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A sync in a process of its own, for the reliability tests that kill or pause it: the scenario's engine
 * configuration against VSRX over HTTP, the JDBC ledger and vector store on a PostgreSQL server, a file-system
 * or Azure blob store, a JDBC or Azure blob-lease lock, all on a frozen clock at {@link SyncScenario#START}.
 *
 * <p>Arguments, {@code key=value}: {@code jdbc} (URL; user postgres, no password), {@code vsrx} (base URI),
 * {@code token}, {@code holder}, {@code seed}; {@code blobs=fs:<folder>} or {@code blobs=azure} with
 * {@code connection} and {@code container}; {@code lock=jdbc} (default) or {@code lock=azure} (on the blob
 * container); {@code pause=k} waits for a line on standard input before its k-th unit of work.
 *
 * <p>Prints {@code effect N OPERATION} before every effect, {@code lease T} when it takes the lock,
 * {@code paused} when it waits, and at the end {@code writes N} (writes sent to Silknote, refused ones
 * included) and {@code done STATUS error}.
 */
public final class SyncChildProcess {
    private SyncChildProcess() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Map<String, String> a = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        TestClock clock = TestClock.at(SyncScenario.START);
        long seed = Long.parseLong(a.get("seed"));
        int pauseAt = Integer.parseInt(a.getOrDefault("pause", "0"));
        try (JdbcLedger ledger = JdbcLedger.builder().jdbcUrl(a.get("jdbc"), "postgres", Secret.of(""))
                .migrate(false).maxPoolSize(4).build()) {
            FaultPlan plan = FaultPlan.none().onEffect(e -> out.println("effect " + e.number() + " " + e.operation()));
            WriteLog log = new WriteLog();
            BlobContainerClient container = null;
            BlobStore blobs;
            String blobSpec = a.get("blobs");
            if (blobSpec.startsWith("fs:")) {
                blobs = new FileSystemBlobStore(Path.of(blobSpec.substring(3)), clock);
            } else {
                container = new BlobServiceClientBuilder().connectionString(a.get("connection")).buildClient()
                        .getBlobContainerClient(a.get("container"));
                blobs = new AzureBlobStore(container, AzureBlobStoreConfig.defaults(), clock);
            }
            VectorStore vectors = new JdbiVectorStore(ledger.dataSource());
            SyncLock lock = "azure".equals(a.get("lock"))
                    ? AzureBlobLeaseLock.builder().container(container)
                            .config(AzureBlobLeaseLockConfig.defaults(a.get("holder"))).clock(clock)
                            .random(new SplittableRandom(seed)).build()
                    : new JdbiSyncLock(ledger.dataSource(), a.get("holder"));
            DocumentStore documents = log.documents(new FaultyDocumentStore(
                    new JdbiDocumentStore(ledger.dataSource(), SchemaMapping.defaults(), clock), plan));
            if (pauseAt > 0) {
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                documents = new PausingDocumentStore(documents, pauseAt, () -> {
                    out.println("paused");
                    try {
                        in.readLine();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
            HttpVsrxSource source = HttpVsrxSource.builder().baseUri(URI.create(a.get("vsrx")))
                    .token(Secret.of(a.get("token"))).clock(clock).requestTimeout(Duration.ofSeconds(30)).build();
            VsrxSync sync = VsrxSync.builder().source(source).documents(documents)
                    .blobs(log.blobs(new FaultyBlobStore(blobs, plan)))
                    .vectors(log.vectors(new FaultyVectorStore(vectors, plan)))
                    .processor(log.processor(new FaultyDocumentProcessor(new InMemoryDocumentProcessor(blobs, vectors),
                            plan)))
                    .lock(announcing(lock, out)).config(SyncScenario.config()).clock(clock).sleeper(clock)
                    .random(new SplittableRandom(seed)).build();
            SyncResult result = sync.run(SyncRequest.full());
            List<String> writes = log.writes();
            out.println("writes " + writes.size() + " " + writes);
            out.println("done " + result.status() + " " + result.error().orElse(""));
        }
    }

    /** Prints {@code lease T} when {@code lock} grants a lease. */
    private static SyncLock announcing(SyncLock lock, PrintStream out) {
        return new SyncLock() {
            @Override
            public Optional<Lease> tryAcquire(String name, Duration ttl, String requestId) {
                Optional<Lease> lease = lock.tryAcquire(name, ttl, requestId);
                lease.ifPresent(l -> out.println("lease " + l.token().value()));
                return lease;
            }

            @Override
            public Optional<LockStatus> inspect(String name) {
                return lock.inspect(name);
            }
        };
    }

    /** For readers of a child's output: the token of a {@code lease T} line. */
    static Optional<FencingToken> leaseToken(String line) {
        return line.startsWith("lease ") ? Optional.of(FencingToken.of(Long.parseLong(line.substring(6).trim())))
                : Optional.empty();
    }
}
