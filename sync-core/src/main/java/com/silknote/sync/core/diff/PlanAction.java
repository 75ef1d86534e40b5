package com.silknote.sync.core.diff;

/** What the diff decided for one file, before any download. */
public enum PlanAction {
    /** Not in Silknote yet: download, check, store, create the document. */
    CREATE,
    /** May have new content: download, check and compare hashes (equal hashes end as metadata-only). */
    UPDATE,
    /** Same content as synced (decided from metadata): update document and mapping, no download. */
    METADATA_ONLY,
    /** Marked deleted in VSRX (or vanished under the delete policy): remove document, vectors, blob ref. */
    DELETE,
    /** Nothing to do. */
    UNCHANGED,
    /** Refused before download, or remembered as refused for this version. */
    SKIP,
    /** A Silknote user changed the document; the sync leaves it alone and reports it. */
    CONFLICT,
    /** Mapped but missing from the listing; reported only. */
    VANISHED;

    /** {@code true} when carrying out this action needs the file's bytes. */
    public boolean needsDownload() {
        return this == CREATE || this == UPDATE;
    }

    /** {@code true} when carrying out this action writes to the document store. */
    public boolean writes() {
        return this == CREATE || this == UPDATE || this == METADATA_ONLY || this == DELETE;
    }
}
