package com.silknote.sync.core.exception;

import com.silknote.sync.core.model.SkipReason;
import java.util.Objects;

/**
 * A file's content was refused: too large, an unsupported or forged type, truncated, or its size or
 * checksum does not match what the source declared. The engine skips the file and goes on.
 */
public final class ContentRejectedException extends SyncException {
    private static final long serialVersionUID = 1L;
    private final SkipReason reason;

    public ContentRejectedException(SkipReason reason, String safeMessage) {
        this(reason, safeMessage, null);
    }

    public ContentRejectedException(SkipReason reason, String safeMessage, Throwable cause) {
        super(Objects.requireNonNull(safeMessage, "safeMessage"), cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public SkipReason reason() {
        return reason;
    }
}
