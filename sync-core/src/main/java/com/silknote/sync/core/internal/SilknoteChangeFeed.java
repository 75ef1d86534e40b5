package com.silknote.sync.core.internal;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.PatientFilesetRecord;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.SilknoteChange;
import com.silknote.sync.core.model.SilknoteChangePage;
import com.silknote.sync.core.port.DocumentStore;
import java.util.HashSet;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Reads the Silknote change sequence for a bi-directional run (docs/bidirectional.md §6): which filesets have a
 * Silknote-side change since the stored change position, and the settled position the run stores when it
 * completes. Read before the run looks at any fileset, so every change committed later has a position at or
 * after the settled one and is read again by the next run.
 */
final class SilknoteChangeFeed {
    /** Changes read per page. */
    static final int PAGE = 1000;

    /**
     * What a run read.
     *
     * @param filesets        filesets with a Silknote-side change at or after the stored position, in id order
     *                        (empty for a full run, which looks at every fileset anyway)
     * @param settledPosition the position to store when the run completes; empty when nothing was read (one-way,
     *                        a single-fileset or dry run, or the read failed): the stored position stays
     * @param changes         how many changes were read
     */
    record Reading(SortedSet<FilesetId> filesets, OptionalLong settledPosition, long changes) {
        static final Reading NONE = new Reading(new TreeSet<>(), OptionalLong.empty(), 0);

        Reading {
            filesets = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(requireNonNull(filesets, "filesets")));
            requireNonNull(settledPosition, "settledPosition");
        }
    }

    private final DocumentStore store;
    private final Retrier retrier;

    SilknoteChangeFeed(DocumentStore store, Retrier retrier) {
        this.store = requireNonNull(store, "store");
        this.retrier = requireNonNull(retrier, "retrier");
    }

    /**
     * Only the settled position, for a full run: it looks at every fileset, so when it completes every change
     * before its start has been handled.
     */
    Reading settledOnly() {
        long from = retrier.call("documents.loadChangePosition", store::loadChangePosition);
        SilknoteChangePage first = retrier.call("documents.silknoteChanges",
                () -> store.silknoteChanges(from, Optional.empty(), 1));
        return new Reading(new TreeSet<>(), OptionalLong.of(first.settledPosition()), 0);
    }

    /**
     * Every change at or after the stored position, turned into fileset ids: a document's fileset, else the
     * filesets Silknote has of its patient.
     */
    Reading read() {
        long from = retrier.call("documents.loadChangePosition", store::loadChangePosition);
        TreeSet<FilesetId> filesets = new TreeSet<>();
        Set<PatientUuid> patients = new HashSet<>();
        Optional<String> cursor = Optional.empty();
        long settled = 0;
        long changes = 0;
        boolean first = true;
        do {
            Optional<String> c = cursor;
            SilknoteChangePage page = retrier.call("documents.silknoteChanges",
                    () -> store.silknoteChanges(from, c, PAGE));
            if (first) {
                settled = page.settledPosition();
                first = false;
            }
            for (SilknoteChange change : page.changes()) {
                changes++;
                if (change.filesetId().isPresent()) {
                    filesets.add(change.filesetId().get());
                } else {
                    patients.add(change.patientUuid());
                }
            }
            cursor = page.nextCursor();
        } while (cursor.isPresent());
        for (PatientUuid patient : patients) {
            for (PatientFilesetRecord r : retrier.call("documents.filesetsOfPatient",
                    () -> store.filesetsOfPatient(patient))) {
                filesets.add(r.filesetId());
            }
        }
        return new Reading(filesets, OptionalLong.of(settled), changes);
    }
}
