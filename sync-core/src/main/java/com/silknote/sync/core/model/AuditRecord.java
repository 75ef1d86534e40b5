package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * A row of the audit log as stored: the entry plus what the store added.
 *
 * @param id           increasing in the order rows were written
 * @param recordedAt   the store's clock when the unit of work wrote it
 * @param fencingToken the token of the writer
 * @param holder       the lock holder of that token, when the store knows it (opaque host id)
 * @param entry        what was recorded
 */
public record AuditRecord(long id, Instant recordedAt, FencingToken fencingToken, Optional<String> holder,
        AuditEntry entry) {
    public AuditRecord {
        requireNonNull(recordedAt, "recordedAt");
        requireNonNull(fencingToken, "fencingToken");
        requireNonNull(holder, "holder");
        requireNonNull(entry, "entry");
    }
}
