package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.AuthoredDocument;
import com.silknote.sync.core.model.BidirectionalConfig;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ConflictId;
import com.silknote.sync.core.model.ConflictKind;
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
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxWriteResult;
import com.silknote.sync.testkit.ForwardingDocumentStore;
import com.silknote.sync.testkit.InMemoryDocumentStore;
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
 *
 * <p>The same holds for the ledger rows only a lock holder writes (DESIGN rule 10 asks for both lines: the fence
 * and the commit conditional on the rows as read): a mapping or conflict record a rival changed after the run read
 * them (here right after it read the fileset's conflict records, through a {@link ForwardingDocumentStore}) refuses
 * the commit, and nothing is written to VSRX after such a refusal.
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

    // ---- rows only a lock holder writes, changed by a rival between the read and the commit (DESIGN rule 10) ----

    private InMemoryDocumentStore store() {
        return fx.silknote.documents();
    }

    private void bidirectional(ConflictStrategy strategy, boolean deletes) {
        fx.config(c -> c.bidirectional(BidirectionalConfig.builder().direction(SyncDirection.BIDIRECTIONAL)
                .deletes(deletes).conflictStrategy(strategy).build()));
        fx.target = fx.vsrx;
    }

    /** Runs {@code edit} once, right after the run read the fileset's conflict records (after its plan). */
    private AtomicBoolean afterTheRecordsAreRead(Runnable edit) {
        AtomicBoolean done = new AtomicBoolean();
        fx.documents = new ForwardingDocumentStore(fx.documents) {
            @Override
            public List<ConflictRecord> conflicts(FilesetId filesetId) {
                List<ConflictRecord> read = super.conflicts(filesetId);
                if (done.compareAndSet(false, true)) {
                    edit.run();
                }
                return read;
            }
        };
        return done;
    }

    /** A rival holder synced the file again meanwhile: its mapping row is another one. */
    private SyncMapping rivalRewritesTheMapping(VsrxFileId f) {
        SyncMapping m = store().findMapping(f).orElseThrow();
        SyncMapping rival = new SyncMapping(m.vsrxFileId(), m.silknoteDocumentUuid(), m.clientFileId(), m.filesetId(),
                Optional.of("rival-etag"), m.modifiedAt(), m.size(), m.contentHash(), m.syncedAt().plusSeconds(1));
        store().replaceMappingBehindTheSync(rival);
        return rival;
    }

    /** A rival holder recorded the same conflict (same id) meanwhile. */
    private ConflictRecord rivalRecords(ConflictId id, FilesetId fs, VsrxFileId f, DocumentUuid d, ConflictKind kind) {
        ConflictRecord rival = new ConflictRecord(id, fs, Optional.of(f), d, kind, ConflictStatus.OPEN,
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.of("recorded-by-a-rival"), fx.clock.instant(),
                fx.clock.instant());
        store().replaceConflictBehindTheSync(rival);
        return rival;
    }

    private static String hex(String text) {
        return TestHashes.sha256(text).hex();
    }

    private void assertRefusedForTheRival(SyncResult r, VsrxFileId f, AtomicBoolean edited) {
        assertThat(edited).as("the rival's edit happened").isTrue();
        assertThat(EngineFixture.action(r, f)).as("the commit planned from the rows as read is refused")
                .isEqualTo(FileAction.FAILED);
    }

    private List<VsrxFileId> linkedFiles(FilesetId fs, int n) {
        List<VsrxFileId> out = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(fx.text(fs, "n" + i + ".txt", "note " + i));
        }
        assertThat(fx.run().success()).isTrue();
        return out;
    }

    @Test
    @DisplayName("rule 10 / §4 row 7: the mapping changed by a rival after the plan: the removal's commit is refused")
    void row7RefusedWhenARivalRewritesTheMapping() {
        bidirectional(ConflictStrategy.REPORT, true);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linkedFiles(fs, 4).get(0);
        store().silknoteUser().remove(DocumentUuid.forVsrxFile(f));
        SyncMapping[] rival = new SyncMapping[1];
        AtomicBoolean edited = afterTheRecordsAreRead(() -> rival[0] = rivalRewritesTheMapping(f));

        SyncResult r = fx.run();

        assertRefusedForTheRival(r, f, edited);
        assertThat(store().findMapping(f)).as("the rival's mapping stays").contains(rival[0]);
    }

    @Test
    @DisplayName("rule 10 / §4 row 8 REPORT: the mapping changed by a rival after the plan: no record is committed")
    void row8ReportRefusedWhenARivalRewritesTheMapping() {
        bidirectional(ConflictStrategy.REPORT, true);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linkedFiles(fs, 4).get(0);
        store().silknoteUser().remove(DocumentUuid.forVsrxFile(f));
        fx.vsrx.modifyFile(f, "vsrx edit");
        AtomicBoolean edited = afterTheRecordsAreRead(() -> rivalRewritesTheMapping(f));

        SyncResult r = fx.run();

        assertRefusedForTheRival(r, f, edited);
        assertThat(records()).isEmpty();
    }

    @Test
    @DisplayName("rule 10 / §4 row 8 REPORT: the same conflict recorded by a rival after the plan: not overwritten")
    void row8ReportRefusedWhenARivalRecordsTheSameConflict() {
        bidirectional(ConflictStrategy.REPORT, true);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linkedFiles(fs, 4).get(0);
        DocumentUuid d = DocumentUuid.forVsrxFile(f);
        store().silknoteUser().remove(d);
        fx.vsrx.modifyFile(f, "vsrx edit");
        ConflictKind kind = ConflictKind.REMOVED_IN_SILKNOTE;
        ConflictId id = ConflictId.derive(f.value(), kind.code(), hex("note 0"), hex("vsrx edit"), "-");
        ConflictRecord[] rival = new ConflictRecord[1];
        AtomicBoolean edited = afterTheRecordsAreRead(() -> rival[0] = rivalRecords(id, fs, f, d, kind));

        SyncResult r = fx.run();

        assertRefusedForTheRival(r, f, edited);
        assertThat(records()).containsExactly(rival[0]);
    }

    @Test
    @DisplayName("rule 10 / §4 row 8 VSRX_WINS: the mapping changed by a rival after the plan: the document is not "
            + "brought back")
    void row8VsrxWinsRefusedWhenARivalRewritesTheMapping() {
        bidirectional(ConflictStrategy.VSRX_WINS, true);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linkedFiles(fs, 4).get(0);
        store().silknoteUser().remove(DocumentUuid.forVsrxFile(f));
        fx.vsrx.modifyFile(f, "vsrx edit");
        AtomicBoolean edited = afterTheRecordsAreRead(() -> rivalRewritesTheMapping(f));

        SyncResult r = fx.run();

        assertRefusedForTheRival(r, f, edited);
        assertThat(store().findDocument(DocumentUuid.forVsrxFile(f))).isEmpty();
        assertThat(records()).isEmpty();
    }

    @Test
    @DisplayName("rule 10 / §4 row 8 SILKNOTE_WINS: the mapping changed by a rival after the plan: no intent commits "
            + "and the VSRX file is not marked deleted")
    void row8SilknoteWinsRefusedWhenARivalRewritesTheMapping() {
        bidirectional(ConflictStrategy.SILKNOTE_WINS, true);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linkedFiles(fs, 4).get(0);
        store().silknoteUser().remove(DocumentUuid.forVsrxFile(f));
        fx.vsrx.modifyFile(f, "vsrx edit");
        AtomicBoolean edited = afterTheRecordsAreRead(() -> rivalRewritesTheMapping(f));

        SyncResult r = fx.run();

        assertRefusedForTheRival(r, f, edited);
        assertThat(fx.vsrx.findFile(f).orElseThrow().deleted()).as("VSRX keeps the file").isFalse();
        assertThat(records()).isEmpty();
    }

    /** Row 11: a Silknote-created document and a file written for it that VSRX holds with other bytes. */
    private AuthoredDocument row11(FilesetId fs, VsrxFileId[] file) {
        ContentHash s = stored("silknote version");
        AuthoredDocument a = new AuthoredDocument(new DocumentUuid(UUID.randomUUID()), EngineFixture.patient("P-1"),
                Optional.of(fs), s, "silknote version".length(), "text/plain", Optional.of("Brief"), "SILKNOTE",
                "ungrouped", fx.clock.instant());
        store().createDocumentAsSilknoteUser(a);
        byte[] v = "vsrx version".getBytes(StandardCharsets.UTF_8);
        file[0] = fx.vsrx.createFile(FencingToken.of(1), IdempotencyKey.create(a.uuid()),
                new NewVsrxFile(fs, "notes/silknote/Brief-" + a.uuid().value().toString().substring(0, 8) + ".txt",
                        "text/plain", a.uuid()),
                new BlobUpload(TestHashes.sha256("vsrx version"), v.length, "text/plain",
                        () -> new ByteArrayInputStream(v))).file().id();
        return a;
    }

    private void row11RivalRecordsTheSameConflict(ConflictStrategy strategy) {
        bidirectional(strategy, false);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId[] f = new VsrxFileId[1];
        AuthoredDocument a = row11(fs, f);
        ConflictKind kind = ConflictKind.LINKED_WITH_DIFFERENT_CONTENT;
        ConflictId id = ConflictId.derive(f[0].value(), kind.code(), "-", hex("vsrx version"), hex("silknote version"));
        ConflictRecord[] rival = new ConflictRecord[1];
        AtomicBoolean edited = afterTheRecordsAreRead(() -> rival[0] = rivalRecords(id, fs, f[0], a.uuid(), kind));

        SyncResult r = fx.run();

        assertRefusedForTheRival(r, f[0], edited);
        assertThat(records()).containsExactly(rival[0]);
        assertThat(store().findDocument(a.uuid())).as("not linked").isEmpty();
        assertThat(fx.vsrx.contentHash(f[0])).as("VSRX keeps its version").isEqualTo(TestHashes.sha256("vsrx version"));
    }

    @Test
    @DisplayName("rule 10 / §4 row 11 REPORT: the same conflict recorded by a rival after the plan: not overwritten")
    void row11ReportRefusedWhenARivalRecordsTheSameConflict() {
        row11RivalRecordsTheSameConflict(ConflictStrategy.REPORT);
    }

    @Test
    @DisplayName("rule 10 / §4 row 11 VSRX_WINS: the same conflict recorded by a rival after the plan: no link")
    void row11VsrxWinsRefusedWhenARivalRecordsTheSameConflict() {
        row11RivalRecordsTheSameConflict(ConflictStrategy.VSRX_WINS);
    }

    @Test
    @DisplayName("rule 10 / §4 row 11 SILKNOTE_WINS: the same conflict recorded by a rival after the plan: nothing is "
            + "written to VSRX")
    void row11SilknoteWinsRefusedWhenARivalRecordsTheSameConflict() {
        row11RivalRecordsTheSameConflict(ConflictStrategy.SILKNOTE_WINS);
    }

    @Test
    @DisplayName("rule 10 / §4 row 11 SILKNOTE_WINS: the file linked by a rival after the plan: no intent commits and "
            + "nothing is written to VSRX")
    void row11SilknoteWinsRefusedWhenARivalLinksTheFile() {
        bidirectional(ConflictStrategy.SILKNOTE_WINS, false);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId[] f = new VsrxFileId[1];
        AuthoredDocument a = row11(fs, f);
        SyncMapping rival = new SyncMapping(f[0], a.uuid(), f[0], fs, Optional.of("rival-etag"), fx.clock.instant(),
                "vsrx version".length(), TestHashes.sha256("vsrx version"), fx.clock.instant());
        AtomicBoolean edited = afterTheRecordsAreRead(() -> store().replaceMappingBehindTheSync(rival));

        SyncResult r = fx.run();

        assertRefusedForTheRival(r, f[0], edited);
        assertThat(records()).isEmpty();
        assertThat(store().findMapping(f[0])).contains(rival);
        assertThat(fx.vsrx.contentHash(f[0])).as("VSRX keeps its version").isEqualTo(TestHashes.sha256("vsrx version"));
    }

    private void row4cRivalRecordsTheSameConflict(ConflictStrategy strategy) {
        bidirectional(strategy);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs);
        fx.vsrx.modifyFile(f, "vsrx edit");
        ContentHash s = userEdits(f, "silknote edit");
        ConflictKind kind = ConflictKind.CHANGED_ON_BOTH_SIDES;
        ConflictId id = ConflictId.derive(f.value(), kind.code(), hex("base"), hex("vsrx edit"), hex("silknote edit"));
        ConflictRecord[] rival = new ConflictRecord[1];
        AtomicBoolean edited = afterTheRecordsAreRead(
                () -> rival[0] = rivalRecords(id, fs, f, DocumentUuid.forVsrxFile(f), kind));

        SyncResult r = fx.run();

        assertRefusedForTheRival(r, f, edited);
        assertThat(records()).containsExactly(rival[0]);
        assertThat(documentContent(f)).isEqualTo(s);
        assertThat(fx.vsrx.contentHash(f)).as("VSRX keeps its version").isEqualTo(TestHashes.sha256("vsrx edit"));
    }

    @Test
    @DisplayName("rule 10 / §4 row 4c REPORT: the same conflict recorded by a rival after the plan: not overwritten")
    void row4cReportRefusedWhenARivalRecordsTheSameConflict() {
        row4cRivalRecordsTheSameConflict(ConflictStrategy.REPORT);
    }

    @Test
    @DisplayName("rule 10 / §4 row 4c VSRX_WINS: the same conflict recorded by a rival after the plan: the document "
            + "keeps the user's content")
    void row4cVsrxWinsRefusedWhenARivalRecordsTheSameConflict() {
        row4cRivalRecordsTheSameConflict(ConflictStrategy.VSRX_WINS);
    }

    @Test
    @DisplayName("rule 10 / §4 row 4c SILKNOTE_WINS: the same conflict recorded by a rival after the plan: nothing is "
            + "written to VSRX")
    void row4cSilknoteWinsRefusedWhenARivalRecordsTheSameConflict() {
        row4cRivalRecordsTheSameConflict(ConflictStrategy.SILKNOTE_WINS);
    }

    /** Row 6: VSRX deleted the file, the Silknote user changed its document. */
    private VsrxFileId row6(FilesetId fs) {
        VsrxFileId f = linked(fs);
        userEdits(f, "silknote edit");
        fx.vsrx.deleteFile(f);
        return f;
    }

    @Test
    @DisplayName("rule 10 / §4 row 6 SILKNOTE_WINS: the same conflict recorded by a rival while the document is "
            + "written again: the link is refused")
    void row6SilknoteWinsRefusedWhenARivalRecordsTheSameConflict() {
        bidirectional(ConflictStrategy.SILKNOTE_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = row6(fs);
        ConflictKind kind = ConflictKind.DELETED_IN_VSRX;
        ConflictId id = ConflictId.derive(f.value(), kind.code(), hex("base"), "-", hex("silknote edit"));
        ConflictRecord[] rival = new ConflictRecord[1];
        AtomicBoolean edited = afterTheRecordsAreRead(
                () -> rival[0] = rivalRecords(id, fs, f, DocumentUuid.forVsrxFile(f), kind));

        SyncResult r = fx.run();

        assertRefusedForTheRival(r, f, edited);
        assertThat(records()).containsExactly(rival[0]);
        assertThat(store().findMapping(f)).as("still mapped to the deleted file").isPresent();
    }

    @Test
    @DisplayName("rule 10 / §4 row 6 SILKNOTE_WINS: the re-created file mapped by a rival meanwhile: the link is refused")
    void row6SilknoteWinsRefusedWhenARivalMapsTheNewFile() {
        bidirectional(ConflictStrategy.SILKNOTE_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = row6(fs);
        SyncMapping[] rival = new SyncMapping[1];
        fx.target = new BidirectionalScenarioTest.ForwardingTarget(fx.vsrx) {
            @Override
            public VsrxWriteResult createFile(FencingToken t, IdempotencyKey k, NewVsrxFile n, BlobUpload c) {
                VsrxWriteResult w = super.createFile(t, k, n, c);
                if (rival[0] == null) {
                    rival[0] = new SyncMapping(w.file().id(), DocumentUuid.forVsrxFile(w.file().id()), w.file().id(),
                            fs, w.file().etag(), w.file().modifiedAt(), c.size(), c.hash(), fx.clock.instant());
                    store().replaceMappingBehindTheSync(rival[0]);
                }
                return w;
            }
        };

        SyncResult r = fx.run();

        assertThat(rival[0]).isNotNull();
        assertThat(EngineFixture.action(r, f)).isEqualTo(FileAction.FAILED);
        assertThat(store().findMapping(rival[0].vsrxFileId())).contains(rival[0]);
        assertThat(store().findDocument(DocumentUuid.forVsrxFile(f)).orElseThrow().clientFileId())
                .as("the document is not moved to the new file").isEqualTo(f);
    }
}
