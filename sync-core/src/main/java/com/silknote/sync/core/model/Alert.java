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
        FILESET_VANISHED,
        /**
         * The ledger was changed outside the sync (e.g. a blob reference row removed or edited): a reference the
         * sync released was not there. The commit went on and the store recounted the row; a check of the
         * ledger is due.
         */
        LEDGER_INCONSISTENT,
        /**
         * VSRX lists a file but does not serve its content: it answered the download as not found or deleted and
         * still listed the file, not deleted, right after. The file is skipped ({@code GONE},
         * {@code listed-but-not-served}) in every run until VSRX serves it or stops listing it; its document, if
         * any, keeps the content it has. VSRX's store needs a look.
         */
        FILE_NOT_SERVED
    }

    public enum Severity { WARNING, CRITICAL }

    public Alert {
        requireNonNull(kind, "kind");
        requireNonNull(severity, "severity");
        requireNonNull(message, "message");
    }
}
