package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.assertCountedUnchanged;
import static com.silknote.sync.testkit.engine.EngineFixture.action;
import static com.silknote.sync.testkit.engine.EngineFixture.file;
import static com.silknote.sync.testkit.engine.EngineFixture.fileset;
import static com.silknote.sync.testkit.engine.EngineFixture.report;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.diff.ChangeDetection;
import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentMetadata;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.MassDeleteGuard;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VanishedFilePolicy;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.SilknoteSnapshot;
import com.silknote.sync.testkit.TestHashes;
import com.silknote.sync.testkit.fault.Fault;
import com.silknote.sync.testkit.fault.FaultPlan;
import com.silknote.sync.testkit.fault.FaultyVsrxSource;
import com.silknote.sync.testkit.fault.Operation;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** DESIGN §2 rules, end to end on the in-memory VSRX and Silknote simulators. */
class EngineRulesTest {
    private final EngineFixture fx = new EngineFixture();

    private SilknoteDocument doc(VsrxFileId id) {
        return fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(id)).orElseThrow();
    }

    @Test
    void lockRefusalReturnsAlreadyInProgressAndTouchesNothing() {
        FilesetId fs = fx.linkedFileset("P1");
        fx.text(fs, "a.txt", "alpha");
        var other = fx.silknote.lock().newHolder("other-host")
                .tryAcquire(SyncConfig.LOCK_NAME, Duration.ofMinutes(5)).orElseThrow();
        SilknoteSnapshot before = fx.silknote.snapshot();

        SyncResult result = fx.run();

        assertThat(result.isAlreadyInProgress()).isTrue();
        assertThat(result.error()).contains("Sync already in progress");
        assertThat(fx.vsrx.listingCalls()).isZero();
        assertThat(fx.vsrx.downloads()).isZero();
        assertThat(fx.silknote.documents().commits()).isZero();
        assertThat(fx.silknote.documents().allRuns()).isEmpty();
        assertThat(fx.silknote.snapshot()).isEqualTo(before);
        other.close();
    }

    @Test
    void createsOneDocumentPerFileWithSyncMetadataBlobAndVectors() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "alpha");
        VsrxFileId b = fx.vsrx.addFile(fs, "notes/scan.pdf", "application/pdf", EngineFixture.PDF);

        SyncResult result = fx.run();

        assertThat(result.success()).isTrue();
        assertThat(action(result, a)).isEqualTo(FileAction.CREATED);
        assertThat(action(result, b)).isEqualTo(FileAction.CREATED);
        SilknoteDocument d = doc(a);
        assertThat(d.clientFileId()).isEqualTo(a);
        assertThat(d.patientUuid()).isEqualTo(EngineFixture.patient("P1"));
        assertThat(d.metadata()).isEqualTo(DocumentMetadata.synced(a, "notes/a.txt", List.of(PatientId.of("P1"))));
        assertThat(d.metadata().sourceSystem()).isEqualTo("VSRX_SYNC");
        assertThat(d.metadata().groupingStatus()).isEqualTo("ungrouped");
        assertThat(d.contentHash()).isEqualTo(TestHashes.sha256("alpha"));
        assertThat(fx.silknote.documents().findMapping(a).orElseThrow().silknoteDocumentUuid()).isEqualTo(d.uuid());
        assertThat(fx.silknote.documents().findBlobRef(d.contentHash()).orElseThrow().refCount()).isEqualTo(1);
        assertThat(fx.silknote.blobs().rawBytes(d.contentHash())).isPresent();
        assertThat(fx.silknote.vectors().entries(d.uuid())).isNotEmpty();
        assertThat(fx.silknote.processor().processCount(d.uuid())).isEqualTo(1);
        fx.silknote.assertQuiescent();
        assertThat(fx.silknote.documents().loadState().lastCompleteSync()).contains(report(result).startedAt());
        assertThat(fx.silknote.documents().loadState().partialSyncState().isEmpty()).isTrue();
        assertThat(fx.silknote.documents().allRuns()).hasSize(1);
    }

    @Test
    void changedContentUpdatesSameDocumentReleasesOldBlobAndReprocesses() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "version one");
        fx.run();
        ContentHash old = doc(a).contentHash();

        fx.vsrx.modifyFile(a, "version two");
        SyncResult result = fx.run();

        assertThat(action(result, a)).isEqualTo(FileAction.UPDATED);
        SilknoteDocument d = doc(a);
        assertThat(d.contentHash()).isEqualTo(TestHashes.sha256("version two"));
        assertThat(fx.silknote.documents().findBlobRef(old)).isEmpty();
        assertThat(fx.silknote.blobs().rawBytes(old)).isEmpty();
        assertThat(fx.silknote.processor().processCount(d.uuid())).isEqualTo(2);
        assertThat(fx.silknote.vectors().entries(d.uuid())).allMatch(v -> v.contentHash().equals(d.contentHash()));
        assertThat(fx.silknote.documents().findMapping(a).orElseThrow().etag())
                .isEqualTo(fx.vsrx.findFile(a).orElseThrow().etag());
        fx.silknote.assertQuiescent();
    }

    @Test
    void sameBytesWithNewEtagIsMetadataOnlyWithoutUploadOrReprocessing() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "same");
        fx.run();
        long writes = fx.silknote.blobs().writes();

        fx.vsrx.touchFile(a);
        SyncResult result = fx.run();

        assertThat(action(result, a)).isEqualTo(FileAction.METADATA_ONLY);
        assertThat(fx.silknote.blobs().writes()).isEqualTo(writes);
        assertThat(fx.silknote.processor().processCount(doc(a).uuid())).isEqualTo(1);
        assertThat(fx.silknote.documents().findMapping(a).orElseThrow().etag())
                .isEqualTo(fx.vsrx.findFile(a).orElseThrow().etag());
        fx.silknote.assertQuiescent();

        long downloads = fx.vsrx.downloads();
        SyncResult third = fx.run();
        assertCountedUnchanged(third, fs, a);
        assertThat(fx.vsrx.downloads()).isEqualTo(downloads);
    }

    @Test
    void renameWithSameEtagIsMetadataOnlyWithoutDownload() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "content");
        fx.run();
        long downloads = fx.vsrx.downloads();

        fx.vsrx.renameFile(a, "notes/renamed.txt");
        SyncResult result = fx.run();

        assertThat(action(result, a)).isEqualTo(FileAction.METADATA_ONLY);
        assertThat(fx.vsrx.downloads()).isEqualTo(downloads);
        assertThat(doc(a).metadata().originalPath()).isEqualTo("notes/renamed.txt");
        fx.silknote.assertQuiescent();
    }

    @Test
    void deletedFileRemovesDocumentVectorsAndUnreferencedBlob() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "to delete");
        fx.text(fs, "b.txt", "keep 1");
        fx.text(fs, "c.txt", "keep 2");
        fx.run();
        DocumentUuid uuid = doc(a).uuid();
        ContentHash hash = doc(a).contentHash();

        fx.vsrx.deleteFile(a);
        SyncResult result = fx.run();

        assertThat(action(result, a)).isEqualTo(FileAction.DELETED);
        assertThat(fx.silknote.documents().findDocument(uuid)).isEmpty();
        assertThat(fx.silknote.documents().findMapping(a)).isEmpty();
        assertThat(fx.silknote.vectors().entries(uuid)).isEmpty();
        assertThat(fx.silknote.blobs().rawBytes(hash)).isEmpty();
        assertThat(fx.silknote.documents().findBlobRef(hash)).isEmpty();
        fx.silknote.assertQuiescent();
    }

    @Test
    void sameContentForTwoPatientsIsStoredOnceAndCountedTwice() {
        FilesetId fs1 = fx.linkedFileset("P1");
        FilesetId fs2 = fx.linkedFileset("P2");
        VsrxFileId a = fx.text(fs1, "a.txt", "shared referral letter");
        VsrxFileId b = fx.text(fs2, "b.txt", "shared referral letter");
        fx.text(fs2, "c.txt", "other");
        fx.text(fs2, "d.txt", "other 2");

        SyncResult result = fx.run();

        ContentHash h = TestHashes.sha256("shared referral letter");
        assertThat(result.success()).isTrue();
        assertThat(doc(a).contentHash()).isEqualTo(h);
        assertThat(doc(b).contentHash()).isEqualTo(h);
        assertThat(doc(a).uuid()).isNotEqualTo(doc(b).uuid());
        assertThat(fx.silknote.documents().findBlobRef(h).orElseThrow().refCount()).isEqualTo(2);
        assertThat(fx.silknote.blobs().all()).hasSize(3);
        assertThat(report(result).metrics().newUniqueBytes()).isEqualTo("shared referral letter".length() + 5 + 7);

        fx.vsrx.deleteFile(b);
        fx.run();
        BlobRef ref = fx.silknote.documents().findBlobRef(h).orElseThrow();
        assertThat(ref.refCount()).isEqualTo(1);
        assertThat(fx.silknote.blobs().rawBytes(h)).isPresent();
        fx.silknote.assertQuiescent();
    }

    @Test
    void documentChangedBySilknoteUserIsNeitherOverwrittenNorDeleted() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "original");
        VsrxFileId b = fx.text(fs, "b.txt", "original b");
        fx.text(fs, "c.txt", "c");
        fx.text(fs, "d.txt", "d");
        fx.run();
        for (VsrxFileId id : List.of(a, b)) {
            fx.silknote.documents().editDocumentAsSilknoteUser(doc(id).uuid(), d -> new SilknoteDocument(d.uuid(),
                    d.patientUuid(), d.filesetId(), d.clientFileId(), d.contentHash(), d.size(), d.mimeType(),
                    new DocumentMetadata(d.metadata().vsrxReference(), d.metadata().originalPath(),
                            d.metadata().sourceSystem(), "grouped", d.metadata().patientIdHistory()),
                    d.updatedAt()));
        }
        SilknoteDocument beforeA = doc(a);
        SilknoteDocument beforeB = doc(b);

        fx.vsrx.modifyFile(a, "changed in VSRX");
        fx.vsrx.deleteFile(b);
        SyncResult result = fx.run();

        assertThat(action(result, a)).isEqualTo(FileAction.CONFLICT);
        assertThat(action(result, b)).isEqualTo(FileAction.CONFLICT);
        assertThat(doc(a)).isEqualTo(beforeA);
        assertThat(doc(b)).isEqualTo(beforeB);
        assertThat(result.success()).isTrue();
    }

    @Test
    void massDeleteGuardCommitsNothingFailsFilesetAndAlerts() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a");
        VsrxFileId b = fx.text(fs, "b.txt", "b");
        VsrxFileId c = fx.text(fs, "c.txt", "c");
        fx.text(fs, "d.txt", "d");
        fx.run();
        fx.vsrx.deleteFile(a);
        fx.vsrx.deleteFile(b);
        fx.vsrx.deleteFile(c);
        VsrxFileId e = fx.text(fs, "e.txt", "new file");
        SilknoteSnapshot before = fx.silknote.snapshot();

        SyncResult result = fx.run();

        assertThat(result.success()).isFalse();
        assertThat(fileset(result, fs).outcome()).isEqualTo(FilesetOutcome.MASS_DELETE_BLOCKED);
        assertThat(fileset(result, fs).failureReason().orElseThrow()).contains("mass-delete guard").contains("3 of 4");
        assertThat(report(result).alerts()).anyMatch(al -> al.kind() == Alert.Kind.MASS_DELETE_GUARD);
        SilknoteSnapshot after = fx.silknote.snapshot();
        assertThat(after.documents()).isEqualTo(before.documents());
        assertThat(after.mappings()).isEqualTo(before.mappings());
        assertThat(fx.silknote.documents().findMapping(e)).isEmpty();
        assertThat(after.state().partialSyncState().failedFilesets()).containsExactly(fs);

        SyncResult relaxed = fx.config(c2 -> c2.massDeleteGuard(new MassDeleteGuard(0.9, 3))).run();
        assertThat(relaxed.success()).isTrue();
        assertThat(action(relaxed, a)).isEqualTo(FileAction.DELETED);
    }

    @Test
    void unlinkedFilesetIsSkippedWithoutListingItsFiles() {
        FilesetId fs = fx.vsrx.addFileset("P9");
        fx.vsrx.addFile(fs, "notes/a.txt", "text/plain", "x");

        SyncResult result = fx.run();

        assertThat(result.success()).isTrue();
        assertThat(fileset(result, fs).outcome()).isEqualTo(FilesetOutcome.SKIPPED_NOT_LINKED);
        assertThat(fx.vsrx.listFilesCalls()).isZero();
        assertThat(fx.silknote.documents().allDocuments()).isEmpty();
    }

    @Test
    void rebookedFilesetRecordsPatientIdHistoryInMetadata() {
        FilesetId old = fx.linkedFileset("P-OLD");
        VsrxFileId o = fx.text(old, "old.txt", "old");
        FilesetId fresh = fx.vsrx.rebook(old, PatientId.of("P-NEW"));
        VsrxFileId n = fx.text(fresh, "new.txt", "new");

        fx.run();

        assertThat(doc(n).metadata().patientIdHistory()).containsExactly(PatientId.of("P-OLD"), PatientId.of("P-NEW"));
        assertThat(doc(o).metadata().patientIdHistory()).containsExactly(PatientId.of("P-OLD"));
        assertThat(fx.silknote.documents().findFileset(fresh).orElseThrow().patientIdHistory())
                .containsExactly(PatientId.of("P-OLD"), PatientId.of("P-NEW"));
    }

    @Test
    void permanentSkipIsRememberedAndTheBadVersionIsNotDownloadedAgain() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId bad = fx.text(fs, "bad.txt", "twelve bytes");
        fx.vsrx.setDeclaredSize(bad, 5);
        VsrxFileId good = fx.text(fs, "good.txt", "fine");

        SyncResult first = fx.run();

        assertThat(first.success()).isTrue();
        assertThat(file(first, bad).skipReason()).contains(SkipReason.SIZE_MISMATCH);
        assertThat(action(first, good)).isEqualTo(FileAction.CREATED);
        assertThat(fx.silknote.documents().allSkips().get(bad).version())
                .isEqualTo(ChangeDetection.versionKey(fx.vsrx.findFile(bad).orElseThrow()));
        assertThat(fx.vsrx.downloads(bad)).isEqualTo(1);

        SyncResult second = fx.run();
        assertThat(file(second, bad).skipReason()).contains(SkipReason.REMEMBERED_SKIP);
        assertThat(fx.vsrx.downloads(bad)).isEqualTo(1);

        fx.vsrx.modifyFile(bad, "fixed");
        fx.vsrx.setDeclaredSize(bad, 5);
        SyncResult third = fx.run();
        assertThat(action(third, bad)).isEqualTo(FileAction.CREATED);
        assertThat(fx.silknote.documents().allSkips()).doesNotContainKey(bad);
        fx.silknote.assertQuiescent();
    }

    @Test
    void metadataDecidableSkipsNeedNoDownload() {
        fx.config(c -> c.maxFileSizeBytes(100));
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId big = fx.vsrx.addFile(fs, "notes/big.txt", "text/plain", "x".repeat(101));
        VsrxFileId exe = fx.vsrx.addFile(fs, "notes/tool.exe", "application/x-msdownload", new byte[] {77, 90});
        VsrxFileId escape = fx.vsrx.addFile(fs, "notes/../etc/passwd", "text/plain", "root");

        SyncResult result = fx.run();

        assertThat(file(result, big).skipReason()).contains(SkipReason.TOO_LARGE);
        assertThat(file(result, exe).skipReason()).contains(SkipReason.UNSUPPORTED_TYPE);
        assertThat(file(result, escape).skipReason()).contains(SkipReason.INVALID_PATH);
        assertThat(fx.vsrx.downloads()).isZero();
        assertThat(fx.silknote.documents().allSkips()).containsKeys(big, exe, escape);
        assertThat(result.success()).isTrue();
    }

    @Test
    void streamLargerThanLimitIsAbortedAndDeclaredChecksumIsVerified() {
        fx.config(c -> c.maxFileSizeBytes(100));
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId liar = fx.vsrx.addFile(fs, "notes/liar.txt", "text/plain", "y".repeat(500));
        fx.vsrx.setDeclaredSize(liar, 10);
        VsrxFileId sum = fx.text(fs, "sum.txt", "checksummed");
        fx.vsrx.setDeclaredSha256(sum, TestHashes.different(TestHashes.sha256("checksummed")));

        SyncResult result = fx.run();

        assertThat(file(result, liar).skipReason()).contains(SkipReason.TOO_LARGE);
        assertThat(file(result, liar).bytes()).isLessThanOrEqualTo(101);
        assertThat(file(result, sum).skipReason()).contains(SkipReason.CHECKSUM_MISMATCH);
        assertThat(fx.silknote.documents().allDocuments()).isEmpty();
    }

    @Test
    void vanishedFileIsReportedNotDeletedUnlessPolicySaysSo() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a");
        fx.text(fs, "b.txt", "b");
        fx.text(fs, "c.txt", "c");
        fx.run();
        fx.vsrx.removeFromListing(a);

        SyncResult result = fx.run();
        assertThat(action(result, a)).isEqualTo(FileAction.VANISHED);
        assertThat(fx.silknote.documents().findMapping(a)).isPresent();

        SyncResult deleting = fx.config(c -> c.vanishedFilePolicy(VanishedFilePolicy.DELETE)).run();
        assertThat(action(deleting, a)).isEqualTo(FileAction.DELETED);
        assertThat(fx.silknote.documents().findMapping(a)).isEmpty();
        fx.silknote.assertQuiescent();
    }

    @Test
    void secondRunWithNothingChangedDownloadsNothingAndWritesNoDocumentData() {
        FilesetId fs = fx.linkedFileset("P1");
        for (int i = 0; i < 5; i++) {
            fx.text(fs, "f" + i + ".txt", "content " + i);
        }
        fx.run();
        SilknoteSnapshot before = fx.silknote.snapshot();
        long downloads = fx.vsrx.downloads();
        long blobWrites = fx.silknote.blobs().writes();
        long processed = fx.silknote.processor().totalProcessCalls();
        long vectorWrites = fx.silknote.vectors().replaceCalls() + fx.silknote.vectors().deleteCalls();
        long commits = fx.silknote.documents().commits();

        SyncResult again = fx.run();

        assertThat(again.success()).isTrue();
        assertThat(report(again).count(FileAction.UNCHANGED)).isEqualTo(5);
        // issue 12.1: unchanged files are counted, not listed one by one
        assertThat(fileset(again, fs).files()).isEmpty();
        assertThat(fileset(again, fs).unchangedFiles()).isEqualTo(5);
        assertThat(fileset(again, fs).totalFiles()).isEqualTo(5);
        assertThat(fx.vsrx.downloads()).isEqualTo(downloads);
        assertThat(fx.silknote.blobs().writes()).isEqualTo(blobWrites);
        assertThat(fx.silknote.processor().totalProcessCalls()).isEqualTo(processed);
        assertThat(fx.silknote.vectors().replaceCalls() + fx.silknote.vectors().deleteCalls()).isEqualTo(vectorWrites);
        SilknoteSnapshot after = fx.silknote.snapshot();
        assertThat(after.documents()).isEqualTo(before.documents());
        assertThat(after.mappings()).isEqualTo(before.mappings());
        assertThat(after.filesets()).isEqualTo(before.filesets());
        // only bookkeeping: the resume state (lastCompleteSync); no fileset commit (the run history is counted
        // apart)
        assertThat(fx.silknote.documents().commits()).isEqualTo(commits + 1);
    }

    @Test
    void fileChangedDuringDownloadKeepsServedEtagAndIsPickedUpByTheNextRun() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "v1");
        fx.vsrx.onOpen(a, () -> fx.vsrx.modifyFile(a, "v2 newer"));

        SyncResult first = fx.run();
        assertThat(action(first, a)).isEqualTo(FileAction.CREATED);
        assertThat(doc(a).contentHash()).isEqualTo(TestHashes.sha256("v1"));
        assertThat(fx.silknote.documents().findMapping(a).orElseThrow().etag())
                .isNotEqualTo(fx.vsrx.findFile(a).orElseThrow().etag());

        SyncResult second = fx.run();
        assertThat(action(second, a)).isEqualTo(FileAction.UPDATED);
        assertThat(doc(a).contentHash()).isEqualTo(TestHashes.sha256("v2 newer"));
        fx.silknote.assertQuiescent();
    }

    @Test
    void fileWithoutEtagUsesModifiedAtAndSize() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.vsrx.addFileWithoutEtag(fs, "notes/a.txt", "text/plain", "no etag".getBytes());
        fx.run();
        assertThat(fx.silknote.documents().findMapping(a).orElseThrow().etag()).isEmpty();
        long downloads = fx.vsrx.downloads();

        assertCountedUnchanged(fx.run(), fs, a);
        assertThat(fx.vsrx.downloads()).isEqualTo(downloads);

        fx.clock.advance(Duration.ofMinutes(1));
        fx.vsrx.modifyFile(a, "no etag, changed");
        assertThat(action(fx.run(), a)).isEqualTo(FileAction.UPDATED);
    }

    @Test
    void dryRunPlansFromMetadataAndWritesNothing() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a");
        fx.text(fs, "b.txt", "b");
        fx.run();
        fx.vsrx.modifyFile(a, "a changed");
        VsrxFileId n = fx.text(fs, "n.txt", "new");
        SilknoteSnapshot before = fx.silknote.snapshot();
        long downloads = fx.vsrx.downloads();
        long commits = fx.silknote.documents().commits();
        int runs = fx.silknote.documents().allRuns().size();

        SyncResult result = fx.run(SyncRequest.full().asDryRun());

        assertThat(report(result).dryRun()).isTrue();
        assertThat(action(result, a)).isEqualTo(FileAction.UPDATED);
        assertThat(action(result, n)).isEqualTo(FileAction.CREATED);
        assertThat(fx.vsrx.downloads()).isEqualTo(downloads);
        assertThat(fx.silknote.documents().commits()).isEqualTo(commits);
        assertThat(fx.silknote.documents().allRuns()).hasSize(runs);
        assertThat(fx.silknote.snapshot()).isEqualTo(before);
        assertThat(fx.silknote.blobs().writes()).isEqualTo(2);
    }

    @Test
    void singleFilesetRunSyncsOnlyThatFilesetAndKeepsResumeState() {
        FilesetId fs1 = fx.linkedFileset("P1");
        FilesetId fs2 = fx.linkedFileset("P2");
        fx.text(fs1, "a.txt", "a");
        VsrxFileId b = fx.text(fs2, "b.txt", "b");

        SyncResult result = fx.run(SyncRequest.fileset(fs2));

        assertThat(report(result).filesets()).extracting(r -> r.filesetId()).containsExactly(fs2);
        assertThat(action(result, b)).isEqualTo(FileAction.CREATED);
        assertThat(fx.silknote.documents().loadState().lastCompleteSync()).isEmpty();
        assertThat(fx.silknote.documents().findFileset(fs1)).isEmpty();
    }

    @Test
    void incrementalRunListsOnlyFilesetsChangedSinceLastCompleteSync() {
        FilesetId fs1 = fx.linkedFileset("P1");
        fx.text(fs1, "a.txt", "a");
        // further back than the watermark overlap (2 minutes by default)
        fx.clock.advance(Duration.ofMinutes(10));
        fx.run();
        fx.clock.advance(Duration.ofHours(1));
        FilesetId fs2 = fx.linkedFileset("P2");
        fx.text(fs2, "b.txt", "b");

        SyncResult result = fx.run(SyncRequest.incrementalRun());

        assertThat(result.success()).isTrue();
        assertThat(report(result).filesets()).extracting(r -> r.filesetId()).containsExactly(fs2);
    }

    @Test
    void filesetsAreReportedInStableOrderWithConcurrency() {
        fx.config(c -> c.filesetConcurrency(4).fileConcurrency(3));
        List<FilesetId> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 9; i++) {
            FilesetId fs = fx.linkedFileset("P" + i);
            ids.add(fs);
            for (int j = 0; j < 3; j++) {
                fx.text(fs, "f" + j + ".txt", "fileset " + i + " file " + j);
            }
        }

        SyncResult result = fx.run();

        assertThat(result.success()).isTrue();
        assertThat(report(result).filesets()).extracting(r -> r.filesetId()).containsExactlyElementsOf(ids);
        assertThat(fx.silknote.documents().allDocuments()).hasSize(27);
        fx.silknote.assertQuiescent();
    }

    @Test
    void listenerExceptionsAreIgnored() {
        fx.listener = new com.silknote.sync.core.port.SyncListener() {
            @Override
            public void runStarted(com.silknote.sync.core.model.RunId runId, boolean dryRun) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void fileFinished(com.silknote.sync.core.model.RunId runId, FilesetId filesetId,
                    com.silknote.sync.core.model.FileReport file) {
                throw new IllegalStateException("listener bug");
            }
        };
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a");

        SyncResult result = fx.run();

        assertThat(result.success()).isTrue();
        assertThat(action(result, a)).isEqualTo(FileAction.CREATED);
    }

    @Test
    void reportCarriesMetricsAndNoPatientData() {
        FilesetId fs = fx.linkedFileset("SECRET-PATIENT-4711");
        fx.vsrx.addFile(fs, "notes/secret-name.txt", "text/plain", "hello");

        SyncResult result = fx.run();

        var metrics = report(result).metrics();
        assertThat(metrics.bytesDownloaded()).isEqualTo(5);
        assertThat(metrics.newUniqueBytes()).isEqualTo(5);
        assertThat(metrics.errorRate()).isZero();
        assertThat(metrics.consecutiveFailedRuns()).isZero();
        assertThat(report(result).toString()).doesNotContain("SECRET-PATIENT-4711").doesNotContain("secret-name");
        assertThat(Optional.of(result.toString())).get().asString().doesNotContain("secret-name");
    }

    @Test
    void declaredTypeMustAgreeWithSniffedMagicBytes() {
        FilesetId fs = fx.linkedFileset("P1");
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0};
        VsrxFileId forged = fx.vsrx.addFile(fs, "notes/scan.pdf", "application/pdf", png);
        VsrxFileId html = fx.vsrx.addFile(fs, "notes/page.txt", "text/plain", "<script>alert(1)</script>");
        VsrxFileId realPng = fx.vsrx.addFile(fs, "notes/x.png", "image/png", png);

        SyncResult result = fx.run();

        assertThat(file(result, forged).skipReason()).contains(SkipReason.TYPE_MISMATCH);
        assertThat(file(result, html).skipReason()).contains(SkipReason.TYPE_MISMATCH);
        assertThat(action(result, realPng)).isEqualTo(FileAction.CREATED);
        assertThat(fx.silknote.documents().allSkips()).containsKeys(forged, html);
        assertThat(fx.silknote.blobs().all()).hasSize(1);
    }

    @Test
    void truncatedStreamIsSkippedWithoutRememberingAndRetriedNextRun() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a rather long text that gets cut off");
        boolean[] truncate = {true};
        fx.source = new TruncatingSource(fx.vsrx, a, truncate);

        SyncResult first = fx.run();

        assertThat(first.success()).isTrue();
        assertThat(file(first, a).skipReason()).contains(SkipReason.TRUNCATED);
        assertThat(fx.silknote.documents().allSkips()).doesNotContainKey(a);
        assertThat(fx.silknote.documents().allDocuments()).isEmpty();

        truncate[0] = false;
        assertThat(action(fx.run(), a)).isEqualTo(FileAction.CREATED);
    }

    @Test
    @org.junit.jupiter.api.DisplayName("FULL_HASH downloads every live synced file and finds the same bytes (issue 9.3)")
    void fullHashModeDownloadsToCompareAndFindsSameBytes() {
        fx.config(c -> c.changeDetection(com.silknote.sync.core.model.ChangeDetectionMode.FULL_HASH));
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "full hash");
        VsrxFileId listed = fx.vsrx.newFile(fs).path("notes/b.txt").content("declared".getBytes())
                .listSha256(true).add();
        fx.run();
        long downloads = fx.vsrx.downloads();

        SyncResult again = fx.run();

        assertThat(action(again, a)).isEqualTo(FileAction.UNCHANGED);
        assertThat(action(again, listed)).isEqualTo(FileAction.UNCHANGED);
        assertThat(fx.vsrx.downloads()).as("a listed hash never stands in for the bytes").isEqualTo(downloads + 2);
        assertThat(fx.silknote.blobs().writes()).isEqualTo(2);
    }

    /** Serves one file's content cut in half while declaring its full length. */
    private static final class TruncatingSource implements com.silknote.sync.core.port.VsrxSource {
        private final com.silknote.sync.testkit.InMemoryVsrxSource d;
        private final VsrxFileId target;
        private final boolean[] on;

        TruncatingSource(com.silknote.sync.testkit.InMemoryVsrxSource d, VsrxFileId target, boolean[] on) {
            this.d = d;
            this.target = target;
            this.on = on;
        }

        @Override
        public com.silknote.sync.core.model.Page<com.silknote.sync.core.model.VsrxFileset> listFilesets(
                com.silknote.sync.core.model.PageRequest r) {
            return d.listFilesets(r);
        }

        @Override
        public Optional<com.silknote.sync.core.model.VsrxFileset> findFileset(FilesetId id) {
            return d.findFileset(id);
        }

        @Override
        public com.silknote.sync.core.model.Page<com.silknote.sync.core.model.VsrxFile> listFiles(FilesetId id,
                com.silknote.sync.core.model.PageRequest r) {
            return d.listFiles(id, r);
        }

        @Override
        public com.silknote.sync.core.model.FileContent openContent(VsrxFileId id) {
            com.silknote.sync.core.model.FileContent c = d.openContent(id);
            if (!id.equals(target) || !on[0]) {
                return c;
            }
            byte[] all = d.content(id);
            c.close();
            return new com.silknote.sync.core.model.FileContent(
                    new java.io.ByteArrayInputStream(java.util.Arrays.copyOf(all, all.length / 2)), c.etag(),
                    java.util.OptionalLong.of(all.length), c.sha256());
        }
    }

    @Test
    void listenerSeesTheRunFilesetsFilesAndBytes() {
        List<String> events = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        long[] bytes = {0};
        fx.listener = new com.silknote.sync.core.port.SyncListener() {
            @Override
            public void runStarted(com.silknote.sync.core.model.RunId runId, boolean dryRun) {
                events.add("runStarted");
            }

            @Override
            public void filesetQueued(com.silknote.sync.core.model.RunId runId, FilesetId id, int queuedSoFar) {
                events.add("queued " + id + " " + queuedSoFar);
            }

            @Override
            public void filesetStarted(com.silknote.sync.core.model.RunId runId, FilesetId id, int files,
                    long toDownload) {
                events.add("started " + id + " files=" + files + " bytes=" + toDownload);
            }

            @Override
            public void bytesDownloaded(com.silknote.sync.core.model.RunId runId, FilesetId id, long n) {
                synchronized (bytes) {
                    bytes[0] += n;
                }
            }

            @Override
            public void fileFinished(com.silknote.sync.core.model.RunId runId, FilesetId id,
                    com.silknote.sync.core.model.FileReport file) {
                events.add("file " + file.fileId() + " " + file.action());
            }

            @Override
            public void filesetFinished(com.silknote.sync.core.model.RunId runId,
                    com.silknote.sync.core.model.FilesetReport report) {
                events.add("finished " + report.filesetId() + " " + report.outcome());
            }

            @Override
            public void runFinished(com.silknote.sync.core.model.SyncReport report) {
                events.add("runFinished " + report.filesets().size());
            }
        };
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "12345");
        VsrxFileId b = fx.text(fs, "b.txt", "1234567");

        SyncResult result = fx.run();

        assertThat(events).containsExactly("runStarted", "queued " + fs + " 1", "started " + fs + " files=2 bytes=12",
                "file " + a + " CREATED", "file " + b + " CREATED", "finished " + fs + " COMPLETED", "runFinished 1");
        assertThat(bytes[0]).isEqualTo(12).isEqualTo(report(result).metrics().bytesDownloaded());
    }

    @Test
    void spoolFilesAreDeletedAfterSuccessSkipAndFailure(@org.junit.jupiter.api.io.TempDir java.nio.file.Path spool)
            throws Exception {
        fx.config(c -> c.spoolDirectory(spool));
        FaultPlan flaky = FaultPlan.seeded(1);
        fx.source = new FaultyVsrxSource(fx.vsrx, flaky);
        // larger than what is held in memory instead of a spool file (issue 12.4)
        String pad = " " + "x".repeat(com.silknote.sync.core.dedup.ContentSpooler.MEMORY_FILE_MAX);
        FilesetId ok = fx.linkedFileset("P1");
        fx.text(ok, "a.txt", "fine" + pad);
        VsrxFileId bad = fx.text(ok, "b.txt", "lying about its size" + pad);
        fx.vsrx.setDeclaredSize(bad, 3);
        FilesetId failing = fx.linkedFileset("P2");
        fx.text(failing, "c.txt", "downloaded before the failure" + pad);
        VsrxFileId d = fx.text(failing, "d.txt", "never downloaded" + pad);
        flaky.on(Operation.OPEN_CONTENT).key(d).always().thenFail(Fault.serviceUnavailable());
        int[] seen = {0};
        fx.listener = new com.silknote.sync.core.port.SyncListener() {
            @Override
            public void bytesDownloaded(com.silknote.sync.core.model.RunId runId, FilesetId id, long n) {
                try (var files = java.nio.file.Files.list(spool)) {
                    seen[0] = Math.max(seen[0], (int) files.count());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };

        SyncResult result = fx.run();

        assertThat(fileset(result, ok).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
        assertThat(fileset(result, failing).outcome()).isEqualTo(FilesetOutcome.FAILED);
        assertThat(seen[0]).as("downloads were spooled there").isPositive();
        try (var files = java.nio.file.Files.list(spool)) {
            assertThat(files).isEmpty();
        }
    }
}
