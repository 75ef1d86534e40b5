package com.silknote.sync.testkit.history;

/**
 * What a {@link BidiHistoryScenario} checks, each with the rule of DESIGN.md or the section of
 * docs/bidirectional.md it enforces.
 */
public enum BidiInvariant {
    /**
     * No version of a file's bytes that a user wrote on either side is lost: until a user on either side
     * replaces or removes it where it is current, or an operator releases or decides against it, it is current
     * on a side or held, with its blob stored, by an open or applied conflict record.
     */
    NO_VERSION_LOST("issue 14, docs/bidirectional.md §4"),
    /** A Silknote-created document has at most one live VSRX file, in the fileset it was filed under. */
    EXPORTED_AT_MOST_ONCE("docs/bidirectional.md §5.1, §5.2"),
    /** After quiet full runs, every Silknote-created document in scope is in VSRX exactly once and linked to it. */
    EXPORTED_ONCE_AFTER_QUIESCENCE("docs/bidirectional.md row 15, §5.3"),
    /** A file the sync wrote to VSRX is never imported as a new document (rows 11-13). */
    NO_LOOP("docs/bidirectional.md §5.1"),
    /** The sync marks VSRX files deleted only with {@code deletes} on, and never past the mass-delete guard. */
    VSRX_DELETES_ONLY_WHEN_ON_AND_GUARDED("DESIGN rule 5, docs/bidirectional.md §7"),
    /** No document on another patient or fileset than its file's. */
    DOCUMENT_ON_ITS_PATIENT("DESIGN rule 1, issue 9 item 3"),
    /** Every reference row counts the references naming it (conflict records' held hashes too); referenced blobs exist. */
    REFERENCE_COUNTS_MATCH("DESIGN rule 12, docs/bidirectional.md §4"),
    /** A holder that lost its lease writes nothing to VSRX or the ledger after it resumes. */
    STALE_HOLDER_WRITES_NOTHING("DESIGN rule 10, docs/bidirectional.md §5.1"),
    /**
     * After quiet full runs both sides agree on every file not in a reported conflict or out of scope, and a
     * strategy other than REPORT and NEWER_WINS leaves no conflict of rows 4c, 6 or 8 open.
     */
    SIDES_AGREE_AFTER_QUIESCENCE("docs/bidirectional.md §3, §4"),
    /** One more full run after quiescence writes nothing on either side. */
    QUIET_RUN_WRITES_NOTHING("docs/bidirectional.md §5.1 (no loop), DESIGN rule 4"),
    /**
     * A fileset fails only for a cause the history made: a Silknote edit between the plan and the commit
     * (a refused commit, re-planned next run); never for an exception that would fail it every run.
     */
    FILESET_FAILS_ONLY_FOR_A_CAUSE("DESIGN rules 9 and 10, issue 9 item 3"),
    /** A run, an operator's change or the cleanup never throws and a run always ends with a report. */
    RUN_NEVER_THROWS("DESIGN rule 7, issue 9 item 3"),
    /**
     * A skip is reported {@code listed-but-not-served} only for a file VSRX lists live but whose bytes its store lost
     * (the lost-content step), and {@code FILE_NOT_SERVED} is raised exactly for the filesets with such skips, once,
     * counting them: whatever else happens to the file meanwhile (deleted, moved, changed on both sides). And none
     * missed: a lost file still listed live that a run skipped {@code GONE} is reported so.
     */
    NO_FALSE_ALARM("DESIGN rule 3 (a change during a run is picked up by the next run), docs/production.md");

    private final String rule;

    BidiInvariant(String rule) {
        this.rule = rule;
    }

    /** The rule or section this invariant enforces. */
    public String rule() {
        return rule;
    }
}
