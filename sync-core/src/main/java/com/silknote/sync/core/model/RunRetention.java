package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How long the run history keeps a run (its summary and its per-fileset reports). After every run that
 * writes, the engine removes the runs that started more than {@code maxAge} ago and those beyond the
 * {@code maxRuns} newest; whichever removes more wins.
 *
 * @param maxAge  runs that started longer ago are removed (positive)
 * @param maxRuns at most this many runs are kept (>= 1)
 */
public record RunRetention(Duration maxAge, int maxRuns) {
    public RunRetention {
        requireNonNull(maxAge, "maxAge");
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("maxAge must be positive");
        }
        if (maxRuns < 1) {
            throw new IllegalArgumentException("maxRuns must be >= 1, was " + maxRuns);
        }
    }

    /** 30 days, at most 3,000 runs (a month of runs every 15 minutes). */
    public static RunRetention defaults() {
        return new RunRetention(Duration.ofDays(30), 3000);
    }
}
