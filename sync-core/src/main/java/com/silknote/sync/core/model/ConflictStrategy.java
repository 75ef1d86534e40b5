package com.silknote.sync.core.model;

import java.util.Locale;

/**
 * What a bi-directional run does when both sides changed the same file since the last sync
 * (docs/bidirectional.md §4). Whatever it decides, the losing bytes are kept by a conflict record until an
 * operator releases them.
 */
public enum ConflictStrategy {
    /** The default: both sides are left as they are; the conflict is reported every run until resolved. */
    REPORT,
    /** The VSRX version becomes the document's content (or the VSRX deletion stands). */
    VSRX_WINS,
    /** The Silknote version is written to VSRX (or the Silknote removal is propagated, when enabled). */
    SILKNOTE_WINS,
    /**
     * The later of the document's and the file's modification times wins; equal times are reported. A
     * deletion has no trustworthy time: against a deletion the changed side wins.
     */
    NEWER_WINS,
    /**
     * Nothing is lost on either side: the VSRX version becomes the document's content and the Silknote
     * version becomes a separate document (and VSRX file) named as a conflict copy; against a deletion the
     * changed side wins.
     */
    KEEP_BOTH;

    /** The reason-code form used in report details and audit rows, e.g. {@code vsrx-wins}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
