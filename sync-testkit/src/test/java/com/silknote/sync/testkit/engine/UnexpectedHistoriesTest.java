package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.assertCountedUnchanged;
import static com.silknote.sync.testkit.engine.EngineFixture.action;
import static com.silknote.sync.testkit.engine.EngineFixture.file;
import static com.silknote.sync.testkit.engine.EngineFixture.fileset;
import static com.silknote.sync.testkit.engine.EngineFixture.report;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.ChangeDetectionMode;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentMetadata;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.RemovedDocumentPolicy;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.TestHashes;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 9 item 3: histories the diff did not expect end in a correct state or a reported conflict, never in
 * an exception that fails the fileset forever and never in a silent move. Blob references are held per
 * file id (by the mapping's hash, else the document's); {@link #assertReferencesAreHeldPerFileId} checks it.
 */
class UnexpectedHistoriesTest {
    private final EngineFixture fx = new EngineFixture();

    private Optional<SilknoteDocument> doc(VsrxFileId id) {
        return fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(id));
    }

    private long refs(ContentHash h) {
        return fx.silknote.documents().findBlobRef(h).map(BlobRef::refCount).orElse(0L);
    }

    /** refCount(h) == number of file ids whose (mapping, else document) hash is h; referenced blobs exist. */
    private void assertReferencesAreHeldPerFileId() {
        var docs = fx.silknote.documents().allDocuments();
        var mappings = fx.silknote.documents().allMappings();
        java.util.Map<ContentHash, Long> expected = new java.util.HashMap<>();
        java.util.Set<VsrxFileId> ids = new java.util.HashSet<>(mappings.keySet());
        docs.values().forEach(d -> ids.add(d.clientFileId()));
        for (VsrxFileId id : ids) {
            ContentHash h = mappings.containsKey(id) ? mappings.get(id).contentHash()
                    : fx.silknote.documents().findDocumentByClientFileId(id).orElseThrow().contentHash();
            expected.merge(h, 1L, Long::sum);
        }
        fx.silknote.documents().allBlobRefs().forEach((h, r) ->
                assertThat(r.refCount()).as("references of %s", h).isEqualTo(expected.getOrDefault(h, 0L)));
        expected.forEach((h, n) -> {
            assertThat(refs(h)).as("references of %s", h).isEqualTo(n);
            assertThat(fx.silknote.blobs().rawBytes(h)).as("referenced blob %s", h).isPresent();
        });
        fx.silknote.assertInvariants();
    }

    private FilesetId syncedFileset(String patient, String... names) {
        FilesetId fs = fx.linkedFileset(patient);
        for (String n : names) {
            fx.text(fs, n, n + " of " + patient);
        }
        return fs;
    }

    private void group(VsrxFileId id) {
        fx.silknote.documents().editDocumentAsSilknoteUser(DocumentUuid.forVsrxFile(id), d -> new SilknoteDocument(
                d.uuid(), d.patientUuid(), d.filesetId(), d.clientFileId(), d.contentHash(), d.size(), d.mimeType(),
                new DocumentMetadata(d.metadata().vsrxReference(), d.metadata().originalPath(),
                        d.metadata().sourceSystem(), "grouped", d.metadata().patientIdHistory()), d.updatedAt()));
    }

    private FileReport in(SyncResult result, FilesetId fs, VsrxFileId id) {
        return fileset(result, fs).files().stream().filter(f -> f.fileId().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no report for file " + id + " in fileset " + fs));
    }

    // ------------------------------------------------------------------ document removed in Silknote

    @Test
    @DisplayName("issue 9.3: a document removed in Silknote while its mapping stays is a reported conflict every run")
    void documentRemovedInSilknoteIsReportedEveryRunByDefault() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "alpha");
        fx.text(fs, "b.txt", "bravo");
        fx.run();
        ContentHash h = doc(a).orElseThrow().contentHash();
        fx.silknote.documents().removeDocumentAsSilknoteUser(DocumentUuid.forVsrxFile(a));

        for (int run = 1; run <= 2; run++) {
            SyncResult result = fx.run();

            assertThat(result.success()).as("run %d", run).isTrue();
            assertThat(fileset(result, fs).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
            assertThat(action(result, a)).isEqualTo(FileAction.CONFLICT);
            assertThat(file(result, a).detail()).contains("document-removed-in-silknote");
            assertThat(doc(a)).as("nothing re-created").isEmpty();
            assertThat(fx.silknote.documents().findMapping(a)).isPresent();
            assertThat(refs(h)).as("the mapping keeps its reference").isEqualTo(1);
            fx.vsrx.modifyFile(a, "alpha changed in VSRX");
        }
        assertReferencesAreHeldPerFileId();
    }

    @Test
    @DisplayName("issue 9.3: RESTORE re-creates a removed document under its derived uuid and moves the reference")
    void removedDocumentIsRestoredWhenThePolicySaysSo() {
        fx.config(c -> c.removedDocumentPolicy(RemovedDocumentPolicy.RESTORE));
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "alpha");
        VsrxFileId b = fx.text(fs, "b.txt", "bravo");
        fx.run();
        ContentHash oldA = doc(a).orElseThrow().contentHash();
        fx.silknote.documents().removeDocumentAsSilknoteUser(DocumentUuid.forVsrxFile(a));
        fx.silknote.documents().removeDocumentAsSilknoteUser(DocumentUuid.forVsrxFile(b));
        fx.vsrx.modifyFile(a, "alpha, newer");

        SyncResult result = fx.run();

        assertThat(result.success()).isTrue();
        assertThat(action(result, a)).isEqualTo(FileAction.CREATED);
        assertThat(action(result, b)).isEqualTo(FileAction.CREATED);
        assertThat(doc(a).orElseThrow().contentHash()).isEqualTo(TestHashes.sha256("alpha, newer"));
        assertThat(doc(b).orElseThrow().contentHash()).isEqualTo(TestHashes.sha256("bravo"));
        assertThat(refs(oldA)).isZero();
        assertThat(fx.silknote.blobs().rawBytes(oldA)).isEmpty();
        assertReferencesAreHeldPerFileId();
        fx.silknote.assertQuiescent();
    }

    @Test
    @DisplayName("issue 9.3: deleted=true for a file whose document is gone releases the mapping's reference")
    void deletedFileWhoseDocumentIsGoneReleasesTheReferenceAndPurgesVectors() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "alpha");
        fx.text(fs, "b.txt", "bravo");
        fx.text(fs, "c.txt", "charlie");
        fx.run();
        DocumentUuid uuid = DocumentUuid.forVsrxFile(a);
        ContentHash h = doc(a).orElseThrow().contentHash();
        fx.silknote.documents().removeDocumentAsSilknoteUser(uuid);
        fx.vsrx.deleteFile(a);

        SyncResult result = fx.run();

        assertThat(action(result, a)).isEqualTo(FileAction.DELETED);
        assertThat(fx.silknote.documents().findMapping(a)).isEmpty();
        assertThat(refs(h)).isZero();
        assertThat(fx.silknote.blobs().rawBytes(h)).isEmpty();
        assertThat(fx.silknote.vectors().entries(uuid)).isEmpty();
        assertReferencesAreHeldPerFileId();
        fx.silknote.assertQuiescent();
    }

    // ------------------------------------------------------------------ a file id in another fileset

    @Test
    @DisplayName("issue 9.3: a file id listed in another patient's fileset is a reported conflict, nothing moves")
    void fileIdListedInAnotherFilesetIsAConflictAndNothingOfTheOtherFilesetIsTouched() {
        FilesetId x = syncedFileset("P1", "x1.txt", "x2.txt");
        VsrxFileId moving = fx.text(x, "moving.txt", "a letter filed for P1");
        FilesetId y = syncedFileset("P2", "y1.txt");
        fx.run();
        group(moving);
        SilknoteDocument before = doc(moving).orElseThrow();
        var mappingBefore = fx.silknote.documents().findMapping(moving).orElseThrow();
        fx.vsrx.moveFile(moving, y);

        for (int run = 1; run <= 2; run++) {
            SyncResult result = fx.run();

            String where = "run " + run;
            FileAction inY = fileset(result, y).files().stream().filter(f -> f.fileId().equals(moving)).findFirst()
                    .orElseThrow().action();
            assertThat(inY).as(where).isEqualTo(FileAction.CONFLICT);
            assertThat(fileset(result, y).files().stream().filter(f -> f.fileId().equals(moving)).findFirst()
                    .orElseThrow().detail()).contains("file-id-in-other-fileset");
            assertThat(fileset(result, y).outcome()).as(where).isEqualTo(FilesetOutcome.COMPLETED);
            assertThat(doc(moving)).as(where + ": the other patient's document stays as it was").contains(before);
            assertThat(fx.silknote.documents().findMapping(moving)).as(where).contains(mappingBefore);
            assertThat(refs(before.contentHash())).as(where).isEqualTo(1);
        }
        assertReferencesAreHeldPerFileId();
    }


    @Test
    @DisplayName("issue 9.3: a file id listed in another patient's fileset whose mapping row is gone is still a conflict:"
            + " the document alone tells whose it is, and it does not move")
    void fileIdInAnotherFilesetKnownOnlyByItsDocumentIsAConflict() {
        FilesetId x = syncedFileset("P1", "x1.txt");
        VsrxFileId moving = fx.text(x, "moving.txt", "a letter filed for P1");
        FilesetId y = syncedFileset("P2", "y1.txt");
        fx.run();
        SilknoteDocument before = doc(moving).orElseThrow();
        fx.silknote.documents().removeMappingRow(moving);
        fx.vsrx.moveFile(moving, y);

        SyncResult result = fx.run();

        assertThat(in(result, y, moving).action()).isEqualTo(FileAction.CONFLICT);
        assertThat(in(result, y, moving).detail()).contains("file-id-in-other-fileset");
        assertThat(doc(moving)).as("P1's document stays with P1, as it was").contains(before);
        assertThat(fx.silknote.documents().findMapping(moving)).as("no mapping made for P2").isEmpty();
    }

    @Test
    @DisplayName("issue 9.3: a file id marked deleted in another patient's fileset is a reported conflict, nothing is deleted")
    void deletedFileIdListedInAnotherFilesetIsAConflictAndItsDocumentStays() {
        FilesetId x = syncedFileset("P1", "x1.txt");
        VsrxFileId moving = fx.text(x, "moving.txt", "a letter filed for P1");
        FilesetId y = syncedFileset("P2", "y1.txt");
        fx.run();
        SilknoteDocument before = doc(moving).orElseThrow();
        fx.vsrx.moveFile(moving, y);
        fx.vsrx.deleteFile(moving);

        for (int run = 1; run <= 2; run++) {
            SyncResult result = fx.run();

            String where = "run " + run;
            assertThat(in(result, y, moving).action()).as(where).isEqualTo(FileAction.CONFLICT);
            assertThat(in(result, y, moving).detail()).as(where).contains("file-id-in-other-fileset");
            assertThat(fileset(result, y).outcome()).as(where).isEqualTo(FilesetOutcome.COMPLETED);
            assertThat(doc(moving)).as(where + ": P1's document is not deleted by P2's listing").contains(before);
            assertThat(refs(before.contentHash())).as(where).isEqualTo(1);
        }
        assertReferencesAreHeldPerFileId();
    }

    @Test
    @DisplayName("issue 9.3: a file deleted and synced before is reported deleted-not-in-silknote, nothing else")
    void aFileDeletedInAnEarlierRunIsReportedAsNotInSilknote() {
        FilesetId fs = syncedFileset("P1", "a.txt", "b.txt", "c.txt");
        VsrxFileId a = fx.vsrx.listedFiles(fs).get(0).id();
        fx.run();
        fx.vsrx.deleteFile(a);
        assertThat(action(fx.run(), a)).isEqualTo(FileAction.DELETED);

        SyncResult later = fx.run();

        assertThat(action(later, a)).isEqualTo(FileAction.UNCHANGED);
        assertThat(file(later, a).detail()).contains("deleted-not-in-silknote");
        assertReferencesAreHeldPerFileId();
    }

    // ------------------------------------------------------------------ re-linked filesets

    @Test
    @DisplayName("issue 9.3: a re-linked fileset moves untouched documents and reports user-modified ones")
    void relinkedFilesetMovesUntouchedDocumentsAndReportsUserModifiedOnesEveryRun() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a");
        VsrxFileId b = fx.text(fs, "b.txt", "b");
        VsrxFileId c = fx.text(fs, "c.txt", "c");
        fx.run();
        group(b);
        fx.vsrx.linkPatient(fs, EngineFixture.patient("P-NEW"));

        SyncResult first = fx.run();

        assertThat(action(first, a)).isEqualTo(FileAction.METADATA_ONLY);
        assertThat(file(first, a).detail()).contains("relinked");
        assertThat(action(first, c)).isEqualTo(FileAction.METADATA_ONLY);
        assertThat(doc(a).orElseThrow().patientUuid()).isEqualTo(EngineFixture.patient("P-NEW"));
        assertThat(action(first, b)).isEqualTo(FileAction.CONFLICT);
        assertThat(file(first, b).detail()).contains("relinked-but-user-modified");
        assertThat(doc(b).orElseThrow().patientUuid()).isEqualTo(EngineFixture.patient("P1"));
        assertThat(report(first).alerts()).filteredOn(al -> al.kind() == Alert.Kind.FILESET_RELINKED).singleElement()
                .satisfies(al -> assertThat(al.severity()).isEqualTo(Alert.Severity.WARNING))
                .satisfies(al -> assertThat(al.message()).as("what moves and what stays, counted")
                        .contains(": 2 documents move, 1 modified by users stay"));

        SyncResult second = fx.run();

        assertCountedUnchanged(second, fs, a);
        assertThat(action(second, b)).as("still on the old patient: reported every run").isEqualTo(FileAction.CONFLICT);
        assertThat(file(second, b).detail()).contains("relinked-but-user-modified");
        assertThat(report(second).alerts()).filteredOn(al -> al.kind() == Alert.Kind.FILESET_RELINKED).singleElement()
                .satisfies(al -> assertThat(al.message()).contains(": 0 documents move, 1 modified by users stay"));
        assertReferencesAreHeldPerFileId();
    }


    @Test
    @DisplayName("issue 9.3: a re-linked fileset moves the document of a file whose new version is skipped")
    void relinkedFilesetMovesTheDocumentOfAFileWhoseNewVersionIsSkipped() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a");
        fx.text(fs, "b.txt", "b");
        fx.run();
        ContentHash synced = doc(a).orElseThrow().contentHash();
        fx.vsrx.linkPatient(fs, EngineFixture.patient("P-NEW"));
        fx.vsrx.modifyFile(a, EngineFixture.PDF); // declared text/plain, the bytes are a PDF: TYPE_MISMATCH

        for (int run = 1; run <= 2; run++) {
            SyncResult result = fx.run();

            String where = "run " + run;
            assertThat(action(result, a)).as(where).isEqualTo(FileAction.SKIPPED);
            assertThat(doc(a).orElseThrow().patientUuid()).as(where + ": the synced version moves with its fileset")
                    .isEqualTo(EngineFixture.patient("P-NEW"));
            assertThat(doc(a).orElseThrow().contentHash()).as(where).isEqualTo(synced);
            if (run == 1) {
                assertThat(report(result).alerts()).filteredOn(al -> al.kind() == Alert.Kind.FILESET_RELINKED)
                        .singleElement().satisfies(al -> assertThat(al.message()).as("the skipped file's document"
                                + " moves too").contains(": 2 documents move, 0 modified by users stay"));
            }
        }
        assertReferencesAreHeldPerFileId();
    }

    @Test
    @DisplayName("issue 9.3: a re-linked fileset's changed file updates its document on the new patient; the relink"
            + " warning counts it as moving")
    void relinkedFilesetCountsAnUpdatedDocumentAsMoving() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a");
        fx.text(fs, "b.txt", "b");
        fx.run();
        fx.vsrx.linkPatient(fs, EngineFixture.patient("P-NEW"));
        fx.vsrx.modifyFile(a, "a, second version");

        SyncResult result = fx.run();

        assertThat(action(result, a)).isEqualTo(FileAction.UPDATED);
        assertThat(doc(a).orElseThrow().patientUuid()).isEqualTo(EngineFixture.patient("P-NEW"));
        assertThat(report(result).alerts()).filteredOn(al -> al.kind() == Alert.Kind.FILESET_RELINKED)
                .singleElement().satisfies(al -> assertThat(al.message())
                        .contains(": 2 documents move, 0 modified by users stay"));
        assertReferencesAreHeldPerFileId();
    }

    @Test
    @DisplayName("issue 9.3: a re-linked fileset moves a document whose mapping is gone and whose file vanished")
    void relinkedFilesetMovesADocumentWithoutMappingWhoseFileVanished() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a");
        fx.text(fs, "b.txt", "b");
        fx.run();
        ContentHash h = doc(a).orElseThrow().contentHash();
        fx.silknote.documents().removeMappingRow(a);
        fx.vsrx.linkPatient(fs, EngineFixture.patient("P-NEW"));
        fx.vsrx.removeFromListing(a);

        SyncResult result = fx.run();

        assertThat(action(result, a)).isEqualTo(FileAction.METADATA_ONLY);
        assertThat(file(result, a).detail()).contains("relinked");
        assertThat(doc(a).orElseThrow().patientUuid()).isEqualTo(EngineFixture.patient("P-NEW"));
        assertThat(refs(h)).as("the document still holds its reference").isEqualTo(1);

        SyncResult next = fx.run();
        assertThat(action(next, a)).as("moved: from now on reported like any vanished file").isEqualTo(FileAction.VANISHED);
        assertThat(doc(a)).isPresent();
        assertThat(refs(h)).isEqualTo(1);
        assertThat(fx.silknote.blobs().rawBytes(h)).isPresent();
    }


    // ------------------------------------------------------------------ blob references changed outside the sync

    @Test
    @DisplayName("issue 9.3: a blob-reference row removed outside the sync never fails the fileset; it is recounted and reported")
    void aRemovedBlobReferenceRowNeverFailsTheFilesetAndIsRecounted() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "shared");
        VsrxFileId b = fx.text(fs, "b.txt", "shared");
        fx.text(fs, "c.txt", "other");
        fx.run();
        ContentHash shared = doc(a).orElseThrow().contentHash();
        fx.silknote.documents().removeBlobRefRow(shared);
        fx.vsrx.modifyFile(a, "a differs now");

        SyncResult result = fx.run();

        assertThat(fileset(result, fs).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
        assertThat(action(result, a)).isEqualTo(FileAction.UPDATED);
        assertThat(report(result).alerts()).filteredOn(al -> al.kind() == Alert.Kind.LEDGER_INCONSISTENT)
                .singleElement().satisfies(al -> assertThat(al.severity()).isEqualTo(Alert.Severity.WARNING));
        assertThat(refs(shared)).as("recounted: b still holds it").isEqualTo(1);
        assertReferencesAreHeldPerFileId();

        fx.vsrx.deleteFile(b);
        SyncResult later = fx.run();
        assertThat(action(later, b)).isEqualTo(FileAction.DELETED);
        assertThat(report(later).alerts()).noneMatch(al -> al.kind() == Alert.Kind.LEDGER_INCONSISTENT);
        assertThat(fx.silknote.blobs().rawBytes(shared)).as("no reference left: collected").isEmpty();
        assertReferencesAreHeldPerFileId();
    }

    @Test
    @DisplayName("issue 9.3 / rule 12: a blob whose count was damaged outside the sync is never collected while referenced")
    void aBlobWhoseCountWasDamagedIsNeverCollectedWhileReferenced() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "shared");
        fx.text(fs, "b.txt", "other");
        fx.text(fs, "c.txt", "third");
        fx.run();
        ContentHash shared = doc(a).orElseThrow().contentHash();
        fx.silknote.documents().removeBlobRefRow(shared);
        VsrxFileId d = fx.text(fs, "d.txt", "shared"); // the row is created again at 1: a is not counted
        fx.run();
        fx.vsrx.deleteFile(d); // releases to 0 while a still holds the content

        SyncResult result = fx.run();

        assertThat(action(result, d)).isEqualTo(FileAction.DELETED);
        assertThat(fx.silknote.blobs().rawBytes(shared)).as("a's blob").isPresent();
        assertThat(refs(shared)).as("the collector found a's mapping and recounted").isEqualTo(1);
        assertReferencesAreHeldPerFileId();
    }


    @Test
    @DisplayName("issue 9.3: a relink that moves a document whose mapping is gone raises the relink warning")
    void relinkMovingADocumentWithoutMappingIsReported() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a");
        fx.text(fs, "b.txt", "b");
        fx.run();
        fx.silknote.documents().removeMappingRow(a);
        fx.silknote.documents().removeFilesetAsSilknoteUser(fs); // nothing else tells that the fileset moved
        fx.vsrx.linkPatient(fs, EngineFixture.patient("P-NEW"));

        SyncResult result = fx.run();

        assertThat(doc(a).orElseThrow().patientUuid()).isEqualTo(EngineFixture.patient("P-NEW"));
        assertThat(file(result, a).detail()).contains("relinked");
        assertThat(report(result).alerts()).filteredOn(al -> al.kind() == Alert.Kind.FILESET_RELINKED).singleElement()
                .satisfies(al -> assertThat(al.message()).as("the re-created mapping's document is counted as moving")
                        .contains(": 2 documents move, 0 modified by users stay"));
    }

    @Test
    @DisplayName("issue 9.3: a re-linked fileset moves the document of a file whose new version the listing already"
            + " rules out (too large); the relink warning counts it as moving")
    void relinkedFilesetCountsADocumentWhoseNewVersionIsSkippedByItsListingAsMoving() {
        fx.config(c -> c.maxFileSizeBytes(64));
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a");
        fx.text(fs, "b.txt", "b");
        fx.run();
        ContentHash synced = doc(a).orElseThrow().contentHash();
        fx.vsrx.linkPatient(fs, EngineFixture.patient("P-NEW"));
        fx.vsrx.modifyFile(a, "a, second version, far longer than the sixty-four bytes this test allows for a file");

        SyncResult result = fx.run();

        assertThat(action(result, a)).isEqualTo(FileAction.SKIPPED);
        assertThat(file(result, a).skipReason()).contains(SkipReason.TOO_LARGE);
        assertThat(doc(a).orElseThrow().patientUuid()).as("the synced version moves with its fileset")
                .isEqualTo(EngineFixture.patient("P-NEW"));
        assertThat(doc(a).orElseThrow().contentHash()).isEqualTo(synced);
        assertThat(report(result).alerts()).filteredOn(al -> al.kind() == Alert.Kind.FILESET_RELINKED).singleElement()
                .satisfies(al -> assertThat(al.message()).contains(": 2 documents move, 0 modified by users stay"));
        assertReferencesAreHeldPerFileId();
    }

    @Test
    @DisplayName("issue 9.3: a relink whose fileset record is gone is still reported when as many documents move as"
            + " stay with users")
    void relinkWithoutRecordMovingAsManyAsStayIsReported() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a");
        VsrxFileId b = fx.text(fs, "b.txt", "b");
        fx.run();
        group(b);
        fx.silknote.documents().removeFilesetAsSilknoteUser(fs); // only the documents tell that the fileset moved
        fx.vsrx.linkPatient(fs, EngineFixture.patient("P-NEW"));

        SyncResult result = fx.run();

        assertThat(doc(a).orElseThrow().patientUuid()).isEqualTo(EngineFixture.patient("P-NEW"));
        assertThat(action(result, b)).isEqualTo(FileAction.CONFLICT);
        assertThat(report(result).alerts()).filteredOn(al -> al.kind() == Alert.Kind.FILESET_RELINKED).singleElement()
                .satisfies(al -> assertThat(al.message()).contains(": 1 documents move, 1 modified by users stay"));
    }

    @Test
    @DisplayName("issue 9.3: a fileset without documents linked to another patient is reported by its record alone;"
            + " a fileset whose patient stays raises no relink warning")
    void relinkOfAFilesetWithoutDocumentsIsReportedByItsRecord() {
        FilesetId empty = fx.linkedFileset("P1");
        FilesetId other = fx.linkedFileset("P2");
        fx.text(other, "o.txt", "o");
        SyncResult first = fx.run();
        assertThat(report(first).alerts()).noneMatch(al -> al.kind() == Alert.Kind.FILESET_RELINKED);
        fx.vsrx.linkPatient(empty, EngineFixture.patient("P-NEW"));

        SyncResult result = fx.run();

        assertThat(fileset(result, empty).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
        assertThat(report(result).alerts()).filteredOn(al -> al.kind() == Alert.Kind.FILESET_RELINKED).singleElement()
                .satisfies(al -> assertThat(al.message()).contains("fileset " + empty + " is linked to another")
                        .contains(": 0 documents move, 0 modified by users stay"));
    }

    @Test
    @DisplayName("issue 10: a file gone from the listing is reported VANISHED with the path Silknote stored for it")
    void aVanishedFileIsReportedWithItsStoredPath() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a");
        fx.text(fs, "b.txt", "b");
        fx.run();
        fx.vsrx.removeFromListing(a);

        SyncResult result = fx.run();

        assertThat(action(result, a)).isEqualTo(FileAction.VANISHED);
        assertThat(file(result, a).path()).contains("notes/a.txt");
    }

    // ------------------------------------------------------------------ listed digests

    @Test
    @DisplayName("issue 9.3 / rule 3: a listed sha256 claiming the stored hash never skips the download")
    void aListedDigestNeverDecidesThatContentIsUnchanged() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "version one");
        fx.text(fs, "b.txt", "b");
        fx.run();
        ContentHash one = TestHashes.sha256("version one");
        fx.vsrx.modifyFile(a, "version two");
        fx.vsrx.setDeclaredSha256(a, one);
        long downloads = fx.vsrx.downloads(a);

        SyncResult stale = fx.run();

        assertThat(fx.vsrx.downloads(a)).as("the bytes are downloaded").isEqualTo(downloads + 1);
        assertThat(file(stale, a).skipReason()).as("the stale claim is reported").contains(SkipReason.CHECKSUM_MISMATCH);

        fx.vsrx.setDeclaredSha256(a, TestHashes.sha256("version two"));
        fx.vsrx.touchFile(a);
        SyncResult fixed = fx.run();
        assertThat(action(fixed, a)).isEqualTo(FileAction.UPDATED);
        assertThat(doc(a).orElseThrow().contentHash()).isEqualTo(TestHashes.sha256("version two"));
    }

    @Test
    @DisplayName("issue 9.3 / rule 3: a changed version with the same bytes is metadata-only after the download")
    void aChangedVersionWithTheSameBytesIsMetadataOnlyAfterComparingTheBytes() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.vsrx.newFile(fs).path("notes/a.txt").content("same".getBytes()).listSha256(true).add();
        fx.run();
        long downloads = fx.vsrx.downloads(a);
        fx.vsrx.touchFile(a);

        SyncResult result = fx.run();

        assertThat(action(result, a)).isEqualTo(FileAction.METADATA_ONLY);
        assertThat(fx.vsrx.downloads(a)).isEqualTo(downloads + 1);
    }

    @Test
    @DisplayName("issue 9.3: in FULL_HASH mode every live synced file is downloaded and hashed")
    void fullHashModeDownloadsEveryLiveSyncedFile() {
        fx.config(c -> c.changeDetection(ChangeDetectionMode.FULL_HASH));
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "plain");
        VsrxFileId listed = fx.vsrx.newFile(fs).path("notes/b.txt").content("declared".getBytes()).listSha256(true)
                .add();
        fx.run();
        long downloads = fx.vsrx.downloads();

        SyncResult again = fx.run();

        assertThat(action(again, a)).isEqualTo(FileAction.UNCHANGED);
        assertThat(action(again, listed)).isEqualTo(FileAction.UNCHANGED);
        assertThat(fx.vsrx.downloads()).isEqualTo(downloads + 2);
    }

    // ------------------------------------------------------------------ filesets

    @Test
    @DisplayName("issue 9.3: a fileset gone from VSRX's listing is reported VANISHED every full run, documents kept")
    void vanishedFilesetIsReportedEveryFullRunAndItsDocumentsKept() {
        FilesetId x = syncedFileset("P1", "x1.txt", "x2.txt");
        VsrxFileId x1 = fx.vsrx.listedFiles(x).get(0).id();
        FilesetId y = syncedFileset("P2", "y1.txt");
        fx.run();
        fx.vsrx.removeFileset(x);

        for (int run = 1; run <= 2; run++) {
            fx.clock.advance(Duration.ofMinutes(10));
            SyncResult result = fx.run();

            assertThat(result.success()).isTrue();
            assertThat(fileset(result, x).outcome()).isEqualTo(FilesetOutcome.VANISHED);
            assertThat(fileset(result, y).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
            assertThat(report(result).alerts()).filteredOn(al -> al.kind() == Alert.Kind.FILESET_VANISHED)
                    .singleElement().satisfies(al -> assertThat(al.severity()).isEqualTo(Alert.Severity.WARNING));
            assertThat(doc(x1)).isPresent();
        }
        SyncResult incremental = fx.run(SyncRequest.incrementalRun());
        assertThat(report(incremental).filesets()).noneMatch(r -> r.filesetId().equals(x));
    }



    @Test
    @DisplayName("issue 9.3: a vanished fileset whose record was removed outside the sync is still reported by its documents")
    void vanishedFilesetKnownOnlyByItsDocumentsIsReported() {
        FilesetId x = syncedFileset("P1", "x1.txt");
        VsrxFileId x1 = fx.vsrx.listedFiles(x).get(0).id();
        syncedFileset("P2", "y1.txt");
        fx.run();
        fx.vsrx.removeFileset(x);
        fx.silknote.documents().removeFilesetAsSilknoteUser(x);

        SyncResult result = fx.run();

        assertThat(fileset(result, x).outcome()).isEqualTo(FilesetOutcome.VANISHED);
        assertThat(doc(x1)).isPresent();
    }

    @Test
    @DisplayName("issue 9.3: a single-fileset run for a fileset VSRX no longer lists reports it VANISHED")
    void singleFilesetRunForAVanishedFilesetReportsItVanished() {
        FilesetId x = syncedFileset("P1", "x1.txt");
        VsrxFileId x1 = fx.vsrx.listedFiles(x).get(0).id();
        fx.run();
        fx.vsrx.removeFileset(x);

        SyncResult result = fx.run(SyncRequest.fileset(x));

        assertThat(fileset(result, x).outcome()).isEqualTo(FilesetOutcome.VANISHED);
        assertThat(result.success()).isTrue();
        assertThat(doc(x1)).isPresent();
        FilesetId unknown = FilesetId.of("fs-never-seen");
        assertThat(fileset(fx.run(SyncRequest.fileset(unknown)), unknown).outcome())
                .as("a fileset neither side knows is still an error").isEqualTo(FilesetOutcome.FAILED);
    }

    @Test
    @DisplayName("issue 9.3: one FILESET_VANISHED warning per run, naming how many and the first; vanished filesets"
            + " are reported after the listed ones in the ledger's order; a run where none vanished warns of none")
    void theVanishedWarningCountsAndNamesTheFirst() {
        FilesetId x = syncedFileset("P1", "x1.txt");
        FilesetId y = syncedFileset("P2", "y1.txt");
        FilesetId z = syncedFileset("P3", "z1.txt");
        SyncResult before = fx.run();
        assertThat(report(before).alerts()).noneMatch(al -> al.kind() == Alert.Kind.FILESET_VANISHED);
        fx.vsrx.removeFileset(x);
        fx.vsrx.removeFileset(y);

        SyncResult result = fx.run();

        assertThat(report(result).filesets()).extracting(r -> r.filesetId()).containsExactly(z, x, y);
        assertThat(report(result).filesets()).extracting(r -> r.outcome())
                .containsExactly(FilesetOutcome.COMPLETED, FilesetOutcome.VANISHED, FilesetOutcome.VANISHED);
        assertThat(report(result).alerts()).filteredOn(al -> al.kind() == Alert.Kind.FILESET_VANISHED)
                .singleElement().satisfies(al -> assertThat(al.message())
                        .startsWith("2 filesets Silknote holds are no longer listed by VSRX")
                        .endsWith("(first: " + x + ")"));
    }

    @Test
    @DisplayName("issue 9.3: a single-fileset run for a vanished fileset warns once, whether Silknote knows it by its"
            + " record only or by its documents only")
    void singleFilesetRunForAVanishedFilesetWarnsByRecordOrByDocuments() {
        FilesetId empty = syncedFileset("P1");
        FilesetId x = syncedFileset("P2", "x1.txt");
        fx.run();
        assertThat(fx.silknote.documents().findFileset(empty)).as("a linked fileset without files has a record")
                .isPresent();
        fx.vsrx.removeFileset(empty);
        fx.vsrx.removeFileset(x);
        fx.silknote.documents().removeFilesetAsSilknoteUser(x);

        for (FilesetId id : java.util.List.of(empty, x)) {
            SyncResult result = fx.run(SyncRequest.fileset(id));

            assertThat(fileset(result, id).outcome()).as("%s", id).isEqualTo(FilesetOutcome.VANISHED);
            assertThat(report(result).alerts()).filteredOn(al -> al.kind() == Alert.Kind.FILESET_VANISHED)
                    .singleElement().satisfies(al -> assertThat(al.severity()).isEqualTo(Alert.Severity.WARNING));
        }
    }

    @Test
    @DisplayName("issue 9.3: a fileset unlinked while Silknote holds its documents is reported, documents kept")
    void unlinkedFilesetWithDocumentsIsReported() {
        FilesetId x = syncedFileset("P1", "x1.txt");
        VsrxFileId x1 = fx.vsrx.listedFiles(x).get(0).id();
        FilesetId never = fx.vsrx.addFileset("P-WAITING");
        fx.run();
        fx.vsrx.unlinkPatient(x);

        SyncResult result = fx.run();

        assertThat(fileset(result, x).outcome()).isEqualTo(FilesetOutcome.SKIPPED_NOT_LINKED);
        assertThat(fileset(result, x).failureReason()).contains("unlinked-with-documents");
        assertThat(fileset(result, never).failureReason()).contains(SkipReason.PATIENT_NOT_LINKED.name());
        assertThat(doc(x1)).isPresent();
        assertThat(result.success()).isTrue();
    }
}
