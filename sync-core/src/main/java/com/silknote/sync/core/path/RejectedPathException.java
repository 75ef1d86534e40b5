package com.silknote.sync.core.path;

import com.silknote.sync.core.exception.SyncException;
import java.util.Objects;

/** A path was refused by the {@link com.silknote.sync.core.path.PathValidator}. The message never echoes the path. */
public final class RejectedPathException extends SyncException {
    private static final long serialVersionUID = 1L;
    private final PathVerdict.Reason reason;

    public RejectedPathException(PathVerdict.Reason reason) {
        super("path rejected: " + Objects.requireNonNull(reason, "reason"));
        this.reason = reason;
    }

    public PathVerdict.Reason reason() {
        return reason;
    }
}
