package com.silknote.sync.benchmarks;

import com.azure.core.util.Context;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.ParallelTransferOptions;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import com.silknote.sync.azure.AzureBlobStore;
import com.silknote.sync.azure.UrlConnectionAzureHttpClient;
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
 *      [--files=1000] [--threads=8] [--repeats=3] [--side=both|raw|store] [--seed=1] [--transport=jdk|urlconnection|both]
 * </pre>
 * With {@code --side=store} (or {@code raw}) and {@code -XX:StartFlightRecording=...} it records one side.
 * {@code --transport} chooses the SDK transport of the store side: the SDK's JDK {@code HttpClient} (default),
 * {@link UrlConnectionAzureHttpClient} (the embedded default's), or both, alternating within each repeat; the
 * raw side always uses the SDK's default. Each run also prints the threads the JVM started and the process's
 * user and system CPU ({@code /proc/self/stat}).
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
        String transport = stringArg(args, "--transport", "jdk");
        List<String> transports = transport.equals("both") ? List.of("jdk", "urlconnection") : List.of(transport);
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
            BlobServiceClient service = service(azurite, "jdk");
            System.out.println("| side | run | seconds | MiB/s | JVM CPU s | JVM CPU ms/blob | Azurite CPU s "
                    + "| Azurite CPU ms/blob | threads started | user s | sys s |");
            System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            warmUp(service, spools, threads, side);
            for (String t : transports) {
                if (!t.equals("jdk") && !side.equals("raw")) {
                    upload(service(azurite, t).getBlobContainerClient("warm-store-" + t), spools.subList(0,
                            Math.max(1, spools.size() / 10)), threads, false);
                }
            }
            for (int r = 0; r < repeats; r++) {
                List<String> sides = new ArrayList<>();
                if (!side.equals("store")) {
                    sides.add("raw");
                }
                if (!side.equals("raw")) {
                    for (int k = 0; k < transports.size(); k++) {
                        sides.add(transports.get((k + r) % transports.size()));
                    }
                }
                if (r % 2 == 1) {
                    java.util.Collections.reverse(sides);
                }
                for (String sd : sides) {
                    boolean raw = sd.equals("raw");
                    run(service(azurite, raw ? "jdk" : sd), azurite.pid(), spools, threads, raw,
                            "r" + r + (raw ? "" : " " + sd), bytes);
                }
            }
            azurite.checkAlive();
        } finally {
            spools.forEach(SpooledContent::close);
            Azurite.deleteTree(dir);
        }
        System.exit(0);
    }

    private static BlobServiceClient service(Azurite azurite, String transport) {
        BlobServiceClientBuilder b = new BlobServiceClientBuilder().connectionString(azurite.connectionString())
                .retryOptions(AzureBlobStore.recommendedRetryOptions(Duration.ofMinutes(5)));
        if (transport.equals("urlconnection")) {
            b.httpClient(UrlConnectionAzureHttpClient.builder().build());
        } else if (!transport.equals("jdk")) {
            throw new IllegalArgumentException("--transport: jdk, urlconnection or both, was " + transport);
        }
        return b.buildClient();
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
        BlobContainerClient container = service.getBlobContainerClient(
                ((raw ? "raw-" : "store-") + run).replace(' ', '-'));
        long t0 = System.nanoTime();
        long c0 = jvmCpu();
        long a0 = processCpu(azuritePid);
        long[] self0 = userSys(ProcessHandle.current().pid());
        long th0 = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount();
        upload(container, spools, threads, raw);
        double s = (System.nanoTime() - t0) / 1e9;
        double cpu = (jvmCpu() - c0) / 1e9;
        double az = (processCpu(azuritePid) - a0) / 1e9;
        long[] self1 = userSys(ProcessHandle.current().pid());
        long started = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount() - th0;
        int n = spools.size();
        System.out.printf(Locale.ROOT, "| %s | %s | %.2f | %.1f | %.2f | %.2f | %.2f | %.2f | %d | %.2f | %.2f |%n",
                raw ? "raw SDK" : "AzureBlobStore", run, s, bytes / 1048576.0 / s, cpu, cpu * 1000 / n, az,
                az * 1000 / n, started, (self1[0] - self0[0]) / 1e9, (self1[1] - self0[1]) / 1e9);
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

    /** utime and stime of a process from /proc, in nanoseconds (zeros when unavailable). */
    static long[] userSys(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(f[11]) * 10_000_000L, Long.parseLong(f[12]) * 10_000_000L};
        } catch (IOException | RuntimeException e) {
            return new long[2];
        }
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
