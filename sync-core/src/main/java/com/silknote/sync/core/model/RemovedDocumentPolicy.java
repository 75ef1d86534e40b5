package com.silknote.sync.core.model;

/**
 * What a run does with a live VSRX file whose document a Silknote user removed while the sync's mapping of
 * the file stays (issue 9 item 3).
 */
public enum RemovedDocumentPolicy {
    /**
     * Leave it removed and report a conflict (detail {@code document-removed-in-silknote}) every run; the
     * mapping keeps its blob reference. The default: a removal in Silknote is a user's decision.
     */
    REPORT,
    /** Download the file and create the document again under its uuid (derived, or an exported document's own). */
    RESTORE
}
