package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.AuditAction;
import com.silknote.sync.core.model.AuditEntry;
import com.silknote.sync.core.model.AuditQuery;
import com.silknote.sync.core.model.AuditRecord;
import com.silknote.sync.core.model.AuthoredDocument;
import com.silknote.sync.core.model.BidirectionalConfig;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.RemovedDocumentPolicy;
import com.silknote.sync.core.model.SyncDirection;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.TestHashes;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A Silknote-created document the bi-directional sync exported keeps its own uuid in the ledger (docs/bidirectional.md
 * §5.2): once a Silknote user removed it, every later write of its file — restored, deleted, or reported as a conflict
 * by a one-way run — names that uuid, never the one derived from the file id (issue 9 item 3: the audit trail and the
 * restored document stay the patient's document, not a second one).
 */
class ExportedDocumentUuidTest {
    private final EngineFixture fx = new EngineFixture();
    private FilesetId fs;
    private AuthoredDocument exported;
    private VsrxFileId file;

    /** A document written in Silknote, exported by a bi-directional run, then removed by a Silknote user. */
    private void exportedThenRemoved(RemovedDocumentPolicy policy) {
        fx.config(c -> c.bidirectional(BidirectionalConfig.builder().direction(SyncDirection.BIDIRECTIONAL).build()));
        fx.target = fx.vsrx;
        fs = fx.linkedFileset("P-1");
        fx.text(fs, "a.txt", "a letter");
        byte[] bytes = "written in silknote".getBytes(StandardCharsets.UTF_8);
        ContentHash h = TestHashes.sha256("written in silknote");
        fx.silknote.blobs().putIfAbsent(new BlobUpload(h, bytes.length, "text/plain",
                () -> new ByteArrayInputStream(bytes)));
        exported = new AuthoredDocument(new DocumentUuid(UUID.randomUUID()), EngineFixture.patient("P-1"),
                Optional.of(fs), h, bytes.length, "text/plain", Optional.of("Brief"), "SILKNOTE", "ungrouped",
                fx.clock.instant());
        fx.silknote.documents().createDocumentAsSilknoteUser(exported);
        assertThat(fx.run().success()).isTrue();
        List<VsrxFile> written = fx.vsrx.listedFiles(fs).stream()
                .filter(f -> f.origin().equals(Optional.of(exported.uuid()))).toList();
        assertThat(written).hasSize(1);
        file = written.get(0).id();
        assertThat(fx.silknote.documents().findMapping(file).orElseThrow().silknoteDocumentUuid())
                .isEqualTo(exported.uuid()).isNotEqualTo(DocumentUuid.forVsrxFile(file));
        // the operator turns bi-directional sync off; a Silknote user removes the document
        fx.config(c -> c.bidirectional(BidirectionalConfig.builder().build()).removedDocumentPolicy(policy));
        fx.target = null;
        fx.silknote.documents().removeDocumentAsSilknoteUser(exported.uuid());
    }

    private List<AuditEntry> audit(AuditAction action) {
        return fx.silknote.documents().auditTrail(AuditQuery.byFileset(fs), 0, 100).stream()
                .map(AuditRecord::entry).filter(e -> e.action() == action && e.fileId().equals(Optional.of(file)))
                .toList();
    }

    @Test
    @DisplayName("issue 9.3, §5.2, RESTORE: a changed file restores the removed document under its own uuid")
    void aRestoreKeepsTheExportedDocumentsUuid() {
        exportedThenRemoved(RemovedDocumentPolicy.RESTORE);
        fx.vsrx.modifyFile(file, "changed in vsrx");

        SyncResult r = fx.run();

        assertThat(EngineFixture.action(r, file)).isEqualTo(FileAction.CREATED);
        assertThat(fx.silknote.documents().findDocument(exported.uuid())).as("restored under its uuid")
                .hasValueSatisfying(d -> assertThat(d.contentHash()).isEqualTo(fx.vsrx.contentHash(file)));
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(file))).isEmpty();
        assertThat(audit(AuditAction.CREATED)).singleElement()
                .satisfies(e -> assertThat(e.document()).contains(exported.uuid()));
        fx.silknote.assertInvariants();
    }

    @Test
    @DisplayName("issue 9.3, §5.2: the file of a removed exported document deleted in VSRX is audited under the document's uuid")
    void aDeleteNamesTheExportedDocumentsUuid() {
        exportedThenRemoved(RemovedDocumentPolicy.REPORT);
        fx.vsrx.deleteFile(file);

        SyncResult r = fx.run();

        assertThat(EngineFixture.action(r, file)).isEqualTo(FileAction.DELETED);
        assertThat(fx.silknote.documents().findMapping(file)).isEmpty();
        assertThat(audit(AuditAction.DELETED)).singleElement()
                .satisfies(e -> assertThat(e.document()).contains(exported.uuid()));
        fx.silknote.assertInvariants();
    }

    @Test
    @DisplayName("issue 9.3, §5.2, REPORT: the conflict of a removed exported document is audited under the document's uuid")
    void aReportedRemovalNamesTheExportedDocumentsUuid() {
        exportedThenRemoved(RemovedDocumentPolicy.REPORT);

        SyncResult r = fx.run();

        assertThat(EngineFixture.action(r, file)).isEqualTo(FileAction.CONFLICT);
        assertThat(EngineFixture.file(r, file).detail()).contains("document-removed-in-silknote");
        assertThat(audit(AuditAction.CONFLICT)).singleElement()
                .satisfies(e -> assertThat(e.document()).contains(exported.uuid()));
    }
}
