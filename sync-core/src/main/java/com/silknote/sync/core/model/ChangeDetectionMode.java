package com.silknote.sync.core.model;

/** How the diff decides a file changed. */
public enum ChangeDetectionMode {
    /** ETag when the listing has one, otherwise modifiedAt + size (the default). */
    METADATA,
    /** Also compare the listing's declared SHA-256 when present; otherwise download and hash to compare. */
    FULL_HASH
}
