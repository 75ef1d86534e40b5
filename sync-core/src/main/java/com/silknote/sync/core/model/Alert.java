package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

/**
 * An alert raised by a run. Messages are log-safe.
 *
 * @param kind     what crossed a threshold
 * @param severity warning or critical
 * @param message  log-safe description with the measured value and the threshold
 */
public record Alert(Kind kind, Severity severity, String message) {
    public enum Kind {
        SYNC_DURATION, ERROR_RATE, CONSECUTIVE_FAILURES, MASS_DELETE_GUARD,
        /** A fileset was linked to another Silknote patient since the last sync; documents moved or in conflict. */
        FILESET_RELINKED,
        /** A fileset with documents in Silknote is no longer listed by VSRX. */
        FILESET_VANISHED
    }

    public enum Severity { WARNING, CRITICAL }

    public Alert {
        requireNonNull(kind, "kind");
        requireNonNull(severity, "severity");
        requireNonNull(message, "message");
    }
}
