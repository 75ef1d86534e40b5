package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

/** Identifies one sync run. Safe to log. */
public record RunId(String value) {
    public RunId {
        requireNonNull(value, "value");
        if (value.isBlank()) {
            throw new IllegalArgumentException("RunId must not be blank");
        }
    }

    public static RunId of(String value) {
        return new RunId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
