package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A remembered skip: this version of the file was refused and is not downloaded again while unchanged.
 *
 * @param fileId    the VSRX file
 * @param filesetId its fileset
 * @param version   the version key the skip applies to (the ETag, or modifiedAt+size when there is none);
 *                  see {@code com.silknote.sync.core.diff.ChangeDetection#versionKey}
 * @param reason    why it was skipped
 * @param skippedAt when
 */
public record PermanentSkip(VsrxFileId fileId, FilesetId filesetId, String version, SkipReason reason,
        Instant skippedAt) {
    public PermanentSkip {
        requireNonNull(fileId, "fileId");
        requireNonNull(filesetId, "filesetId");
        requireNonNull(version, "version");
        requireNonNull(reason, "reason");
        requireNonNull(skippedAt, "skippedAt");
    }
}
