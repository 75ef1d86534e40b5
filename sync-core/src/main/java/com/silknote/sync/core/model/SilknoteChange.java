package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * One Silknote-side change of a document, as the ledger's change sequence records it: an insert or update
 * by anyone but the sync, or a removal (docs/bidirectional.md §6). It only says where to look; what to do is
 * decided from the stored state. {@code toString()} shows ids only.
 *
 * @param position    its place in the change sequence (for the in-memory store a counter, for PostgreSQL the
 *                    writing transaction's id)
 * @param document    the document
 * @param patientUuid its patient (patient data)
 * @param filesetId   its patient fileset, when it has one
 * @param removed     {@code true} for a removal
 */
public record SilknoteChange(long position, DocumentUuid document, PatientUuid patientUuid,
        Optional<FilesetId> filesetId, boolean removed) {
    public SilknoteChange {
        requireNonNull(document, "document");
        requireNonNull(patientUuid, "patientUuid");
        requireNonNull(filesetId, "filesetId");
    }

    @Override
    public String toString() {
        return "SilknoteChange[position=" + position + ", document=" + document + ", fileset="
                + filesetId.map(FilesetId::value).orElse("-") + ", removed=" + removed + "]";
    }
}
