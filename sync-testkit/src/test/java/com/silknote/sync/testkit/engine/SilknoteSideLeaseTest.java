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
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.IdempotencyKey;
import com.silknote.sync.core.model.NewVsrxFile;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncDirection;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFile;
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
 * DESIGN rule 10 ("a run that loses its lease stops before its next write") on the Silknote side of
 * bi-directional sync (docs/bidirectional.md §5.1): the lease is checked with the lock before every VSRX write and
 * before every ledger commit. The lock is taken away from the run (expired, nobody else fenced VSRX or the ledger
 * yet, so only the run's own check can stop it) right before the Silknote side starts, or right after its VSRX
 * write; the run then writes nothing more, and the next run (holding the lock) finishes the work.
 */
class SilknoteSideLeaseTest {
    private final EngineFixture fx = new EngineFixture();

    private void bidirectional(boolean deletes, ConflictStrategy strategy) {
        fx.config(c -> c.bidirectional(BidirectionalConfig.builder().direction(SyncDirection.BIDIRECTIONAL)
                .deletes(deletes).conflictStrategy(strategy).build()));
        fx.target = fx.vsrx;
    }

    /** The lock expires when the Silknote side reads the fileset's conflict records (its first step), once. */
    private AtomicBoolean loseTheLockWhenTheSilknoteSideStarts() {
        AtomicBoolean lost = new AtomicBoolean();
        fx.documents = new DelegatingDocumentStore(fx.documents) {
            @Override
            public List<ConflictRecord> conflicts(FilesetId filesetId) {
                List<ConflictRecord> out = super.conflicts(filesetId);
                if (lost.compareAndSet(false, true)) {
                    fx.silknote.lock().forceExpiry(SyncConfig.LOCK_NAME);
                }
                return out;
            }
        };
        return lost;
    }

    /** The lock expires right after the run's first VSRX write (create or delete) went through. */
    private AtomicBoolean loseTheLockAfterTheVsrxWrite() {
        AtomicBoolean lost = new AtomicBoolean();
        fx.target = new BidirectionalScenarioTest.ForwardingTarget(fx.vsrx) {
            @Override
            public VsrxWriteResult createFile(FencingToken t, IdempotencyKey k, NewVsrxFile f, BlobUpload c) {
                VsrxWriteResult r = super.createFile(t, k, f, c);
                expire();
                return r;
            }

            @Override
            public VsrxWriteResult markDeleted(FencingToken t, IdempotencyKey k, VsrxFileId id, String etag) {
                VsrxWriteResult r = super.markDeleted(t, k, id, etag);
                expire();
                return r;
            }

            private void expire() {
                if (lost.compareAndSet(false, true)) {
                    fx.silknote.lock().forceExpiry(SyncConfig.LOCK_NAME);
                }
            }
        };
        return lost;
    }

    private List<VsrxFileId> linked(FilesetId fs, int n) {
        List<VsrxFileId> out = new java.util.ArrayList<>();
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

    private AuthoredDocument authored(FilesetId fs, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ContentHash h = TestHashes.sha256(text);
        fx.silknote.blobs().putIfAbsent(new BlobUpload(h, bytes.length, "text/plain",
                () -> new ByteArrayInputStream(bytes)));
        AuthoredDocument a = new AuthoredDocument(new DocumentUuid(UUID.randomUUID()), EngineFixture.patient("P-1"),
                Optional.of(fs), h, bytes.length, "text/plain", Optional.of("Brief"), "SILKNOTE", "ungrouped",
                fx.clock.instant());
        fx.silknote.documents().createDocumentAsSilknoteUser(a);
        return a;
    }

    /** Row 13: a file the sync wrote for a Silknote document that no longer exists. */
    private VsrxFileId writtenForARemovedDocument(FilesetId fs) {
        DocumentUuid gone = new DocumentUuid(UUID.nameUUIDFromBytes("gone".getBytes(StandardCharsets.UTF_8)));
        return fx.writtenByALostExport(fs, gone, "exported", "Brief-gone.txt");
    }

    private List<VsrxFile> filesWithOrigin(FilesetId fs, DocumentUuid origin) {
        return fx.vsrx.listedFiles(fs).stream().filter(f -> f.origin().equals(Optional.of(origin))).toList();
    }

    private SyncResult runThatLosesItsLock(AtomicBoolean lost) {
        long writes = fx.vsrx.writes();
        SyncResult r = fx.run();
        assertThat(lost).as("the lock was taken away").isTrue();
        assertThat(r.success()).as("a run that lost its lease does not succeed").isFalse();
        assertThat(fx.vsrx.writes()).as("rule 10: no VSRX write after the lease was lost").isEqualTo(writes);
        fx.documents = fx.silknote.documents();
        fx.target = fx.vsrx;
        return r;
    }

    @Test
    @DisplayName("rule 10, row 3: a run that lost its lease does not push a Silknote change to VSRX")
    void noPushAfterTheLeaseIsLost() {
        bidirectional(false, ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 1).get(0);
        ContentHash s = userEdits(f, "silknote edit");

        runThatLosesItsLock(loseTheLockWhenTheSilknoteSideStarts());

        assertThat(fx.vsrx.contentHash(f)).isEqualTo(TestHashes.sha256("note 0"));
        assertThat(fx.run().success()).isTrue();
        assertThat(fx.vsrx.contentHash(f)).as("the next run pushes it").isEqualTo(s);
    }

    @Test
    @DisplayName("rule 10, row 7: a run that lost its lease does not mark a VSRX file deleted")
    void noRemovalAfterTheLeaseIsLost() {
        bidirectional(true, ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 4).get(0);
        fx.silknote.documents().silknoteUser().remove(DocumentUuid.forVsrxFile(f));

        runThatLosesItsLock(loseTheLockWhenTheSilknoteSideStarts());

        assertThat(fx.vsrx.findFile(f).orElseThrow().deleted()).as("the patient's file stays").isFalse();
        assertThat(fx.run().success()).isTrue();
        assertThat(fx.vsrx.findFile(f).orElseThrow().deleted()).as("the next run propagates it").isTrue();
    }

    @Test
    @DisplayName("rule 10, row 6 SILKNOTE_WINS: a run that lost its lease does not create the file again")
    void noRecreationAfterTheLeaseIsLost() {
        bidirectional(false, ConflictStrategy.SILKNOTE_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 1).get(0);
        ContentHash s = userEdits(f, "silknote edit");
        fx.vsrx.deleteFile(f);

        runThatLosesItsLock(loseTheLockWhenTheSilknoteSideStarts());

        assertThat(filesWithOrigin(fs, DocumentUuid.forVsrxFile(f))).isEmpty();
        assertThat(fx.run().success()).isTrue();
        assertThat(filesWithOrigin(fs, DocumentUuid.forVsrxFile(f))).singleElement()
                .satisfies(x -> assertThat(fx.vsrx.contentHash(x.id())).isEqualTo(s));
    }

    @Test
    @DisplayName("rule 10, row 15: a run that lost its lease does not export a Silknote-created document")
    void noExportAfterTheLeaseIsLost() {
        bidirectional(false, ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        linked(fs, 1);
        AuthoredDocument a = authored(fs, "written in silknote");

        runThatLosesItsLock(loseTheLockWhenTheSilknoteSideStarts());

        assertThat(filesWithOrigin(fs, a.uuid())).isEmpty();
        assertThat(fx.run().success()).isTrue();
        assertThat(filesWithOrigin(fs, a.uuid())).hasSize(1);
    }

    @Test
    @DisplayName("rule 10, row 13: a run that lost its lease does not mark the file of a removed document deleted")
    void noOrphanDeleteAfterTheLeaseIsLost() {
        bidirectional(true, ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        linked(fs, 3);
        VsrxFileId f = writtenForARemovedDocument(fs);

        runThatLosesItsLock(loseTheLockWhenTheSilknoteSideStarts());

        assertThat(fx.vsrx.findFile(f).orElseThrow().deleted()).isFalse();
        assertThat(fx.run().success()).isTrue();
        assertThat(fx.vsrx.findFile(f).orElseThrow().deleted()).isTrue();
    }

    @Test
    @DisplayName("rule 10, row 7: the lease lost after the VSRX delete: the ledger commit is not made; the next run "
            + "finishes")
    void removalNotCommittedAfterTheLeaseIsLost() {
        bidirectional(true, ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 4).get(0);
        fx.silknote.documents().silknoteUser().remove(DocumentUuid.forVsrxFile(f));
        AtomicBoolean lost = loseTheLockAfterTheVsrxWrite();

        SyncResult r = fx.run();

        assertThat(lost).isTrue();
        assertThat(r.success()).isFalse();
        assertThat(fx.silknote.documents().findMapping(f)).as("no commit after the lease was lost").isPresent();
        fx.target = fx.vsrx;
        assertThat(fx.run().success()).isTrue();
        assertThat(fx.silknote.documents().findMapping(f)).isEmpty();
    }

    @Test
    @DisplayName("rule 10, row 15: the lease lost after the VSRX create: the link is not committed; the next run "
            + "links the same file")
    void exportNotLinkedAfterTheLeaseIsLost() {
        bidirectional(false, ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        linked(fs, 1);
        AuthoredDocument a = authored(fs, "written in silknote");
        AtomicBoolean lost = loseTheLockAfterTheVsrxWrite();

        SyncResult r = fx.run();

        assertThat(lost).isTrue();
        assertThat(r.success()).isFalse();
        assertThat(fx.silknote.documents().allAuthoredDocuments()).as("not linked by the stale run")
                .containsKey(a.uuid());
        fx.target = fx.vsrx;
        assertThat(fx.run().success()).isTrue();
        assertThat(filesWithOrigin(fs, a.uuid())).singleElement().satisfies(x -> assertThat(
                fx.silknote.documents().findDocument(a.uuid()).orElseThrow().clientFileId()).isEqualTo(x.id()));
    }

    @Test
    @DisplayName("rule 10, row 13: the lease lost after the VSRX delete of an orphaned file: nothing audited by the "
            + "stale run")
    void orphanDeleteNotAuditedAfterTheLeaseIsLost() {
        bidirectional(true, ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        linked(fs, 3);
        VsrxFileId f = writtenForARemovedDocument(fs);
        AtomicBoolean lost = loseTheLockAfterTheVsrxWrite();

        SyncResult r = fx.run();

        assertThat(lost).isTrue();
        assertThat(r.success()).isFalse();
        assertThat(fx.silknote.documents().auditTrail(com.silknote.sync.core.model.AuditQuery.byFileset(fs), 0, 100))
                .extracting(com.silknote.sync.core.model.AuditRecord::entry)
                .noneMatch(e -> e.action() == com.silknote.sync.core.model.AuditAction.DELETED_IN_VSRX);
    }

    @Test
    @DisplayName("DESIGN rule 10: a renewal due (a third of the TTL passed) right before the Silknote side's download "
            + "of a VSRX version, failing because the lock expired: the run stops before that download")
    void dueRenewalThatFailsStopsBeforeTheSilknoteSideDownload() {
        bidirectional(false, ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, 1).get(0);
        fx.vsrx.modifyFile(f, "vsrx edit");
        userEdits(f, "silknote edit");
        long downloads = fx.vsrx.downloads(f);
        AtomicBoolean lost = new AtomicBoolean();
        fx.documents = new DelegatingDocumentStore(fx.documents) {
            @Override
            public List<ConflictRecord> conflicts(FilesetId filesetId) {
                List<ConflictRecord> out = super.conflicts(filesetId);
                if (lost.compareAndSet(false, true)) {
                    fx.silknote.lock().forceExpiry(SyncConfig.LOCK_NAME);
                    fx.clock.advance(fx.config.lockTtl().dividedBy(2));
                }
                return out;
            }
        };

        SyncResult r = fx.run();

        assertThat(lost).isTrue();
        assertThat(r.success()).isFalse();
        assertThat(fx.vsrx.downloads(f)).as("no download after the lease was lost").isEqualTo(downloads);
        assertThat(fx.silknote.documents().allConflicts()).isEmpty();
    }
}
