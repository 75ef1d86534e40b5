package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.action;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.RebookingMigration;
import com.silknote.sync.core.model.ChangeDetectionMode;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.MigrationRequest;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * DESIGN rule 13 with FULL_HASH change detection (issue 9 item 3): a document the re-booking migration moved to the
 * new fileset is verified in place like any other — same bytes and same path leave it untouched, never pulled back
 * to the old fileset's patient-id history; a renamed file is a metadata-only update that keeps it where it is.
 */
class MigratedVerificationTest {
    private final EngineFixture fx = new EngineFixture();

    @Test
    @DisplayName("rules 3, 13: FULL_HASH verification of moved documents: unchanged stays unchanged, a rename moves nothing back")
    void movedDocumentsAreVerifiedWhereTheyAre() {
        FilesetId old = fx.linkedFileset("P-1");
        VsrxFileId letter = fx.text(old, "letter.txt", "referral letter");
        VsrxFileId scan = fx.text(old, "scan.txt", "scan of the knee");
        fx.run();
        FilesetId fresh = fx.vsrx.rebook(old, PatientId.of("P-2"));
        assertThat(fx.run().success()).isTrue();
        RebookingMigration.builder().documents(fx.documents).lock(fx.lock).config(fx.config).clock(fx.clock)
                .sleeper(fx.clock).random(new SplittableRandom(7)).build()
                .migrate(new MigrationRequest(old, fresh, false));
        fx.config(c -> c.changeDetection(ChangeDetectionMode.FULL_HASH));
        fx.vsrx.renameFile(scan, "notes/scan-left-knee.txt");
        fx.vsrx.resetCounters();

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertThat(fx.vsrx.downloads(letter)).as("verified by its bytes").isEqualTo(1);
        assertThat(EngineFixture.unchanged(r, letter)).as("same bytes, same path: untouched").isTrue();
        assertThat(action(r, scan)).isEqualTo(FileAction.METADATA_ONLY);
        for (VsrxFileId id : java.util.List.of(letter, scan)) {
            SilknoteDocument d = fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(id)).orElseThrow();
            assertThat(d.filesetId()).as("never moved back").isEqualTo(fresh);
            assertThat(d.metadata().migratedFrom()).contains(old);
            assertThat(d.metadata().patientIdHistory()).containsExactly(PatientId.of("P-1"), PatientId.of("P-2"));
        }
        fx.silknote.assertInvariants();
    }
}
