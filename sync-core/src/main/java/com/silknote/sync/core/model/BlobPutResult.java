package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

/**
 * Outcome of a create-if-absent upload.
 *
 * @param info    the stored blob (ours when {@code created}, the existing one otherwise)
 * @param created {@code true} when this call wrote the bytes; {@code false} when an equal blob existed
 */
public record BlobPutResult(BlobInfo info, boolean created) {
    public BlobPutResult {
        requireNonNull(info, "info");
    }
}
