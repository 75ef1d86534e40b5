package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.BidirectionalConfig;
import com.silknote.sync.core.model.ConflictKind;
import com.silknote.sync.core.model.ConflictRecord;
import com.silknote.sync.core.model.ConflictStatus;
import com.silknote.sync.core.model.ConflictStrategy;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.IdempotencyKey;
import com.silknote.sync.core.model.SyncDirection;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxWriteResult;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 "Done when": delete propagation (docs/bidirectional.md §3 rows 7 and 8, §7) happens only when enabled,
 * only with {@code If-Match}, and under the same mass-delete guard as VSRX → Silknote deletes; VSRX never loses
 * bytes (a marked-deleted file stays listed) and a VSRX version that conflicts with a removal is kept.
 */
class DeletePropagationTest {
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

    private void userRemoves(VsrxFileId f) {
        fx.silknote.documents().silknoteUser().remove(DocumentUuid.forVsrxFile(f));
    }

    private static ContentHash sha256(String text) {
        try {
            return ContentHash.ofBytes(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private boolean deletedInVsrx(VsrxFileId f) {
        return fx.vsrx.findFile(f).orElseThrow().deleted();
    }

    @Test
    @DisplayName("issue 14 §7: with deletes off (the default) a Silknote removal never reaches VSRX")
    void deletesOffLeavesVsrxAlone() {
        bidirectional(false, ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 1).get(0);
        userRemoves(f);

        SyncResult r = fx.run();

        assertThat(deletedInVsrx(f)).isFalse();
        assertThat(EngineFixture.file(r, f).action()).isEqualTo(FileAction.CONFLICT);
        assertThat(EngineFixture.file(r, f).detail()).contains("document-removed-in-silknote");
    }

    @Test
    @DisplayName("issue 14 row 7: with deletes on, a removal marks the VSRX file deleted (If-Match), once")
    void removalIsPropagated() {
        bidirectional(true, ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        List<VsrxFileId> files = linked(fs, 4);
        VsrxFileId f = files.get(0);
        userRemoves(f);

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertThat(EngineFixture.file(r, f).action()).isEqualTo(FileAction.DELETED);
        assertThat(EngineFixture.file(r, f).detail()).contains("deleted-in-vsrx");
        assertThat(deletedInVsrx(f)).isTrue();
        assertThat(fx.vsrx.content(f)).as("VSRX keeps the bytes").isNotNull();
        assertThat(fx.silknote.documents().findMapping(f)).isEmpty();
        assertThat(files.subList(1, 4)).noneMatch(this::deletedInVsrx);

        SyncResult again = fx.run();
        assertThat(again.success()).isTrue();
        assertThat(fx.silknote.documents().allDocuments()).hasSize(3);
    }

    @Test
    @DisplayName("issue 14 §7 / DESIGN mass-delete guard: too many Silknote removals block the fileset; VSRX untouched")
    void guardBlocksMassRemoval() {
        bidirectional(true, ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        List<VsrxFileId> files = linked(fs, 5);
        files.subList(0, 3).forEach(this::userRemoves);

        SyncResult r = fx.run();

        assertThat(EngineFixture.fileset(r, fs).outcome()).isEqualTo(FilesetOutcome.MASS_DELETE_BLOCKED);
        assertThat(files).noneMatch(this::deletedInVsrx);
        assertThat(fx.silknote.documents().mappings(fs)).hasSize(5);
    }

    @Test
    @DisplayName("issue 14 §5.1: a file changed in VSRX between the listing and the delete is refused by If-Match; nothing deleted")
    void ifMatchProtectsAConcurrentVsrxChange() {
        bidirectional(true, ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 4).get(0);
        userRemoves(f);
        AtomicBoolean changed = new AtomicBoolean();
        fx.target = new BidirectionalScenarioTest.ForwardingTarget(fx.vsrx) {
            @Override
            public VsrxWriteResult markDeleted(FencingToken t, IdempotencyKey k, VsrxFileId id, String etag) {
                if (changed.compareAndSet(false, true)) {
                    fx.vsrx.modifyFile(id, "edited in vsrx meanwhile");
                }
                return super.markDeleted(t, k, id, etag);
            }
        };

        SyncResult first = fx.run();
        assertThat(EngineFixture.file(first, f).action()).isEqualTo(FileAction.FAILED);
        assertThat(deletedInVsrx(f)).isFalse();

        fx.target = fx.vsrx;
        SyncResult second = fx.run();
        assertThat(EngineFixture.file(second, f).action()).isEqualTo(FileAction.CONFLICT);
        assertThat(EngineFixture.file(second, f).detail()).contains(ConflictKind.REMOVED_IN_SILKNOTE.code());
        assertThat(deletedInVsrx(f)).isFalse();
    }

    @Test
    @DisplayName("issue 14 row 8 REPORT: removed in Silknote, changed in VSRX: nothing deleted, the VSRX version held")
    void removedHereChangedThereIsReported() {
        bidirectional(true, ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 1).get(0);
        userRemoves(f);
        fx.vsrx.modifyFile(f, "vsrx edit");

        SyncResult r = fx.run();

        assertThat(EngineFixture.file(r, f).action()).isEqualTo(FileAction.CONFLICT);
        assertThat(deletedInVsrx(f)).isFalse();
        ConflictRecord rec = fx.silknote.documents().allConflicts().values().iterator().next();
        assertThat(rec.status()).isEqualTo(ConflictStatus.OPEN);
        assertThat(rec.heldHashes()).containsExactly(sha256("vsrx edit"));
        assertThat(fx.silknote.documents().findBlobRef(sha256("vsrx edit")).orElseThrow().refCount()).isEqualTo(1);
    }

    @Test
    @DisplayName("issue 14 row 8 VSRX_WINS: the document comes back with the VSRX version")
    void removedHereChangedThereVsrxWins() {
        bidirectional(true, ConflictStrategy.VSRX_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 1).get(0);
        userRemoves(f);
        fx.vsrx.modifyFile(f, "vsrx edit");

        SyncResult r = fx.run();

        assertThat(EngineFixture.file(r, f).action()).isEqualTo(FileAction.CREATED);
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(f)).orElseThrow().contentHash())
                .isEqualTo(sha256("vsrx edit"));
        assertThat(deletedInVsrx(f)).isFalse();
        assertThat(EngineFixture.unchanged(fx.run(), f)).isTrue();
    }

    @Test
    @DisplayName("issue 14 row 8 SILKNOTE_WINS: the VSRX file is marked deleted; its last version is kept by the record")
    void removedHereChangedThereSilknoteWins() {
        bidirectional(true, ConflictStrategy.SILKNOTE_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        List<VsrxFileId> files = linked(fs, 4);
        VsrxFileId f = files.get(0);
        userRemoves(f);
        fx.vsrx.modifyFile(f, "vsrx edit");

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertThat(EngineFixture.file(r, f).action()).isEqualTo(FileAction.DELETED);
        assertThat(deletedInVsrx(f)).isTrue();
        ConflictRecord rec = fx.silknote.documents().allConflicts().values().iterator().next();
        assertThat(rec.status()).isEqualTo(ConflictStatus.APPLIED);
        assertThat(rec.keptHash()).contains(sha256("vsrx edit"));
        assertThat(fx.silknote.blobs().stat(sha256("vsrx edit"))).isPresent();
        assertThat(fx.silknote.documents().findBlobRef(sha256("vsrx edit")).orElseThrow().refCount()).isEqualTo(1);
    }
    @Test
    @DisplayName("issue 14 row 7: a propagated removal also purges the removed document's vectors")
    void removalPurgesTheVectors() {
        bidirectional(true, ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 4).get(0);
        DocumentUuid doc = DocumentUuid.forVsrxFile(f);
        assertThat(fx.silknote.vectors().entries(doc)).as("processed by the first run").isNotEmpty();
        userRemoves(f);

        assertThat(fx.run().success()).isTrue();

        assertThat(deletedInVsrx(f)).isTrue();
        assertThat(fx.silknote.vectors().entries(doc)).isEmpty();
    }

    @Test
    @DisplayName("issue 14 row 8 / §4: an operator keeps Silknote's side (the removal); the VSRX file is marked deleted "
            + "and the record, resolved, lets the VSRX version go")
    void removedHereChangedThereOperatorKeepsSilknote() {
        bidirectional(true, ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 4).get(0);
        userRemoves(f);
        fx.vsrx.modifyFile(f, "vsrx edit");
        assertThat(EngineFixture.file(fx.run(), f).action()).isEqualTo(FileAction.CONFLICT);
        ConflictRecord open = fx.silknote.documents().allConflicts().values().iterator().next();
        com.silknote.sync.core.SyncConflicts.builder().documents(fx.silknote.documents()).lock(fx.lock)
                .config(fx.config).clock(fx.clock).build().decide(open.id(), ConflictStrategy.SILKNOTE_WINS);

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertThat(EngineFixture.file(r, f).action()).isEqualTo(FileAction.DELETED);
        assertThat(EngineFixture.file(r, f).detail()).contains("conflict:operator-silknote-wins");
        assertThat(deletedInVsrx(f)).isTrue();
        ConflictRecord after = fx.silknote.documents().allConflicts().get(open.id());
        assertThat(after.status()).isEqualTo(ConflictStatus.RESOLVED);
        assertThat(after.heldHashes()).isEmpty();
        assertThat(fx.silknote.documents().findBlobRef(sha256("vsrx edit"))).as("the operator chose: released")
                .isEmpty();
        assertThat(fx.silknote.blobs().stat(sha256("vsrx edit"))).isEmpty();
        assertThat(fx.vsrx.content(f)).as("VSRX keeps the bytes of its marked-deleted file").isNotNull();
    }
}
