package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The outcome for one fileset.
 *
 * @param filesetId       the fileset
 * @param outcome         how it ended
 * @param failureReason   a log-safe reason when it failed or was blocked
 * @param files           per-file outcomes
 * @param duration        wall time spent on it
 * @param bytesDownloaded bytes read from VSRX
 * @param newUniqueBytes  bytes of blobs newly uploaded (storage growth)
 */
public record FilesetReport(FilesetId filesetId, FilesetOutcome outcome, Optional<String> failureReason,
        List<FileReport> files, Duration duration, long bytesDownloaded, long newUniqueBytes) {
    public FilesetReport {
        requireNonNull(filesetId, "filesetId");
        requireNonNull(outcome, "outcome");
        requireNonNull(failureReason, "failureReason");
        files = List.copyOf(requireNonNull(files, "files"));
        requireNonNull(duration, "duration");
    }

    public long count(FileAction action) {
        return files.stream().filter(f -> f.action() == action).count();
    }
}
