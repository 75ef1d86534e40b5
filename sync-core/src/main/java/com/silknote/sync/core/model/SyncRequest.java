package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * What one run should do.
 *
 * @param dryRun      plan only: decide from metadata, download nothing, write nothing
 * @param onlyFileset sync just this fileset (e.g. on a webhook); empty for all
 * @param incremental list only filesets changed since the last complete sync ({@code changedSince})
 * @param budget      limits of the run; reached, it stops at a fileset boundary and the next run resumes
 */
public record SyncRequest(boolean dryRun, Optional<FilesetId> onlyFileset, boolean incremental, RunBudget budget) {
    public SyncRequest {
        requireNonNull(onlyFileset, "onlyFileset");
        requireNonNull(budget, "budget");
    }

    /** A request without a budget. */
    public SyncRequest(boolean dryRun, Optional<FilesetId> onlyFileset, boolean incremental) {
        this(dryRun, onlyFileset, incremental, RunBudget.unlimited());
    }

    /** A full run over every fileset, writing. */
    public static SyncRequest full() {
        return new SyncRequest(false, Optional.empty(), false);
    }

    /** A run over filesets changed since the last complete sync. */
    public static SyncRequest incrementalRun() {
        return new SyncRequest(false, Optional.empty(), true);
    }

    public static SyncRequest fileset(FilesetId id) {
        return new SyncRequest(false, Optional.of(requireNonNull(id, "id")), false);
    }

    public SyncRequest asDryRun() {
        return new SyncRequest(true, onlyFileset, incremental, budget);
    }

    /** This request with a budget. @throws NullPointerException when budget is null */
    public SyncRequest withBudget(RunBudget budget) {
        return new SyncRequest(dryRun, onlyFileset, incremental, budget);
    }
}
