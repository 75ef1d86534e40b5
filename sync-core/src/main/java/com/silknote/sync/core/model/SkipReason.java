package com.silknote.sync.core.model;

/** Why a file (or a whole fileset) was skipped. Reason codes are safe to log. */
public enum SkipReason {
    /** Declared or streamed size above the configured limit. Permanent for the same version. */
    TOO_LARGE(true),
    /** Declared MIME type not in the allow-list. Permanent for the same version. */
    UNSUPPORTED_TYPE(true),
    /**
     * Declared MIME type and the sniffed magic bytes disagree; the detail says what the bytes showed (e.g.
     * {@code sniffed-image/png}, {@code text-not-utf8}). Permanent for the same version.
     */
    TYPE_MISMATCH(true),
    /** The file has no bytes (zero length): nothing to store. Permanent for the same version. */
    EMPTY(true),
    /** Stream ended before the declared length. Transient: the next run tries again. */
    TRUNCATED(false),
    /** Number of bytes differs from the declared size. Permanent for the same version. */
    SIZE_MISMATCH(true),
    /** SHA-256 differs from the declared digest. Permanent for the same version. */
    CHECKSUM_MISMATCH(true),
    /** The content could not be read or is unparseable. Permanent for the same version. */
    UNREADABLE(true),
    /**
     * The path is dangerous or ambiguous (not strictly inside {@code notes/} under every reading, control or
     * bidirectional characters, ...; the detail names the rule). Permanent for the same version.
     */
    INVALID_PATH(true),
    /**
     * Listed, but the source no longer served it when the run downloaded it (deleted, moved or gone from the
     * listing while the run was under way: {@link com.silknote.sync.core.exception.FileGoneException}). Nothing
     * is written for it and its document, if any, keeps its content; not remembered: the next run sees the file
     * as the source lists it then.
     */
    GONE(false),
    /** The file was skipped before: same id and same version, so not downloaded again. */
    REMEMBERED_SKIP(false),
    /** Fileset-level: the fileset has no linked Silknote patient yet. */
    PATIENT_NOT_LINKED(false);

    private final boolean permanent;

    SkipReason(boolean permanent) {
        this.permanent = permanent;
    }

    /** {@code true} when the same version of the file will fail the same way, so it is remembered. */
    public boolean permanent() {
        return permanent;
    }
}
