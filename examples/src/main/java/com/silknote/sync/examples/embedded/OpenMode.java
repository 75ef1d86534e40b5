package com.silknote.sync.examples.embedded;

/** How a command opens the Silknote side. */
public enum OpenMode {
    /** Runs that write: missing folders and an empty embedded ledger are created. */
    READ_WRITE,
    /**
     * Commands that only read ({@code status}, {@code report}): an embedded data directory without a ledger is
     * refused with a configuration error and nothing is created (a mistyped {@code --data-dir} must not leave a
     * new database behind); no blob container is created either.
     */
    READ_ONLY
}
