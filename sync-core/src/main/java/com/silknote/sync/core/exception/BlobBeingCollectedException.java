package com.silknote.sync.core.exception;

import com.silknote.sync.core.model.ContentHash;
import java.util.Objects;

/**
 * Thrown from a unit of work when a blob reference is added for a blob version that a collector has
 * marked for deletion (same ETag). The unit of work is rolled back; the caller re-uploads the content
 * (which gives it a new ETag, so the collector's conditional delete fails or the upload restores it) and
 * retries with the new ETag.
 */
public final class BlobBeingCollectedException extends SyncException {
    private static final long serialVersionUID = 1L;
    private final ContentHash hash;

    public BlobBeingCollectedException(ContentHash hash) {
        super("blob " + Objects.requireNonNull(hash, "hash") + " is being collected; re-upload required");
        this.hash = hash;
    }

    public ContentHash hash() {
        return hash;
    }
}
