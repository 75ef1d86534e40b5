package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * The outcome for one file. Named by its VSRX id; for a file that was skipped, vanished or is in conflict it
 * also carries the file's path, so the operator's own report can show it on request. The path is patient
 * data: {@code toString()} never prints it, and nothing may log it at INFO or above.
 *
 * @param fileId     the VSRX file
 * @param action     what happened
 * @param skipReason set when {@code action == SKIPPED}
 * @param detail     a short, log-safe explanation (reason code, status), if any
 * @param bytes      bytes downloaded for this file in this run
 * @param path       the file's path as VSRX listed it (or as stored, for a vanished file), for skipped,
 *                   vanished and conflicting files; patient data
 */
public record FileReport(VsrxFileId fileId, FileAction action, Optional<SkipReason> skipReason,
        Optional<String> detail, long bytes, Optional<String> path) {
    public FileReport {
        requireNonNull(fileId, "fileId");
        requireNonNull(action, "action");
        requireNonNull(skipReason, "skipReason");
        requireNonNull(detail, "detail");
        requireNonNull(path, "path");
        if (action == FileAction.SKIPPED && skipReason.isEmpty()) {
            throw new IllegalArgumentException("a skipped file needs a skip reason");
        }
    }

    /** A report without a path. */
    public FileReport(VsrxFileId fileId, FileAction action, Optional<SkipReason> skipReason, Optional<String> detail,
            long bytes) {
        this(fileId, action, skipReason, detail, bytes, Optional.empty());
    }

    public static FileReport of(VsrxFileId id, FileAction action) {
        return new FileReport(id, action, Optional.empty(), Optional.empty(), 0);
    }

    public static FileReport skipped(VsrxFileId id, SkipReason reason, String detail, long bytes) {
        return new FileReport(id, FileAction.SKIPPED, Optional.of(reason), Optional.ofNullable(detail), bytes);
    }

    /** The same report with the file's path (patient data). @throws NullPointerException when path is null */
    public FileReport withPath(String path) {
        return new FileReport(fileId, action, skipReason, detail, bytes, Optional.of(requireNonNull(path, "path")));
    }

    @Override
    public String toString() {
        return "FileReport[fileId=" + fileId + ", action=" + action + ", skipReason=" + skipReason + ", detail="
                + detail + ", bytes=" + bytes + (path.isPresent() ? ", path=[redacted]" : "") + "]";
    }
}
