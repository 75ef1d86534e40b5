package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The outcome for one fileset.
 *
 * <p>Files with an action or something to report are listed in {@code files}; files the run found unchanged
 * with nothing to report are only counted in {@code unchangedFiles} (issue 12: the report of a no-op run over
 * a million files is a number, not a million entries). A plain unchanged entry handed to the constructor (an
 * {@link FileAction#UNCHANGED} report without skip reason, detail, bytes or path, as reports stored before the
 * count existed hold them) is folded into the count, so both shapes read the same.
 *
 * @param filesetId       the fileset
 * @param outcome         how it ended
 * @param failureReason   a log-safe reason when it failed or was blocked
 * @param files           per-file outcomes of the files with an action or something to report
 * @param duration        wall time spent on it
 * @param bytesDownloaded bytes read from VSRX
 * @param newUniqueBytes  bytes of blobs newly uploaded (storage growth)
 * @param unchangedFiles  files found unchanged and not listed in {@code files}
 * @param alerts          the alerts its run raised for this fileset (relinked to another patient, mass-delete guard,
 *                        ledger inconsistent, files listed but not served), kept with the report so that whoever
 *                        reads it back (a scale-out run's coordinator, the run history) has them too; {@code null}
 *                        (a report stored before they were kept) reads as none
 */
public record FilesetReport(FilesetId filesetId, FilesetOutcome outcome, Optional<String> failureReason,
        List<FileReport> files, Duration duration, long bytesDownloaded, long newUniqueBytes, long unchangedFiles,
        List<Alert> alerts) {
    /**
     * @throws NullPointerException     when an argument other than alerts is null
     * @throws IllegalArgumentException when unchangedFiles is negative
     */
    public FilesetReport {
        alerts = alerts == null ? List.of() : List.copyOf(alerts);
        requireNonNull(filesetId, "filesetId");
        requireNonNull(outcome, "outcome");
        requireNonNull(failureReason, "failureReason");
        requireNonNull(files, "files");
        requireNonNull(duration, "duration");
        if (unchangedFiles < 0) {
            throw new IllegalArgumentException("unchangedFiles must be >= 0");
        }
        long plain = 0;
        for (FileReport f : files) {
            if (plainUnchanged(f)) {
                plain++;
            }
        }
        if (plain == 0) {
            files = List.copyOf(files);
        } else {
            List<FileReport> listed = new ArrayList<>(files.size() - (int) plain);
            for (FileReport f : files) {
                if (!plainUnchanged(f)) {
                    listed.add(f);
                }
            }
            files = List.copyOf(listed);
            unchangedFiles += plain;
        }
    }

    /** A report without alerts. */
    public FilesetReport(FilesetId filesetId, FilesetOutcome outcome, Optional<String> failureReason,
            List<FileReport> files, Duration duration, long bytesDownloaded, long newUniqueBytes,
            long unchangedFiles) {
        this(filesetId, outcome, failureReason, files, duration, bytesDownloaded, newUniqueBytes, unchangedFiles,
                List.of());
    }

    /** A report without alerts whose files are all listed (plain unchanged ones are still folded into the count). */
    public FilesetReport(FilesetId filesetId, FilesetOutcome outcome, Optional<String> failureReason,
            List<FileReport> files, Duration duration, long bytesDownloaded, long newUniqueBytes) {
        this(filesetId, outcome, failureReason, files, duration, bytesDownloaded, newUniqueBytes, 0);
    }

    private static boolean plainUnchanged(FileReport f) {
        return requireNonNull(f, "file report").action() == FileAction.UNCHANGED && f.skipReason().isEmpty()
                && f.detail().isEmpty() && f.bytes() == 0 && f.path().isEmpty();
    }

    /** Number of files with the given action, the counted unchanged ones included. */
    public long count(FileAction action) {
        long n = action == FileAction.UNCHANGED ? unchangedFiles : 0;
        for (FileReport f : files) {
            if (f.action() == action) {
                n++;
            }
        }
        return n;
    }

    /** Number of files the fileset's run looked at: those listed in {@code files} and the counted unchanged ones. */
    public long totalFiles() {
        return files.size() + unchangedFiles;
    }
}
