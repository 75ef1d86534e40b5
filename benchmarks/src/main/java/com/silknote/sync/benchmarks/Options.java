package com.silknote.sync.benchmarks;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Command-line options of {@link EndToEndBenchmark}: {@code [part ...] [--name=value ...]}.
 *
 * @param parts        what to run (default: throughput and heap)
 * @param smallFiles   number of small files
 * @param smallBytes   size of each small file
 * @param largeFiles   number of large files
 * @param largeBytes   size of each large file
 * @param filesets     filesets (patients) the files are spread over
 * @param concurrency  uploads in flight, on both sides (the engine's {@code fileConcurrency})
 * @param repeats      measured repetitions (the median is reported)
 * @param heapSizes    file sizes of the peak-heap part
 * @param inMemoryAzurite keep Azurite's blobs in memory instead of a temporary directory
 * @param baseline     run the raw-SDK baseline (off only to profile the sync alone)
 * @param filesetConcurrency the engine's {@code filesetConcurrency} (default: the engine's default)
 * @param singleUploadBytes  the Azure adapter's {@code maxSingleUploadBytes} (default: the adapter's default)
 * @param out          also write the results as Markdown to this file
 */
record Options(Set<Part> parts, int smallFiles, long smallBytes, int largeFiles, long largeBytes, int filesets,
        int concurrency, int repeats, List<Long> heapSizes, boolean inMemoryAzurite, boolean baseline,
        Optional<Integer> filesetConcurrency, Optional<Long> singleUploadBytes, Optional<String> out) {

    /** Parts of the harness. */
    enum Part {
        /** Target 2 and 3 with the in-memory document store. */
        THROUGHPUT,
        /** Target 2 and 3 with VSRX over loopback HTTP (in-memory document store). */
        HTTP,
        /** Target 2 and 3 with the JDBC document store on embedded PostgreSQL. */
        JDBC,
        /** Target 2 with rclone as an extra baseline. */
        RCLONE,
        /** Target 4: peak heap per file size. */
        HEAP
    }

    static Options defaults() {
        return new Options(EnumSet.of(Part.THROUGHPUT, Part.HEAP), 2000, 20 * 1024, 20, 5 * 1024 * 1024, 20, 8, 3,
                List.of(16L << 20, 256L << 20, 1L << 30), false, true, Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    /**
     * Parses arguments.
     *
     * @throws IllegalArgumentException on an unknown argument or a bad value
     */
    static Options parse(String... args) {
        Options o = defaults();
        EnumSet<Part> parts = EnumSet.noneOf(Part.class);
        for (String a : args) {
            if (!a.startsWith("--")) {
                if (a.equals("all")) {
                    parts.addAll(EnumSet.allOf(Part.class));
                } else {
                    parts.add(Part.valueOf(a.toUpperCase(Locale.ROOT)));
                }
                continue;
            }
            int eq = a.indexOf('=');
            String name = eq < 0 ? a.substring(2) : a.substring(2, eq);
            String value = eq < 0 ? "true" : a.substring(eq + 1);
            o = switch (name) {
                case "small-files" -> o.with(b -> b.smallFiles = Integer.parseInt(value));
                case "small-bytes" -> o.with(b -> b.smallBytes = bytes(value));
                case "large-files" -> o.with(b -> b.largeFiles = Integer.parseInt(value));
                case "large-bytes" -> o.with(b -> b.largeBytes = bytes(value));
                case "filesets" -> o.with(b -> b.filesets = Integer.parseInt(value));
                case "concurrency" -> o.with(b -> b.concurrency = Integer.parseInt(value));
                case "repeats" -> o.with(b -> b.repeats = Integer.parseInt(value));
                case "heap-sizes" -> o.with(b -> {
                    List<Long> sizes = new ArrayList<>();
                    for (String s : value.split(",")) {
                        sizes.add(bytes(s));
                    }
                    b.heapSizes = List.copyOf(sizes);
                });
                case "in-memory-azurite" -> o.with(b -> b.inMemoryAzurite = Boolean.parseBoolean(value));
                case "baseline" -> o.with(b -> b.baseline = Boolean.parseBoolean(value));
                case "fileset-concurrency" -> o.with(b -> b.filesetConcurrency = Optional.of(Integer.parseInt(value)));
                case "single-upload-bytes" -> o.with(b -> b.singleUploadBytes = Optional.of(bytes(value)));
                case "out" -> o.with(b -> b.out = Optional.of(value));
                default -> throw new IllegalArgumentException("unknown option --" + name);
            };
        }
        if (!parts.isEmpty()) {
            EnumSet<Part> p = parts;
            o = o.with(b -> b.parts = p);
        }
        if (o.smallFiles < 0 || o.largeFiles < 0 || o.smallFiles + o.largeFiles < 1 || o.filesets < 1
                || o.concurrency < 1 || o.repeats < 1) {
            throw new IllegalArgumentException("counts must be positive");
        }
        return o;
    }

    /** {@code 20k}, {@code 5m}, {@code 1g} (binary units) or plain bytes. */
    static long bytes(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        char last = t.charAt(t.length() - 1);
        if (last == 'k' || last == 'm' || last == 'g') {
            unit = last == 'k' ? 1024 : last == 'm' ? 1024 * 1024 : 1024L * 1024 * 1024;
            t = t.substring(0, t.length() - 1);
        }
        return Long.parseLong(t) * unit;
    }

    long totalBytes() {
        return smallFiles * smallBytes + largeFiles * largeBytes;
    }

    private Options with(java.util.function.Consumer<Mutable> change) {
        Mutable m = new Mutable(this);
        change.accept(m);
        return new Options(m.parts, m.smallFiles, m.smallBytes, m.largeFiles, m.largeBytes, m.filesets,
                m.concurrency, m.repeats, m.heapSizes, m.inMemoryAzurite, m.baseline,
                m.filesetConcurrency, m.singleUploadBytes, m.out);
    }

    private static final class Mutable {
        Set<Part> parts;
        int smallFiles;
        long smallBytes;
        int largeFiles;
        long largeBytes;
        int filesets;
        int concurrency;
        int repeats;
        List<Long> heapSizes;
        boolean inMemoryAzurite;
        boolean baseline;
        Optional<Integer> filesetConcurrency;
        Optional<Long> singleUploadBytes;
        Optional<String> out;

        Mutable(Options o) {
            parts = o.parts;
            smallFiles = o.smallFiles;
            smallBytes = o.smallBytes;
            largeFiles = o.largeFiles;
            largeBytes = o.largeBytes;
            filesets = o.filesets;
            concurrency = o.concurrency;
            repeats = o.repeats;
            heapSizes = o.heapSizes;
            inMemoryAzurite = o.inMemoryAzurite;
            baseline = o.baseline;
            filesetConcurrency = o.filesetConcurrency;
            singleUploadBytes = o.singleUploadBytes;
            out = o.out;
        }
    }
}
