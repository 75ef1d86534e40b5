package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * Silknote's record of a VSRX patient fileset it holds documents for.
 *
 * @param filesetId        VSRX fileset id
 * @param patientUuid      the Silknote patient
 * @param patientIdHistory VSRX patient ids, oldest first, current last
 * @param lastSyncedAt     last commit of this fileset
 */
public record PatientFilesetRecord(FilesetId filesetId, PatientUuid patientUuid, List<PatientId> patientIdHistory,
        Instant lastSyncedAt) {
    public PatientFilesetRecord {
        requireNonNull(filesetId, "filesetId");
        requireNonNull(patientUuid, "patientUuid");
        patientIdHistory = List.copyOf(requireNonNull(patientIdHistory, "patientIdHistory"));
        requireNonNull(lastSyncedAt, "lastSyncedAt");
    }

    @Override
    public String toString() {
        return "PatientFilesetRecord[filesetId=" + filesetId + ", lastSyncedAt=" + lastSyncedAt + "]";
    }
}
