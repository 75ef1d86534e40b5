package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

/** A secret (token, key, connection string) that never prints itself. */
public record Secret(String value) {
    public Secret {
        requireNonNull(value, "value");
    }

    public static Secret of(String value) {
        return new Secret(value);
    }

    @Override
    public String toString() {
        return "Secret[****]";
    }
}
