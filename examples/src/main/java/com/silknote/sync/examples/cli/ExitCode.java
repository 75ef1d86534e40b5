package com.silknote.sync.examples.cli;

import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.SyncResult;

/**
 * Exit codes of the {@code vsrx-sync} command line (also in {@code docs/cli.md}). Scripts and schedulers
 * can tell "try again later" (4) from "look at the report" (5, 6) from "fix the configuration" (3).
 */
public final class ExitCode {
    /** Everything completed. */
    public static final int OK = 0;
    /** The run could not be done (a backend unreachable, an unexpected error). */
    public static final int FAILED = 1;
    /** Unknown command, option or argument. */
    public static final int USAGE = 2;
    /** The configuration (file, environment, options) is invalid or incomplete. */
    public static final int CONFIGURATION = 3;
    /** Another run holds the {@code vsrx-sync} lock; nothing was touched. */
    public static final int ALREADY_IN_PROGRESS = 4;
    /** The run finished but at least one fileset failed; the next run retries it. */
    public static final int PARTIAL_FAILURE = 5;
    /** The mass-delete guard refused at least one fileset's deletes; a person must look. */
    public static final int MASS_DELETE_GUARD = 6;

    private ExitCode() { }

    /**
     * The exit code of a sync result: the guard wins over other failures, since it needs a person.
     *
     * @throws NullPointerException when result is null
     */
    public static int of(SyncResult result) {
        if (result.isAlreadyInProgress()) {
            return ALREADY_IN_PROGRESS;
        }
        if (result.report().isEmpty()) {
            return result.success() ? OK : FAILED;
        }
        var report = result.report().get();
        boolean guard = report.filesets().stream().anyMatch(f -> f.outcome() == FilesetOutcome.MASS_DELETE_BLOCKED);
        if (guard) {
            return MASS_DELETE_GUARD;
        }
        if (!report.allFilesetsSucceeded()) {
            return PARTIAL_FAILURE;
        }
        return result.success() ? OK : PARTIAL_FAILURE;
    }
}
