package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * The outcome for one file. Holds no patient data: the file is named by its VSRX id only.
 *
 * @param fileId     the VSRX file
 * @param action     what happened
 * @param skipReason set when {@code action == SKIPPED}
 * @param detail     a short, log-safe explanation (reason code, status), if any
 * @param bytes      bytes downloaded for this file in this run
 */
public record FileReport(VsrxFileId fileId, FileAction action, Optional<SkipReason> skipReason,
        Optional<String> detail, long bytes) {
    public FileReport {
        requireNonNull(fileId, "fileId");
        requireNonNull(action, "action");
        requireNonNull(skipReason, "skipReason");
        requireNonNull(detail, "detail");
        if (action == FileAction.SKIPPED && skipReason.isEmpty()) {
            throw new IllegalArgumentException("a skipped file needs a skip reason");
        }
    }

    public static FileReport of(VsrxFileId id, FileAction action) {
        return new FileReport(id, action, Optional.empty(), Optional.empty(), 0);
    }

    public static FileReport skipped(VsrxFileId id, SkipReason reason, String detail, long bytes) {
        return new FileReport(id, FileAction.SKIPPED, Optional.of(reason), Optional.ofNullable(detail), bytes);
    }
}
