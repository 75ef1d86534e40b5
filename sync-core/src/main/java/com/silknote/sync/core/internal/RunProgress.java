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
 * The run's resume state (DESIGN §2.9) as it evolves. Snapshots are taken under the engine's commit lock
 * and applied only after the commit that persisted them. Thread-safe.
 */
final class RunProgress {
    private final Optional<Instant> lastCompleteSync;
    private final boolean resuming;
    private final Set<FilesetId> processed = new LinkedHashSet<>();
    private final Set<FilesetId> failed = new LinkedHashSet<>();
    private final List<FilesetId> queued = new ArrayList<>();
    private int firstOpen;

    RunProgress(SyncState loaded, boolean resume) {
        requireNonNull(loaded, "loaded");
        this.lastCompleteSync = loaded.lastCompleteSync();
        this.resuming = resume && !loaded.partialSyncState().isEmpty();
        if (resuming) {
            processed.addAll(loaded.partialSyncState().processedFilesets());
            failed.addAll(loaded.partialSyncState().failedFilesets());
        }
    }

    boolean resuming() {
        return resuming;
    }

    synchronized boolean alreadyProcessed(FilesetId id) {
        return resuming && processed.contains(id);
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
        return state(p, f);
    }

    /** The state as it will be once {@code id} is recorded as failed. */
    synchronized SyncState withFailed(FilesetId id) {
        Set<FilesetId> p = new LinkedHashSet<>(processed);
        p.remove(id);
        Set<FilesetId> f = new LinkedHashSet<>(failed);
        f.add(id);
        return state(p, f);
    }

    synchronized void markProcessed(FilesetId id) {
        processed.add(id);
        failed.remove(id);
    }

    synchronized void markFailed(FilesetId id) {
        processed.remove(id);
        failed.add(id);
    }

    synchronized SyncState current() {
        return state(processed, failed);
    }

    synchronized boolean anyFailed() {
        return !failed.isEmpty();
    }

    /** The state after a run that finished every fileset: partial state cleared. */
    SyncState completed(Instant runStart) {
        // A resumed run did not see the filesets the interrupted run processed since that run began, so
        // it keeps the older mark: incremental runs may re-check more, never miss a change.
        Optional<Instant> mark = resuming ? lastCompleteSync : Optional.of(runStart);
        return new SyncState(mark, SyncState.PartialSyncState.empty());
    }

    private SyncState state(Set<FilesetId> p, Set<FilesetId> f) {
        Optional<FilesetId> resumeFrom = f.stream().findFirst();
        if (resumeFrom.isEmpty()) {
            while (firstOpen < queued.size() && processed.contains(queued.get(firstOpen))) {
                firstOpen++;
            }
            for (int i = firstOpen; i < queued.size(); i++) {
                if (!p.contains(queued.get(i))) {
                    resumeFrom = Optional.of(queued.get(i));
                    break;
                }
            }
        }
        return new SyncState(lastCompleteSync,
                new SyncState.PartialSyncState(List.copyOf(p), List.copyOf(f), resumeFrom));
    }
}
