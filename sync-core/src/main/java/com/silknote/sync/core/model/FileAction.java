package com.silknote.sync.core.model;

/** What a run did (or, in a dry run, would do) with one file. */
public enum FileAction {
    /** New document created. */
    CREATED,
    /** Content changed: same document, new blob reference, re-processed. */
    UPDATED,
    /** Listing changed but the bytes are the same: metadata updated, no upload, no re-processing. */
    METADATA_ONLY,
    /** Nothing changed; nothing downloaded or written. */
    UNCHANGED,
    /** Marked deleted in VSRX: document, vector entries and (when unreferenced) blob removed. */
    DELETED,
    /** Refused (see {@link SkipReason}); nothing written for it. */
    SKIPPED,
    /** A Silknote user changed the document since the sync wrote it; left as it is. */
    CONFLICT,
    /** Failed for another reason; the fileset is retried by the next run. */
    FAILED,
    /** Mapped, but no longer in the listing and not marked deleted: reported, not deleted (by default). */
    VANISHED
}
