package com.silknote.sync.core.model;

/** What the consistency check reports (issue 11), each with what {@code repair} does about it. */
public enum FindingClass {
    /** A document (or mapping) whose blob is missing. Repair: fetch it again from VSRX by the file id. */
    DOCUMENT_WITHOUT_BLOB(true),
    /**
     * A blob whose size (always) or bytes ({@code verifyContent}) do not match its hash. Repair: fetch it again
     * from VSRX by the file id and overwrite it.
     */
    BLOB_CONTENT_MISMATCH(true),
    /** A reference count that differs from the file ids referencing the blob. Repair: recount. */
    REFERENCE_COUNT_MISMATCH(true),
    /** A mapping whose document is gone. Reported; the orphan cleanup removes it. */
    MAPPING_WITHOUT_DOCUMENT(false),
    /** A document without a mapping. Reported; the next sync of its fileset writes the mapping again. */
    DOCUMENT_WITHOUT_MAPPING(false),
    /** Post-commit work that failed too often and was parked. Repair: queue it again. */
    OUTBOX_PARKED(true),
    /** Post-commit work pending for longer than the threshold. Reported; the next sync drains the outbox. */
    OUTBOX_STUCK(false),
    /** Vector entries of a document that no longer exists. Repair: purge them. */
    VECTORS_OF_DELETED_DOCUMENT(true),
    /**
     * Vector entries of a document computed from other content than the document holds now (a processing
     * that landed after a newer one, e.g. by a worker killed before it could settle), with no processing of
     * the document pending: searches would find what the document no longer says. Repair: queue the document's
     * processing again; the next sync replaces the entries.
     */
    VECTORS_OF_OTHER_CONTENT(true),
    /** A reference row left {@code DELETING} for longer than the threshold. Reported; the cleanup finishes it. */
    BLOB_REF_STUCK_DELETING(false);

    private final boolean repairable;

    FindingClass(boolean repairable) {
        this.repairable = repairable;
    }

    /** {@code true} when {@code repair} fixes findings of this class (given what it needs, e.g. VSRX). */
    public boolean repairable() {
        return repairable;
    }
}
