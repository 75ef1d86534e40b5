package com.silknote.sync.core.internal;

import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.RunTotals;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * What a run's fileset reports add up to, fed one report at a time as filesets finish: totals, the figures
 * of the metrics, and a bounded selection of the reports themselves (DESIGN rule 15, issue 12's constant
 * heap). Memory does not grow with the number of filesets. Thread-safe.
 *
 * <p>The kept reports: at most {@code limit}, chosen by rank (failed and blocked filesets first, then those
 * with findings an operator acts on, then those that changed something, then the rest) and, within a rank,
 * the earlier ones; returned in processing order.
 */
final class RunTally {
    private record Kept(long seq, int rank, FilesetReport report) { }

    /** Worst kept first: the one to drop when over the limit. */
    private static final Comparator<Kept> DROP_ORDER =
            Comparator.comparingInt(Kept::rank).thenComparingLong(Kept::seq).reversed();

    private final int limit;
    private final RunTotals.Builder totals = new RunTotals.Builder();
    private final PriorityQueue<Kept> kept = new PriorityQueue<>(DROP_ORDER);
    private long worked;
    private Duration workedTime = Duration.ZERO;
    private long fileSyncs;
    private long failedFiles;
    private long newBytes;
    private long downloaded;
    private long failedFilesets;
    private long filesets;

    /** @param limit most fileset reports kept (>= 1) */
    RunTally(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1");
        }
        this.limit = limit;
    }

    /**
     * Adds one fileset's report.
     *
     * @param seq its place in processing order (listing order; reports are kept in this order)
     */
    synchronized void add(long seq, FilesetReport r) {
        totals.add(r);
        filesets++;
        FilesetOutcome o = r.outcome();
        if (o.isFailure()) {
            failedFilesets++;
        }
        if (o != FilesetOutcome.SKIPPED_ALREADY_PROCESSED && o != FilesetOutcome.SKIPPED_NOT_LINKED
                && o != FilesetOutcome.VANISHED) {
            worked++;
            workedTime = workedTime.plus(r.duration());
        }
        if (o != FilesetOutcome.MASS_DELETE_BLOCKED) {
            // one failed fileset with its own alert: the files a guard held back are not file errors
            long all = 0;
            for (FileAction a : FileAction.values()) {
                all += r.count(a);
            }
            fileSyncs += all - r.count(FileAction.UNCHANGED);
            failedFiles += r.count(FileAction.FAILED);
        }
        newBytes += r.newUniqueBytes();
        downloaded += r.bytesDownloaded();
        kept.add(new Kept(seq, rank(r), r));
        if (kept.size() > limit) {
            kept.poll();
        }
    }

    /** 0: failed or blocked; 1: findings to look at; 2: changed something; 3: nothing to see. */
    static int rank(FilesetReport r) {
        FilesetOutcome o = r.outcome();
        if (o.isFailure()) {
            return 0;
        }
        if (o == FilesetOutcome.VANISHED
                || o == FilesetOutcome.SKIPPED_NOT_LINKED && r.failureReason()
                        .filter(FilesetSync.UNLINKED_WITH_DOCUMENTS::equals).isPresent()
                || r.count(FileAction.CONFLICT) + r.count(FileAction.FAILED) + r.count(FileAction.VANISHED)
                        + r.count(FileAction.SKIPPED) > 0) {
            return 1;
        }
        if (r.count(FileAction.CREATED) + r.count(FileAction.UPDATED) + r.count(FileAction.METADATA_ONLY)
                + r.count(FileAction.DELETED) > 0) {
            return 2;
        }
        return 3;
    }

    synchronized RunTotals totals() {
        return totals.build();
    }

    /** The kept reports in processing order. */
    synchronized List<FilesetReport> kept() {
        List<Kept> all = new ArrayList<>(kept);
        all.sort(Comparator.comparingLong(Kept::seq));
        return all.stream().map(Kept::report).toList();
    }

    synchronized long failedFilesets() {
        return failedFilesets;
    }

    synchronized long filesets() {
        return filesets;
    }

    synchronized long worked() {
        return worked;
    }

    synchronized Duration workedTime() {
        return workedTime;
    }

    synchronized long fileSyncs() {
        return fileSyncs;
    }

    synchronized long failedFiles() {
        return failedFiles;
    }

    synchronized long newUniqueBytes() {
        return newBytes;
    }

    synchronized long bytesDownloaded() {
        return downloaded;
    }
}
