package com.silknote.sync.core.diff;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.PermanentSkip;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import java.util.List;
import java.util.Map;

/**
 * Everything the diff needs about one fileset. Patient data inside: {@code toString()} shows counts only.
 *
 * @param patientUuid      the fileset's linked Silknote patient
 * @param patientIdHistory the fileset's patient-id history (oldest first, current last)
 * @param files            the complete listing (deleted files included), in listing order
 * @param mappings         the fileset's mappings
 * @param documents        the fileset's documents, including those of its files the re-booking migration moved
 *                         to another patient fileset ({@link DiffEngine#migrated})
 * @param skips            remembered permanent skips by file id
 * @param foreignMappings  mappings of listed files held by other filesets, by file id
 * @param foreignDocuments documents of listed files held by other filesets, by client file id
 */
public record DiffInput(PatientUuid patientUuid, List<PatientId> patientIdHistory, List<VsrxFile> files,
        List<SyncMapping> mappings, List<SilknoteDocument> documents, Map<VsrxFileId, PermanentSkip> skips,
        Map<VsrxFileId, SyncMapping> foreignMappings, Map<VsrxFileId, SilknoteDocument> foreignDocuments) {

    public DiffInput {
        requireNonNull(patientUuid, "patientUuid");
        patientIdHistory = List.copyOf(requireNonNull(patientIdHistory, "patientIdHistory"));
        requireNonNull(files, "files");
        requireNonNull(mappings, "mappings");
        requireNonNull(documents, "documents");
        requireNonNull(skips, "skips");
        requireNonNull(foreignMappings, "foreignMappings");
        requireNonNull(foreignDocuments, "foreignDocuments");
    }

    /** An input where no listed file is held by another fileset. */
    public DiffInput(PatientUuid patientUuid, List<PatientId> patientIdHistory, List<VsrxFile> files,
            List<SyncMapping> mappings, List<SilknoteDocument> documents, Map<VsrxFileId, PermanentSkip> skips) {
        this(patientUuid, patientIdHistory, files, mappings, documents, skips, Map.of(), Map.of());
    }

    @Override
    public String toString() {
        return "DiffInput[files=" + files.size() + ", mappings=" + mappings.size() + ", documents="
                + documents.size() + ", skips=" + skips.size() + "]";
    }
}
