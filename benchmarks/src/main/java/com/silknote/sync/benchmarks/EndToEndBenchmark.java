package com.silknote.sync.benchmarks;

import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.ParallelTransferOptions;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import com.silknote.sync.azure.AzureBlobStore;
import com.silknote.sync.benchmarks.Results.HeapSample;
import com.silknote.sync.benchmarks.Results.Sample;
import com.silknote.sync.benchmarks.Results.SyncSample;
import com.silknote.sync.azure.AzureBlobStoreConfig;
import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.jdbc.JdbcLedger;
import com.silknote.sync.testkit.InMemoryDocumentStore;
import com.silknote.sync.testkit.InMemorySyncLock;
import com.silknote.sync.testkit.InMemoryVectorStore;
import com.silknote.sync.vsrx.http.HttpVsrxSource;
import com.silknote.sync.vsrx.http.VsrxHttpHandler;
import com.silknote.sync.vsrx.http.VsrxHttpServer;
import com.silknote.sync.core.model.Secret;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * End-to-end harness in one JVM (in-memory VSRX source, no CLI; its results of 2026-11-25 are in
 * {@code docs/benchmarks-2026-11-25.md}; the benchmark command is {@code benchmarks/run.sh}). Not a test: run it
 * explicitly.
 *
 * <ul>
 *   <li><b>throughput</b> (targets 2 and 3): starts Azurite, generates the data set in an
 *       {@code InMemoryVsrxSource}, then per repetition (a) uploads the same bytes with the raw SDK from a
 *       fixed thread pool into a fresh container (the baseline) and (b) runs {@link VsrxSync} with
 *       {@link AzureBlobStore} on a fresh container and the in-memory document store, same concurrency;
 *       then a second sync with nothing changed. Reports MB/s, the ratio and the re-run's downloads.</li>
 *   <li><b>jdbc</b>: (b) again with the JDBC document store on embedded PostgreSQL.</li>
 *   <li><b>rclone</b>: {@code rclone copy} of the same files from a local folder, as an extra baseline.</li>
 *   <li><b>heap</b> (target 4): one file per size, generated while read (never in memory), uploaded by the
 *       raw SDK and synced by {@link VsrxSync}; reports peak heap of each. Run with a small fixed
 *       {@code -Xmx} (e.g. 256m).</li>
 * </ul>
 *
 * <pre>
 * java -Xmx1g   -cp benchmarks/target/benchmarks.jar com.silknote.sync.benchmarks.EndToEndBenchmark throughput jdbc rclone
 * java -Xmx256m -cp benchmarks/target/benchmarks.jar com.silknote.sync.benchmarks.EndToEndBenchmark heap
 * </pre>
 */
public final class EndToEndBenchmark {
    private static final double MIB = 1024.0 * 1024.0;
    private static final Duration TRY_TIMEOUT = Duration.ofMinutes(5);

    private final Options options;
    private final Clock clock = Clock.systemUTC();
    private final Results results;
    private long azuritePid;

    private EndToEndBenchmark(Options options) {
        this.options = options;
        this.results = new Results(options);
    }

    /**
     * Runs the parts named in {@code args} (default {@code throughput heap}); prints Markdown tables.
     *
     * @throws Exception when a part fails
     */
    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        Results r = run(o);
        String md = r.markdown();
        System.out.println(md);
        if (o.out().isPresent()) {
            Files.writeString(Path.of(o.out().get()), md);
        }
    }

    /** Runs the harness. @throws Exception when a part fails (a failed sync, a missing blob, Azurite gone) */
    static Results run(Options o) throws Exception {
        EndToEndBenchmark b = new EndToEndBenchmark(o);
        b.results.environment();
        try (Azurite azurite = Azurite.start(Azurite.repoRoot(), o.inMemoryAzurite())) {
            b.azuritePid = azurite.pid();
            BlobServiceClient service = new BlobServiceClientBuilder().connectionString(azurite.connectionString())
                    .retryOptions(AzureBlobStore.recommendedRetryOptions(TRY_TIMEOUT)).buildClient();
            if (o.parts().contains(Options.Part.THROUGHPUT) || o.parts().contains(Options.Part.JDBC)
                    || o.parts().contains(Options.Part.HTTP) || o.parts().contains(Options.Part.RCLONE)) {
                b.throughput(azurite, service);
            }
            if (o.parts().contains(Options.Part.HEAP)) {
                b.heap(azurite, service);
            }
            azurite.checkAlive();
        }
        return b.results;
    }

    // ------------------------------------------------------------------------------------------ throughput

    private void throughput(Azurite azurite, BlobServiceClient service) throws Exception {
        Options o = options;
        results.load("throughput start");
        long t0 = System.nanoTime();
        Dataset data = Dataset.generate(o, clock);
        results.note(String.format(Locale.ROOT, "data set: %d files, %.1f MiB, generated in %.1f s", data.entries().size(),
                data.totalBytes() / MIB, (System.nanoTime() - t0) / 1e9));
        Path rcloneDir = null;
        Path rcloneConf = null;
        if (o.parts().contains(Options.Part.RCLONE)) {
            rcloneDir = Files.createTempDirectory("vsrx-bench-rclone-");
            data.writeTo(rcloneDir);
            rcloneConf = rcloneDir.resolveSibling(rcloneDir.getFileName() + ".conf");
            Files.writeString(rcloneConf, "[az]\ntype = azureblob\nuse_emulator = true\nendpoint = "
                    + azurite.endpoint() + "\n");
        }
        try {
            // Warm-up (not reported): a tenth of the data set through each path, so both run JIT-compiled code.
            Options small = Options.parse("--small-files=" + Math.max(1, o.smallFiles() / 10),
                    "--large-files=" + Math.max(o.largeFiles() > 0 ? 1 : 0, o.largeFiles() / 10),
                    "--small-bytes=" + o.smallBytes(), "--large-bytes=" + o.largeBytes(),
                    "--filesets=" + Math.max(1, o.filesets() / 10), "--concurrency=" + o.concurrency());
            Dataset warm = Dataset.generate(small, clock);
            baseline(service, warm, "warm-base");
            sync(service, warm, "warm-sync", this::memoryStores);
            for (int rep = 0; rep < o.repeats(); rep++) {
                List<Runnable> steps = new ArrayList<>();
                int r = rep;
                if (o.baseline()) {
                    steps.add(() -> results.add(baseline(service, data, "base-" + r)));
                }
                if (o.parts().contains(Options.Part.THROUGHPUT)) {
                    steps.add(() -> results.addSync(sync(service, data, "sync-mem-" + r, this::memoryStores)));
                }
                if (o.parts().contains(Options.Part.HTTP)) {
                    steps.add(() -> results.addSync(syncOverHttp(service, data, "sync-http-" + r)));
                }
                if (o.parts().contains(Options.Part.JDBC)) {
                    steps.add(() -> results.addSync(sync(service, data, "sync-jdbc-" + r, this::jdbcStores)));
                }
                if (o.parts().contains(Options.Part.RCLONE)) {
                    Path dir = rcloneDir;
                    Path conf = rcloneConf;
                    steps.add(() -> results.add(rclone(azurite, data, dir, conf, "rclone-" + r)));
                }
                // Alternate the order so neither side always runs on a freshly started (or tired) Azurite.
                if (rep % 2 == 1) {
                    Collections.reverse(steps);
                }
                steps.forEach(Runnable::run);
                azurite.checkAlive();
            }
        } finally {
            Azurite.deleteTree(rcloneDir);
            if (rcloneConf != null) {
                Files.deleteIfExists(rcloneConf);
            }
        }
        results.load("throughput end");
    }

    /** Raw SDK: {@code upload(BinaryData, overwrite)} per file from a fixed pool of {@code concurrency} threads. */
    private Sample baseline(BlobServiceClient service, Dataset data, String name) {
        BlobContainerClient container = service.getBlobContainerClient(name);
        container.create();
        ExecutorService pool = Executors.newFixedThreadPool(options.concurrency());
        try {
            Meter m = Meter.start(azuritePid);
            List<Future<?>> futures = new ArrayList<>();
            for (Dataset.Entry e : data.entries()) {
                futures.add(pool.submit(() -> container.getBlobClient(e.blobName())
                        .upload(BinaryData.fromBytes(e.bytes()), true)));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            Sample s = m.stop("raw SDK", name, data.totalBytes(), data.entries().size());
            long stored = container.listBlobs().stream().count();
            if (stored != data.entries().size()) {
                throw new IllegalStateException(name + ": " + stored + " blobs stored, expected " + data.entries().size());
            }
            return s;
        } catch (Exception e) {
            throw new IllegalStateException(name + " failed", e);
        } finally {
            pool.shutdownNow();
            container.delete();
        }
    }

    /** The ledger a sync writes to: document store, lock and vector store, closed after the run. */
    private record Stores(String label, DocumentStore documents, SyncLock lock, VectorStore vectors,
            AutoCloseable closer) { }

    private Stores memoryStores() {
        return new Stores("vsrx-sync (in-memory store)", new InMemoryDocumentStore(clock),
                new InMemorySyncLock(clock, "bench-1"), new InMemoryVectorStore(), () -> { });
    }

    private Stores jdbcStores() {
        try {
            Path dir = Files.createTempDirectory("vsrx-bench-pg-");
            JdbcLedger ledger = JdbcLedger.embedded(dir);
            return new Stores("vsrx-sync (JDBC store, embedded PostgreSQL)", ledger.documentStore(),
                    ledger.syncLock("bench-1"), ledger.vectorStore(), () -> {
                        ledger.close();
                        Azurite.deleteTree(dir);
                    });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Like {@link #sync} with the in-memory store, but VSRX is reached over loopback HTTP: the in-memory
     * VSRX behind {@link VsrxHttpServer}, read by {@link HttpVsrxSource}.
     */
    private SyncSample syncOverHttp(BlobServiceClient service, Dataset data, String name) {
        Secret token = Secret.of("bench-token-" + name);
        VsrxHttpServer server = VsrxHttpServer.builder()
                .handler(VsrxHttpHandler.builder().source(data.source()).fileLookup(data.source()::findFile)
                        .acceptedToken(token).clock(clock).build())
                .port(0).threads(Math.max(8, options.concurrency() * 2)).build().start();
        try {
            HttpVsrxSource http = HttpVsrxSource.builder().baseUri(server.baseUri()).token(token).clock(clock).build();
            return sync(service, data, http, name, () -> {
                Stores s = memoryStores();
                return new Stores("vsrx-sync over HTTP (in-memory store)", s.documents(), s.lock(), s.vectors(),
                        s.closer());
            });
        } finally {
            server.stop();
        }
    }

    /** A first sync of the whole data set, then a second with nothing changed. */
    private SyncSample sync(BlobServiceClient service, Dataset data, String name, Supplier<Stores> storesFactory) {
        return sync(service, data, data.source(), name, storesFactory);
    }

    /**
     * A first sync of the whole data set read through {@code source}, then a second with nothing changed.
     * Downloads are counted by the data set's in-memory VSRX, which is (or serves) {@code source}.
     */
    private SyncSample sync(BlobServiceClient service, Dataset data, VsrxSource source, String name,
            Supplier<Stores> storesFactory) {
        BlobContainerClient container = service.getBlobContainerClient(name);
        container.create();
        Stores stores = storesFactory.get();
        try {
            CountingBlobStore blobs = new CountingBlobStore(azureStore(container));
            CountingDocumentProcessor processor = new CountingDocumentProcessor();
            SyncConfig.Builder cb = SyncConfig.builder().fileConcurrency(options.concurrency());
            options.filesetConcurrency().ifPresent(cb::filesetConcurrency);
            SyncConfig config = cb.build();
            VsrxSync sync = VsrxSync.builder().source(source).documents(stores.documents()).blobs(blobs)
                    .vectors(stores.vectors()).processor(processor).lock(stores.lock()).config(config).clock(clock)
                    .build();
            int n = data.entries().size();
            data.source().resetCounters();
            Meter m = Meter.start(azuritePid);
            SyncResult first = sync.run(SyncRequest.full());
            Sample s = m.stop(stores.label(), name, data.totalBytes(), n);
            SyncReport report = check(name, first);
            // every file read (a transport that repeats a request after a connection failed may read one twice:
            // the total is printed, the count of files read must be exact)
            long read = data.entries().stream().filter(e -> data.source().downloads(e.id()) > 0).count();
            if (report.count(FileAction.CREATED) != n || blobs.created() != n || read != n) {
                throw new IllegalStateException(name + ": created " + report.count(FileAction.CREATED) + " documents, "
                        + blobs.created() + " blobs, " + read + " files read (" + data.source().downloads()
                        + " downloads); expected " + n);
            }
            if (data.source().downloads() != n) {
                System.err.println("[bench] " + name + ": " + data.source().downloads() + " downloads of " + n
                        + " files (a request repeated after a transport failure)");
            }
            long blobNanos = blobs.putNanos();
            data.source().resetCounters();
            blobs.reset();
            Meter m2 = Meter.start(azuritePid);
            SyncResult second = sync.run(SyncRequest.full());
            Sample again = m2.stop(stores.label() + " re-run", name + "-rerun", 0, n);
            SyncReport report2 = check(name + "-rerun", second);
            return new SyncSample(s, blobNanos, again, data.source().downloads(), blobs.putCalls(),
                    report2.count(FileAction.UNCHANGED), processor.processed());
        } finally {
            try {
                stores.closer().close();
            } catch (Exception e) {
                results.note(name + ": closing the store failed: " + e);
            }
            container.delete();
        }
    }

    /** The Azure adapter on a container, with the adapter's defaults unless options tune them. */
    private AzureBlobStore azureStore(BlobContainerClient container) {
        AzureBlobStore.Builder b = AzureBlobStore.builder().container(container);
        options.singleUploadBytes().ifPresent(n -> b.parallelTransferOptions(
                new ParallelTransferOptions().setMaxSingleUploadSizeLong(n)));
        return b.build();
    }

    private static SyncReport check(String name, SyncResult result) {
        if (!result.success() || result.report().isEmpty()) {
            throw new IllegalStateException(name + ": sync failed: " + result.error().orElse("?") + " "
                    + result.report().map(r -> r.filesets().toString()).orElse(""));
        }
        return result.report().get();
    }

    private Sample rclone(Azurite azurite, Dataset data, Path dir, Path conf, String name) {
        try {
            Meter m = Meter.start(azuritePid);
            Process p = new ProcessBuilder("rclone", "--config", conf.toString(), "copy", dir.toString(),
                    "az:" + name, "--transfers", Integer.toString(options.concurrency()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            int rc = p.waitFor();
            Sample s = m.stop("rclone copy", name, data.totalBytes(), data.entries().size());
            if (rc != 0) {
                throw new IllegalStateException("rclone exited with " + rc);
            }
            return s;
        } catch (IOException e) {
            throw new IllegalStateException("rclone not runnable (apt-get install -y rclone)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            azurite.checkAlive();
        }
    }

    // ------------------------------------------------------------------------------------------ heap

    private void heap(Azurite azurite, BlobServiceClient service) {
        results.load("heap start");
        AzureBlobStoreConfig adapterDefaults = AzureBlobStoreConfig.defaults();
        ParallelTransferOptions transfer = new ParallelTransferOptions()
                .setBlockSizeLong(adapterDefaults.blockSizeBytes())
                .setMaxConcurrency(adapterDefaults.maxConcurrency())
                .setMaxSingleUploadSizeLong(adapterDefaults.maxSingleUploadBytes());
        try (HeapProbe probe = new HeapProbe()) {
            for (long size : options.heapSizes()) {
                GeneratedContent content = new GeneratedContent(GeneratedContent.Kind.PDF, size, 7_777L + size);
                // Baseline: the raw SDK streaming the same generated bytes, with the adapter's transfer settings.
                BlobContainerClient base = service.getBlobContainerClient("heap-base-" + size);
                base.create();
                try (InputStream in = content.open()) {
                    probe.reset();
                    Meter m = Meter.start(azuritePid);
                    base.getBlobClient("big").uploadWithResponse(new BlobParallelUploadOptions(in, size)
                            .setParallelTransferOptions(transfer), TRY_TIMEOUT, Context.NONE);
                    results.addHeap(new HeapSample("raw SDK", size, m.stop("raw SDK", "heap", size, 1),
                            probe.peakUsed(), probe.peakLive(), probe.collections()));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                } finally {
                    base.delete();
                }
                BlobContainerClient target = service.getBlobContainerClient("heap-sync-" + size);
                target.create();
                try {
                    SingleFileVsrxSource source = new SingleFileVsrxSource(content, Optional.empty(), Instant.now(clock));
                    CountingBlobStore blobs = new CountingBlobStore(azureStore(target));
                    SyncConfig config = SyncConfig.builder().maxFileSizeBytes(Math.max(size, SyncConfig.DEFAULT_MAX_FILE_SIZE))
                            .fileConcurrency(options.concurrency()).build();
                    VsrxSync sync = VsrxSync.builder().source(source).documents(new InMemoryDocumentStore(clock))
                            .blobs(blobs).vectors(new InMemoryVectorStore()).processor(new CountingDocumentProcessor())
                            .lock(new InMemorySyncLock(clock, "bench-heap")).config(config).clock(clock).build();
                    probe.reset();
                    Meter m = Meter.start(azuritePid);
                    SyncResult r = sync.run(SyncRequest.full());
                    Sample s = m.stop("vsrx-sync", "heap", size, 1);
                    SyncReport report = check("heap-" + size, r);
                    if (report.count(FileAction.CREATED) != 1 || blobs.createdBytes() != size) {
                        throw new IllegalStateException("heap-" + size + ": the file was not synced");
                    }
                    results.addHeap(new HeapSample("vsrx-sync", size, s, probe.peakUsed(), probe.peakLive(),
                            probe.collections()));
                } finally {
                    target.delete();
                }
                azurite.checkAlive();
            }
        }
        results.load("heap end");
    }

    // ------------------------------------------------------------------------------------------ measuring

    /** Wall time, JVM CPU time and Azurite CPU time of one measurement. */
    private record Meter(long startNanos, long startCpu, long startAzurite, long azuritePid) {
        static Meter start(long azuritePid) {
            return new Meter(System.nanoTime(), jvmCpu(), processCpu(azuritePid), azuritePid);
        }

        Sample stop(String side, String run, long bytes, int files) {
            long nanos = System.nanoTime() - startNanos;
            return new Sample(side, run, bytes, files, nanos, jvmCpu() - startCpu,
                    processCpu(azuritePid) - startAzurite);
        }

        static long jvmCpu() {
            var os = ManagementFactory.getOperatingSystemMXBean();
            if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
                return sun.getProcessCpuTime();
            }
            return 0;
        }

        /** utime + stime of a process from /proc, in nanoseconds (0 when unavailable). */
        static long processCpu(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                return ticks * 10_000_000L; // USER_HZ = 100
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }
    }
}
