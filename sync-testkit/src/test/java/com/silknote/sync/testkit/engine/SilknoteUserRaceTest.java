package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.AuthoredDocument;
import com.silknote.sync.core.model.BidirectionalConfig;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ConflictRecord;
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
import com.silknote.sync.core.model.VsrxWriteResult;
import com.silknote.sync.testkit.TestHashes;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 / docs/bidirectional.md §4 ("each file is one unit of work, conditional on the mapping, document and
 * record it was planned from") and DESIGN rule 10: a Silknote user edits the document while the run is between its
 * plan and its commit (downloading the VSRX version, or writing to VSRX). The commit is refused, the file is
 * reported {@code FAILED} for the next run, and the user's newer content is neither overwritten nor lost.
 */
class SilknoteUserRaceTest {
    private final EngineFixture fx = new EngineFixture();

    private void bidirectional(ConflictStrategy strategy) {
        fx.config(c -> c.bidirectional(BidirectionalConfig.builder().direction(SyncDirection.BIDIRECTIONAL)
                .conflictStrategy(strategy).build()));
        fx.target = fx.vsrx;
    }

    private VsrxFileId linked(FilesetId fs) {
        VsrxFileId f = fx.text(fs, "befund.txt", "base");
        assertThat(fx.run().success()).isTrue();
        return f;
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

    private ContentHash documentContent(VsrxFileId f) {
        return fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(f)).orElseThrow().contentHash();
    }

    private List<ConflictRecord> records() {
        return List.copyOf(fx.silknote.documents().allConflicts().values());
    }

    /** The user edits the document again while the run downloads the VSRX version (between plan and commit). */
    private ContentHash userEditsDuringTheDownload(VsrxFileId f) {
        ContentHash later = stored("edited again while the sync ran");
        fx.vsrx.beforeOpen(f, () -> fx.silknote.documents().silknoteUser().replaceContent(
                DocumentUuid.forVsrxFile(f), later, "edited again while the sync ran".length(), "text/plain"));
        return later;
    }

    private void assertRefusedAndKept(SyncResult r, VsrxFileId f, ContentHash later) {
        assertThat(EngineFixture.action(r, f)).as("the commit planned from the old document is refused")
                .isEqualTo(FileAction.FAILED);
        assertThat(documentContent(f)).as("the user's newer content stays the document's").isEqualTo(later);
        assertThat(fx.silknote.documents().findMapping(f).orElseThrow().contentHash()).as("the base is unchanged")
                .isEqualTo(TestHashes.sha256("base"));
    }

    @Test
    @DisplayName("§4 row 4b: the same change on both sides, and the user edits again meanwhile: no converge commit")
    void convergeRefusedWhenTheUserEditsMeanwhile() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs);
        fx.vsrx.modifyFile(f, "same edit");
        userEdits(f, "same edit");
        ContentHash later = userEditsDuringTheDownload(f);

        SyncResult r = fx.run();

        assertRefusedAndKept(r, f, later);
        assertThat(fx.run().success()).isTrue();
        assertThat(EngineFixture.action(fx.run(), f)).as("decided anew: a conflict").isEqualTo(FileAction.CONFLICT);
    }

    @Test
    @DisplayName("§4 VSRX_WINS: the user edits again during the download; the document is not overwritten with VSRX's")
    void vsrxWinsRefusedWhenTheUserEditsMeanwhile() {
        bidirectional(ConflictStrategy.VSRX_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs);
        fx.vsrx.modifyFile(f, "vsrx edit");
        userEdits(f, "silknote edit");
        ContentHash later = userEditsDuringTheDownload(f);

        SyncResult r = fx.run();

        assertRefusedAndKept(r, f, later);
        assertThat(records()).isEmpty();
        SyncResult next = fx.run();
        assertThat(next.success()).isTrue();
        assertThat(records()).singleElement().satisfies(x -> assertThat(x.heldHashes()).contains(later));
    }

    @Test
    @DisplayName("§4 SILKNOTE_WINS: the user edits again during the download; the older content is not written to VSRX")
    void silknoteWinsRefusedWhenTheUserEditsMeanwhile() {
        bidirectional(ConflictStrategy.SILKNOTE_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs);
        fx.vsrx.modifyFile(f, "vsrx edit");
        userEdits(f, "silknote edit");
        ContentHash later = userEditsDuringTheDownload(f);
        long writes = fx.vsrx.writes();

        SyncResult r = fx.run();

        assertRefusedAndKept(r, f, later);
        assertThat(fx.vsrx.writes()).as("nothing written to VSRX").isEqualTo(writes);
        assertThat(fx.vsrx.contentHash(f)).isEqualTo(TestHashes.sha256("vsrx edit"));
        assertThat(fx.run().success()).isTrue();
        assertThat(fx.vsrx.contentHash(f)).as("the next run writes the newest content").isEqualTo(later);
    }

    @Test
    @DisplayName("§4 REPORT: the user edits again during the download; no record about the older content")
    void reportRefusedWhenTheUserEditsMeanwhile() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs);
        fx.vsrx.modifyFile(f, "vsrx edit");
        userEdits(f, "silknote edit");
        ContentHash later = userEditsDuringTheDownload(f);

        SyncResult r = fx.run();

        assertRefusedAndKept(r, f, later);
        assertThat(records()).isEmpty();
        assertThat(EngineFixture.action(fx.run(), f)).isEqualTo(FileAction.CONFLICT);
        assertThat(records()).singleElement().satisfies(x -> assertThat(x.silknoteHash()).contains(later));
    }

    @Test
    @DisplayName("row 15: the user edits a Silknote-created document while it is written to VSRX; the link with the "
            + "older content is refused and the edit stays")
    void exportLinkRefusedWhenTheUserEditsMeanwhile() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        ContentHash first = stored("written in silknote");
        AuthoredDocument a = new AuthoredDocument(new DocumentUuid(UUID.randomUUID()), EngineFixture.patient("P-1"),
                Optional.of(fs), first, "written in silknote".length(), "text/plain", Optional.of("Brief"),
                "SILKNOTE", "ungrouped", fx.clock.instant());
        fx.silknote.documents().createDocumentAsSilknoteUser(a);
        ContentHash later = stored("edited while exported");
        AtomicBoolean edited = new AtomicBoolean();
        fx.target = new BidirectionalScenarioTest.ForwardingTarget(fx.vsrx) {
            @Override
            public VsrxWriteResult createFile(FencingToken t, IdempotencyKey k, NewVsrxFile f, BlobUpload c) {
                VsrxWriteResult r = super.createFile(t, k, f, c);
                if (edited.compareAndSet(false, true)) {
                    fx.silknote.documents().silknoteUser().replaceContent(a.uuid(), later,
                            "edited while exported".length(), "text/plain");
                }
                return r;
            }
        };

        fx.run();

        assertThat(edited).isTrue();
        assertThat(fx.silknote.documents().findDocument(a.uuid())).as("not linked with the older content").isEmpty();
        assertThat(fx.silknote.documents().allAuthoredDocuments().get(a.uuid()).contentHash()).isEqualTo(later);
    }
    /**
     * Row 11 with different bytes: a Silknote-created document not linked yet and a file written for it with other
     * bytes; the user edits the document again when the run reads the file's content.
     */
    private AuthoredDocument row11EditedDuringTheRead(FilesetId fs, VsrxFileId[] file, ContentHash later) {
        ContentHash s = stored("silknote version");
        AuthoredDocument a = new AuthoredDocument(new DocumentUuid(UUID.randomUUID()), EngineFixture.patient("P-1"),
                Optional.of(fs), s, "silknote version".length(), "text/plain", Optional.of("Brief"), "SILKNOTE",
                "ungrouped", fx.clock.instant());
        fx.silknote.documents().createDocumentAsSilknoteUser(a);
        byte[] v = "vsrx version".getBytes(StandardCharsets.UTF_8);
        file[0] = fx.vsrx.createFile(FencingToken.of(1), IdempotencyKey.create(a.uuid()),
                new NewVsrxFile(fs, "notes/silknote/Brief-" + a.uuid().value().toString().substring(0, 8) + ".txt",
                        "text/plain", a.uuid()),
                new BlobUpload(TestHashes.sha256("vsrx version"), v.length, "text/plain",
                        () -> new ByteArrayInputStream(v))).file().id();
        fx.vsrx.beforeOpen(file[0], () -> fx.silknote.documents().silknoteUser().replaceContent(a.uuid(), later,
                "edited again while the sync ran".length(), "text/plain"));
        return a;
    }

    @Test
    @DisplayName("§4 row 11 REPORT: the user edits the Silknote-created document while the file is read; no record "
            + "about the older content")
    void row11ReportRefusedWhenTheUserEditsMeanwhile() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        ContentHash later = stored("edited again while the sync ran");
        VsrxFileId[] f = new VsrxFileId[1];
        AuthoredDocument a = row11EditedDuringTheRead(fs, f, later);

        SyncResult r = fx.run();

        assertThat(EngineFixture.action(r, f[0])).isEqualTo(FileAction.FAILED);
        assertThat(records()).isEmpty();
        assertThat(fx.silknote.documents().allAuthoredDocuments().get(a.uuid()).contentHash()).isEqualTo(later);
        assertThat(EngineFixture.action(fx.run(), f[0])).isEqualTo(FileAction.CONFLICT);
        assertThat(records()).singleElement().satisfies(x -> assertThat(x.heldHashes()).contains(later));
    }

    @Test
    @DisplayName("§4 row 11 VSRX_WINS: the user edits the Silknote-created document while the file is read; it is not "
            + "replaced by the VSRX version")
    void row11VsrxWinsRefusedWhenTheUserEditsMeanwhile() {
        bidirectional(ConflictStrategy.VSRX_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        ContentHash later = stored("edited again while the sync ran");
        VsrxFileId[] f = new VsrxFileId[1];
        AuthoredDocument a = row11EditedDuringTheRead(fs, f, later);

        SyncResult r = fx.run();

        assertThat(EngineFixture.action(r, f[0])).isEqualTo(FileAction.FAILED);
        assertThat(fx.silknote.documents().findDocument(a.uuid())).as("not linked with the VSRX version").isEmpty();
        assertThat(fx.silknote.documents().allAuthoredDocuments().get(a.uuid()).contentHash()).isEqualTo(later);
        assertThat(fx.run().success()).isTrue();
        assertThat(records()).singleElement().satisfies(x -> assertThat(x.heldHashes()).contains(later));
    }
}
