package com.silknote.sync.core.internal;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.SyncState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The run's resume state (DESIGN rule 9) as it evolves. Snapshots are taken under the engine's commit lock
 * and applied only after the commit that persisted them. Thread-safe.
 *
 * <ul>
 *   <li>A run <em>resumes</em> only when the stored state names a {@code resumeFromFileset}: the previous
 *       run was interrupted. It then skips the filesets that run committed and retries its failed ones.</li>
 *   <li>Failed filesets of the previous run (complete or not) are carried: they stay in
 *       {@code failedFilesets} until this run attempts them, so no failure is lost.</li>
 *   <li>Every state saved while the run goes on names a {@code resumeFromFileset}; the state saved when the
 *       run completes has none, no processed filesets and exactly this run's failures.</li>
 * </ul>
 */
final class RunProgress {
    private final Optional<Instant> lastCompleteSync;
    private final boolean resuming;
    /** Committed by the interrupted run being resumed: skipped. */
    private final Set<FilesetId> skipped = new LinkedHashSet<>();
    /** Failed in the previous run and not attempted by this one yet. */
    private final Set<FilesetId> carried = new LinkedHashSet<>();
    private final List<FilesetId> carriedAtStart;
    private final Set<FilesetId> processed = new LinkedHashSet<>();
    private final Set<FilesetId> failed = new LinkedHashSet<>();
    private final List<FilesetId> queued = new ArrayList<>();

    /**
     * @param loaded the stored state
     * @param resume whether this run may resume an interrupted one (not for single-fileset runs)
     */
    RunProgress(SyncState loaded, boolean resume) {
        requireNonNull(loaded, "loaded");
        this.lastCompleteSync = loaded.lastCompleteSync();
        SyncState.PartialSyncState partial = loaded.partialSyncState();
        this.resuming = resume && partial.resumeFromFileset().isPresent();
        if (resuming) {
            skipped.addAll(partial.processedFilesets());
        }
        carried.addAll(partial.failedFilesets());
        carried.removeAll(skipped);
        this.carriedAtStart = List.copyOf(carried);
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

    synchronized boolean alreadyProcessed(FilesetId id) {
        return resuming && skipped.contains(id);
    }

    synchronized void queued(FilesetId id) {
        queued.add(id);
    }

    /** The state as it will be once {@code id} committed. */
    synchronized SyncState withProcessed(FilesetId id) {
        Set<FilesetId> p = new LinkedHashSet<>(processed);
        p.add(id);
        Set<FilesetId> f = new LinkedHashSet<>(failed);
        f.remove(id);
        Set<FilesetId> c = new LinkedHashSet<>(carried);
        c.remove(id);
        return running(p, f, c);
    }

    /** The state as it will be once {@code id} is recorded as failed. */
    synchronized SyncState withFailed(FilesetId id) {
        Set<FilesetId> p = new LinkedHashSet<>(processed);
        p.remove(id);
        Set<FilesetId> f = new LinkedHashSet<>(failed);
        f.add(id);
        Set<FilesetId> c = new LinkedHashSet<>(carried);
        c.remove(id);
        return running(p, f, c);
    }

    synchronized void markProcessed(FilesetId id) {
        processed.add(id);
        failed.remove(id);
        carried.remove(id);
    }

    synchronized void markFailed(FilesetId id) {
        processed.remove(id);
        failed.add(id);
        carried.remove(id);
    }

    /** Forgets a carried failure that no longer exists in VSRX. */
    synchronized void dropCarried(FilesetId id) {
        carried.remove(id);
    }

    /** The state of a run that stopped before attempting every fileset (the next run resumes it). */
    synchronized SyncState interrupted() {
        return running(processed, failed, carried);
    }

    /** {@code true} when this run changed what the stored state says. */
    synchronized boolean changedAnything() {
        return !processed.isEmpty() || !failed.isEmpty() || !carried.equals(new LinkedHashSet<>(carriedAtStart));
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

    private SyncState running(Set<FilesetId> p, Set<FilesetId> f, Set<FilesetId> c) {
        Set<FilesetId> allProcessed = new LinkedHashSet<>(skipped);
        allProcessed.addAll(p);
        Set<FilesetId> allFailed = new LinkedHashSet<>(c);
        allFailed.addAll(f);
        return new SyncState(lastCompleteSync, new SyncState.PartialSyncState(List.copyOf(allProcessed),
                List.copyOf(allFailed), resumeFrom(allProcessed, allFailed)));
    }

    /**
     * The first failed fileset, else the first queued one not processed, else the last processed one; empty
     * only when the run has neither processed nor failed anything (then there is nothing to resume).
     */
    private Optional<FilesetId> resumeFrom(Set<FilesetId> p, Set<FilesetId> f) {
        for (FilesetId id : queued) {
            if (f.contains(id)) {
                return Optional.of(id);
            }
        }
        if (!f.isEmpty()) {
            return Optional.of(f.iterator().next());
        }
        for (FilesetId id : queued) {
            if (!p.contains(id)) {
                return Optional.of(id);
            }
        }
        FilesetId last = null;
        for (FilesetId id : p) {
            last = id;
        }
        return Optional.ofNullable(last);
    }
}
