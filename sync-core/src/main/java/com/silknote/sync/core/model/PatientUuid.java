package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.util.UUID;

/** The Silknote patient a fileset belongs to. Patient data: {@link #toString()} is redacted. */
public record PatientUuid(UUID value) {
    public PatientUuid {
        requireNonNull(value, "value");
    }

    public static PatientUuid of(String value) {
        return new PatientUuid(UUID.fromString(value));
    }

    @Override
    public String toString() {
        return "PatientUuid[redacted]";
    }
}
