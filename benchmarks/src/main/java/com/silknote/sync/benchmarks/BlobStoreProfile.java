package com.silknote.sync.benchmarks;

import com.azure.core.util.Context;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.ParallelTransferOptions;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import com.silknote.sync.azure.AzureBlobStore;
import com.silknote.sync.core.dedup.ContentSpooler;
import com.silknote.sync.core.dedup.SpooledContent;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The blob store in isolation: the same spooled files uploaded (a) by the raw SDK the way the baseline
 * uploader does ({@code uploadWithResponse(BlobParallelUploadOptions(stream, length))}, N files in flight)
 * and (b) through {@link AzureBlobStore#putNewIfAbsent} with the upload {@link SpooledContent} gives the
 * engine, into fresh containers of one Azurite, alternately. Prints, per run, wall time, the JVM's CPU time
 * and Azurite's CPU time, each also per blob. Spooling is done once before, untimed (the engine does it
 * while downloading).
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar com.silknote.sync.benchmarks.BlobStoreProfile \
 *      [--files=1000] [--threads=8] [--repeats=3] [--side=both|raw|store] [--seed=1]
 * </pre>
 * With {@code --side=store} (or {@code raw}) and {@code -XX:StartFlightRecording=...} it records one side.
 * Sizes follow the benchmark data set's mix at half scale: 70 % 10–100 KiB, 25 % 100 KiB–1 MiB,
 * 5 % 1–10 MiB, log-uniform within each range.
 */
public final class BlobStoreProfile {

    private BlobStoreProfile() {
    }

    /** Runs the profile. @throws Exception when an upload fails */
    public static void main(String[] args) throws Exception {
        int files = intArg(args, "--files", 1000);
        int threads = intArg(args, "--threads", 8);
        int repeats = intArg(args, "--repeats", 3);
        long seed = intArg(args, "--seed", 1);
        String side = stringArg(args, "--side", "both");
        Path dir = Files.createTempDirectory("vsrx-blob-profile-");
        List<SpooledContent> spools = new ArrayList<>();
        try (Azurite azurite = Azurite.start(Azurite.repoRoot(), false)) {
            ContentSpooler spooler = new ContentSpooler(Optional.of(dir), Long.MAX_VALUE);
            SplittableRandom random = new SplittableRandom(seed);
            long bytes = 0;
            for (int i = 0; i < files; i++) {
                GeneratedContent c = new GeneratedContent(i % 2 == 0 ? GeneratedContent.Kind.PDF
                        : GeneratedContent.Kind.PNG, size(random), seed * 1_000_003L + i);
                try (InputStream in = c.open()) {
                    spools.add(spooler.spool(in, OptionalLong.of(c.size()), ContentSpooler.Progress.NONE));
                }
                bytes += c.size();
            }
            System.out.printf(Locale.ROOT, "%d files, %.1f MiB, %d threads, seed %d%n", files, bytes / 1048576.0,
                    threads, seed);
            BlobServiceClient service = new BlobServiceClientBuilder().connectionString(azurite.connectionString())
                    .retryOptions(AzureBlobStore.recommendedRetryOptions(Duration.ofMinutes(5))).buildClient();
            System.out.println("| side | run | seconds | MiB/s | JVM CPU s | JVM CPU ms/blob | Azurite CPU s "
                    + "| Azurite CPU ms/blob |");
            System.out.println("|---|---|---:|---:|---:|---:|---:|---:|");
            warmUp(service, spools, threads, side);
            for (int r = 0; r < repeats; r++) {
                boolean rawFirst = r % 2 == 0;
                for (int k = 0; k < 2; k++) {
                    boolean raw = rawFirst == (k == 0);
                    if (side.equals("both") || side.equals(raw ? "raw" : "store")) {
                        run(service, azurite.pid(), spools, threads, raw, "r" + r, bytes);
                    }
                }
            }
            azurite.checkAlive();
        } finally {
            spools.forEach(SpooledContent::close);
            Azurite.deleteTree(dir);
        }
        System.exit(0);
    }

    private static void warmUp(BlobServiceClient service, List<SpooledContent> spools, int threads, String side)
            throws Exception {
        List<SpooledContent> few = spools.subList(0, Math.max(1, spools.size() / 10));
        if (!side.equals("store")) {
            upload(service.getBlobContainerClient("warm-raw"), few, threads, true);
        }
        if (!side.equals("raw")) {
            upload(service.getBlobContainerClient("warm-store"), few, threads, false);
        }
    }

    private static void run(BlobServiceClient service, long azuritePid, List<SpooledContent> spools, int threads,
            boolean raw, String run, long bytes) throws Exception {
        BlobContainerClient container = service.getBlobContainerClient((raw ? "raw-" : "store-") + run);
        long t0 = System.nanoTime();
        long c0 = jvmCpu();
        long a0 = processCpu(azuritePid);
        upload(container, spools, threads, raw);
        double s = (System.nanoTime() - t0) / 1e9;
        double cpu = (jvmCpu() - c0) / 1e9;
        double az = (processCpu(azuritePid) - a0) / 1e9;
        int n = spools.size();
        System.out.printf(Locale.ROOT, "| %s | %s | %.2f | %.1f | %.2f | %.2f | %.2f | %.2f |%n",
                raw ? "raw SDK" : "AzureBlobStore", run, s, bytes / 1048576.0 / s, cpu, cpu * 1000 / n, az,
                az * 1000 / n);
    }

    private static void upload(BlobContainerClient container, List<SpooledContent> spools, int threads,
            boolean raw) throws Exception {
        container.createIfNotExists();
        AzureBlobStore store = AzureBlobStore.builder().container(container).build();
        ParallelTransferOptions pto = new ParallelTransferOptions().setBlockSizeLong(4L << 20)
                .setMaxSingleUploadSizeLong(8L << 20).setMaxConcurrency(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (SpooledContent s : spools) {
                all.add(pool.submit(() -> {
                    if (raw) {
                        try (InputStream in = new BufferedInputStream(Files.newInputStream(s.file().orElseThrow()), 256 * 1024)) {
                            container.getBlobClient("raw/" + s.hash().hex()).uploadWithResponse(
                                    new BlobParallelUploadOptions(in, s.size()).setParallelTransferOptions(pto),
                                    Duration.ofMinutes(5), Context.NONE);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    } else {
                        if (!store.putNewIfAbsent(s.upload("application/pdf")).created()) {
                            throw new IllegalStateException("expected a new blob");
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    private static long size(SplittableRandom r) {
        double p = r.nextDouble();
        long[] range = p < 0.70 ? new long[] {10 << 10, 100 << 10}
                : p < 0.95 ? new long[] {100 << 10, 1 << 20} : new long[] {1 << 20, 10 << 20};
        double lo = Math.log(range[0]);
        double hi = Math.log(range[1]);
        return (long) Math.exp(lo + r.nextDouble() * (hi - lo));
    }

    static long jvmCpu() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return 0;
    }

    /** utime + stime of a process from /proc, in nanoseconds (0 when unavailable). */
    static long processCpu(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static int intArg(String[] args, String name, int dflt) {
        return Integer.parseInt(stringArg(args, name, Integer.toString(dflt)));
    }

    private static String stringArg(String[] args, String name, String dflt) {
        for (String a : args) {
            if (a.startsWith(name + "=")) {
                return a.substring(name.length() + 1);
            }
        }
        return dflt;
    }
}
