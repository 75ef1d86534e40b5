package com.silknote.sync.core.model;

/** What the orphan cleanup looks for (DESIGN rule 14, issue 11). */
public enum OrphanClass {
    /** A document whose patient fileset record is gone. Removed with its mapping; its reference is released. */
    DOCUMENT_WITHOUT_FILESET,
    /**
     * A mapping whose document is gone (a Silknote user removed it). Removed; its reference is released. The
     * next sync treats a file VSRX still lists as new and creates its document again.
     */
    MAPPING_WITHOUT_DOCUMENT,
    /** An outbox row (processing, or parked purge/collection) of a document that no longer exists. */
    OUTBOX_OF_MISSING_DOCUMENT,
    /** Vector entries of a document that no longer exists. */
    VECTORS_WITHOUT_DOCUMENT,
    /** A reference row at zero (or left {@code DELETING} by a collection that stopped) and its blob. */
    UNREFERENCED_BLOB,
    /** A blob without any reference row: uploaded by a run that stopped before its commit. */
    UNCOMMITTED_BLOB,
    /** A remembered skip of a file VSRX no longer lists (needs the VSRX source). */
    SKIP_OF_UNLISTED_FILE
}
