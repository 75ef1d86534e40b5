package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A VSRX patient fileset as listed by the source. Re-booking a patient gives a new patient id and a new
 * fileset; the old one stays. {@code toString()} shows only the fileset id.
 *
 * @param id                  VSRX fileset id
 * @param patientId           the current VSRX patient id (patient data)
 * @param silknotePatientUuid the Silknote patient it belongs to; empty while not linked yet
 * @param previousPatientIds  re-booking history, oldest first; may be empty
 * @param updatedAt           last change of the fileset or any of its files, as VSRX reports it
 */
public record VsrxFileset(
        FilesetId id,
        PatientId patientId,
        Optional<PatientUuid> silknotePatientUuid,
        List<PatientId> previousPatientIds,
        Instant updatedAt) {

    public VsrxFileset {
        requireNonNull(id, "id");
        requireNonNull(patientId, "patientId");
        requireNonNull(silknotePatientUuid, "silknotePatientUuid");
        previousPatientIds = List.copyOf(requireNonNull(previousPatientIds, "previousPatientIds"));
        requireNonNull(updatedAt, "updatedAt");
    }

    /** Patient-id history of this fileset: previous ids oldest first, then the current one. */
    public List<PatientId> patientIdHistory() {
        var all = new java.util.ArrayList<PatientId>(previousPatientIds);
        all.add(patientId);
        return List.copyOf(all);
    }

    @Override
    public String toString() {
        return "VsrxFileset[id=" + id + ", linked=" + silknotePatientUuid.isPresent() + ", updatedAt=" + updatedAt + "]";
    }
}
