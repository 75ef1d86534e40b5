package com.silknote.sync.testkit.history;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentMetadata;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.InMemoryDocumentProcessor;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.history.HistoryVsrx.ShaClaim;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The histories of issue 9 item 3 and the starvation story of item 1, each as a short deterministic test
 * with the outcome the issue (and DESIGN.md §2.4, §2.5, §2.9) decides. They drive the engine through its
 * public API only, on the same scripted VSRX and in-memory stores as {@link RandomHistoryTest}.
 */
class Issue9HistoriesTest {
    private static final int LAB_1 = 0;
    private static final int LAB_2 = 1;
    private static final int LETTER = 2;
    private static final int NOTE_A = 3;
    private static final int SCAN_1 = 6;
    private static final FilesetId FS1 = FilesetId.of("fs-01");
    private static final FilesetId FS2 = FilesetId.of("fs-02");

    private final TestClock clock = TestClock.at("2026-03-02T08:00:00Z");
    private final HistoryVsrx vsrx = new HistoryVsrx(clock);
    private final InMemorySilknoteStores silknote = new InMemorySilknoteStores(clock);
    private final InMemoryDocumentProcessor processor =
            new InMemoryDocumentProcessor(silknote.blobs(), silknote.vectors());
    private int files;

    private SyncResult run(SyncRequest request) {
        clock.advance(Duration.ofSeconds(30));
        VsrxSync sync = VsrxSync.builder().source(vsrx).documents(silknote.documents()).blobs(silknote.blobs())
                .vectors(silknote.vectors()).processor(processor).lock(silknote.lock("host-1"))
                .config(HistoryWorld.config()).clock(clock).sleeper(clock).random(new SplittableRandom(9))
                .build();
        return sync.run(request);
    }

    private SyncResult full() {
        return run(SyncRequest.full());
    }

    private void fileset(FilesetId id, String patient) {
        vsrx.addFileset(id, PatientId.of("vsrx-patient-" + id), Optional.of(HistoryWorld.patient(patient)), List.of());
    }

    private VsrxFileId file(FilesetId fs, int content) {
        VsrxFileId id = VsrxFileId.of(String.format("f-%03d", ++files));
        vsrx.addFile(id, fs, "notes/file-" + files + ".txt", HistoryContent.content(content).mime(), content, true,
                ShaClaim.NONE, OptionalLong.empty());
        return id;
    }

    private SilknoteDocument document(VsrxFileId id) {
        return silknote.documents().findDocumentByClientFileId(id)
                .orElseThrow(() -> new AssertionError("no document for " + id));
    }

    private void groupAsUser(VsrxFileId id) {
        silknote.editDocumentAsUser(document(id).uuid(), d -> new SilknoteDocument(d.uuid(), d.patientUuid(),
                d.filesetId(), d.clientFileId(), d.contentHash(), d.size(), d.mimeType(),
                new DocumentMetadata(d.metadata().vsrxReference(), d.metadata().originalPath(),
                        d.metadata().sourceSystem(), "grouped-by-user", d.metadata().patientIdHistory()),
                d.updatedAt()));
    }

    private long refCount(int content) {
        return silknote.documents().findBlobRef(HistoryContent.content(content).hash()).map(BlobRef::refCount)
                .orElse(0L);
    }

    private static SyncReport report(SyncResult r) {
        return r.report().orElseThrow(() -> new AssertionError("no report: " + r));
    }

    private static FilesetReport fileset(SyncResult r, FilesetId id) {
        return report(r).filesets().stream().filter(f -> f.filesetId().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("fileset " + id + " not reported: " + report(r).filesets()));
    }

    private static FileReport file(SyncResult r, FilesetId fs, VsrxFileId id) {
        return fileset(r, fs).files().stream().filter(f -> f.fileId().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("file " + id + " not reported in " + fs));
    }

    @Test
    @DisplayName("issue 9 item 3: a document removed in Silknote while its mapping stays is a conflict, every run, never a failed fileset")
    void documentRemovedInSilknoteWhileItsMappingStays() {
        fileset(FS1, "A");
        VsrxFileId removed = file(FS1, LAB_1);
        VsrxFileId other = file(FS1, LETTER);
        assertThat(full().success()).isTrue();
        silknote.removeDocumentRow(document(removed).uuid());
        vsrx.edit(other, LAB_2, true, true);

        for (int i = 0; i < 2; i++) {
            SyncResult r = full();

            assertThat(r.status()).isEqualTo(SyncResult.Status.COMPLETED);
            assertThat(fileset(r, FS1).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
            assertThat(file(r, FS1, removed).action()).isEqualTo(FileAction.CONFLICT);
            assertThat(file(r, FS1, removed).detail()).contains("document-removed-in-silknote");
            assertThat(silknote.documents().findDocumentByClientFileId(removed)).as("not re-created").isEmpty();
            assertThat(silknote.documents().findMapping(removed)).isPresent();
            assertThat(refCount(LAB_1)).as("the mapping still references its blob").isEqualTo(1);
            assertThat(document(other).contentHash()).as("the fileset's other changes land")
                    .isEqualTo(HistoryContent.content(LAB_2).hash());
        }
    }

    @Test
    @DisplayName("issue 9 item 3: a file id listed in another fileset (another patient) is a conflict; its document stays untouched")
    void fileIdInAnotherFileset() {
        fileset(FS1, "A");
        fileset(FS2, "B");
        VsrxFileId plain = file(FS1, LAB_1);
        VsrxFileId grouped = file(FS1, LETTER);
        assertThat(full().success()).isTrue();
        groupAsUser(grouped);
        SilknoteDocument plainBefore = document(plain);
        SilknoteDocument groupedBefore = document(grouped);
        vsrx.move(plain, FS2);
        vsrx.move(grouped, FS2);

        SyncResult r = full();

        assertThat(r.status()).isEqualTo(SyncResult.Status.COMPLETED);
        for (VsrxFileId id : List.of(plain, grouped)) {
            assertThat(file(r, FS2, id).action()).isEqualTo(FileAction.CONFLICT);
            assertThat(file(r, FS2, id).detail()).contains("file-id-in-other-fileset");
        }
        assertThat(document(plain)).as("untouched").isEqualTo(plainBefore);
        assertThat(document(grouped)).as("untouched, grouping kept").isEqualTo(groupedBefore);
        assertThat(refCount(LAB_1)).as("no reference leaks").isEqualTo(1);
        assertThat(refCount(LETTER)).isEqualTo(1);
    }

    @Test
    @DisplayName("issue 9 item 3: a relinked fileset's untouched documents move to the new patient; user-modified ones are conflicts")
    void filesetRelinkedToAnotherPatient() {
        fileset(FS1, "A");
        VsrxFileId untouched = file(FS1, LAB_1);
        VsrxFileId grouped = file(FS1, LETTER);
        assertThat(full().success()).isTrue();
        groupAsUser(grouped);
        vsrx.link(FS1, Optional.of(HistoryWorld.patient("B")));

        SyncResult r = full();

        assertThat(r.status()).isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(document(untouched).patientUuid()).isEqualTo(HistoryWorld.patient("B"));
        assertThat(file(r, FS1, untouched).action()).isEqualTo(FileAction.METADATA_ONLY);
        assertThat(file(r, FS1, untouched).detail()).contains("relinked");
        assertThat(document(grouped).patientUuid()).isEqualTo(HistoryWorld.patient("A"));
        assertThat(document(grouped).metadata().groupingStatus()).isEqualTo("grouped-by-user");
        assertThat(file(r, FS1, grouped).action()).isEqualTo(FileAction.CONFLICT);
        assertThat(report(r).alerts()).anyMatch(a -> a.kind() == Alert.Kind.FILESET_RELINKED);
    }

    @Test
    @DisplayName("issue 9 item 3: deleted=true for a file whose document row is gone releases the mapping, the reference and the vectors")
    void deletedFileWhoseDocumentRowIsGone() {
        fileset(FS1, "A");
        VsrxFileId gone = file(FS1, NOTE_A);
        file(FS1, LETTER);
        assertThat(full().success()).isTrue();
        DocumentUuid uuid = document(gone).uuid();
        assertThat(silknote.vectors().entries(uuid)).isNotEmpty();
        silknote.removeDocumentRow(uuid);
        vsrx.setDeleted(gone, true);

        SyncResult r = full();

        assertThat(r.status()).isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(fileset(r, FS1).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
        assertThat(silknote.documents().findMapping(gone)).isEmpty();
        assertThat(refCount(NOTE_A)).isZero();
        assertThat(silknote.vectors().entries(uuid)).isEmpty();
    }

    @Test
    @DisplayName("issue 9 item 3 / rule 3: a listing sha256 that claims the stored hash never decides that the content is unchanged")
    void listingSha256ClaimingTheStoredHash() {
        fileset(FS1, "A");
        VsrxFileId withEtag = file(FS1, LAB_1);
        VsrxFileId withoutEtag = VsrxFileId.of("f-900");
        vsrx.addFile(withoutEtag, FS1, "notes/no-etag.txt", "text/plain", NOTE_A, false, ShaClaim.NONE,
                OptionalLong.empty());
        assertThat(full().success()).isTrue();
        ContentHash before = HistoryContent.content(LAB_1).hash();
        vsrx.fixSha256Claim(withEtag, Optional.of(before));
        vsrx.edit(withEtag, LAB_2, true, true);
        vsrx.fixSha256Claim(withoutEtag, Optional.of(HistoryContent.content(NOTE_A).hash()));
        clock.advance(Duration.ofSeconds(5));
        vsrx.edit(withoutEtag, LETTER, false, true);
        int downloads = vsrx.downloads();

        SyncResult r = full();

        assertThat(vsrx.downloads() - downloads).as("both changed files are downloaded").isEqualTo(2);
        for (VsrxFileId id : List.of(withEtag, withoutEtag)) {
            FileReport f = file(r, FS1, id);
            assertThat(f.action()).as(id.value()).isIn(FileAction.UPDATED, FileAction.SKIPPED);
            if (f.action() == FileAction.SKIPPED) {
                assertThat(f.skipReason()).contains(SkipReason.CHECKSUM_MISMATCH);
            } else {
                assertThat(document(id).contentHash()).isEqualTo(vsrx.file(id).hash());
            }
        }
    }

    @Test
    @DisplayName("issue 9 item 3: a fileset that disappears from VSRX's listing is reported VANISHED and its documents are kept")
    void filesetDisappearsFromTheListing() {
        fileset(FS1, "A");
        fileset(FS2, "B");
        VsrxFileId kept = file(FS1, LAB_1);
        file(FS2, LETTER);
        assertThat(full().success()).isTrue();
        vsrx.setListed(FS1, false);

        SyncResult r = full();

        assertThat(fileset(r, FS1).outcome()).isEqualTo(FilesetOutcome.VANISHED);
        assertThat(fileset(r, FS2).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
        assertThat(document(kept).patientUuid()).isEqualTo(HistoryWorld.patient("A"));
        assertThat(refCount(LAB_1)).isEqualTo(1);
    }

    @Test
    @DisplayName("issue 9 item 1: a fileset that fails every run (mass-delete guard) never holds back the others")
    void oneFailingFilesetNeverFreezesTheOthers() {
        fileset(FS1, "A");
        fileset(FS2, "B");
        List<VsrxFileId> blockedFiles = List.of(file(FS1, LAB_1), file(FS1, LAB_2), file(FS1, LETTER),
                file(FS1, NOTE_A));
        VsrxFileId edited = file(FS2, LETTER);
        assertThat(full().success()).isTrue();
        Optional<Instant> firstMark = silknote.documents().loadState().lastCompleteSync();
        vsrx.setDeleted(blockedFiles.get(0), true);
        vsrx.setDeleted(blockedFiles.get(1), true);
        vsrx.setDeleted(blockedFiles.get(2), true);

        for (int round = 0; round < 3; round++) {
            VsrxFileId fresh = file(FS2, round % 2 == 0 ? SCAN_1 : NOTE_A);
            vsrx.edit(edited, round % 2 == 0 ? LAB_1 : LAB_2, true, true);

            SyncResult r = round == 2 ? run(SyncRequest.incrementalRun()) : full();

            if (round < 2) {
                assertThat(fileset(r, FS1).outcome()).as("reported every full run").isEqualTo(
                        FilesetOutcome.MASS_DELETE_BLOCKED);
            }
            assertThat(report(r).filesets()).as("round " + round)
                    .noneMatch(f -> f.outcome() == FilesetOutcome.SKIPPED_ALREADY_PROCESSED);
            assertThat(fileset(r, FS2).outcome()).as("round " + round).isEqualTo(FilesetOutcome.COMPLETED);
            assertThat(file(r, FS2, fresh).action()).as("round " + round).isEqualTo(FileAction.CREATED);
            assertThat(file(r, FS2, edited).action()).as("round " + round).isEqualTo(FileAction.UPDATED);
            assertThat(document(fresh).patientUuid()).isEqualTo(HistoryWorld.patient("B"));
        }
        for (VsrxFileId id : blockedFiles) {
            assertThat(silknote.documents().findDocumentByClientFileId(id)).as("nothing of the blocked fileset").isPresent();
        }

        vsrx.setDeleted(blockedFiles.get(2), false);
        SyncResult resolved = full();

        assertThat(resolved.status()).isEqualTo(SyncResult.Status.COMPLETED);
        Optional<Instant> mark = silknote.documents().loadState().lastCompleteSync();
        assertThat(mark).isPresent();
        assertThat(mark.get()).isAfter(firstMark.orElseThrow());
    }
}
