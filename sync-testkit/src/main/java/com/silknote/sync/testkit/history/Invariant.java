package com.silknote.sync.testkit.history;

/**
 * What a {@link RandomHistoryScenario} checks after every run. The first eight are issue 9's list; the rest
 * are rules of DESIGN.md §2 and items of issue 9 that the same histories exercise.
 */
public enum Invariant {
    /**
     * 1. Every live VSRX file of a linked fileset with an acceptable path, size and type has exactly one
     * document, on its fileset's linked patient, whose blob holds exactly the file's current bytes and whose
     * metadata is the file's (DESIGN §2.1–2.4) — or the run reports it {@code CONFLICT}, or {@code SKIPPED}
     * with a reason that fits the file, or its fileset failed or was blocked in that run.
     */
    LIVE_FILE_HAS_ITS_DOCUMENT,
    /** 2. No document, mapping or vector entry remains for a file VSRX marked deleted, unless reported as conflict (§2.5). */
    DELETED_FILE_LEAVES_NOTHING,
    /**
     * 3. No document is on a patient other than its fileset's linked patient unless reported as conflict, and a
     * document never moves between filesets or patients silently (issue 9 item 3).
     */
    DOCUMENT_ON_ITS_PATIENT,
    /**
     * 4. Every blob reference count equals the number of references (per file id: the mapping's content
     * hash, or the document's when there is no mapping), and no referenced blob is missing (§2.12, §4).
     */
    REFERENCE_COUNTS_AND_BLOBS,
    /** 5. A paused holder's commit never lands after another holder's (§2.10, issue 9 item 2). */
    STALE_HOLDER_NEVER_COMMITS,
    /** 6. An immediately repeated full run with no changes downloads nothing and writes nothing. */
    REPEATED_RUN_IS_A_NO_OP,
    /**
     * 7. A fileset that fails never holds back the others: only a run after an interrupted one resumes, a
     * full run reports every listed fileset, and {@code lastCompleteSync} keeps moving (§2.9, issue 9 item 1).
     */
    NO_STARVATION,
    /** 8. Incremental runs miss no change, under clock skew too: a later full run finds nothing left to do (§2.9, issue 9 item 4). */
    INCREMENTAL_MISSES_NOTHING,
    /** A document a Silknote user changed is never overwritten, and one a user removed is not re-created (§2.4). */
    USER_CHANGES_KEPT,
    /** Only {@code deleted == true} deletes: no document disappears for a vanished or moved file or fileset (§2.5). */
    ONLY_DELETED_DELETES,
    /** A run that cannot take the lock returns "already in progress" and touches nothing (§2.10). */
    REFUSED_RUN_TOUCHES_NOTHING,
    /** A dry run downloads nothing and writes nothing. */
    DRY_RUN_WRITES_NOTHING,
    /** A fileset no longer listed by VSRX is reported {@code VANISHED} by a full run (issue 9 item 3). */
    VANISHED_FILESET_REPORTED,
    /**
     * After a run completes a linked fileset, Silknote's record of it names the fileset's patient and
     * patient-id history, even when the record was removed behind the engine's back (documents without a valid
     * patient fileset are orphans the cleanup removes, rule 14).
     */
    FILESET_RECORD_KEPT,
    /**
     * A fileset fails only for a cause (an outage, a lost lease, a mass delete), never for an exception the
     * history provoked that would fail it every run (issue 9 item 3); a run never throws.
     */
    NO_FAILURE_WITHOUT_CAUSE,
    /**
     * An alert names something that is so, and is not missed: a skip is reported {@code listed-but-not-served}
     * only for a file whose bytes VSRX lost ({@link Step.LoseContent}), {@code FILE_NOT_SERVED} is raised exactly
     * for the filesets with such a skip, and a lost file skipped {@code GONE} that stayed listed, live, in its
     * listed fileset through the run is reported so (a file VSRX deleted, moved or unlisted meanwhile is not).
     */
    NO_FALSE_ALARM
}
