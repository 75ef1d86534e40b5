package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.BidirectionalConfig;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ConflictRecord;
import com.silknote.sync.core.model.ConflictStatus;
import com.silknote.sync.core.model.ConflictStrategy;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.SyncDirection;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.TestHashes;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 §4 (docs/bidirectional.md: "an open record a new conflict of the same file replaces is closed"): a
 * conflict is reported (an open record holds its versions), then VSRX changes the file again, so the next run finds
 * a new conflict with other hashes while the older record is still open, and decides it with the strategy now
 * configured. The older record is closed as superseded in the same unit of work, the bytes only it held are
 * released (and collected), and the new decision's loser is held by the new record: no reference is released
 * twice, none is lost.
 */
class OlderOpenRecordTest {
    private final EngineFixture fx = new EngineFixture();

    private void bidirectional(ConflictStrategy strategy) {
        fx.config(c -> c.bidirectional(BidirectionalConfig.builder().direction(SyncDirection.BIDIRECTIONAL)
                .deletes(true).conflictStrategy(strategy).build()));
        fx.target = fx.vsrx;
    }

    private List<VsrxFileId> linked(FilesetId fs, int n) {
        List<VsrxFileId> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(fx.text(fs, "n" + i + ".txt", "note " + i));
        }
        assertThat(fx.run().success()).isTrue();
        return out;
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

    private ConflictRecord onlyRecord() {
        assertThat(fx.silknote.documents().allConflicts()).hasSize(1);
        return fx.silknote.documents().allConflicts().values().iterator().next();
    }

    private ConflictRecord newRecord(ConflictRecord older) {
        List<ConflictRecord> others = fx.silknote.documents().allConflicts().values().stream()
                .filter(r -> !r.id().equals(older.id())).toList();
        assertThat(others).hasSize(1);
        return others.get(0);
    }

    private long refs(ContentHash h) {
        return fx.silknote.documents().findBlobRef(h).map(r -> r.refCount()).orElse(0L);
    }

    /** The older record, closed by the new conflict's unit of work, holds nothing any more. */
    private void assertSuperseded(ConflictRecord older) {
        ConflictRecord now = fx.silknote.documents().allConflicts().get(older.id());
        assertThat(now.status()).isEqualTo(ConflictStatus.RESOLVED);
        assertThat(now.detail()).contains("superseded");
        assertThat(now.heldHashes()).isEmpty();
    }

    private void assertCollected(ContentHash h) {
        assertThat(refs(h)).as("references of %s", h.shortHex()).isZero();
        assertThat(fx.silknote.blobs().stat(h)).as("blob %s collected", h.shortHex()).isEmpty();
    }

    /** Row 4c under REPORT, then VSRX changes the file again: an open record about the first VSRX version. */
    private ConflictRecord reportedThenChangedAgainInVsrx(VsrxFileId f) {
        fx.vsrx.modifyFile(f, "vsrx edit 1");
        userEdits(f, "silknote edit");
        assertThat(EngineFixture.action(fx.run(), f)).isEqualTo(FileAction.CONFLICT);
        ConflictRecord older = onlyRecord();
        assertThat(older.status()).isEqualTo(ConflictStatus.OPEN);
        fx.vsrx.modifyFile(f, "vsrx edit 2");
        return older;
    }

    @Test
    @DisplayName("§4 row 4c VSRX_WINS with an older open record: it is superseded; the VSRX version it alone held "
            + "is collected; the Silknote loser is held once")
    void vsrxWinsSupersedesTheOlderRecord() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 1).get(0);
        ConflictRecord older = reportedThenChangedAgainInVsrx(f);
        bidirectional(ConflictStrategy.VSRX_WINS);

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertThat(EngineFixture.file(r, f).detail()).contains("conflict:vsrx-wins");
        assertSuperseded(older);
        ConflictRecord applied = newRecord(older);
        assertThat(applied.status()).isEqualTo(ConflictStatus.APPLIED);
        assertThat(applied.heldHashes()).containsExactly(TestHashes.sha256("silknote edit"));
        assertThat(refs(TestHashes.sha256("silknote edit"))).as("held by the new record only").isEqualTo(1);
        assertThat(fx.silknote.blobs().stat(TestHashes.sha256("silknote edit"))).isPresent();
        assertCollected(TestHashes.sha256("vsrx edit 1"));
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(f)).orElseThrow().contentHash())
                .isEqualTo(TestHashes.sha256("vsrx edit 2"));
    }

    @Test
    @DisplayName("§4 row 4c SILKNOTE_WINS with an older open record: it is superseded; the new VSRX version is kept "
            + "by the new record")
    void silknoteWinsSupersedesTheOlderRecord() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 1).get(0);
        ConflictRecord older = reportedThenChangedAgainInVsrx(f);
        bidirectional(ConflictStrategy.SILKNOTE_WINS);

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertThat(EngineFixture.file(r, f).detail()).contains("conflict:silknote-wins");
        assertThat(fx.vsrx.contentHash(f)).isEqualTo(TestHashes.sha256("silknote edit"));
        assertSuperseded(older);
        ConflictRecord applied = newRecord(older);
        assertThat(applied.status()).isEqualTo(ConflictStatus.APPLIED);
        assertThat(applied.heldHashes()).containsExactly(TestHashes.sha256("vsrx edit 2"));
        assertThat(refs(TestHashes.sha256("vsrx edit 2"))).isEqualTo(1);
        assertThat(refs(TestHashes.sha256("silknote edit"))).as("the mapping's").isEqualTo(1);
        assertCollected(TestHashes.sha256("vsrx edit 1"));
    }

    /** Row 8 under REPORT, then VSRX changes the file again. */
    private ConflictRecord removedReportedThenChangedAgainInVsrx(VsrxFileId f) {
        fx.silknote.documents().silknoteUser().remove(DocumentUuid.forVsrxFile(f));
        fx.vsrx.modifyFile(f, "vsrx edit 1");
        assertThat(EngineFixture.action(fx.run(), f)).isEqualTo(FileAction.CONFLICT);
        ConflictRecord older = onlyRecord();
        fx.vsrx.modifyFile(f, "vsrx edit 2");
        return older;
    }

    @Test
    @DisplayName("§4 row 8 VSRX_WINS with an older open record: it is superseded; the document comes back with the "
            + "newest VSRX version")
    void removedVsrxWinsSupersedesTheOlderRecord() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 4).get(0);
        ConflictRecord older = removedReportedThenChangedAgainInVsrx(f);
        bidirectional(ConflictStrategy.VSRX_WINS);

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertThat(EngineFixture.action(r, f)).isEqualTo(FileAction.CREATED);
        assertSuperseded(older);
        assertThat(newRecord(older).status()).isEqualTo(ConflictStatus.APPLIED);
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(f)).orElseThrow().contentHash())
                .isEqualTo(TestHashes.sha256("vsrx edit 2"));
        assertThat(refs(TestHashes.sha256("vsrx edit 2"))).as("the mapping's").isEqualTo(1);
        assertCollected(TestHashes.sha256("vsrx edit 1"));
    }

    @Test
    @DisplayName("§4 row 8 SILKNOTE_WINS with an older open record: it is superseded; the file is marked deleted and "
            + "its newest version kept by the new record")
    void removedSilknoteWinsSupersedesTheOlderRecord() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 4).get(0);
        ConflictRecord older = removedReportedThenChangedAgainInVsrx(f);
        bidirectional(ConflictStrategy.SILKNOTE_WINS);

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertThat(EngineFixture.action(r, f)).isEqualTo(FileAction.DELETED);
        assertThat(fx.vsrx.findFile(f).orElseThrow().deleted()).isTrue();
        assertSuperseded(older);
        ConflictRecord applied = newRecord(older);
        assertThat(applied.status()).isEqualTo(ConflictStatus.APPLIED);
        assertThat(applied.keptHash()).contains(TestHashes.sha256("vsrx edit 2"));
        assertThat(refs(TestHashes.sha256("vsrx edit 2"))).isEqualTo(1);
        assertCollected(TestHashes.sha256("vsrx edit 1"));
    }
}
