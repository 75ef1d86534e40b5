package com.silknote.sync.core.diff;

import static java.util.Objects.requireNonNull;

import java.util.AbstractList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * The diff's decisions for one fileset: listed files in listing order, then vanished ones by id.
 *
 * @param files one plan per file
 */
public record Plan(List<FilePlan> files) {
    public Plan {
        requireNonNull(files, "files");
        if (!(files instanceof Owned)) {
            files = List.copyOf(files);
        }
    }

    /** A plan over {@code files}, which the caller hands over and never touches again (no copy). */
    static Plan handOver(FilePlan[] files, int size) {
        return new Plan(new Owned(files, size));
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

    /** Number of files with the given action. */
    public long count(PlanAction action) {
        long n = 0;
        for (FilePlan f : files) {
            if (f.action() == action) {
                n++;
            }
        }
        return n;
    }

    /** Counts of every action (absent = 0). */
    public Map<PlanAction, Long> counts() {
        Map<PlanAction, Long> m = new EnumMap<>(PlanAction.class);
        for (FilePlan f : files) {
            m.merge(f.action(), 1L, Long::sum);
        }
        return m;
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
