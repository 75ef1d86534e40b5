package com.silknote.sync.core.internal;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.dedup.SpooledContent;
import com.silknote.sync.core.diff.FilePlan;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.VsrxFile;
import java.util.Optional;

/**
 * One file's way through a fileset: the plan, then (for downloads) the spooled and checked content and
 * the confirmed blob. Confined to one thread at a time (handed over through a future).
 */
final class FileWork {
    final FilePlan plan;
    FileAction action;
    SkipReason skipReason;
    String detail;
    /** Version key a permanent skip is remembered under. */
    String skipVersion;
    long bytesDownloaded;
    SpooledContent spool;
    ContentHash hash;
    long size;
    String mimeType;
    /** ETag of the bytes downloaded (not the listing's). */
    Optional<String> contentEtag = Optional.empty();
    /** ETag of the stored blob, confirmed by the blob store. */
    String confirmedBlobEtag;
    boolean blobCreated;
    /** Content registered with the {@link ContentRegistry} (left after the commit). */
    ContentHash registered;
    /** Bytes uploaded as a new unique blob. */
    long newUniqueBytes;

    FileWork(FilePlan plan) {
        this.plan = requireNonNull(plan, "plan");
    }

    void skip(SkipReason reason, String why) {
        action = FileAction.SKIPPED;
        skipReason = reason;
        detail = why;
    }

    boolean rememberSkip() {
        return action == FileAction.SKIPPED && skipReason.permanent();
    }

    FileReport report() {
        return new FileReport(plan.fileId(), action, Optional.ofNullable(skipReason), Optional.ofNullable(detail),
                bytesDownloaded, reportedPath());
    }

    /** The path an operator needs to find a skipped, vanished or conflicting file: listed, else as stored. */
    private Optional<String> reportedPath() {
        if (action != FileAction.SKIPPED && action != FileAction.VANISHED && action != FileAction.CONFLICT) {
            return Optional.empty();
        }
        return plan.file().map(VsrxFile::path).or(() -> plan.document().map(d -> d.metadata().originalPath()));
    }

    /** Deletes the spool file, if any; never throws. */
    void discardSpool() {
        if (spool != null) {
            try {
                spool.close();
            } catch (RuntimeException e) {
                // best effort: the spool directory is a temp area
            }
            spool = null;
        }
    }
}
