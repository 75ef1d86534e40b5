package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

/**
 * A pair of patient filesets of one Silknote patient where the newer one's patient-id history holds the older
 * one's patient id: a re-booking (DESIGN rule 13) whose documents may be moved.
 *
 * @param from      the old fileset (its documents would move)
 * @param to        the new fileset
 * @param documents documents the old fileset holds now (0 once migrated)
 */
public record MigrationCandidate(FilesetId from, FilesetId to, long documents) {
    public MigrationCandidate {
        requireNonNull(from, "from");
        requireNonNull(to, "to");
    }
}
