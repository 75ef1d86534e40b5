package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.action;
import static com.silknote.sync.testkit.engine.EngineFixture.file;
import static com.silknote.sync.testkit.engine.EngineFixture.fileset;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.RebookingMigration;
import com.silknote.sync.core.model.AuditAction;
import com.silknote.sync.core.model.AuditQuery;
import com.silknote.sync.core.model.AuditRecord;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.MigrationCandidate;
import com.silknote.sync.core.model.MigrationReport;
import com.silknote.sync.core.model.MigrationRequest;
import com.silknote.sync.core.model.OperationStatus;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.testkit.ForwardingDocumentStore;
import com.silknote.sync.testkit.SilknoteSnapshot;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** DESIGN rule 13 / issue 11: the manual re-booking migration and the sync's rule for migrated documents. */
class RebookingMigrationTest {
    private final EngineFixture fx = new EngineFixture();
    private FilesetId old;
    private FilesetId fresh;
    private VsrxFileId letter;
    private VsrxFileId scan;

    private RebookingMigration migration() {
        return migration(fx.documents);
    }

    private RebookingMigration migration(DocumentStore store) {
        return RebookingMigration.builder().documents(store).lock(fx.lock).config(fx.config).clock(fx.clock)
                .sleeper(fx.clock).random(new SplittableRandom(7)).build();
    }

    /** P-1's fileset synced, then re-booked as P-2 with a file of its own, synced too. */
    private void rebooked() {
        old = fx.linkedFileset("P-1");
        letter = fx.text(old, "letter.txt", "referral letter");
        scan = fx.text(old, "scan.txt", "scan of the knee");
        fx.run();
        fresh = fx.vsrx.rebook(old, PatientId.of("P-2"));
        fx.text(fresh, "new.txt", "first note after re-booking");
        assertThat(fx.run().success()).isTrue();
    }

    private SilknoteDocument doc(VsrxFileId id) {
        return fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(id)).orElseThrow();
    }

    @Test
    @DisplayName("rule 13: candidates are old → new filesets of one Silknote patient from the patient-id history")
    void candidatesComeFromThePatientIdHistory() {
        rebooked();
        FilesetId other = fx.linkedFileset("P-9");
        fx.text(other, "x.txt", "someone else");
        fx.run();

        assertThat(migration().candidates()).containsExactly(new MigrationCandidate(old, fresh, 2));
    }

    @Test
    @DisplayName("rule 13: a dry run lists what would move and changes nothing, lock untouched")
    void aDryRunChangesNothing() {
        rebooked();
        SilknoteSnapshot before = fx.silknote.snapshot();
        long commits = fx.silknote.documents().commits();

        MigrationReport dry = migration().migrate(new MigrationRequest(old, fresh, true));

        assertThat(dry.status()).isEqualTo(OperationStatus.COMPLETED);
        assertThat(dry.dryRun()).isTrue();
        assertThat(dry.moved()).containsExactlyInAnyOrder(doc(letter).uuid(), doc(scan).uuid());
        assertThat(fx.silknote.snapshot()).isEqualTo(before);
        assertThat(fx.silknote.documents().commits()).isEqualTo(commits);
        assertThat(fx.silknote.lock().lastToken(SyncConfig.LOCK_NAME)).isEqualTo(
                fx.silknote.lock().lastToken(SyncConfig.LOCK_NAME));
    }

    @Test
    @DisplayName("rule 13: one transaction moves the documents, audited; a second run changes nothing")
    void migrationMovesInOneTransactionAndIsIdempotent() {
        rebooked();
        SilknoteDocument letterBefore = doc(letter);
        long commits = fx.silknote.documents().commits();

        MigrationReport done = migration().migrate(new MigrationRequest(old, fresh, false));

        assertThat(done.status()).isEqualTo(OperationStatus.COMPLETED);
        assertThat(done.moved()).hasSize(2);
        assertThat(fx.silknote.documents().commits()).as("one unit of work").isEqualTo(commits + 1);
        SilknoteDocument moved = doc(letter);
        assertThat(moved.uuid()).isEqualTo(letterBefore.uuid());
        assertThat(moved.filesetId()).isEqualTo(fresh);
        assertThat(moved.contentHash()).isEqualTo(letterBefore.contentHash());
        assertThat(moved.metadata().migratedFrom()).contains(old);
        assertThat(moved.metadata().patientIdHistory()).containsExactly(PatientId.of("P-1"), PatientId.of("P-2"));
        assertThat(moved.metadata().originalPath()).isEqualTo(letterBefore.metadata().originalPath());
        assertThat(fx.silknote.documents().findMapping(letter).orElseThrow().filesetId())
                .as("the mapping stays with the VSRX fileset the file lives in").isEqualTo(old);
        assertThat(fx.silknote.documents().documents(old)).isEmpty();
        assertThat(fx.silknote.documents().documents(fresh)).hasSize(3);
        List<AuditRecord> audit = fx.silknote.documents().auditTrail(AuditQuery.byRun(done.runId()), 0, 10);
        assertThat(audit).hasSize(2).allSatisfy(r -> {
            assertThat(r.entry().action()).isEqualTo(AuditAction.MIGRATED);
            assertThat(r.entry().fromFilesetId()).contains(old);
            assertThat(r.entry().filesetId()).contains(fresh);
        });
        assertThat(fx.silknote.documents().auditTrail(AuditQuery.byFileset(old), 0, 100))
                .extracting(r -> r.entry().action()).contains(AuditAction.MIGRATED, AuditAction.CREATED);
        fx.silknote.assertInvariants();

        SilknoteSnapshot after = fx.silknote.snapshot();
        long commitsAfter = fx.silknote.documents().commits();
        MigrationReport again = migration().migrate(new MigrationRequest(old, fresh, false));
        assertThat(again.status()).isEqualTo(OperationStatus.COMPLETED);
        assertThat(again.moved()).isEmpty();
        assertThat(fx.silknote.snapshot()).isEqualTo(after);
        assertThat(fx.silknote.documents().commits()).isEqualTo(commitsAfter);
        assertThat(migration().candidates()).containsExactly(new MigrationCandidate(old, fresh, 0));
    }

    @Test
    @DisplayName("rule 13: refused while a sync holds the lock, touching nothing")
    void refusedWhileASyncHoldsTheLock() {
        rebooked();
        SilknoteSnapshot before = fx.silknote.snapshot();
        try (var other = fx.silknote.lock().newHolder("host-b").tryAcquire(SyncConfig.LOCK_NAME, Duration.ofMinutes(5))
                .orElseThrow()) {
            MigrationReport refused = migration().migrate(new MigrationRequest(old, fresh, false));
            assertThat(refused.status()).isEqualTo(OperationStatus.ALREADY_IN_PROGRESS);
            assertThat(refused.error()).contains("Sync already in progress");
        }
        assertThat(fx.silknote.snapshot()).isEqualTo(before);
    }

    @Test
    @DisplayName("rule 13: filesets that are not a re-booking pair are refused")
    void notACandidatePairIsRefused() {
        rebooked();
        FilesetId stranger = fx.linkedFileset("P-9");
        fx.text(stranger, "x.txt", "someone else");
        fx.run();
        SilknoteSnapshot before = fx.silknote.snapshot();

        assertThat(migration().migrate(new MigrationRequest(fresh, old, false)).status())
                .as("backwards").isEqualTo(OperationStatus.REFUSED);
        MigrationReport otherPatient = migration().migrate(new MigrationRequest(old, stranger, false));
        assertThat(otherPatient.status()).isEqualTo(OperationStatus.REFUSED);
        assertThat(otherPatient.error()).contains("different-silknote-patients");
        assertThat(migration().migrate(new MigrationRequest(old, FilesetId.of("fs-unknown"), false)).status())
                .isEqualTo(OperationStatus.REFUSED);
        assertThat(fx.silknote.snapshot()).isEqualTo(before);
    }

    @Test
    @DisplayName("rule 13: the old fileset's sync keeps updating, renaming and deleting moved documents where they are")
    void theOldFilesetsSyncFollowsMovedDocuments() {
        rebooked();
        migration().migrate(new MigrationRequest(old, fresh, false));

        SyncResult unchanged = fx.run();
        assertThat(unchanged.success()).isTrue();
        EngineFixture.assertCountedUnchanged(unchanged, old, letter);
        EngineFixture.assertCountedUnchanged(unchanged, old, scan);
        assertThat(fileset(unchanged, fresh).files()).extracting(f -> f.action())
                .as("the new fileset reports nothing vanished").doesNotContain(FileAction.VANISHED);

        fx.vsrx.modifyFile(letter, "referral letter, corrected");
        fx.vsrx.renameFile(scan, "notes/scan-left-knee.txt");
        SyncResult changed = fx.run();
        assertThat(action(changed, letter)).isEqualTo(FileAction.UPDATED);
        assertThat(action(changed, scan)).isEqualTo(FileAction.METADATA_ONLY);
        assertThat(file(changed, scan).detail()).contains("metadata-drift");
        for (VsrxFileId id : List.of(letter, scan)) {
            SilknoteDocument d = doc(id);
            assertThat(d.filesetId()).as("never moved back").isEqualTo(fresh);
            assertThat(d.metadata().migratedFrom()).contains(old);
            assertThat(d.metadata().patientIdHistory()).containsExactly(PatientId.of("P-1"), PatientId.of("P-2"));
        }
        assertThat(doc(letter).metadata().originalPath()).isEqualTo("notes/letter.txt");
        assertThat(doc(scan).metadata().originalPath()).isEqualTo("notes/scan-left-knee.txt");
        assertThat(fx.silknote.blobs().rawBytes(doc(letter).contentHash())).isPresent();
        fx.silknote.assertInvariants();

        SyncResult quiet = fx.run();
        assertThat(fileset(quiet, old).files()).as("nothing to do or report").isEmpty();
        assertThat(fileset(quiet, old).unchangedFiles()).isEqualTo(2);

        fx.vsrx.deleteFile(scan);
        SyncResult deleted = fx.run();
        assertThat(action(deleted, scan)).isEqualTo(FileAction.DELETED);
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(scan))).isEmpty();
        assertThat(fx.silknote.documents().findMapping(scan)).isEmpty();
        assertThat(fileset(deleted, old).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
        assertThat(deleted.report().orElseThrow().filesets().stream().flatMap(f -> f.files().stream()))
                .noneMatch(f -> f.action() == FileAction.CONFLICT);
        fx.silknote.assertInvariants();
    }

    @Test
    @DisplayName("rule 13 / rule 10: a paused migration whose lease was taken over cannot commit")
    void aPausedMigrationIsFenced() throws Exception {
        rebooked();
        CountDownLatch paused = new CountDownLatch(1);
        CountDownLatch resume = new CountDownLatch(1);
        DocumentStore gate = new ForwardingDocumentStore(fx.documents) {
            @Override
            public <T> T inUnitOfWork(com.silknote.sync.core.model.FencingToken token,
                    Function<UnitOfWork, T> work) {
                paused.countDown();
                try {
                    resume.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.inUnitOfWork(token, work);
            }
        };
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<MigrationReport> pausedRun = thread.submit(() -> migration(gate).migrate(
                    new MigrationRequest(old, fresh, false)));
            assertThat(paused.await(60, TimeUnit.SECONDS)).isTrue();
            fx.silknote.lock().forceExpiry(SyncConfig.LOCK_NAME);
            fx.vsrx.modifyFile(letter, "changed while the migration was paused");
            assertThat(fx.run().success()).isTrue();
            resume.countDown();

            MigrationReport report = pausedRun.get(60, TimeUnit.SECONDS);
            assertThat(report.status()).isEqualTo(OperationStatus.FAILED);
            assertThat(report.moved()).isEmpty();
        } finally {
            resume.countDown();
            thread.shutdownNow();
        }
        assertThat(fx.silknote.documents().documents(old)).hasSize(2);
        assertThat(doc(letter).metadata().migratedFrom()).isEmpty();
        fx.silknote.assertInvariants();
        assertThat(migration().migrate(new MigrationRequest(old, fresh, false)).moved()).hasSize(2);
    }

    @Test
    @DisplayName("rule 13: documents migrated twice still follow the VSRX fileset their files live in")
    void aSecondRebookingMovesThemAgain() {
        rebooked();
        migration().migrate(new MigrationRequest(old, fresh, false));
        FilesetId third = fx.vsrx.rebook(fresh, PatientId.of("P-3"));
        fx.text(third, "third.txt", "after the second re-booking");
        fx.run();

        MigrationReport second = migration().migrate(new MigrationRequest(fresh, third, false));

        assertThat(second.moved()).hasSize(3);
        assertThat(doc(letter).filesetId()).isEqualTo(third);
        assertThat(doc(letter).metadata().migratedFrom()).contains(old);
        fx.vsrx.modifyFile(letter, "letter, third version");
        SyncResult r = fx.run();
        assertThat(action(r, letter)).isEqualTo(FileAction.UPDATED);
        assertThat(doc(letter).filesetId()).isEqualTo(third);
        fx.silknote.assertInvariants();
        assertThat(Optional.of(fx.silknote.documents().documents(third).size())).contains(4);
    }

    @Test
    @DisplayName("rule 13 / issue 9.3: a moved document's file that vanishes from the old fileset is reported with"
            + " the path stored for it, and VanishedFilePolicy.DELETE deletes the moved document where it is")
    void aVanishedFileOfTheOldFilesetFindsItsMovedDocument() {
        rebooked();
        migration().migrate(new MigrationRequest(old, fresh, false));
        fx.vsrx.removeFromListing(scan);

        SyncResult reported = fx.run();

        assertThat(action(reported, scan)).isEqualTo(FileAction.VANISHED);
        assertThat(file(reported, scan).path()).as("where the operator finds it: the stored path")
                .contains("notes/scan.txt");
        assertThat(doc(scan).filesetId()).isEqualTo(fresh);

        fx.config(c -> c.vanishedFilePolicy(com.silknote.sync.core.model.VanishedFilePolicy.DELETE));
        SyncResult deleted = fx.run();

        assertThat(action(deleted, scan)).isEqualTo(FileAction.DELETED);
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(scan)))
                .as("the moved document follows its file").isEmpty();
        assertThat(fx.silknote.documents().findMapping(scan)).isEmpty();
        assertThat(doc(letter).filesetId()).as("the other moved document stays").isEqualTo(fresh);
        fx.silknote.assertInvariants();
    }

    @Test
    @DisplayName("rule 13 / issue 9.3: a file VSRX moves into the fileset its document was migrated to, while the old"
            + " fileset holds its mapping, is a reported conflict there: no second mapping, nothing written")
    void aFileMovedToTheFilesetOfItsMigratedDocumentIsAConflict() {
        rebooked();
        migration().migrate(new MigrationRequest(old, fresh, false));
        SilknoteDocument before = doc(letter);
        var mapping = fx.silknote.documents().findMapping(letter).orElseThrow();
        fx.vsrx.moveFile(letter, fresh);

        for (int run = 1; run <= 2; run++) {
            SyncResult result = fx.run();

            String where = "run " + run;
            var inFresh = fileset(result, fresh).files().stream().filter(f -> f.fileId().equals(letter)).findFirst()
                    .orElseThrow(() -> new AssertionError(where + ": no report of the letter in the new fileset"));
            assertThat(inFresh.action()).as(where).isEqualTo(FileAction.CONFLICT);
            assertThat(inFresh.detail()).as(where).contains("file-id-in-other-fileset");
            assertThat(fx.silknote.documents().findMapping(letter)).as(where + ": the old fileset's mapping stays")
                    .contains(mapping);
            assertThat(doc(letter)).as(where).isEqualTo(before);
        }
        fx.silknote.assertInvariants();
    }
}
