package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

/**
 * One inconsistency the check found.
 *
 * @param findingClass what it is
 * @param id           its opaque id: a content hash, a document uuid, a VSRX file id or an outbox id
 * @param detail       a log-safe detail (counts, sizes, reason codes)
 */
public record Finding(FindingClass findingClass, String id, String detail) {
    public Finding {
        requireNonNull(findingClass, "findingClass");
        requireNonNull(id, "id");
        requireNonNull(detail, "detail");
    }
}
