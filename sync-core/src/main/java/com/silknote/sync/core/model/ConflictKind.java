package com.silknote.sync.core.model;

/** What the two sides did (docs/bidirectional.md §3, rows 4c, 6, 8, 11). */
public enum ConflictKind {
    /** Both changed the content, to different bytes. */
    CHANGED_ON_BOTH_SIDES("changed-on-both-sides"),
    /** VSRX marked the file deleted; a Silknote user changed the document's content. */
    DELETED_IN_VSRX("deleted-in-vsrx-changed-in-silknote"),
    /** A Silknote user removed the document; VSRX changed the file's content (delete propagation on). */
    REMOVED_IN_SILKNOTE("removed-in-silknote-changed-in-vsrx"),
    /**
     * A file the sync created for a Silknote document, found without its mapping (a crash or a lost answer),
     * no longer has the document's bytes: one side or both changed it since, and the base is unknown.
     */
    LINKED_WITH_DIFFERENT_CONTENT("linked-with-different-content");

    private final String code;

    ConflictKind(String code) {
        this.code = code;
    }

    /** The reason code of reports and audit rows. */
    public String code() {
        return code;
    }

    /** {@code true} when one side deleted and the other changed. */
    public boolean againstADeletion() {
        return this == DELETED_IN_VSRX || this == REMOVED_IN_SILKNOTE;
    }
}
