package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

/** A VSRX patient id. Patient data: {@link #toString()} is redacted, only {@link #value()} reveals it. */
public record PatientId(String value) {
    public PatientId {
        requireNonNull(value, "value");
        if (value.isBlank()) {
            throw new IllegalArgumentException("PatientId must not be blank");
        }
    }

    public static PatientId of(String value) {
        return new PatientId(value);
    }

    @Override
    public String toString() {
        return "PatientId[redacted]";
    }
}
