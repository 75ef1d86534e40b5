package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

/** The VSRX id of a patient fileset (opaque). Not patient data: safe to log. */
public record FilesetId(String value) implements Comparable<FilesetId> {
    public FilesetId {
        requireNonNull(value, "value");
        if (value.isBlank()) {
            throw new IllegalArgumentException("FilesetId must not be blank");
        }
        if (value.length() > 256) {
            throw new IllegalArgumentException("FilesetId longer than 256 characters");
        }
    }

    public static FilesetId of(String value) {
        return new FilesetId(value);
    }

    @Override
    public int compareTo(FilesetId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
