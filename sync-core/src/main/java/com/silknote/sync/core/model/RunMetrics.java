package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Monitoring figures of one run (DESIGN §2.15).
 *
 * @param duration              wall time of the run
 * @param averageFilesetDuration mean wall time per processed fileset
 * @param filesPerMinute        file syncs (any outcome but unchanged) per minute
 * @param errorRate             failed files per file sync, as a fraction (0.05 = 5 failures per 100)
 * @param newUniqueBytes        bytes of blobs newly uploaded (storage growth)
 * @param bytesDownloaded       bytes read from VSRX
 * @param consecutiveFailedRuns failed runs in a row, this one included (0 when this run succeeded)
 */
public record RunMetrics(Duration duration, Duration averageFilesetDuration, double filesPerMinute,
        double errorRate, long newUniqueBytes, long bytesDownloaded, int consecutiveFailedRuns) {
    public RunMetrics {
        requireNonNull(duration, "duration");
        requireNonNull(averageFilesetDuration, "averageFilesetDuration");
    }
}
