package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

/**
 * Move the documents of one patient fileset to another (DESIGN rule 13).
 *
 * @param from   the old fileset
 * @param to     the new fileset of the same Silknote patient
 * @param dryRun say what would move; change nothing (no lock is taken)
 */
public record MigrationRequest(FilesetId from, FilesetId to, boolean dryRun) {
    public MigrationRequest {
        requireNonNull(from, "from");
        requireNonNull(to, "to");
        if (from.equals(to)) {
            throw new IllegalArgumentException("from and to must be different filesets");
        }
    }
}
