package com.silknote.sync.core.internal;

import com.silknote.sync.core.diff.DiffEngine;
import com.silknote.sync.core.diff.FilePlan;
import com.silknote.sync.core.diff.Plan;
import com.silknote.sync.core.diff.PlanAction;
import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.PatientFilesetRecord;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.DocumentStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a fileset's plan needs beyond its own ledger rows, and what its plan says about the fileset as a
 * whole (issue 9 item 3): the records other filesets hold for its listed ids, and whether it was linked to
 * another Silknote patient.
 */
final class HistoryChecks {
    private static final Logger log = LoggerFactory.getLogger(HistoryChecks.class);

    private HistoryChecks() {
    }

    /**
     * Mappings and documents of listed files (live or deleted) that other filesets hold, and the documents of this
     * fileset's files that the re-booking migration moved to another patient fileset (DESIGN rule 13: they are
     * still its files' documents).
     */
    record Foreign(Map<VsrxFileId, SyncMapping> mappings, Map<VsrxFileId, SilknoteDocument> documents,
            List<SilknoteDocument> migratedHere) {
        boolean isEmpty() {
            return mappings.isEmpty() && documents.isEmpty() && migratedHere.isEmpty();
        }
    }

    /** {@code true} for a document of this fileset's file that the migration moved to another fileset. */
    static boolean isMigratedFrom(SilknoteDocument d, FilesetId id) {
        return !d.filesetId().equals(id) && d.metadata().migratedFrom().filter(id::equals).isPresent();
    }

    /**
     * Looks up, in one query each, the listed files (live or deleted) this fileset has no mapping or no
     * document of: a record another fileset holds for one of them makes that file a conflict (issue 9 item 3).
     * Takes them from a plan made without these records: every such file is an entry there (a file is counted
     * as unchanged only with both its mapping and its document; a deleted one Silknote holds nothing of is a
     * reported entry), so a fileset whose files are all synced costs no lookup and no set of its ids (issue 12
     * item 2).
     */
    static Foreign heldElsewhere(EngineParts parts, FilesetId id, Plan plan) {
        List<VsrxFileId> noMapping = new ArrayList<>();
        List<VsrxFileId> noDocument = new ArrayList<>();
        List<VsrxFileId> unlistedNoDocument = new ArrayList<>();
        for (FilePlan p : plan.files()) {
            // Deleted files too: a deletion listed here must not delete another fileset's document.
            if (p.file().isEmpty()) {
                if (p.mapping().isPresent() && p.document().isEmpty()) {
                    // an unlisted mapped file: its document may have been migrated (looked up for that only)
                    unlistedNoDocument.add(p.fileId());
                }
                continue;
            }
            if (p.mapping().isEmpty()) {
                noMapping.add(p.fileId());
            }
            if (p.document().isEmpty()) {
                noDocument.add(p.fileId());
            }
        }
        DocumentStore store = parts.documents();
        Map<VsrxFileId, SyncMapping> foreignMappings = new HashMap<>();
        if (!noMapping.isEmpty()) {
            parts.retrier().call("documents.findMappings", () -> store.findMappings(noMapping))
                    .forEach((fid, m) -> {
                        if (!m.filesetId().equals(id)) {
                            foreignMappings.put(fid, m);
                        }
                    });
        }
        Map<VsrxFileId, SilknoteDocument> foreignDocuments = new HashMap<>();
        List<SilknoteDocument> migratedHere = new ArrayList<>();
        if (!noDocument.isEmpty() || !unlistedNoDocument.isEmpty()) {
            Set<VsrxFileId> unlisted = new HashSet<>(unlistedNoDocument);
            List<VsrxFileId> lookup = new ArrayList<>(noDocument);
            lookup.addAll(unlistedNoDocument);
            parts.retrier().call("documents.findDocumentsByClientFileIds",
                    () -> store.findDocumentsByClientFileIds(lookup)).forEach((fid, d) -> {
                        if (isMigratedFrom(d, id)) {
                            migratedHere.add(d);
                        } else if (!d.filesetId().equals(id) && !unlisted.contains(fid)) {
                            foreignDocuments.put(fid, d);
                        }
                    });
        }
        return new Foreign(foreignMappings, foreignDocuments, migratedHere);
    }

    /**
     * One {@code FILESET_RELINKED} warning per fileset and run while documents move or stay in conflict, raised
     * through {@code raise} (which keeps it with the fileset's report).
     */
    static void reportRelink(RunContext ctx, FilesetId id, Plan plan, Optional<PatientFilesetRecord> record,
            PatientUuid patient, java.util.function.Consumer<Alert> raise) {
        long moving = 0;
        long conflicts = 0;
        for (FilePlan p : plan.files()) {
            String detail = p.detail().orElse("");
            // Every plan that may write a document found on another patient moves it: a metadata-only move, an
            // update, a create over a document whose mapping is gone, a skipped new version (issue 9.3). A document
            // the re-booking migration moved is where it belongs (rule 13).
            if (p.document().isPresent() && !DiffEngine.migrated(p.document().get())
                    && !p.document().get().patientUuid().equals(patient)
                    && p.document().get().metadata().untouchedBySilknoteUser()
                    && (p.action() == PlanAction.METADATA_ONLY || p.action() == PlanAction.UPDATE
                            || p.action() == PlanAction.CREATE || p.action() == PlanAction.SKIP)) {
                moving++;
            } else if (detail.equals(DiffEngine.DETAIL_RELINKED_USER_MODIFIED)) {
                conflicts++;
            }
        }
        boolean recordMoved = record.isPresent() && !record.get().patientUuid().equals(patient);
        if (moving + conflicts == 0 && !recordMoved) {
            return;
        }
        log.warn("fileset relinked run={} fileset={} moving={} userModified={}", ctx.runId, id, moving, conflicts);
        raise.accept(new Alert(Alert.Kind.FILESET_RELINKED, Alert.Severity.WARNING, "fileset " + id
                + " is linked to another Silknote patient: " + moving + " documents move, " + conflicts
                + " modified by users stay with the previous patient (conflict)"));
    }
}
