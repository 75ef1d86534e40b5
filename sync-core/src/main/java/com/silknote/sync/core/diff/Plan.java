package com.silknote.sync.core.diff;

import static java.util.Objects.requireNonNull;

import java.util.AbstractList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * The diff's decisions for one fileset: the files that need action or reporting, listed files in listing
 * order, then vanished ones by id; plus the number of listed files that need neither (issue 12: a fileset of
 * a million unchanged files is a count, not a million plan entries).
 *
 * <p>A file is <em>counted as unchanged</em> when the run has nothing to write for it and nothing to say
 * about it: the same version as synced with metadata as recorded (a document a Silknote user modified
 * included), or a deleted file that was never synced and has no remembered skip. Every other file, an
 * {@link PlanAction#UNCHANGED} one that still needs a write included, is an entry of {@link #files()}.
 *
 * @param files     one plan per file that needs action or reporting
 * @param unchanged listed files counted as unchanged (not in {@code files})
 */
public record Plan(List<FilePlan> files, long unchanged) {
    /**
     * @throws NullPointerException     when files is null or holds null
     * @throws IllegalArgumentException when unchanged is negative
     */
    public Plan {
        requireNonNull(files, "files");
        if (!(files instanceof Owned)) {
            files = List.copyOf(files);
        }
        if (unchanged < 0) {
            throw new IllegalArgumentException("unchanged must be >= 0");
        }
    }

    /** A plan whose every file is an entry (none only counted). */
    public Plan(List<FilePlan> files) {
        this(files, 0);
    }

    /** A plan over {@code files}, which the caller hands over and never touches again (no copy). */
    static Plan handOver(FilePlan[] files, int size, long unchanged) {
        return new Plan(new Owned(files, size), unchanged);
    }

    /** An unmodifiable list over an array only the diff filled; null-free like {@link List#copyOf}. */
    private static final class Owned extends AbstractList<FilePlan> implements RandomAccess {
        private final FilePlan[] elements;
        private final int size;

        Owned(FilePlan[] elements, int size) {
            this.elements = elements;
            this.size = size;
        }

        @Override
        public FilePlan get(int index) {
            Objects.checkIndex(index, size);
            return elements[index];
        }

        @Override
        public int size() {
            return size;
        }
    }

    /** Number of files with the given action, the counted unchanged ones included. */
    public long count(PlanAction action) {
        requireNonNull(action, "action");
        long n = action == PlanAction.UNCHANGED ? unchanged : 0;
        for (FilePlan f : files) {
            if (f.action() == action) {
                n++;
            }
        }
        return n;
    }

    /** Counts of every action, the counted unchanged files included (absent = 0). */
    public Map<PlanAction, Long> counts() {
        Map<PlanAction, Long> m = new EnumMap<>(PlanAction.class);
        if (unchanged > 0) {
            m.put(PlanAction.UNCHANGED, unchanged);
        }
        for (FilePlan f : files) {
            m.merge(f.action(), 1L, Long::sum);
        }
        return m;
    }

    /** Number of files planned: the entries and the counted unchanged files. */
    public long size() {
        return files.size() + unchanged;
    }

    /** Listed bytes of the files that need a download. */
    public long bytesToDownload() {
        long n = 0;
        for (FilePlan f : files) {
            if (f.action().needsDownload()) {
                n += f.listed().size();
            }
        }
        return n;
    }

    /** {@code true} when carrying out the plan writes nothing. */
    public boolean writesNothing() {
        for (FilePlan f : files) {
            if (f.action().writes() || f.action() == PlanAction.SKIP && f.skipReason().orElseThrow().permanent()) {
                return false;
            }
        }
        return true;
    }
}
