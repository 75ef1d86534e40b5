package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * Metadata every synced document carries (DESIGN §2.1). Patient data: {@code toString()} is redacted.
 *
 * @param vsrxReference    the VSRX file id
 * @param originalPath     the file's path in VSRX (validated)
 * @param sourceSystem     {@value #SOURCE_SYSTEM} for documents made by the sync
 * @param groupingStatus   {@value #UNGROUPED} until a Silknote user groups the document
 * @param patientIdHistory the patient-id history of the document's patient fileset, oldest first, current last
 * @param migratedFrom     set by the re-booking migration (DESIGN rule 13): the VSRX fileset the document's
 *                         file lives in, while the document belongs to another (newer) patient fileset. The
 *                         sync of that fileset keeps updating and deleting the document where it is now.
 */
public record DocumentMetadata(
        VsrxFileId vsrxReference,
        String originalPath,
        String sourceSystem,
        String groupingStatus,
        List<PatientId> patientIdHistory,
        Optional<FilesetId> migratedFrom) {

    public static final String SOURCE_SYSTEM = "VSRX_SYNC";
    public static final String UNGROUPED = "ungrouped";

    public DocumentMetadata {
        requireNonNull(vsrxReference, "vsrxReference");
        requireNonNull(originalPath, "originalPath");
        requireNonNull(sourceSystem, "sourceSystem");
        requireNonNull(groupingStatus, "groupingStatus");
        patientIdHistory = List.copyOf(requireNonNull(patientIdHistory, "patientIdHistory"));
        requireNonNull(migratedFrom, "migratedFrom");
    }

    /** Metadata of a document that was never migrated. */
    public DocumentMetadata(VsrxFileId vsrxReference, String originalPath, String sourceSystem, String groupingStatus,
            List<PatientId> patientIdHistory) {
        this(vsrxReference, originalPath, sourceSystem, groupingStatus, patientIdHistory, Optional.empty());
    }

    /** Metadata of a freshly synced, ungrouped document. */
    public static DocumentMetadata synced(VsrxFileId fileId, String originalPath, List<PatientId> history) {
        return new DocumentMetadata(fileId, originalPath, SOURCE_SYSTEM, UNGROUPED, history);
    }

    /** {@code true} while the document is still exactly as the sync left it (not grouped by a user). */
    public boolean untouchedBySilknoteUser() {
        return SOURCE_SYSTEM.equals(sourceSystem) && UNGROUPED.equals(groupingStatus);
    }

    /** This metadata with another patient-id history. */
    public DocumentMetadata withPatientIdHistory(List<PatientId> history) {
        return new DocumentMetadata(vsrxReference, originalPath, sourceSystem, groupingStatus, history, migratedFrom);
    }

    /** This metadata marked as migrated from the VSRX fileset {@code from}, or unmarked with empty. */
    public DocumentMetadata withMigratedFrom(Optional<FilesetId> from) {
        return new DocumentMetadata(vsrxReference, originalPath, sourceSystem, groupingStatus, patientIdHistory, from);
    }

    @Override
    public String toString() {
        return "DocumentMetadata[vsrxReference=" + vsrxReference + ", sourceSystem=" + sourceSystem
                + ", groupingStatus=" + groupingStatus + migratedFrom.map(f -> ", migratedFrom=" + f).orElse("")
                + "]";
    }
}
