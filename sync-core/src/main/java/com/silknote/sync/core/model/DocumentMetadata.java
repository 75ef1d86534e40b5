package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Metadata every synced document carries (DESIGN §2.1). Patient data: {@code toString()} is redacted.
 *
 * @param vsrxReference    the VSRX file id
 * @param originalPath     the file's path in VSRX (validated)
 * @param sourceSystem     {@value #SOURCE_SYSTEM} for documents made by the sync
 * @param groupingStatus   {@value #UNGROUPED} until a Silknote user groups the document
 * @param patientIdHistory the fileset's patient-id history, oldest first, current last
 */
public record DocumentMetadata(
        VsrxFileId vsrxReference,
        String originalPath,
        String sourceSystem,
        String groupingStatus,
        List<PatientId> patientIdHistory) {

    public static final String SOURCE_SYSTEM = "VSRX_SYNC";
    public static final String UNGROUPED = "ungrouped";

    public DocumentMetadata {
        requireNonNull(vsrxReference, "vsrxReference");
        requireNonNull(originalPath, "originalPath");
        requireNonNull(sourceSystem, "sourceSystem");
        requireNonNull(groupingStatus, "groupingStatus");
        patientIdHistory = List.copyOf(requireNonNull(patientIdHistory, "patientIdHistory"));
    }

    /** Metadata of a freshly synced, ungrouped document. */
    public static DocumentMetadata synced(VsrxFileId fileId, String originalPath, List<PatientId> history) {
        return new DocumentMetadata(fileId, originalPath, SOURCE_SYSTEM, UNGROUPED, history);
    }

    /** {@code true} while the document is still exactly as the sync left it (not grouped by a user). */
    public boolean untouchedBySilknoteUser() {
        return SOURCE_SYSTEM.equals(sourceSystem) && UNGROUPED.equals(groupingStatus);
    }

    @Override
    public String toString() {
        return "DocumentMetadata[vsrxReference=" + vsrxReference + ", sourceSystem=" + sourceSystem
                + ", groupingStatus=" + groupingStatus + "]";
    }
}
