package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.BidirectionalConfig;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ConflictStrategy;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.SyncDirection;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.TestHashes;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 (docs/bidirectional.md §3, §5.1, §5.2): what the Silknote side reports when it does not write — content
 * updates off, a file listed without an ETag (nothing can be replaced or deleted conditionally) — and where it writes
 * a document again (row 6, Silknote wins): under the export folder, named after the document's file.
 */
class SilknoteSideReportsTest {
    private final EngineFixture fx = new EngineFixture();

    private void bidirectional(UnaryOperator<BidirectionalConfig.Builder> change) {
        fx.config(c -> c.bidirectional(change.apply(BidirectionalConfig.builder()
                .direction(SyncDirection.BIDIRECTIONAL)).build()));
        fx.target = fx.vsrx;
    }

    private ContentHash userEdits(VsrxFileId f, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ContentHash h = TestHashes.sha256(text);
        fx.silknote.blobs().putIfAbsent(new BlobUpload(h, bytes.length, "text/plain",
                () -> new ByteArrayInputStream(bytes)));
        fx.silknote.documents().silknoteUser().replaceContent(DocumentUuid.forVsrxFile(f), h, bytes.length,
                "text/plain");
        return h;
    }

    private void assertNotPushed(SyncResult r, VsrxFileId f, String detail) {
        FileReport report = EngineFixture.file(r, f);
        assertThat(report.action()).isEqualTo(FileAction.UNCHANGED);
        assertThat(report.detail()).contains(detail);
    }

    @Test
    @DisplayName("issue 14 §3: with content updates off a Silknote change is reported not pushed, every run")
    void contentUpdatesOff() {
        bidirectional(b -> b.contentUpdates(false));
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = fx.text(fs, "befund.txt", "base");
        fx.run();
        userEdits(f, "silknote edit");

        SyncResult r = fx.run();

        assertNotPushed(r, f, "silknote-change-not-pushed:content-updates-off");
        assertThat(fx.vsrx.contentHash(f)).isEqualTo(TestHashes.sha256("base"));
        assertNotPushed(fx.run(), f, "silknote-change-not-pushed:content-updates-off");
    }

    @Test
    @DisplayName("issue 14 §5.1: a Silknote change of a file listed without ETag is reported, never written (no If-Match)")
    void noEtagNoPush() {
        bidirectional(b -> b);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = fx.vsrx.addFileWithoutEtag(fs, "notes/befund.txt", "text/plain",
                "base".getBytes(StandardCharsets.UTF_8));
        fx.run();
        userEdits(f, "silknote edit");
        long writes = fx.vsrx.writes();

        SyncResult r = fx.run();

        assertNotPushed(r, f, "silknote-change-not-pushed:no-etag");
        assertThat(fx.vsrx.writes()).isEqualTo(writes);
    }

    @Test
    @DisplayName("issue 14 §5.1 row 7: a removal of a file listed without ETag is reported, never deleted")
    void noEtagNoDelete() {
        bidirectional(b -> b.deletes(true));
        FilesetId fs = fx.linkedFileset("P-1");
        for (int i = 0; i < 3; i++) {
            fx.text(fs, "n" + i + ".txt", "note " + i);
        }
        VsrxFileId f = fx.vsrx.addFileWithoutEtag(fs, "notes/befund.txt", "text/plain",
                "base".getBytes(StandardCharsets.UTF_8));
        fx.run();
        fx.silknote.documents().silknoteUser().remove(DocumentUuid.forVsrxFile(f));

        SyncResult r = fx.run();

        assertNotPushed(r, f, "silknote-change-not-pushed:no-etag");
        assertThat(fx.vsrx.findFile(f).orElseThrow().deleted()).isFalse();
    }

    @Test
    @DisplayName("issue 14 §5.2 row 6 SILKNOTE_WINS: the document is written again as <exportFolder><file name>-<uuid>.<ext>")
    void recreatedFileIsNamedAfterTheDocumentsFile() {
        bidirectional(b -> b.conflictStrategy(ConflictStrategy.SILKNOTE_WINS));
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = fx.vsrx.addFile(fs, "notes/2026/befund.v2.txt", "text/plain", "base");
        fx.run();
        userEdits(f, "silknote edit");
        fx.vsrx.deleteFile(f);

        assertThat(fx.run().success()).isTrue();

        DocumentUuid doc = DocumentUuid.forVsrxFile(f);
        List<VsrxFile> again = fx.vsrx.listedFiles(fs).stream().filter(x -> x.origin().equals(Optional.of(doc)))
                .toList();
        assertThat(again).singleElement().satisfies(x -> assertThat(x.path())
                .isEqualTo("notes/silknote/befund.v2-" + doc.value().toString().substring(0, 8) + ".txt"));
    }
}
