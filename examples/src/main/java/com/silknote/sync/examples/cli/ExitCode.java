package com.silknote.sync.examples.cli;

import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.OperationStatus;
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
    /** {@code check} found inconsistencies, or {@code repair} left findings it could not fix. */
    public static final int FINDINGS = 7;
    /** An operation's preconditions do not hold (filesets that are not a re-booking pair); nothing changed. */
    public static final int REFUSED = 8;

    private ExitCode() { }

    /**
     * The exit code of an operation beside the sync that ran to its end without findings ({@code COMPLETED} 0),
     * was refused the lock ({@code ALREADY_IN_PROGRESS} 4), refused its preconditions ({@code REFUSED} 8) or
     * failed ({@code FAILED} 1). Findings (7) are the caller's to add.
     *
     * @throws NullPointerException when status is null
     */
    public static int of(OperationStatus status) {
        return switch (status) {
            case COMPLETED -> OK;
            case ALREADY_IN_PROGRESS -> ALREADY_IN_PROGRESS;
            case REFUSED -> REFUSED;
            case FAILED -> FAILED;
        };
    }

    /**
     * The exit code of a sync result, from its {@link SyncResult#status()}: {@code COMPLETED} 0,
     * {@code STOPPED} 0 (stopped at a fileset boundary by a budget or a stop request: not a failure, the next
     * run resumes; {@code sync} prints a line saying so), {@code JOINED} 0 (worked as a scale-out worker),
     * {@code FAILED} 1 (VSRX unreachable, token refused, lease lost, cancelled), {@code ALREADY_IN_PROGRESS} 4,
     * {@code PARTIAL_FAILURE} 5, or 6 when a fileset's deletes were refused by the mass-delete guard (the
     * guard wins over other fileset failures, since it needs a person).
     *
     * @throws NullPointerException when result is null
     */
    public static int of(SyncResult result) {
        return switch (result.status()) {
            case COMPLETED, STOPPED, JOINED -> OK;
            case FAILED -> FAILED;
            case ALREADY_IN_PROGRESS -> ALREADY_IN_PROGRESS;
            case PARTIAL_FAILURE -> result.report()
                    .filter(r -> r.totals().filesets(FilesetOutcome.MASS_DELETE_BLOCKED) > 0).isPresent()
                    ? MASS_DELETE_GUARD : PARTIAL_FAILURE;
        };
    }
}
