package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.AuditAction;
import com.silknote.sync.core.model.AuditEntry;
import com.silknote.sync.core.model.AuditQuery;
import com.silknote.sync.core.model.AuditRecord;
import com.silknote.sync.core.model.AuthoredDocument;
import com.silknote.sync.core.model.BidirectionalConfig;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ConflictRecord;
import com.silknote.sync.core.model.ConflictStatus;
import com.silknote.sync.core.model.ConflictStrategy;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.IdempotencyKey;
import com.silknote.sync.core.model.NewVsrxFile;
import com.silknote.sync.core.model.SyncDirection;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.ForwardingDocumentStore;
import com.silknote.sync.testkit.InMemoryDocumentStore;
import com.silknote.sync.testkit.TestHashes;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 §4 (docs/bidirectional.md: "an open record a new conflict of the same file replaces is closed"): a
 * conflict is reported (an open record holds its versions), then VSRX changes the file again, so the next run finds
 * a new conflict with other hashes while the older record is still open, and decides it with the strategy now
 * configured. The older record is closed as superseded in the same unit of work, the bytes only it held are
 * released (and collected), and the new decision's loser is held by the new record: no reference is released
 * twice, none is lost. The same for a record of the same conflict reported first and decided by a strategy switched
 * on since (the same record id: it is decided, not closed as superseded, and what it held is released once), for a
 * REPORT record replaced by a newer REPORT record, and for records whose sides converged since.
 *
 * <p>DESIGN rule 10 (second line): each of these commits is conditional on the open record as read; a record a
 * rival changed after the run read it (an operator's release without the lock, a restore) refuses the commit.
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

    // ---- more paths with an open record of the file -----------------------------------------------------------

    private InMemoryDocumentStore store() {
        return fx.silknote.documents();
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

    /** An operator released the record without taking the sync lock, after the run read it. */
    private ConflictRecord releasedByARival(ConflictRecord r) {
        ConflictRecord rival = r.with(ConflictStatus.RESOLVED, r.strategy(), Optional.empty(), Optional.empty(),
                Optional.of("operator:released-meanwhile"), fx.clock.instant());
        store().replaceConflictBehindTheSync(rival);
        return rival;
    }

    /** The rival's release happened and the file's commit was refused: the record is as the rival left it. */
    private void assertRefusedForTheRival(SyncResult r, VsrxFileId f, AtomicBoolean edited, ConflictRecord[] rival) {
        assertThat(edited).isTrue();
        assertThat(EngineFixture.report(r).filesets()).flatMap(x -> x.files())
                .filteredOn(x -> x.fileId().equals(f)).extracting(x -> x.action())
                .as("the commit planned from the record as read is refused").contains(FileAction.FAILED);
        assertThat(store().allConflicts().get(rival[0].id())).isEqualTo(rival[0]);
    }

    private List<AuditEntry> audit(DocumentUuid d, AuditAction action) {
        return store().auditTrail(AuditQuery.byDocument(d), 0, 1000).stream().map(AuditRecord::entry)
                .filter(e -> e.action() == action).toList();
    }

    /** Row 8 under REPORT: an open record about the VSRX version "vsrx edit 1". */
    private ConflictRecord removedAndReported(VsrxFileId f) {
        store().silknoteUser().remove(DocumentUuid.forVsrxFile(f));
        fx.vsrx.modifyFile(f, "vsrx edit 1");
        assertThat(EngineFixture.action(fx.run(), f)).isEqualTo(FileAction.CONFLICT);
        return onlyRecord();
    }

    @Test
    @DisplayName("§4 row 7 with an open row 8 record (VSRX reverted its change): the removal is propagated and the "
            + "record superseded; the VSRX version only it held is collected")
    void removalSupersedesTheRecordOfARevertedVsrxChange() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 4).get(0);
        ConflictRecord older = removedAndReported(f);
        fx.vsrx.modifyFile(f, "note 0");

        SyncResult r = fx.run();

        assertThat(EngineFixture.action(r, f)).isEqualTo(FileAction.DELETED);
        assertThat(fx.vsrx.findFile(f).orElseThrow().deleted()).isTrue();
        assertSuperseded(older);
        assertCollected(TestHashes.sha256("vsrx edit 1"));
    }

    @Test
    @DisplayName("rule 10 / §4 row 7: the open record released by a rival after the plan: the removal's commit is "
            + "refused")
    void removalRefusedWhenARivalReleasesTheRecord() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 4).get(0);
        ConflictRecord older = removedAndReported(f);
        fx.vsrx.modifyFile(f, "note 0");
        ConflictRecord[] rival = new ConflictRecord[1];
        AtomicBoolean edited = afterTheRecordsAreRead(() -> rival[0] = releasedByARival(older));

        assertRefusedForTheRival(fx.run(), f, edited, rival);
    }

    @Test
    @DisplayName("§4 row 8 REPORT with an older open record: a new record is opened, the older one superseded")
    void removedReportSupersedesTheOlderRecord() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 4).get(0);
        ConflictRecord older = removedReportedThenChangedAgainInVsrx(f);

        SyncResult r = fx.run();

        assertThat(EngineFixture.action(r, f)).isEqualTo(FileAction.CONFLICT);
        assertSuperseded(older);
        ConflictRecord newer = newRecord(older);
        assertThat(newer.status()).isEqualTo(ConflictStatus.OPEN);
        assertThat(newer.vsrxHash()).contains(TestHashes.sha256("vsrx edit 2"));
        assertCollected(TestHashes.sha256("vsrx edit 1"));
        assertThat(refs(TestHashes.sha256("vsrx edit 2"))).as("held by the new record").isEqualTo(1);
    }

    @Test
    @DisplayName("rule 10 / §4 row 8 REPORT: the older record released by a rival after the plan: no new record")
    void removedReportRefusedWhenARivalReleasesTheOlderRecord() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 4).get(0);
        ConflictRecord older = removedReportedThenChangedAgainInVsrx(f);
        ConflictRecord[] rival = new ConflictRecord[1];
        AtomicBoolean edited = afterTheRecordsAreRead(() -> rival[0] = releasedByARival(older));

        assertRefusedForTheRival(fx.run(), f, edited, rival);
        assertThat(store().allConflicts()).hasSize(1);
    }

    @Test
    @DisplayName("§4 row 8 reported, then VSRX_WINS switched on: the same record is decided (not superseded) and what "
            + "it held is released once")
    void removedReportedThenVsrxWinsDecidesTheSameRecord() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 4).get(0);
        ConflictRecord reported = removedAndReported(f);
        bidirectional(ConflictStrategy.VSRX_WINS);

        SyncResult r = fx.run();

        assertThat(EngineFixture.action(r, f)).isEqualTo(FileAction.CREATED);
        ConflictRecord decided = onlyRecord();
        assertThat(decided.id()).isEqualTo(reported.id());
        assertThat(decided.status()).isEqualTo(ConflictStatus.APPLIED);
        assertThat(decided.detail()).contains("conflict:vsrx-wins");
        assertThat(audit(reported.document(), AuditAction.CONFLICT_RESOLVED)).as("not closed as superseded").isEmpty();
        assertThat(refs(TestHashes.sha256("vsrx edit 1"))).as("the document's only").isEqualTo(1);
    }

    @Test
    @DisplayName("rule 10 / §4 row 8 VSRX_WINS: the reported record released by a rival after the plan: the document "
            + "is not brought back")
    void removedVsrxWinsRefusedWhenARivalReleasesTheRecord() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 4).get(0);
        ConflictRecord reported = removedAndReported(f);
        bidirectional(ConflictStrategy.VSRX_WINS);
        ConflictRecord[] rival = new ConflictRecord[1];
        AtomicBoolean edited = afterTheRecordsAreRead(() -> rival[0] = releasedByARival(reported));

        assertRefusedForTheRival(fx.run(), f, edited, rival);
        assertThat(store().findDocument(DocumentUuid.forVsrxFile(f))).isEmpty();
    }

    @Test
    @DisplayName("§4 row 8 reported, then SILKNOTE_WINS switched on: the same record is decided (not superseded), the "
            + "VSRX version held once")
    void removedReportedThenSilknoteWinsDecidesTheSameRecord() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 4).get(0);
        ConflictRecord reported = removedAndReported(f);
        bidirectional(ConflictStrategy.SILKNOTE_WINS);

        SyncResult r = fx.run();

        assertThat(EngineFixture.action(r, f)).isEqualTo(FileAction.DELETED);
        assertThat(fx.vsrx.findFile(f).orElseThrow().deleted()).isTrue();
        ConflictRecord decided = onlyRecord();
        assertThat(decided.status()).isEqualTo(ConflictStatus.APPLIED);
        assertThat(decided.keptHash()).contains(TestHashes.sha256("vsrx edit 1"));
        assertThat(audit(reported.document(), AuditAction.CONFLICT_RESOLVED)).as("not closed as superseded").isEmpty();
        assertThat(refs(TestHashes.sha256("vsrx edit 1"))).as("held by the record once").isEqualTo(1);
    }

    @Test
    @DisplayName("rule 10 / §4 row 8 SILKNOTE_WINS: the reported record released by a rival after the plan: the VSRX "
            + "file is not marked deleted")
    void removedSilknoteWinsRefusedWhenARivalReleasesTheRecord() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 4).get(0);
        ConflictRecord reported = removedAndReported(f);
        bidirectional(ConflictStrategy.SILKNOTE_WINS);
        ConflictRecord[] rival = new ConflictRecord[1];
        AtomicBoolean edited = afterTheRecordsAreRead(() -> rival[0] = releasedByARival(reported));

        assertRefusedForTheRival(fx.run(), f, edited, rival);
        assertThat(fx.vsrx.findFile(f).orElseThrow().deleted()).as("VSRX keeps the file").isFalse();
    }

    @Test
    @DisplayName("§4 row 4c reported, then SILKNOTE_WINS switched on: the same record is decided (not superseded); "
            + "each version referenced once")
    void reportedThenSilknoteWinsDecidesTheSameRecord() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 1).get(0);
        fx.vsrx.modifyFile(f, "vsrx edit 1");
        userEdits(f, "silknote edit");
        assertThat(EngineFixture.action(fx.run(), f)).isEqualTo(FileAction.CONFLICT);
        ConflictRecord reported = onlyRecord();
        bidirectional(ConflictStrategy.SILKNOTE_WINS);

        SyncResult r = fx.run();

        assertThat(EngineFixture.action(r, f)).isEqualTo(FileAction.UPDATED);
        assertThat(fx.vsrx.contentHash(f)).isEqualTo(TestHashes.sha256("silknote edit"));
        ConflictRecord decided = onlyRecord();
        assertThat(decided.status()).isEqualTo(ConflictStatus.APPLIED);
        assertThat(audit(reported.document(), AuditAction.CONFLICT_RESOLVED)).as("not closed as superseded").isEmpty();
        assertThat(refs(TestHashes.sha256("vsrx edit 1"))).as("held by the record").isEqualTo(1);
        assertThat(refs(TestHashes.sha256("silknote edit"))).as("the mapping's").isEqualTo(1);
    }

    @Test
    @DisplayName("§4 row 4c reported, then the user makes the same change as VSRX: the sides converged, the record is "
            + "superseded and its bytes released")
    void reportedThenConvergedSupersedesTheRecord() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 1).get(0);
        fx.vsrx.modifyFile(f, "vsrx edit 1");
        userEdits(f, "silknote edit");
        fx.run();
        ConflictRecord reported = onlyRecord();
        userEdits(f, "vsrx edit 1");

        SyncResult r = fx.run();

        assertThat(EngineFixture.action(r, f)).isEqualTo(FileAction.METADATA_ONLY);
        assertThat(EngineFixture.file(r, f).detail()).contains("same-change-on-both-sides");
        assertSuperseded(reported);
        assertCollected(TestHashes.sha256("silknote edit"));
        assertThat(refs(TestHashes.sha256("vsrx edit 1"))).as("the mapping's").isEqualTo(1);
    }

    @Test
    @DisplayName("rule 10 / §4 row 4b: the open record released by a rival after the plan: the converge is refused")
    void convergeRefusedWhenARivalReleasesTheRecord() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 1).get(0);
        fx.vsrx.modifyFile(f, "vsrx edit 1");
        userEdits(f, "silknote edit");
        fx.run();
        ConflictRecord reported = onlyRecord();
        userEdits(f, "vsrx edit 1");
        ConflictRecord[] rival = new ConflictRecord[1];
        AtomicBoolean edited = afterTheRecordsAreRead(() -> rival[0] = releasedByARival(reported));

        assertRefusedForTheRival(fx.run(), f, edited, rival);
    }

    @Test
    @DisplayName("rule 10 / §4: a record whose sides no longer conflict, released by a rival after the plan: not "
            + "superseded over the rival's release")
    void supersedeRefusedWhenARivalReleasesTheRecord() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 1).get(0);
        fx.vsrx.modifyFile(f, "vsrx edit 1");
        userEdits(f, "silknote edit");
        fx.run();
        ConflictRecord reported = onlyRecord();
        userEdits(f, "note 0"); // the user reverts
        ConflictRecord[] rival = new ConflictRecord[1];
        AtomicBoolean edited = afterTheRecordsAreRead(() -> rival[0] = releasedByARival(reported));

        assertRefusedForTheRival(fx.run(), f, edited, rival);
    }

    /** Row 6 under REPORT: VSRX deleted the file, the user changed the document; an open record. */
    private ConflictRecord deletedInVsrxAndReported(VsrxFileId f) {
        userEdits(f, "silknote edit 1");
        fx.vsrx.deleteFile(f);
        assertThat(EngineFixture.action(fx.run(), f)).isEqualTo(FileAction.CONFLICT);
        return onlyRecord();
    }

    @Test
    @DisplayName("§4 row 6 SILKNOTE_WINS with an older open record (the user edited again): the document is written "
            + "again, the older record superseded")
    void deletedInVsrxSilknoteWinsSupersedesTheOlderRecord() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 1).get(0);
        ConflictRecord older = deletedInVsrxAndReported(f);
        userEdits(f, "silknote edit 2");
        bidirectional(ConflictStrategy.SILKNOTE_WINS);

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertSuperseded(older);
        ConflictRecord applied = newRecord(older);
        assertThat(applied.status()).isEqualTo(ConflictStatus.APPLIED);
        VsrxFileId again = store().findDocument(DocumentUuid.forVsrxFile(f)).orElseThrow().clientFileId();
        assertThat(again).isNotEqualTo(f);
        assertThat(fx.vsrx.contentHash(again)).isEqualTo(TestHashes.sha256("silknote edit 2"));
        assertCollected(TestHashes.sha256("silknote edit 1"));
    }

    // ---- row 11 (a Silknote-created document and a file written for it with other bytes) ----------------------

    private ContentHash stored(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ContentHash h = TestHashes.sha256(text);
        fx.silknote.blobs().putIfAbsent(new BlobUpload(h, bytes.length, "text/plain",
                () -> new ByteArrayInputStream(bytes)));
        return h;
    }

    private AuthoredDocument row11(FilesetId fs, VsrxFileId[] file) {
        ContentHash s = stored("silknote version");
        AuthoredDocument a = new AuthoredDocument(new DocumentUuid(UUID.randomUUID()), EngineFixture.patient("P-1"),
                Optional.of(fs), s, "silknote version".length(), "text/plain", Optional.of("Brief"), "SILKNOTE",
                "ungrouped", fx.clock.instant());
        store().createDocumentAsSilknoteUser(a);
        byte[] v = "vsrx version 1".getBytes(StandardCharsets.UTF_8);
        file[0] = fx.vsrx.createFile(FencingToken.of(1), IdempotencyKey.create(a.uuid()),
                new NewVsrxFile(fs, "notes/silknote/Brief-" + a.uuid().value().toString().substring(0, 8) + ".txt",
                        "text/plain", a.uuid()),
                new BlobUpload(TestHashes.sha256("vsrx version 1"), v.length, "text/plain",
                        () -> new ByteArrayInputStream(v))).file().id();
        return a;
    }

    /** Row 11 under REPORT: an open record about "vsrx version 1". */
    private ConflictRecord row11Reported(FilesetId fs, VsrxFileId[] f, AuthoredDocument[] a) {
        bidirectional(ConflictStrategy.REPORT);
        a[0] = row11(fs, f);
        assertThat(EngineFixture.action(fx.run(), f[0])).isEqualTo(FileAction.CONFLICT);
        return onlyRecord();
    }

    @Test
    @DisplayName("§4 row 11 reported, then VSRX_WINS switched on: the same record is decided (not superseded); each "
            + "version referenced once")
    void row11ReportedThenVsrxWinsDecidesTheSameRecord() {
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId[] f = new VsrxFileId[1];
        AuthoredDocument[] a = new AuthoredDocument[1];
        ConflictRecord reported = row11Reported(fs, f, a);
        bidirectional(ConflictStrategy.VSRX_WINS);

        SyncResult r = fx.run();

        assertThat(EngineFixture.action(r, f[0])).isEqualTo(FileAction.UPDATED);
        assertThat(onlyRecord().status()).isEqualTo(ConflictStatus.APPLIED);
        assertThat(audit(reported.document(), AuditAction.CONFLICT_RESOLVED)).as("not closed as superseded").isEmpty();
        assertThat(refs(TestHashes.sha256("vsrx version 1"))).as("the mapping's").isEqualTo(1);
        assertThat(refs(TestHashes.sha256("silknote version"))).as("held by the record").isEqualTo(1);
    }

    @Test
    @DisplayName("§4 row 11 reported, then SILKNOTE_WINS switched on: the same record is decided (not superseded); "
            + "each version referenced once")
    void row11ReportedThenSilknoteWinsDecidesTheSameRecord() {
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId[] f = new VsrxFileId[1];
        AuthoredDocument[] a = new AuthoredDocument[1];
        ConflictRecord reported = row11Reported(fs, f, a);
        bidirectional(ConflictStrategy.SILKNOTE_WINS);

        SyncResult r = fx.run();

        assertThat(EngineFixture.action(r, f[0])).isEqualTo(FileAction.UPDATED);
        assertThat(fx.vsrx.contentHash(f[0])).isEqualTo(TestHashes.sha256("silknote version"));
        assertThat(onlyRecord().status()).isEqualTo(ConflictStatus.APPLIED);
        assertThat(audit(reported.document(), AuditAction.CONFLICT_RESOLVED)).as("not closed as superseded").isEmpty();
        assertThat(refs(TestHashes.sha256("vsrx version 1"))).as("held by the record").isEqualTo(1);
        assertThat(refs(TestHashes.sha256("silknote version"))).as("the mapping's").isEqualTo(1);
    }

    private ConflictRecord row11ReportedThenChangedAgainInVsrx(FilesetId fs, VsrxFileId[] f, AuthoredDocument[] a) {
        ConflictRecord older = row11Reported(fs, f, a);
        fx.vsrx.modifyFile(f[0], "vsrx version 2");
        return older;
    }

    private void row11WithAnOlderRecord(ConflictStrategy strategy, FileAction expected) {
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId[] f = new VsrxFileId[1];
        AuthoredDocument[] a = new AuthoredDocument[1];
        ConflictRecord older = row11ReportedThenChangedAgainInVsrx(fs, f, a);
        bidirectional(strategy);

        SyncResult r = fx.run();

        assertThat(EngineFixture.action(r, f[0])).isEqualTo(expected);
        assertSuperseded(older);
        assertThat(newRecord(older).vsrxHash()).contains(TestHashes.sha256("vsrx version 2"));
        assertCollected(TestHashes.sha256("vsrx version 1"));
    }

    @Test
    @DisplayName("§4 row 11 REPORT with an older open record (VSRX changed the file again): a new record, the older "
            + "superseded")
    void row11ReportSupersedesTheOlderRecord() {
        row11WithAnOlderRecord(ConflictStrategy.REPORT, FileAction.CONFLICT);
    }

    @Test
    @DisplayName("§4 row 11 VSRX_WINS with an older open record: the older record superseded")
    void row11VsrxWinsSupersedesTheOlderRecord() {
        row11WithAnOlderRecord(ConflictStrategy.VSRX_WINS, FileAction.UPDATED);
    }

    @Test
    @DisplayName("§4 row 11 SILKNOTE_WINS with an older open record: the older record superseded")
    void row11SilknoteWinsSupersedesTheOlderRecord() {
        row11WithAnOlderRecord(ConflictStrategy.SILKNOTE_WINS, FileAction.UPDATED);
    }

    private void row11RefusedWhenARivalReleasesTheOlderRecord(ConflictStrategy strategy) {
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId[] f = new VsrxFileId[1];
        AuthoredDocument[] a = new AuthoredDocument[1];
        ConflictRecord older = row11ReportedThenChangedAgainInVsrx(fs, f, a);
        bidirectional(strategy);
        ConflictRecord[] rival = new ConflictRecord[1];
        AtomicBoolean edited = afterTheRecordsAreRead(() -> rival[0] = releasedByARival(older));

        assertRefusedForTheRival(fx.run(), f[0], edited, rival);
        assertThat(store().allConflicts()).hasSize(1);
        assertThat(fx.vsrx.contentHash(f[0])).isEqualTo(TestHashes.sha256("vsrx version 2"));
    }

    @Test
    @DisplayName("rule 10 / §4 row 11 REPORT: the older record released by a rival after the plan: refused")
    void row11ReportRefusedWhenARivalReleasesTheOlderRecord() {
        row11RefusedWhenARivalReleasesTheOlderRecord(ConflictStrategy.REPORT);
    }

    @Test
    @DisplayName("rule 10 / §4 row 11 VSRX_WINS: the older record released by a rival after the plan: refused")
    void row11VsrxWinsRefusedWhenARivalReleasesTheOlderRecord() {
        row11RefusedWhenARivalReleasesTheOlderRecord(ConflictStrategy.VSRX_WINS);
    }

    @Test
    @DisplayName("rule 10 / §4 row 11 SILKNOTE_WINS: the older record released by a rival after the plan: nothing is "
            + "written to VSRX")
    void row11SilknoteWinsRefusedWhenARivalReleasesTheOlderRecord() {
        row11RefusedWhenARivalReleasesTheOlderRecord(ConflictStrategy.SILKNOTE_WINS);
    }

    @Test
    @DisplayName("§4 row 11 reported, then VSRX holds the Silknote bytes: linked, the record resolved as superseded and "
            + "audited so")
    void row11ConvergedIsLinkedAndTheRecordSuperseded() {
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId[] f = new VsrxFileId[1];
        AuthoredDocument[] a = new AuthoredDocument[1];
        ConflictRecord reported = row11Reported(fs, f, a);
        fx.vsrx.modifyFile(f[0], "silknote version");

        SyncResult r = fx.run();

        assertThat(EngineFixture.action(r, f[0])).isEqualTo(FileAction.METADATA_ONLY);
        assertThat(store().findDocument(a[0].uuid()).orElseThrow().clientFileId()).isEqualTo(f[0]);
        ConflictRecord now = onlyRecord();
        assertThat(now.status()).isEqualTo(ConflictStatus.RESOLVED);
        assertThat(now.heldHashes()).isEmpty();
        assertThat(audit(a[0].uuid(), AuditAction.CONFLICT_RESOLVED)).singleElement()
                .satisfies(e -> assertThat(e.detail().orElseThrow()).contains("superseded", reported.id().value()));
        assertCollected(TestHashes.sha256("vsrx version 1"));
    }

    @Test
    @DisplayName("rule 10 / §4 row 11: the record released by a rival after the plan: the converged link is refused")
    void row11ConvergedLinkRefusedWhenARivalReleasesTheRecord() {
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId[] f = new VsrxFileId[1];
        AuthoredDocument[] a = new AuthoredDocument[1];
        ConflictRecord reported = row11Reported(fs, f, a);
        fx.vsrx.modifyFile(f[0], "silknote version");
        ConflictRecord[] rival = new ConflictRecord[1];
        AtomicBoolean edited = afterTheRecordsAreRead(() -> rival[0] = releasedByARival(reported));

        assertRefusedForTheRival(fx.run(), f[0], edited, rival);
        assertThat(store().findDocument(a[0].uuid())).as("not linked").isEmpty();
    }

    @Test
    @DisplayName("rule 10 / §4 row 4c REPORT: the older record released by a rival after the plan: no new record")
    void reportRefusedWhenARivalReleasesTheOlderRecord() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 1).get(0);
        ConflictRecord older = reportedThenChangedAgainInVsrx(f);
        ConflictRecord[] rival = new ConflictRecord[1];
        AtomicBoolean edited = afterTheRecordsAreRead(() -> rival[0] = releasedByARival(older));

        assertRefusedForTheRival(fx.run(), f, edited, rival);
        assertThat(store().allConflicts()).hasSize(1);
    }

    // ---- the older record's bytes are released once, also when another document holds the same bytes --------

    /**
     * Another linked file of the fileset holds {@code text} (so its bytes have a second reference), and the
     * collector is held off, so the counts read after the run are the engine's own, not the store's recount.
     */
    private VsrxFileId anotherFileHolding(FilesetId fs, String text) {
        fx.config(c -> c.blobGracePeriod(java.time.Duration.ofDays(1)));
        return fx.text(fs, "same-bytes.txt", text);
    }

    @Test
    @DisplayName("§4 row 4c VSRX_WINS with an older open record: what the older record held is released once; "
            + "another document's reference to the same bytes stays")
    void vsrxWinsReleasesTheOlderRecordsBytesOnce() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        anotherFileHolding(fs, "vsrx edit 1");
        VsrxFileId f = linked(fs, 1).get(0);
        ConflictRecord older = reportedThenChangedAgainInVsrx(f);
        bidirectional(ConflictStrategy.VSRX_WINS);

        assertThat(fx.run().success()).isTrue();

        assertSuperseded(older);
        assertThat(refs(TestHashes.sha256("vsrx edit 1"))).as("the other document's").isEqualTo(1);
    }

    @Test
    @DisplayName("§4 row 8 VSRX_WINS with an older open record: what the older record held is released once; "
            + "another document's reference to the same bytes stays")
    void removedVsrxWinsReleasesTheOlderRecordsBytesOnce() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        anotherFileHolding(fs, "vsrx edit 1");
        VsrxFileId f = linked(fs, 4).get(0);
        ConflictRecord older = removedReportedThenChangedAgainInVsrx(f);
        bidirectional(ConflictStrategy.VSRX_WINS);

        assertThat(fx.run().success()).isTrue();

        assertSuperseded(older);
        assertThat(refs(TestHashes.sha256("vsrx edit 1"))).as("the other document's").isEqualTo(1);
    }

    @Test
    @DisplayName("§4 row 6 SILKNOTE_WINS with an older open record: what the older record held is released once; "
            + "another document's reference to the same bytes stays")
    void deletedInVsrxSilknoteWinsReleasesTheOlderRecordsBytesOnce() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        anotherFileHolding(fs, "silknote edit 1");
        VsrxFileId f = linked(fs, 1).get(0);
        ConflictRecord older = deletedInVsrxAndReported(f);
        userEdits(f, "silknote edit 2");
        bidirectional(ConflictStrategy.SILKNOTE_WINS);

        assertThat(fx.run().success()).isTrue();

        assertSuperseded(older);
        assertThat(refs(TestHashes.sha256("silknote edit 1"))).as("the other document's").isEqualTo(1);
    }
}
