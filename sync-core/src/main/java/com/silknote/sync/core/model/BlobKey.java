package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

/**
 * The content-addressed name of a blob: {@code sha256/ab/cd/<64 hex>}. It carries no patient information.
 */
public record BlobKey(String value) {
    public BlobKey {
        requireNonNull(value, "value");
    }

    public static BlobKey of(ContentHash hash) {
        requireNonNull(hash, "hash");
        String h = hash.hex();
        return new BlobKey("sha256/" + h.substring(0, 2) + "/" + h.substring(2, 4) + "/" + h);
    }

    @Override
    public String toString() {
        return value;
    }
}
