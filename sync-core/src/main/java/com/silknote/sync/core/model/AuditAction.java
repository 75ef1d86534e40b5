package com.silknote.sync.core.model;

/**
 * What an audit row records (DESIGN rules 13 and 14, issue 11). Every change the sync, the orphan cleanup,
 * the repair and the re-booking migration make to a document, a mapping, a blob reference, a skip, an outbox
 * row or the vector store is one row with one of these actions.
 */
public enum AuditAction {
    /** A sync created a document. */
    CREATED,
    /** A sync updated a document's content. */
    UPDATED,
    /** A sync changed a document's metadata only (same content). */
    METADATA_ONLY,
    /** A sync deleted a document (or the mapping of one a Silknote user removed). */
    DELETED,
    /** A sync left a document alone and reported a conflict (recorded every run while it lasts). */
    CONFLICT,
    /** The re-booking migration moved a document to another patient fileset. */
    MIGRATED,
    /** The orphan cleanup removed a document without a valid patient fileset record. */
    CLEANUP_DOCUMENT,
    /** The orphan cleanup removed a mapping without a document. */
    CLEANUP_MAPPING,
    /** The orphan cleanup removed an outbox row of a document that no longer exists. */
    CLEANUP_OUTBOX,
    /** The orphan cleanup purged the vector entries of a document that no longer exists. */
    CLEANUP_VECTORS,
    /** The orphan cleanup deleted a blob nothing references (and its reference row). */
    CLEANUP_BLOB,
    /** The orphan cleanup forgot a remembered skip of a file VSRX no longer lists. */
    CLEANUP_SKIP,
    /** The repair set a blob reference count to the number of references. */
    REPAIR_REFERENCE_COUNT,
    /** The repair put a parked outbox entry back in the queue. */
    REPAIR_OUTBOX_REQUEUED,
    /** The repair fetched a missing or damaged blob again from VSRX. */
    REPAIR_BLOB_REFETCHED,
    /** The repair purged vector entries of a document that no longer exists. */
    REPAIR_VECTORS_PURGED,
    /** The repair queued a document's processing again: its vector entries were of other content. */
    REPAIR_REPROCESS_QUEUED,
    /**
     * Bi-directional sync is about to write a document's content to VSRX as a new file carrying its origin (an
     * export, row 15, or a re-creation, row 6); committed before the write, with the content hash it writes. A file
     * whose link never committed (a crash, or the document changed first) is then told apart from one a VSRX user
     * changed since: row 13 marks deleted only a file still holding content the sync wrote for its document.
     */
    EXPORT_STARTED,
    /** Bi-directional sync wrote a Silknote-created document to VSRX as a new file and linked it (row 15). */
    EXPORTED,
    /** Bi-directional sync linked a VSRX file it had written to its Silknote-created document (row 11). */
    LINKED,
    /** Bi-directional sync replaced a VSRX file's content with its document's new content (rows 3, 4a). */
    PUSHED,
    /** Bi-directional sync marked a VSRX file deleted because a Silknote user removed its document (rows 7, 13). */
    DELETED_IN_VSRX,
    /** Bi-directional sync found a conflict and opened a record holding both versions (rows 4c, 6, 8, 11). */
    CONFLICT_DETECTED,
    /** A conflict strategy or an operator's decision was applied; the detail names strategy and outcome. */
    CONFLICT_DECIDED,
    /** A conflict record was closed: decided or released by an operator, or superseded. */
    CONFLICT_RESOLVED
}
