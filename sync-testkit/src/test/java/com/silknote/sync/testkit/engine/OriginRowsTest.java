package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.AuditAction;
import com.silknote.sync.core.model.AuditQuery;
import com.silknote.sync.core.model.AuditRecord;
import com.silknote.sync.core.model.BidirectionalConfig;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.IdempotencyKey;
import com.silknote.sync.core.model.NewVsrxFile;
import com.silknote.sync.core.model.SyncDirection;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 scenario table, row 13: a VSRX file with a Silknote origin whose document no longer exists in
 * Silknote is never imported; with delete propagation on it is marked deleted in VSRX under the mass-delete guard,
 * with it off it is reported {@code VANISHED origin-document-removed} and left alone.
 */
class OriginRowsTest {
    private final EngineFixture fx = new EngineFixture();

    private void bidirectional(boolean deletes) {
        fx.config(c -> c.bidirectional(BidirectionalConfig.builder().direction(SyncDirection.BIDIRECTIONAL)
                .deletes(deletes).build()));
        fx.target = fx.vsrx;
    }

    private static ContentHash sha256(byte[] bytes) {
        try {
            return ContentHash.ofBytes(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A file an earlier export wrote for a document that Silknote no longer has. */
    private VsrxFileId writtenForARemovedDocument(FilesetId fs, int n) {
        DocumentUuid gone = new DocumentUuid(UUID.nameUUIDFromBytes(("gone-" + n).getBytes(StandardCharsets.UTF_8)));
        byte[] bytes = ("exported " + n).getBytes(StandardCharsets.UTF_8);
        return fx.vsrx.createFile(FencingToken.of(1), IdempotencyKey.create(gone),
                new NewVsrxFile(fs, "notes/silknote/Brief-" + n + ".txt", "text/plain", gone),
                new BlobUpload(sha256(bytes), bytes.length, "text/plain", () -> new ByteArrayInputStream(bytes)))
                .file().id();
    }

    @Test
    @DisplayName("issue 14 row 13, deletes on: the file of a removed document is marked deleted in VSRX, audited, once")
    void deletesOnMarksTheFileDeleted() {
        bidirectional(true);
        FilesetId fs = fx.linkedFileset("P-1");
        fx.text(fs, "a.txt", "one");
        fx.text(fs, "b.txt", "two");
        VsrxFileId f = writtenForARemovedDocument(fs, 1);

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertThat(EngineFixture.action(r, f)).isEqualTo(FileAction.DELETED);
        assertThat(EngineFixture.file(r, f).detail()).contains("origin-document-removed");
        assertThat(fx.vsrx.findFile(f).orElseThrow().deleted()).isTrue();
        assertThat(fx.silknote.documents().allDocuments().values()).noneMatch(d -> d.clientFileId().equals(f));
        assertThat(fx.silknote.documents().auditTrail(AuditQuery.byFileset(fs), 0, 100))
                .extracting(AuditRecord::entry)
                .filteredOn(e -> e.action() == AuditAction.DELETED_IN_VSRX).singleElement()
                .satisfies(e -> assertThat(e.fileId()).contains(f));

        SyncResult again = fx.run();
        assertThat(again.success()).isTrue();
        assertThat(fx.silknote.documents().allDocuments().values()).noneMatch(d -> d.clientFileId().equals(f));
    }

    @Test
    @DisplayName("issue 14 row 13, deletes off: reported VANISHED origin-document-removed, nothing written")
    void deletesOffReportsOnly() {
        bidirectional(false);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = writtenForARemovedDocument(fs, 1);

        SyncResult r = fx.run();

        assertThat(EngineFixture.action(r, f)).isEqualTo(FileAction.VANISHED);
        assertThat(EngineFixture.file(r, f).detail()).contains("origin-document-removed");
        assertThat(fx.vsrx.findFile(f).orElseThrow().deleted()).isFalse();
    }

    @Test
    @DisplayName("issue 14 row 13 + DESIGN rule 5: too many such files trip the mass-delete guard; nothing is deleted")
    void theGuardCountsThem() {
        bidirectional(true);
        FilesetId fs = fx.linkedFileset("P-1");
        fx.text(fs, "a.txt", "one");
        VsrxFileId f1 = writtenForARemovedDocument(fs, 1);
        VsrxFileId f2 = writtenForARemovedDocument(fs, 2);
        VsrxFileId f3 = writtenForARemovedDocument(fs, 3);

        SyncResult r = fx.run();

        assertThat(EngineFixture.fileset(r, fs).outcome()).isEqualTo(FilesetOutcome.MASS_DELETE_BLOCKED);
        for (VsrxFileId f : new VsrxFileId[] {f1, f2, f3}) {
            assertThat(fx.vsrx.findFile(f).orElseThrow().deleted()).as("%s", f).isFalse();
        }
    }
}
