package com.silknote.sync.core.model;

/**
 * Refuses a fileset's deletes when a run would delete more than {@code maxShare} of its documents and
 * at least {@code minDeletes} of them. The whole fileset is then failed with a clear reason, nothing of
 * it is written, and an alert is raised.
 *
 * @param maxShare   largest share of a fileset's documents one run may delete (0..1, default 0.5)
 * @param minDeletes the guard only trips from this many deletes on (default 3)
 */
public record MassDeleteGuard(double maxShare, int minDeletes) {
    public MassDeleteGuard {
        if (!(maxShare >= 0 && maxShare <= 1)) {
            throw new IllegalArgumentException("maxShare must be in [0,1], was " + maxShare);
        }
        if (minDeletes < 1) {
            throw new IllegalArgumentException("minDeletes must be >= 1, was " + minDeletes);
        }
    }

    public static MassDeleteGuard defaults() {
        return new MassDeleteGuard(0.5, 3);
    }

    /** {@code true} when deleting {@code deletes} of {@code documents} existing documents is refused. */
    public boolean trips(long deletes, long documents) {
        if (deletes < minDeletes || documents <= 0) {
            return false;
        }
        return (double) deletes / (double) documents > maxShare;
    }
}
