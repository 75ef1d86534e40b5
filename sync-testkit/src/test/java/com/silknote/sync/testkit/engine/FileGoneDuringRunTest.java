package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.action;
import static com.silknote.sync.testkit.engine.EngineFixture.file;
import static com.silknote.sync.testkit.engine.EngineFixture.fileset;
import static com.silknote.sync.testkit.engine.EngineFixture.patient;
import static com.silknote.sync.testkit.engine.EngineFixture.report;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.exception.FileGoneException;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.ForwardingVsrxSource;
import com.silknote.sync.testkit.TestHashes;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A file listed by a run and no longer served when the run downloads it (deleted, or gone from the listing,
 * while the run is under way): DESIGN rule 3, "a file that changes during a run is picked up by the next run,
 * never half-applied". The file is skipped for that run ({@link SkipReason#GONE}, not remembered), the rest of
 * its fileset commits, its document (if any) keeps its content and still follows its fileset to a new patient
 * (issue 9 item 3), and the next run applies what VSRX lists then. Only the source's own word for a gone file
 * ({@link FileGoneException}) does this: any other refusal of the content still fails the fileset (rule 8).
 */
class FileGoneDuringRunTest {
    private final EngineFixture fx = new EngineFixture();

    /** The fixture's VSRX; {@code refuse} may answer a content request with an exception instead. */
    private final class RefusingSource extends ForwardingVsrxSource {
        Function<VsrxFileId, RuntimeException> refuse = id -> null;
        /** Listings of files answered so far; from {@code failListingFrom} on (1-based) they fail. */
        int listings;
        int failListingFrom = Integer.MAX_VALUE;

        RefusingSource() {
            super(fx.vsrx);
        }

        @Override
        public Page<VsrxFile> listFiles(FilesetId filesetId, PageRequest request) {
            if (++listings >= failListingFrom) {
                throw new PermanentSyncException("listing refused (simulated)", 503, null);
            }
            return super.listFiles(filesetId, request);
        }

        @Override
        public FileContent openContent(VsrxFileId fileId) {
            RuntimeException e = refuse.apply(fileId);
            if (e != null) {
                throw e;
            }
            return super.openContent(fileId);
        }
    }

    private Optional<SilknoteDocument> document(VsrxFileId id) {
        return fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(id));
    }

    private static void assertGone(SyncResult result, VsrxFileId id, String detail) {
        FileReport r = file(result, id);
        assertThat(r.action()).isEqualTo(FileAction.SKIPPED);
        assertThat(r.skipReason()).contains(SkipReason.GONE);
        assertThat(r.detail()).contains(detail);
        assertThat(r.bytes()).isZero();
    }

    @Test
    @DisplayName("rule 3: a file marked deleted between the listing and its download is skipped; the rest commits")
    void aFileDeletedBeforeItsDownloadIsSkippedAndTheRestCommits() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a letter");
        VsrxFileId b = fx.text(fs, "b.txt", "a referral");
        VsrxFileId c = fx.text(fs, "c.txt", "a discharge summary");
        fx.vsrx.beforeOpen(b, () -> fx.vsrx.deleteFile(b));

        SyncResult first = fx.run();

        assertThat(first.success()).isTrue();
        assertThat(fileset(first, fs).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
        assertThat(action(first, a)).isEqualTo(FileAction.CREATED);
        assertThat(action(first, c)).isEqualTo(FileAction.CREATED);
        assertGone(first, b, "deleted-before-download");
        assertThat(notServedAlerts(first)).as("deleted: VSRX no longer lists it live").isEmpty();
        assertThat(document(b)).isEmpty();
        assertThat(document(a)).isPresent();
        assertThat(document(c)).isPresent();
        fx.silknote.assertInvariants();

        SyncResult second = fx.run();
        assertThat(second.success()).isTrue();
        assertThat(document(b)).isEmpty();
        assertThat(EngineFixture.unchanged(second, b)).as("a deleted file without a document: nothing to do").isTrue();
        fx.silknote.assertInvariants();
    }

    @Test
    @DisplayName("rule 3: a file gone from the listing before its download is skipped and reported")
    void aFileGoneFromTheListingBeforeItsDownloadIsSkipped() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a letter");
        VsrxFileId b = fx.text(fs, "b.txt", "a referral");
        fx.vsrx.beforeOpen(b, () -> fx.vsrx.removeFromListing(b));

        SyncResult result = fx.run();

        assertThat(fileset(result, fs).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
        assertThat(action(result, a)).isEqualTo(FileAction.CREATED);
        assertGone(result, b, "gone-before-download");
        assertThat(notServedAlerts(result)).as("gone from the listing: nothing to look at in VSRX").isEmpty();
        assertThat(file(result, b).path()).as("the path an operator needs to find it").contains("notes/b.txt");
        assertThat(document(b)).isEmpty();
        fx.silknote.assertInvariants();
    }

    @Test
    @DisplayName("rule 3: a changed file deleted before its download keeps its document until the next run deletes it")
    void aChangedFileDeletedBeforeItsDownloadKeepsItsDocumentUntilTheNextRun() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a letter");
        VsrxFileId b = fx.text(fs, "b.txt", "a referral");
        fx.run();
        SilknoteDocument before = document(b).orElseThrow();
        fx.clock.advance(java.time.Duration.ofMinutes(1));
        fx.vsrx.modifyFile(a, "a letter, amended");
        fx.vsrx.modifyFile(b, "a referral, amended");
        fx.vsrx.beforeOpen(b, () -> fx.vsrx.deleteFile(b));

        SyncResult second = fx.run();

        assertThat(fileset(second, fs).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
        assertThat(action(second, a)).isEqualTo(FileAction.UPDATED);
        assertGone(second, b, "deleted-before-download");
        assertThat(document(b)).as("nothing half-applied: the document keeps the content it had")
                .hasValueSatisfying(d -> assertThat(d.contentHash()).isEqualTo(before.contentHash()));
        assertThat(document(a).orElseThrow().contentHash()).isEqualTo(TestHashes.sha256("a letter, amended"));
        fx.silknote.assertInvariants();

        SyncResult third = fx.run();

        assertThat(action(third, b)).isEqualTo(FileAction.DELETED);
        assertThat(document(b)).isEmpty();
        fx.silknote.assertInvariants();
    }

    @Test
    @DisplayName("issue 9 item 3: the document of a gone file still follows its relinked fileset to the new patient")
    void theDocumentOfAGoneFileFollowsItsRelinkedFileset() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a letter");
        VsrxFileId b = fx.text(fs, "b.txt", "a referral");
        fx.run();
        fx.clock.advance(java.time.Duration.ofMinutes(1));
        fx.vsrx.linkPatient(fs, patient("P2"));
        fx.vsrx.modifyFile(b, "a referral, amended");
        fx.vsrx.beforeOpen(b, () -> fx.vsrx.deleteFile(b));

        SyncResult result = fx.run();

        assertThat(fileset(result, fs).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
        assertGone(result, b, "deleted-before-download");
        assertThat(document(a).orElseThrow().patientUuid()).isEqualTo(patient("P2"));
        assertThat(document(b).orElseThrow().patientUuid()).as("never left on the previous patient")
                .isEqualTo(patient("P2"));
        assertThat(document(b).orElseThrow().contentHash()).isEqualTo(TestHashes.sha256("a referral"));
        fx.silknote.assertInvariants();
    }

    @Test
    @DisplayName("rule 7: a gone file is not remembered: once VSRX serves it again, the next run syncs it")
    void aGoneFileIsNotRemembered() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId b = fx.text(fs, "b.txt", "a referral");
        RefusingSource source = new RefusingSource();
        source.refuse = id -> FileGoneException.notFound();
        fx.source = source;

        SyncResult first = fx.run();
        assertGone(first, b, "listed-but-not-served");
        assertThat(document(b)).isEmpty();

        source.refuse = id -> null;
        SyncResult second = fx.run();

        assertThat(action(second, b)).isEqualTo(FileAction.CREATED);
        assertThat(document(b)).isPresent();
        fx.silknote.assertInvariants();
    }

    private static java.util.List<Alert> notServedAlerts(SyncResult result) {
        return report(result).alerts().stream().filter(a -> a.kind() == Alert.Kind.FILE_NOT_SERVED).toList();
    }

    @Test
    @DisplayName("a file VSRX keeps listing but answers as not found is skipped and raises FILE_NOT_SERVED every run")
    void aFileListedButNotServedRaisesAnAlertEveryRun() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a letter");
        VsrxFileId b = fx.text(fs, "b.txt", "a referral");
        VsrxFileId c = fx.text(fs, "c.txt", "a discharge summary");
        RefusingSource source = new RefusingSource();
        // VSRX's index lists b; its store lost the bytes (or says they were deleted)
        source.refuse = id -> id.equals(b) ? FileGoneException.notFound()
                : id.equals(c) ? FileGoneException.deleted() : null;
        fx.source = source;

        for (int run = 1; run <= 2; run++) {
            SyncResult result = fx.run();

            assertThat(result.success()).isTrue();
            assertThat(fileset(result, fs).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
            if (run == 1) {
                assertThat(action(result, a)).isEqualTo(FileAction.CREATED);
            } else {
                assertThat(EngineFixture.unchanged(result, a)).isTrue();
            }
            assertGone(result, b, "listed-but-not-served");
            assertGone(result, c, "listed-but-not-served");
            assertThat(notServedAlerts(result)).as("run %d", run).singleElement().satisfies(al -> {
                assertThat(al.severity()).isEqualTo(Alert.Severity.WARNING);
                assertThat(al.message()).contains(fs.value()).contains("2 listed file(s)")
                        .doesNotContain("b.txt").doesNotContain("P1");
            });
            assertThat(document(b)).isEmpty();
            fx.silknote.assertInvariants();
        }
    }

    @Test
    @DisplayName("incremental runs come back to a file VSRX listed but did not serve once it serves it again, though"
            + " its listing never changed (random history seed 40419 × 150 steps)")
    void anIncrementalRunComesBackToAFileNotServed() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a letter");
        VsrxFileId b = fx.text(fs, "b.txt", "a referral");
        RefusingSource source = new RefusingSource();
        source.refuse = id -> id.equals(b) ? FileGoneException.notFound() : null;
        fx.source = source;
        SyncResult full = fx.run();
        assertGone(full, b, "listed-but-not-served");
        assertThat(action(full, a)).isEqualTo(FileAction.CREATED);
        fx.clock.advance(java.time.Duration.ofMinutes(5));

        SyncResult stillLost = fx.run(com.silknote.sync.core.model.SyncRequest.incrementalRun());
        assertGone(stillLost, b, "listed-but-not-served");
        assertThat(notServedAlerts(stillLost)).hasSize(1);
        fx.clock.advance(java.time.Duration.ofMinutes(5));
        source.refuse = id -> null;   // VSRX's store has the bytes again; its listing is as it was
        SyncResult served = fx.run(com.silknote.sync.core.model.SyncRequest.incrementalRun());

        assertThat(action(served, b)).isEqualTo(FileAction.CREATED);
        assertThat(document(b)).isPresent();
        assertThat(notServedAlerts(served)).isEmpty();
        fx.clock.advance(java.time.Duration.ofMinutes(5));
        SyncResult after = fx.run(com.silknote.sync.core.model.SyncRequest.incrementalRun());
        assertThat(report(after).filesets()).as("nothing carried any more").isEmpty();
        fx.silknote.assertInvariants();
    }

    @Test
    @DisplayName("a failing second listing leaves a gone file's skip as it was: no alert, the fileset completes")
    void aFailingSecondListingLeavesTheSkipAsItWas() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a letter");
        VsrxFileId b = fx.text(fs, "b.txt", "a referral");
        RefusingSource source = new RefusingSource();
        source.refuse = id -> id.equals(b) ? FileGoneException.notFound() : null;
        source.failListingFrom = 2;
        fx.source = source;

        SyncResult result = fx.run();

        assertThat(fileset(result, fs).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
        assertThat(action(result, a)).isEqualTo(FileAction.CREATED);
        assertGone(result, b, "gone-before-download");
        assertThat(notServedAlerts(result)).isEmpty();
        assertThat(source.listings).as("listed once more, and that failed").isEqualTo(2);
        fx.silknote.assertInvariants();
    }

    @Test
    @DisplayName("rule 8: any other refusal of a listed file's content still fails the fileset, nothing committed")
    void anotherPermanentRefusalStillFailsTheFileset() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a letter");
        VsrxFileId b = fx.text(fs, "b.txt", "a referral");
        RefusingSource source = new RefusingSource();
        // a 404 that is not the protocol's file_not_found: a wrong route, a proxy's page
        source.refuse = id -> id.equals(b) ? new PermanentSyncException("openContent refused: HTTP 404 not_found",
                404, null) : null;
        fx.source = source;

        SyncResult result = fx.run();

        assertThat(fileset(result, fs).outcome()).isEqualTo(FilesetOutcome.FAILED);
        assertThat(document(a)).as("nothing of the fileset committed").isEmpty();
        assertThat(document(b)).isEmpty();
        fx.silknote.assertInvariants();
    }
    /**
     * Bi-directional sync on (no deletes), the fileset synced, then {@code b} (text "a referral") changed on both
     * sides: in Silknote by a user, in VSRX. Returns the user's version.
     */
    private com.silknote.sync.core.model.ContentHash changedOnBothSides(VsrxFileId b) {
        fx.bidirectional(false);
        assertThat(fx.run().success()).isTrue();
        fx.clock.advance(java.time.Duration.ofMinutes(1));
        com.silknote.sync.core.model.ContentHash users = fx.stored("a referral, amended in Silknote");
        fx.silknote.documents().replaceContentAsSilknoteUser(DocumentUuid.forVsrxFile(b), users, 31, "text/plain");
        fx.vsrx.modifyFile(b, "a referral, amended in VSRX");
        return users;
    }

    @Test
    @DisplayName("rule 3, bi-directional: a file both sides changed, deleted in VSRX as the run reads it to decide:"
            + " skipped, the user's version kept, the fileset completes; the next run decides the delete")
    void aFileGoneWhileTheSilknoteSideDecidesItIsSkipped() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a letter");
        VsrxFileId b = fx.text(fs, "b.txt", "a referral");
        com.silknote.sync.core.model.ContentHash users = changedOnBothSides(b);
        fx.vsrx.modifyFile(a, "a letter, amended in VSRX");
        fx.vsrx.beforeOpen(b, () -> fx.vsrx.deleteFile(b));

        SyncResult second = fx.run();

        assertThat(fileset(second, fs).outcome()).as("%s", fileset(second, fs)).isEqualTo(FilesetOutcome.COMPLETED);
        assertThat(action(second, a)).isEqualTo(FileAction.UPDATED);
        assertThat(report(second).filesets()).flatMap(f -> f.files()).filteredOn(f -> f.fileId().equals(b))
                .isNotEmpty().allSatisfy(f -> {
                    assertThat(f.action()).isEqualTo(FileAction.SKIPPED);
                    assertThat(f.skipReason()).contains(SkipReason.GONE);
                });
        assertThat(document(b).orElseThrow().contentHash()).as("the user's version is kept").isEqualTo(users);
        assertThat(fx.silknote.documents().findMapping(b).orElseThrow().contentHash())
                .as("the mapping keeps its base: nothing half-applied").isEqualTo(TestHashes.sha256("a referral"));

        SyncResult third = fx.run();

        assertThat(third.success()).isTrue();
        assertThat(fileset(third, fs).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
        assertThat(action(third, b)).as("deleted in VSRX, changed in Silknote (row 5/6)").isEqualTo(FileAction.CONFLICT);
        assertThat(document(b).orElseThrow().contentHash()).as("the user's version is kept").isEqualTo(users);
    }

    @Test
    @DisplayName("bi-directional: a file both sides changed that VSRX keeps listing but does not serve, as the Silknote"
            + " side reads it to decide: skipped listed-but-not-served, one FILE_NOT_SERVED per run, the user's version"
            + " kept; once VSRX serves it again the next run decides it")
    void aFileListedButNotServedToTheSilknoteSideRaisesAnAlert() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a letter");
        VsrxFileId b = fx.text(fs, "b.txt", "a referral");
        VsrxFileId c = fx.text(fs, "c.txt", "a discharge summary");
        com.silknote.sync.core.model.ContentHash users = changedOnBothSides(b);
        fx.vsrx.modifyFile(c, "a discharge summary, amended in VSRX");
        RefusingSource source = new RefusingSource();
        // VSRX lists b (changed on both sides: the Silknote side reads it) and c (the pull reads it), serves neither
        source.refuse = id -> id.equals(b) || id.equals(c) ? FileGoneException.notFound() : null;
        fx.source = source;

        for (int run = 1; run <= 2; run++) {
            SyncResult result = fx.run();

            assertThat(fileset(result, fs).outcome()).as("run %d: %s", run, fileset(result, fs))
                    .isEqualTo(FilesetOutcome.COMPLETED);
            assertThat(EngineFixture.unchanged(result, a)).isTrue();
            assertThat(report(result).filesets()).flatMap(f -> f.files())
                    .filteredOn(f -> f.fileId().equals(b) || f.fileId().equals(c)).hasSize(2).allSatisfy(f -> {
                        assertThat(f.action()).isEqualTo(FileAction.SKIPPED);
                        assertThat(f.skipReason()).contains(SkipReason.GONE);
                        assertThat(f.detail()).contains("listed-but-not-served");
                    });
            assertThat(notServedAlerts(result)).as("run %d", run).singleElement()
                    .satisfies(al -> assertThat(al.message()).contains(fs.value()).contains("2 listed file(s)"));
            assertThat(document(b).orElseThrow().contentHash()).as("the user's version is kept").isEqualTo(users);
            assertThat(fx.silknote.documents().findMapping(b).orElseThrow().contentHash())
                    .as("the mapping keeps its base: nothing half-applied").isEqualTo(TestHashes.sha256("a referral"));
            assertThat(fx.silknote.documents().findMapping(c).orElseThrow().contentHash())
                    .isEqualTo(TestHashes.sha256("a discharge summary"));
        }

        source.refuse = id -> null;
        SyncResult served = fx.run();

        assertThat(notServedAlerts(served)).isEmpty();
        assertThat(action(served, b)).as("changed on both sides (row 4)").isEqualTo(FileAction.CONFLICT);
        assertThat(action(served, c)).isEqualTo(FileAction.UPDATED);
        assertThat(document(b).orElseThrow().contentHash()).as("the user's version is kept").isEqualTo(users);
    }
}
