package com.silknote.sync.core.port;

import com.silknote.sync.core.model.RunId;

/**
 * Receives the progress of an operation beside the sync (orphan cleanup, consistency check, repair,
 * re-booking migration), for a progress display. Every method has a no-op default; an exception thrown here
 * is logged and ignored. Called from the operation's thread; ids and counts only.
 */
public interface OperationListener {
    OperationListener NONE = new OperationListener() { };

    /** The operation started. @param operation {@code cleanup}, {@code check}, {@code repair} or {@code migrate} */
    default void operationStarted(RunId runId, String operation, boolean dryRun) { }

    /** A phase started ({@code documents}, {@code blobs}, ...). */
    default void phaseStarted(RunId runId, String phase) { }

    /** Within a phase: {@code examined} items looked at so far, {@code found} of them reported. */
    default void progress(RunId runId, String phase, long examined, long found) { }

    /** The operation ended (whatever its outcome). */
    default void operationFinished(RunId runId, String operation) { }
}
