package com.silknote.sync.core.model;

/** Where a conflict record stands (docs/bidirectional.md §4). */
public enum ConflictStatus {
    /** Nothing applied (strategy {@link ConflictStrategy#REPORT}, or an operator's decision not applied yet); both versions kept. */
    OPEN,
    /** A strategy decided; the loser's bytes are kept until an operator releases them. */
    APPLIED,
    /** Done: an operator decided or released, or the conflict went away; nothing kept. */
    RESOLVED
}
