package com.silknote.sync.benchmarks;

import com.silknote.sync.core.dedup.ContentSpooler;
import com.silknote.sync.core.dedup.SpooledContent;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;

/**
 * Issue 12 item 4: what the engine's own handling of one downloaded file costs on this side of the network,
 * per file, in-process: spooling (SHA-256, optionally MD5, the write), reading the spool back once as the
 * upload does, deleting it. Variants:
 * <ul>
 *   <li>{@code file+sha+md5}: the spooler as it was (MD5 always);</li>
 *   <li>{@code file+sha}: the MD5 only when the store uses it (the file-system store does not);</li>
 *   <li>{@code memory+sha+md5}, {@code memory+sha}: small files held in memory
 *       ({@link ContentSpooler#MEMORY_FILE_MAX}, within {@code --memory-budget} bytes at once).</li>
 * </ul>
 * Compare the CPU per file with the raw uploader's JVM CPU per blob that {@link BlobStoreProfile} prints for
 * the same mix (the work the sync does on top of an upload that cannot be avoided).
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar com.silknote.sync.benchmarks.SpoolProfile \
 *     [--files=400] [--rounds=7] [--mix=benchmark|small] [--memory-budget=8388608]</pre>
 */
public final class SpoolProfile {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private SpoolProfile() {
    }

    /** Prints one Markdown row per variant. */
    public static void main(String[] args) throws Exception {
        int files = intArg(args, "--files", 400);
        int rounds = intArg(args, "--rounds", 7);
        long memoryBudget = intArg(args, "--memory-budget", 8 << 20);
        String mix = stringArg(args, "--mix", "benchmark");
        SplittableRandom random = new SplittableRandom(3);
        List<byte[]> contents = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < files; i++) {
            long size = mix.equals("small") ? logUniform(random, 10 << 10, 100 << 10) : benchmarkSize(random);
            GeneratedContent c = new GeneratedContent(i % 2 == 0 ? GeneratedContent.Kind.PDF
                    : GeneratedContent.Kind.PNG, size, i);
            try (InputStream in = c.open()) {
                byte[] b = in.readAllBytes();
                contents.add(b);
                bytes += b.length;
            }
        }
        Path dir = Files.createTempDirectory("vsrx-spool-profile-");
        System.out.printf(Locale.ROOT, "%d files (%s mix), %.1f MiB, %d rounds (median), memory budget %d KiB, files"
                + " up to %d KiB in memory%n%n", files, mix, bytes / 1048576.0, rounds, memoryBudget >> 10,
                ContentSpooler.MEMORY_FILE_MAX >> 10);
        System.out.println("| variant | CPU µs / file | allocated KiB / file | MiB/s of one core |");
        System.out.println("|---|---:|---:|---:|");
        try {
            for (String variant : List.of("file+sha+md5", "file+sha", "memory+sha+md5", "memory+sha")) {
                ContentSpooler spooler = new ContentSpooler(Optional.of(dir), Long.MAX_VALUE, variant.endsWith("md5"),
                        variant.startsWith("memory") ? memoryBudget : 0);
                List<Double> cpu = new ArrayList<>();
                List<Double> alloc = new ArrayList<>();
                for (int r = 0; r < rounds + 2; r++) {
                    long self = Thread.currentThread().getId();
                    long a0 = THREADS.getThreadAllocatedBytes(self);
                    long c0 = THREADS.getCurrentThreadCpuTime();
                    long sink = 0;
                    for (byte[] content : contents) {
                        sink += viaSpooler(spooler, content);
                    }
                    long c1 = THREADS.getCurrentThreadCpuTime();
                    long a1 = THREADS.getThreadAllocatedBytes(self);
                    if (sink == 42) {
                        System.out.println();
                    }
                    if (r >= 2) {
                        cpu.add((c1 - c0) / 1e3 / files);
                        alloc.add((a1 - a0) / 1024.0 / files);
                    }
                }
                double c = Results.median(cpu);
                System.out.printf(Locale.ROOT, "| %s | %.0f | %.1f | %.0f |%n", variant, c, Results.median(alloc),
                        bytes / 1048576.0 / (c * files / 1e6));
            }
        } finally {
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /** Spools, reads the spool back once (as an upload does), deletes it. */
    private static long viaSpooler(ContentSpooler spooler, byte[] content) throws IOException {
        long n = 0;
        try (SpooledContent s = spooler.spool(new ByteArrayInputStream(content), OptionalLong.of(content.length),
                ContentSpooler.Progress.NONE); InputStream in = s.open()) {
            byte[] buffer = new byte[64 << 10];
            int r;
            while ((r = in.read(buffer)) > 0) {
                n += r;
            }
        }
        return n;
    }

    private static long benchmarkSize(SplittableRandom r) {
        double p = r.nextDouble();
        return p < 0.70 ? logUniform(r, 10 << 10, 100 << 10)
                : p < 0.95 ? logUniform(r, 100 << 10, 1 << 20) : logUniform(r, 1 << 20, 10 << 20);
    }

    private static long logUniform(SplittableRandom r, long lo, long hi) {
        return (long) Math.exp(Math.log(lo) + r.nextDouble() * (Math.log(hi) - Math.log(lo)));
    }

    private static int intArg(String[] args, String name, int dflt) {
        for (String a : args) {
            if (a.startsWith(name + "=")) {
                return Integer.parseInt(a.substring(name.length() + 1));
            }
        }
        return dflt;
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
