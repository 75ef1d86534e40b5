package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

/** The VSRX id of one file (opaque); Silknote stores it as the document's {@code clientFileId}. Not patient data: safe to log. */
public record VsrxFileId(String value) implements Comparable<VsrxFileId> {
    public VsrxFileId {
        requireNonNull(value, "value");
        if (value.isBlank()) {
            throw new IllegalArgumentException("VsrxFileId must not be blank");
        }
        if (value.length() > 256) {
            throw new IllegalArgumentException("VsrxFileId longer than 256 characters");
        }
    }

    public static VsrxFileId of(String value) {
        return new VsrxFileId(value);
    }

    @Override
    public int compareTo(VsrxFileId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
