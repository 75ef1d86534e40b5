package com.silknote.sync.benchmarks;

import static java.util.Objects.requireNonNull;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What the end-to-end harness measured, rendered as Markdown. Thread-confined. */
final class Results {
    private static final double MIB = 1024.0 * 1024.0;
    /** Target 2: the sync moves bytes at least this fraction of the raw SDK's rate. */
    static final double THROUGHPUT_TARGET = 0.9;

    private final Options options;
    private final List<String> notes = new ArrayList<>();
    private final List<String> loads = new ArrayList<>();
    private final List<Sample> samples = new ArrayList<>();
    private final List<SyncSample> syncs = new ArrayList<>();
    private final List<HeapSample> heaps = new ArrayList<>();
    private String environment = "";

    Results(Options options) {
        this.options = requireNonNull(options, "options");
    }

    void environment() {
        Runtime rt = Runtime.getRuntime();
        environment = String.format(Locale.ROOT,
                "- date: %s%n- java: %s %s (%s)%n- processors: %d; max heap: %d MiB; JVM args: %s%n- options: %s",
                Instant.now().truncatedTo(ChronoUnit.SECONDS), System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"), System.getProperty("os.arch"), rt.availableProcessors(),
                rt.maxMemory() >> 20, ManagementFactory.getRuntimeMXBean().getInputArguments(), options);
    }

    /** Records the system load average (1 min) at a point of the run. */
    void load(String label) {
        loads.add(String.format(Locale.ROOT, "%s: %.2f", label,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
    }

    void note(String note) {
        notes.add(note);
    }

    void add(Sample s) {
        samples.add(s);
        System.err.printf(Locale.ROOT, "[bench] %-45s %-16s %7.2f s %8.1f MiB/s%n", s.side(), s.run(), s.seconds(),
                s.mibPerSecond());
    }

    void addSync(SyncSample s) {
        add(s.first());
        syncs.add(s);
        System.err.printf(Locale.ROOT, "[bench] %-45s %-16s %7.2f s downloads=%d uploads=%d%n", s.rerun().side(),
                s.rerun().run(), s.rerun().seconds(), s.rerunDownloads(), s.rerunUploads());
    }

    void addHeap(HeapSample h) {
        heaps.add(h);
        System.err.printf(Locale.ROOT, "[bench] heap %-10s %6d MiB %7.2f s peakUsed=%d MiB peakLive=%d MiB%n", h.side(),
                h.size() >> 20, h.sample().seconds(), h.peakUsed() >> 20, h.peakLive() >> 20);
    }

    List<Sample> samples() {
        return List.copyOf(samples);
    }

    List<SyncSample> syncs() {
        return List.copyOf(syncs);
    }

    List<HeapSample> heaps() {
        return List.copyOf(heaps);
    }

    /** Median MiB/s per side, in first-seen order. */
    Map<String, Double> medianRates() {
        Map<String, List<Double>> bySide = new LinkedHashMap<>();
        for (Sample s : samples) {
            bySide.computeIfAbsent(s.side(), k -> new ArrayList<>()).add(s.mibPerSecond());
        }
        Map<String, Double> out = new LinkedHashMap<>();
        bySide.forEach((k, v) -> out.put(k, median(v)));
        return out;
    }

    static double median(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        v.sort(null);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("## End-to-end results\n\n").append(environment).append("\n");
        sb.append("- load average (1 min): ").append(String.join("; ", loads)).append("\n");
        for (String n : notes) {
            sb.append("- ").append(n).append("\n");
        }
        if (!samples.isEmpty()) {
            sb.append("\n### Initial sync throughput (target 2)\n\n");
            sb.append("| side | run | files | MiB | seconds | MiB/s | JVM CPU s | Azurite CPU s |\n");
            sb.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
            for (Sample s : samples) {
                sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %.1f | %.2f | %.1f | %.1f | %.1f |%n", s.side(),
                        s.run(), s.files(), s.bytes() / MIB, s.seconds(), s.mibPerSecond(), s.jvmCpuNanos() / 1e9,
                        s.azuriteCpuNanos() / 1e9));
            }
            Map<String, Double> medians = medianRates();
            Double base = medians.get("raw SDK");
            sb.append("\n| side | median MiB/s | ratio to raw SDK | target >= ").append(THROUGHPUT_TARGET)
                    .append(" |\n|---|---:|---:|---|\n");
            medians.forEach((side, rate) -> {
                double ratio = base == null ? Double.NaN : rate / base;
                String verdict = side.startsWith("vsrx-sync") ? (ratio >= THROUGHPUT_TARGET ? "pass" : "FAIL") : "";
                sb.append(String.format(Locale.ROOT, "| %s | %.1f | %.2f | %s |%n", side, rate, ratio, verdict));
            });
            if (!syncs.isEmpty()) {
                sb.append("\nTime inside `BlobStore.putIfAbsent`, summed over threads, per first sync: ");
                List<String> parts = new ArrayList<>();
                for (SyncSample s : syncs) {
                    parts.add(String.format(Locale.ROOT, "%s %.1f s of %.1f s x %d threads", s.first().run(),
                            s.blobPutNanos() / 1e9, s.first().seconds(), options.concurrency()));
                }
                sb.append(String.join("; ", parts)).append(".\n");
                sb.append("\n### Re-run with nothing changed (target 3)\n\n");
                sb.append("| store | run | seconds | downloads | blob uploads | files unchanged | processed (1st run) |\n");
                sb.append("|---|---|---:|---:|---:|---:|---:|\n");
                for (SyncSample s : syncs) {
                    sb.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %d | %d | %d | %d |%n", s.rerun().side(),
                            s.rerun().run(), s.rerun().seconds(), s.rerunDownloads(), s.rerunUploads(),
                            s.rerunUnchanged(), s.processed()));
                }
            }
        }
        if (!heaps.isEmpty()) {
            sb.append("\n### Peak heap per file size (target 4), max heap ")
                    .append(Runtime.getRuntime().maxMemory() >> 20).append(" MiB\n\n");
            sb.append("| side | file size MiB | seconds | MiB/s | peak heap used MiB | peak live after GC MiB | GCs |\n");
            sb.append("|---|---:|---:|---:|---:|---:|---:|\n");
            for (HeapSample h : heaps) {
                sb.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %.1f | %.1f | %.1f | %d |%n", h.side(),
                        h.size() >> 20, h.sample().seconds(), h.sample().mibPerSecond(), h.peakUsed() / MIB,
                        h.peakLive() / MIB, h.collections()));
            }
        }
        return sb.toString();
    }

    /** One measured transfer. */
    record Sample(String side, String run, long bytes, int files, long nanos, long jvmCpuNanos, long azuriteCpuNanos) {
        double seconds() {
            return nanos / 1e9;
        }

        double mibPerSecond() {
            return bytes / MIB / seconds();
        }
    }

    /** A first sync, its blob-store time, and the re-run with nothing changed. */
    record SyncSample(Sample first, long blobPutNanos, Sample rerun, long rerunDownloads, long rerunUploads,
            long rerunUnchanged, long processed) { }

    /** Peak heap of one large-file transfer. */
    record HeapSample(String side, long size, Sample sample, long peakUsed, long peakLive, long collections) { }

}
