package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.SyncConflicts;
import com.silknote.sync.core.model.AuthoredDocument;
import com.silknote.sync.core.model.BidirectionalConfig;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ConflictRecord;
import com.silknote.sync.core.model.ConflictStatus;
import com.silknote.sync.core.model.ConflictStrategy;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.IdempotencyKey;
import com.silknote.sync.core.model.NewVsrxFile;
import com.silknote.sync.core.model.SyncDirection;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.TestHashes;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §4 "GC vs. new reference" on the Silknote side of bi-directional sync: content a step downloads from VSRX
 * or is about to reference is registered against the run's collector only until the step's commit, so bytes the
 * step itself released (an old base, a loser an operator gave up) are collected by the same run, with a grace
 * period of zero, like the pull's (docs/bidirectional.md §4, "the loser's bytes go"). A registration that is never
 * ended keeps such bytes in the blob store, unreferenced, until a later run.
 */
class SilknoteSideCollectionTest {
    private final EngineFixture fx = new EngineFixture();

    private void bidirectional(boolean deletes, ConflictStrategy strategy) {
        fx.config(c -> c.bidirectional(BidirectionalConfig.builder().direction(SyncDirection.BIDIRECTIONAL)
                .deletes(deletes).conflictStrategy(strategy).build()));
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

    private ContentHash stored(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ContentHash h = TestHashes.sha256(text);
        fx.silknote.blobs().putIfAbsent(new BlobUpload(h, bytes.length, "text/plain",
                () -> new ByteArrayInputStream(bytes)));
        return h;
    }

    private ContentHash userEdits(VsrxFileId f, String text) {
        ContentHash h = stored(text);
        fx.silknote.documents().silknoteUser().replaceContent(DocumentUuid.forVsrxFile(f), h,
                text.getBytes(StandardCharsets.UTF_8).length, "text/plain");
        return h;
    }

    private SyncConflicts conflicts() {
        return SyncConflicts.builder().documents(fx.silknote.documents()).lock(fx.lock).config(fx.config)
                .clock(fx.clock).build();
    }

    private ConflictRecord onlyRecord() {
        assertThat(fx.silknote.documents().allConflicts()).hasSize(1);
        return fx.silknote.documents().allConflicts().values().iterator().next();
    }

    /** Released by this run and collected by it: no reference and no blob left. */
    private void assertCollected(ContentHash h) {
        assertThat(fx.silknote.documents().findBlobRef(h)).as("ledger row of %s", h.shortHex()).isEmpty();
        assertThat(fx.silknote.blobs().stat(h)).as("blob %s collected in the same run", h.shortHex()).isEmpty();
    }

    @Test
    @DisplayName("DESIGN §4 GC, issue 14 row 3: a push after a metadata-only VSRX change lets the old base be "
            + "collected in the same run")
    void pushAfterAMetadataOnlyVsrxChangeReleasesTheBase() {
        bidirectional(false, ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 1).get(0);
        ContentHash base = TestHashes.sha256("note 0");
        ContentHash s = userEdits(f, "silknote edit");
        fx.vsrx.touchFile(f); // a new version in VSRX with the same bytes: downloaded, found equal to the base

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertThat(EngineFixture.file(r, f).detail()).contains("pushed-to-vsrx");
        assertThat(fx.vsrx.contentHash(f)).isEqualTo(s);
        assertCollected(base);
    }

    @Test
    @DisplayName("DESIGN §4 GC, issue 14 row 7: a removal after a metadata-only VSRX change lets the document's "
            + "bytes be collected in the same run")
    void removalAfterAMetadataOnlyVsrxChangeReleasesTheBase() {
        bidirectional(true, ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 4).get(0);
        fx.silknote.documents().silknoteUser().remove(DocumentUuid.forVsrxFile(f));
        fx.vsrx.touchFile(f);

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertThat(EngineFixture.action(r, f)).isEqualTo(FileAction.DELETED);
        assertThat(fx.vsrx.findFile(f).orElseThrow().deleted()).isTrue();
        assertCollected(TestHashes.sha256("note 0"));
    }

    @Test
    @DisplayName("DESIGN §4 GC, issue 14 §4: an operator keeps VSRX's version; the Silknote loser is collected in "
            + "the run that applies it")
    void operatorVsrxWinsLetsTheLoserGo() {
        bidirectional(false, ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 1).get(0);
        fx.vsrx.modifyFile(f, "vsrx edit");
        ContentHash s = userEdits(f, "silknote edit");
        fx.run();
        conflicts().decide(onlyRecord().id(), ConflictStrategy.VSRX_WINS);

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertThat(onlyRecord().status()).isEqualTo(ConflictStatus.RESOLVED);
        assertCollected(s);
    }

    @Test
    @DisplayName("DESIGN §4 GC, issue 14 row 11: an operator keeps Silknote's version of a file written for an "
            + "unlinked document; the VSRX loser is collected in that run")
    void operatorSilknoteWinsOnRow11LetsTheVsrxVersionGo() {
        bidirectional(false, ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        ContentHash s = stored("silknote version");
        AuthoredDocument a = new AuthoredDocument(new DocumentUuid(UUID.randomUUID()), EngineFixture.patient("P-1"),
                Optional.of(fs), s, "silknote version".length(), "text/plain", Optional.of("Brief"), "SILKNOTE",
                "ungrouped", fx.clock.instant());
        fx.silknote.documents().createDocumentAsSilknoteUser(a);
        byte[] v = "vsrx version".getBytes(StandardCharsets.UTF_8);
        ContentHash vh = TestHashes.sha256("vsrx version");
        VsrxFileId f = fx.vsrx.createFile(FencingToken.of(1), IdempotencyKey.create(a.uuid()),
                new NewVsrxFile(fs, "notes/silknote/Brief-" + a.uuid().value().toString().substring(0, 8) + ".txt",
                        "text/plain", a.uuid()),
                new BlobUpload(vh, v.length, "text/plain", () -> new ByteArrayInputStream(v))).file().id();
        assertThat(EngineFixture.action(fx.run(), f)).isEqualTo(FileAction.CONFLICT);
        conflicts().decide(onlyRecord().id(), ConflictStrategy.SILKNOTE_WINS);

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertThat(fx.vsrx.contentHash(f)).isEqualTo(s);
        assertThat(onlyRecord().status()).isEqualTo(ConflictStatus.RESOLVED);
        assertCollected(vh);
    }
}
