package com.silknote.sync.core.model;

/** What to do with a mapped file that vanished from the listing without being marked deleted. */
public enum VanishedFilePolicy {
    /** Report it as {@link FileAction#VANISHED}; delete nothing (the default). */
    REPORT,
    /** Treat it like {@code deleted == true} (still subject to the mass-delete guard). */
    DELETE
}
