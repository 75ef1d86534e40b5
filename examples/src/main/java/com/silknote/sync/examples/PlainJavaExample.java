package com.silknote.sync.examples;

import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.MassDeleteGuard;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.Sleeper;
import com.silknote.sync.core.port.SyncListener;
import com.silknote.sync.examples.embedded.HashEmbeddingDocumentProcessor;
import com.silknote.sync.fs.FileSystemBlobStore;
import com.silknote.sync.jdbc.JdbcLedger;
import com.silknote.sync.vsrx.http.HttpVsrxSource;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plain Java wiring without a builder: every part made with {@code new} through its public
 * {@code @Inject} constructor, a tuned {@link SyncConfig}, and a {@link SyncListener} feeding a host's
 * metrics. Runs a full sync, then an incremental one (only filesets VSRX reports changed since the last
 * complete sync), as a scheduler would.
 */
public final class PlainJavaExample {
    private static final Logger LOG = LoggerFactory.getLogger(PlainJavaExample.class);

    private PlainJavaExample() { }

    /** What the host's metrics saw. */
    public record Outcome(SyncResult full, SyncResult incremental, long filesetsSeen, long bytesSeen) { }

    /** A host's metrics: counts filesets and bytes from the engine's events (thread-safe, fast). */
    static final class Metrics implements SyncListener {
        final AtomicLong filesets = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();

        @Override
        public void filesetFinished(com.silknote.sync.core.model.RunId runId, FilesetReport report) {
            filesets.incrementAndGet();
        }

        @Override
        public void bytesDownloaded(com.silknote.sync.core.model.RunId runId,
                com.silknote.sync.core.model.FilesetId filesetId, long n) {
            bytes.addAndGet(n);
        }

        @Override
        public void runFinished(SyncReport report) {
            LOG.info("run {} finished: {} filesets, {} alerts", report.runId(), report.filesets().size(),
                    report.alerts().size());
        }
    }

    /**
     * Wires everything by hand and runs a full, then an incremental sync.
     *
     * @throws com.silknote.sync.core.exception.SyncException when a backend fails
     */
    public static Outcome run(URI vsrxUrl, Secret token, Path dataDir) {
        SyncConfig config = SyncConfig.builder()
                .maxFileSizeBytes(50L * 1024 * 1024)
                .massDeleteGuard(new MassDeleteGuard(0.3, 5))
                .filesetConcurrency(4)
                .lockTtl(Duration.ofMinutes(2))
                .spoolDirectory(dataDir.resolve("spool"))
                .build();
        Clock clock = Clock.systemUTC();
        Metrics metrics = new Metrics();
        try (JdbcLedger ledger = JdbcLedger.builder().embedded(dataDir.resolve("postgres")).clock(clock).build()) {
            BlobStore blobs = new FileSystemBlobStore(dataDir.resolve("blobs"), clock);
            VsrxSync sync = new VsrxSync(
                    HttpVsrxSource.builder().baseUri(vsrxUrl).token(token).clock(clock).build(),
                    ledger.documentStore(),
                    blobs,
                    ledger.vectorStore(),
                    new HashEmbeddingDocumentProcessor(blobs, ledger.vectorStore()),
                    ledger.syncLock("plain-java-example"),
                    Optional.empty(), // or Optional.of(ledger.filesetClaims()) to share runs with other hosts
                    metrics,
                    config,
                    clock,
                    Sleeper.SYSTEM,
                    new SecureRandom());
            SyncResult full = sync.run(SyncRequest.full());
            SyncResult incremental = sync.run(SyncRequest.incrementalRun());
            return new Outcome(full, incremental, metrics.filesets.get(), metrics.bytes.get());
        }
    }

    /**
     * {@code PlainJavaExample <vsrx-url> [data-dir]} with {@code VSRX_SYNC_VSRX_TOKEN} set.
     *
     * @throws IllegalArgumentException when the arguments or the token are missing
     */
    public static void main(String[] args) {
        String token = System.getenv("VSRX_SYNC_VSRX_TOKEN");
        if (args.length < 1 || token == null) {
            throw new IllegalArgumentException("usage: PlainJavaExample <vsrx-url> [data-dir], with VSRX_SYNC_VSRX_TOKEN set");
        }
        Outcome o = run(URI.create(args[0]), Secret.of(token),
                Path.of(args.length > 1 ? args[1] : ".vsrx-sync/plain-java-example"));
        System.out.println("full: " + o.full().success() + ", incremental: " + o.incremental().success()
                + ", filesets seen: " + o.filesetsSeen() + ", bytes: " + o.bytesSeen());
        List.of(o.full(), o.incremental()).forEach(r -> r.error().ifPresent(e -> System.out.println("error: " + e)));
    }
}
