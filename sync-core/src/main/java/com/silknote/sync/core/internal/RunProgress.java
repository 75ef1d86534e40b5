package com.silknote.sync.core.internal;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.SyncState;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The run's resume state (DESIGN rule 9) as it evolves. Snapshots are taken under the engine's commit lock
 * and applied only after the commit that persisted them. Thread-safe. Memory and the size of every saved
 * state stay bounded by the filesets in flight and the failed ones, however many filesets a run has.
 *
 * <ul>
 *   <li>A run <em>resumes</em> only when the stored state names a {@code resumeFromFileset}: the previous
 *       run was interrupted. It then skips the filesets that run committed
 *       ({@link SyncState.PartialSyncState#processed}) and retries its failed ones.</li>
 *   <li>Failed filesets of the previous run (complete or not) are carried: they stay in
 *       {@code failedFilesets} until this run attempts them, so no failure is lost.</li>
 *   <li>Filesets are queued in id order (the listing's). Every state saved while the run goes on names a
 *       {@code resumeFromFileset}: the first queued fileset not finished yet (or, when all are, the last one
 *       queued). Every fileset before it was committed or failed; {@code processedFilesets} lists the committed
 *       ones from it on.</li>
 *   <li>The engine queues no further fileset while {@value #MAX_AHEAD} filesets finished ahead of the oldest one
 *       in flight ({@link #awaitRoomAhead}), so {@code processedFilesets} never lists more than that.</li>
 *   <li>The state saved when the run completes has no {@code resumeFromFileset}, no processed filesets and
 *       exactly this run's failures.</li>
 * </ul>
 */
final class RunProgress {
    /** Most committed filesets a saved state lists (those that overtook the oldest fileset in flight). */
    static final int MAX_AHEAD = 1000;

    private final Optional<Instant> lastCompleteSync;
    private final boolean resuming;
    /** The interrupted run's state, when resuming. */
    private final SyncState.PartialSyncState resumed;
    /** Failed in the previous run and not attempted by this one yet. */
    private final Set<FilesetId> carried = new LinkedHashSet<>();
    private final List<FilesetId> carriedAtStart;
    private final Set<FilesetId> carriedAtStartSet;
    /** Queued in listing order, not finished yet. */
    private final TreeSet<FilesetId> inFlight = new TreeSet<>();
    /** Committed (by this run, or by the run it resumes) from the low-water mark on. */
    private final TreeSet<FilesetId> processed = new TreeSet<>();
    /** This run's failures. */
    private final Set<FilesetId> failed = new LinkedHashSet<>();
    private FilesetId lastQueued;
    private boolean anyProcessed;

    /**
     * @param loaded the stored state
     * @param resume whether this run may resume an interrupted one (not for single-fileset runs)
     */
    RunProgress(SyncState loaded, boolean resume) {
        requireNonNull(loaded, "loaded");
        this.lastCompleteSync = loaded.lastCompleteSync();
        SyncState.PartialSyncState partial = loaded.partialSyncState();
        this.resuming = resume && partial.resumeFromFileset().isPresent();
        this.resumed = resuming ? partial : SyncState.PartialSyncState.empty();
        if (resuming) {
            for (FilesetId id : partial.processedFilesets()) {
                if (!partial.failedFilesets().contains(id)) {
                    processed.add(id);
                }
            }
        }
        carried.addAll(partial.failedFilesets());
        this.carriedAtStart = List.copyOf(carried);
        this.carriedAtStartSet = Set.copyOf(carried);
    }

    boolean resuming() {
        return resuming;
    }

    /** The mark of the last complete run. */
    Optional<Instant> lastCompleteSync() {
        return lastCompleteSync;
    }

    /** Failed filesets of the previous run, in stored order. */
    List<FilesetId> carriedFailures() {
        return carriedAtStart;
    }

    /** {@code true} when the interrupted run being resumed committed {@code id}: this run skips it. */
    synchronized boolean alreadyProcessed(FilesetId id) {
        return resuming && !carriedAtStartSet.contains(id) && resumed.processed(id);
    }

    /**
     * A fileset of the listing is queued. Listings come in id order; a fileset that does not come after the
     * last one queued is refused ({@code false}): the resume state would no longer be true.
     */
    synchronized boolean queued(FilesetId id) {
        if (lastQueued != null && id.compareTo(lastQueued) <= 0) {
            return false;
        }
        lastQueued = id;
        inFlight.add(id);
        return true;
    }

    /** The state as it will be once {@code id} committed. */
    synchronized SyncState withProcessed(FilesetId id) {
        TreeSet<FilesetId> f = new TreeSet<>(inFlight);
        f.remove(id);
        TreeSet<FilesetId> p = new TreeSet<>(processed);
        p.add(id);
        Set<FilesetId> fl = new LinkedHashSet<>(failed);
        fl.remove(id);
        Set<FilesetId> c = new LinkedHashSet<>(carried);
        c.remove(id);
        return running(f, p, fl, c);
    }

    /** The state as it will be once {@code id} is recorded as failed. */
    synchronized SyncState withFailed(FilesetId id) {
        TreeSet<FilesetId> f = new TreeSet<>(inFlight);
        f.remove(id);
        TreeSet<FilesetId> p = new TreeSet<>(processed);
        p.remove(id);
        Set<FilesetId> fl = new LinkedHashSet<>(failed);
        fl.add(id);
        Set<FilesetId> c = new LinkedHashSet<>(carried);
        c.remove(id);
        return running(f, p, fl, c);
    }

    synchronized void markProcessed(FilesetId id) {
        inFlight.remove(id);
        processed.add(id);
        failed.remove(id);
        carried.remove(id);
        anyProcessed = true;
        prune();
        notifyAll();
    }

    synchronized void markFailed(FilesetId id) {
        inFlight.remove(id);
        processed.remove(id);
        failed.add(id);
        carried.remove(id);
        prune();
        notifyAll();
    }

    /**
     * Committed filesets a saved state has to list: those queued after the oldest fileset still in flight
     * that finished before it.
     */
    synchronized int ahead() {
        return lastQueued == null ? 0 : processed.headSet(lastQueued, true).size();
    }

    /**
     * Waits while {@code max} or more filesets finished ahead of the oldest one in flight, so a slow fileset
     * cannot let the resume state grow with the filesets that overtake it.
     *
     * @throws InterruptedException when interrupted while waiting
     */
    synchronized void awaitRoomAhead(int max) throws InterruptedException {
        while (!inFlight.isEmpty() && ahead() >= max) {
            wait();
        }
    }

    /** Forgets a carried failure that no longer exists in VSRX. */
    synchronized void dropCarried(FilesetId id) {
        carried.remove(id);
    }

    /** The state of a run that stopped before attempting every fileset (the next run resumes it). */
    synchronized SyncState interrupted() {
        return running(inFlight, processed, failed, carried);
    }

    /** {@code true} when this run changed what the stored state says. */
    synchronized boolean changedAnything() {
        return anyProcessed || !failed.isEmpty() || !carried.equals(new LinkedHashSet<>(carriedAtStart));
    }

    /**
     * The state after a run that attempted every fileset: no processed filesets, exactly this run's failures,
     * no {@code resumeFromFileset}. {@code lastCompleteSync} moves to {@code watermark}, except after a
     * resumed run: that did not look at the filesets the interrupted run had processed, so it keeps the older
     * mark (incremental runs may then re-check more, never miss a change).
     */
    synchronized SyncState completed(Instant watermark) {
        Optional<Instant> mark = resuming ? lastCompleteSync : Optional.of(watermark);
        return new SyncState(mark, new SyncState.PartialSyncState(List.of(), List.copyOf(failed), Optional.empty()));
    }

    /** Committed filesets below the low-water mark are implied by it: forget them. */
    private void prune() {
        FilesetId low = lowWater(inFlight, processed, failed);
        if (low != null) {
            processed.headSet(low).clear();
        }
    }

    /**
     * The first queued fileset not finished yet; when every queued one is finished, the last queued; when
     * nothing was queued, the first finished one (or the mark of the run being resumed, if earlier).
     * {@code null} when nothing was queued or finished and nothing is resumed.
     */
    private FilesetId lowWater(TreeSet<FilesetId> f, TreeSet<FilesetId> p, Set<FilesetId> fl) {
        if (!f.isEmpty()) {
            return f.first();
        }
        if (lastQueued != null) {
            return lastQueued;
        }
        TreeSet<FilesetId> finished = new TreeSet<>(p);
        finished.addAll(fl);
        // a resumed run that queued nothing yet keeps the mark it resumed from, or an earlier one
        resumed.resumeFromFileset().ifPresent(finished::add);
        return finished.isEmpty() ? null : finished.first();
    }

    private SyncState running(TreeSet<FilesetId> f, TreeSet<FilesetId> p, Set<FilesetId> fl, Set<FilesetId> c) {
        Set<FilesetId> allFailed = new LinkedHashSet<>(c);
        allFailed.addAll(fl);
        FilesetId low = lowWater(f, p, allFailed);
        Set<FilesetId> listed = new HashSet<>();
        List<FilesetId> shownProcessed = low == null ? List.of()
                : p.tailSet(low, true).stream().filter(id -> !allFailed.contains(id) && listed.add(id)).toList();
        return new SyncState(lastCompleteSync, new SyncState.PartialSyncState(shownProcessed,
                List.copyOf(allFailed), Optional.ofNullable(low)));
    }
}
