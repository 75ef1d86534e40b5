package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;

/**
 * What a whole run did, counted over every fileset it looked at: filesets per outcome, files per action and
 * bytes. A {@link SyncReport} keeps these for the whole run even when it lists only some of its filesets.
 *
 * @param filesets        number of filesets per outcome (outcomes with none may be absent)
 * @param files           number of files per action (actions with none may be absent)
 * @param bytesDownloaded bytes read from VSRX
 * @param newUniqueBytes  bytes of blobs newly uploaded (storage growth)
 */
public record RunTotals(Map<FilesetOutcome, Long> filesets, Map<FileAction, Long> files, long bytesDownloaded,
        long newUniqueBytes) {
    public RunTotals {
        filesets = copy(requireNonNull(filesets, "filesets"), FilesetOutcome.class);
        files = copy(requireNonNull(files, "files"), FileAction.class);
        if (bytesDownloaded < 0 || newUniqueBytes < 0) {
            throw new IllegalArgumentException("byte counts must be >= 0");
        }
    }

    /** Nothing yet. */
    public static RunTotals empty() {
        return new RunTotals(Map.of(), Map.of(), 0, 0);
    }

    /** The totals of these fileset reports. @throws NullPointerException when a report is null */
    public static RunTotals of(Collection<FilesetReport> reports) {
        Builder b = new Builder();
        requireNonNull(reports, "reports").forEach(b::add);
        return b.build();
    }

    /** Filesets with this outcome. */
    public long filesets(FilesetOutcome outcome) {
        return filesets.getOrDefault(requireNonNull(outcome, "outcome"), 0L);
    }

    /** Every fileset the run looked at. */
    public long filesetCount() {
        return filesets.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Filesets that failed or were blocked by the mass-delete guard. */
    public long failedFilesets() {
        long n = 0;
        for (FilesetOutcome o : FilesetOutcome.values()) {
            if (o.isFailure()) {
                n += filesets(o);
            }
        }
        return n;
    }

    /** Files with this action. */
    public long files(FileAction action) {
        return files.getOrDefault(requireNonNull(action, "action"), 0L);
    }

    /** Every file the run looked at. */
    public long fileCount() {
        return files.values().stream().mapToLong(Long::longValue).sum();
    }

    private static <E extends Enum<E>> Map<E, Long> copy(Map<E, Long> in, Class<E> type) {
        EnumMap<E, Long> out = new EnumMap<>(type);
        in.forEach((k, v) -> {
            requireNonNull(k, "key");
            if (requireNonNull(v, "count") < 0) {
                throw new IllegalArgumentException("counts must be >= 0");
            }
            if (v > 0) {
                out.put(k, v);
            }
        });
        return Map.copyOf(out);
    }

    /** Accumulates totals one fileset report at a time. Not thread-safe. */
    public static final class Builder {
        private final long[] filesets = new long[FilesetOutcome.values().length];
        private final long[] files = new long[FileAction.values().length];
        private long bytesDownloaded;
        private long newUniqueBytes;

        /** An empty accumulator. */
        public Builder() {
        }

        /** Adds one fileset's report. @return this builder */
        public Builder add(FilesetReport r) {
            requireNonNull(r, "report");
            filesets[r.outcome().ordinal()]++;
            for (FileAction a : FileAction.values()) {
                files[a.ordinal()] += r.count(a);
            }
            bytesDownloaded += r.bytesDownloaded();
            newUniqueBytes += r.newUniqueBytes();
            return this;
        }

        /** Adds other totals. @return this builder */
        public Builder add(RunTotals t) {
            requireNonNull(t, "totals");
            t.filesets().forEach((o, n) -> filesets[o.ordinal()] += n);
            t.files().forEach((a, n) -> files[a.ordinal()] += n);
            bytesDownloaded += t.bytesDownloaded();
            newUniqueBytes += t.newUniqueBytes();
            return this;
        }

        /** The totals so far. */
        public RunTotals build() {
            EnumMap<FilesetOutcome, Long> f = new EnumMap<>(FilesetOutcome.class);
            for (FilesetOutcome o : FilesetOutcome.values()) {
                f.put(o, filesets[o.ordinal()]);
            }
            EnumMap<FileAction, Long> a = new EnumMap<>(FileAction.class);
            for (FileAction x : FileAction.values()) {
                a.put(x, files[x.ordinal()]);
            }
            return new RunTotals(f, a, bytesDownloaded, newUniqueBytes);
        }
    }
}
