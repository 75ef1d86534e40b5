package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.report;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.AuditAction;
import com.silknote.sync.core.model.AuditEntry;
import com.silknote.sync.core.model.AuditQuery;
import com.silknote.sync.core.model.AuditRecord;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.TestHashes;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Issue 11 (audit log): every change a sync makes is one audit row with its run, in the same transaction. */
class AuditTrailTest {
    private final EngineFixture fx = new EngineFixture();

    private List<AuditEntry> ofRun(SyncResult r) {
        return fx.silknote.documents().auditTrail(AuditQuery.byRun(report(r).runId()), 0, 1000).stream()
                .map(AuditRecord::entry).toList();
    }

    private List<AuditEntry> ofDocument(VsrxFileId id) {
        return fx.silknote.documents().auditTrail(AuditQuery.byDocument(DocumentUuid.forVsrxFile(id)), 0, 1000)
                .stream().map(AuditRecord::entry).toList();
    }

    @Test
    @DisplayName("issue 11: create, update, metadata-only and delete are audited with the run, hashes and fileset")
    void everyChangeIsOneRowOfItsRun() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "alpha");
        VsrxFileId b = fx.text(fs, "b.txt", "bravo");

        SyncResult first = fx.run();
        assertThat(ofRun(first)).hasSize(2).allSatisfy(e -> {
            assertThat(e.action()).isEqualTo(AuditAction.CREATED);
            assertThat(e.filesetId()).contains(fs);
            assertThat(e.beforeHash()).isEmpty();
        });
        assertThat(ofDocument(a)).singleElement().satisfies(e -> {
            assertThat(e.fileId()).contains(a);
            assertThat(e.afterHash()).contains(TestHashes.sha256("alpha"));
        });

        fx.vsrx.modifyFile(a, "alpha, second version");
        fx.vsrx.touchFile(b);
        SyncResult second = fx.run();
        assertThat(ofRun(second)).extracting(AuditEntry::action)
                .containsExactlyInAnyOrder(AuditAction.UPDATED, AuditAction.METADATA_ONLY);
        AuditEntry updated = ofDocument(a).get(1);
        assertThat(updated.action()).isEqualTo(AuditAction.UPDATED);
        assertThat(updated.beforeHash()).contains(TestHashes.sha256("alpha"));
        assertThat(updated.afterHash()).contains(TestHashes.sha256("alpha, second version"));
        AuditEntry same = ofDocument(b).get(1);
        assertThat(same.beforeHash()).isEqualTo(same.afterHash()).contains(TestHashes.sha256("bravo"));

        fx.vsrx.deleteFile(b);
        SyncResult third = fx.run();
        assertThat(ofRun(third)).singleElement().satisfies(e -> {
            assertThat(e.action()).isEqualTo(AuditAction.DELETED);
            assertThat(e.document()).contains(DocumentUuid.forVsrxFile(b));
            assertThat(e.beforeHash()).contains(TestHashes.sha256("bravo"));
            assertThat(e.afterHash()).isEmpty();
        });

        SyncResult quiet = fx.run();
        assertThat(ofRun(quiet)).as("nothing changed, nothing audited").isEmpty();
    }

    @Test
    @DisplayName("issue 11: a conflict is audited every run it is reported, with its reason code")
    void conflictsAreAuditedEveryRun() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "alpha");
        fx.run();
        fx.silknote.documents().removeDocumentAsSilknoteUser(DocumentUuid.forVsrxFile(a));

        for (int run = 0; run < 2; run++) {
            SyncResult r = fx.run();
            assertThat(ofRun(r)).singleElement().satisfies(e -> {
                assertThat(e.action()).isEqualTo(AuditAction.CONFLICT);
                assertThat(e.detail()).contains("document-removed-in-silknote");
                assertThat(e.beforeHash()).contains(TestHashes.sha256("alpha"));
            });
        }
        assertThat(ofDocument(a)).extracting(AuditEntry::action)
                .containsExactly(AuditAction.CREATED, AuditAction.CONFLICT, AuditAction.CONFLICT);
        fx.silknote.assertInvariants();
    }

    @Test
    @DisplayName("issue 11: a dry run and a refused commit leave no audit row")
    void nothingIsAuditedThatDidNotHappen() {
        FilesetId fs = fx.linkedFileset("P1");
        fx.text(fs, "a.txt", "alpha");
        SyncResult dry = fx.run(SyncRequest.full().asDryRun());
        assertThat(ofRun(dry)).isEmpty();
        assertThat(fx.silknote.documents().allAudit()).isEmpty();

        var other = fx.silknote.lock().newHolder("host-b")
                .tryAcquire(com.silknote.sync.core.model.SyncConfig.LOCK_NAME, java.time.Duration.ofMinutes(1))
                .orElseThrow();
        assertThat(fx.run().isAlreadyInProgress()).isTrue();
        other.close();
        assertThat(fx.silknote.documents().allAudit()).isEmpty();
        assertThat(Optional.of(fx.run().success())).contains(true);
        assertThat(fx.silknote.documents().allAudit()).hasSize(1);
    }
}
