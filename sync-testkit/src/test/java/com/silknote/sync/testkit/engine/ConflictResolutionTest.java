package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.SyncConflicts;
import com.silknote.sync.core.exception.ConcurrentUpdateException;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.BidirectionalConfig;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ConflictId;
import com.silknote.sync.core.model.ConflictRecord;
import com.silknote.sync.core.model.ConflictStatus;
import com.silknote.sync.core.model.ConflictStrategy;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.OutboxEntry;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncDirection;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.SyncLock;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: an operator resolves conflicts with {@link SyncConflicts} (the library API behind
 * {@code vsrx-sync conflicts list|resolve}): a decision on an open record is applied by the next sync like the
 * matching strategy; releasing an applied record lets the loser's bytes go; nothing is released before.
 */
class ConflictResolutionTest {
    private final EngineFixture fx = new EngineFixture();

    private void bidirectional(ConflictStrategy strategy) {
        fx.config(c -> c.bidirectional(BidirectionalConfig.builder().direction(SyncDirection.BIDIRECTIONAL)
                .conflictStrategy(strategy).build()));
        fx.target = fx.vsrx;
    }

    private SyncConflicts conflicts() {
        return SyncConflicts.builder().documents(fx.silknote.documents()).lock(fx.lock).config(fx.config)
                .clock(fx.clock).build();
    }

    private static ContentHash sha256(String text) {
        try {
            return ContentHash.ofBytes(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A linked file changed on both sides, synced once (so a record exists); returns the file. */
    private VsrxFileId conflicting(FilesetId fs) {
        VsrxFileId f = fx.text(fs, "befund.txt", "base");
        fx.run();
        fx.vsrx.modifyFile(f, "vsrx edit");
        byte[] bytes = "silknote edit".getBytes(StandardCharsets.UTF_8);
        fx.silknote.blobs().putIfAbsent(new BlobUpload(sha256("silknote edit"), bytes.length, "text/plain",
                () -> new ByteArrayInputStream(bytes)));
        fx.silknote.documents().silknoteUser().replaceContent(DocumentUuid.forVsrxFile(f), sha256("silknote edit"),
                bytes.length, "text/plain");
        fx.run();
        return f;
    }

    private ConflictRecord only() {
        assertThat(fx.silknote.documents().allConflicts()).hasSize(1);
        return fx.silknote.documents().allConflicts().values().iterator().next();
    }

    private long refs(ContentHash h) {
        return fx.silknote.documents().findBlobRef(h).map(r -> r.refCount()).orElse(0L);
    }

    @Test
    @DisplayName("issue 14 §4: an operator keeps VSRX's version; the next sync applies it and resolves the record")
    void operatorKeepsVsrx() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = conflicting(fs);
        ConflictRecord open = only();
        assertThat(conflicts().list(false, Optional.empty(), 10).items()).containsExactly(open);

        ConflictRecord decided = conflicts().decide(open.id(), ConflictStrategy.VSRX_WINS);
        assertThat(decided.decision()).contains(ConflictStrategy.VSRX_WINS);
        assertThat(refs(sha256("silknote edit"))).as("nothing released by the decision itself").isEqualTo(1);

        SyncResult r = fx.run();

        assertThat(EngineFixture.file(r, f).action()).isEqualTo(FileAction.UPDATED);
        assertThat(EngineFixture.file(r, f).detail()).contains("conflict:operator-vsrx-wins");
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(f)).orElseThrow().contentHash())
                .isEqualTo(sha256("vsrx edit"));
        assertThat(only().status()).isEqualTo(ConflictStatus.RESOLVED);
        assertThat(refs(sha256("silknote edit"))).as("the operator chose: the loser is released").isZero();
        assertThat(conflicts().list(false, Optional.empty(), 10).items()).isEmpty();
        assertThat(conflicts().list(true, Optional.empty(), 10).items()).hasSize(1);
    }

    @Test
    @DisplayName("issue 14 §4: an operator keeps Silknote's version; the next sync writes it to VSRX")
    void operatorKeepsSilknote() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = conflicting(fs);
        conflicts().decide(only().id(), ConflictStrategy.SILKNOTE_WINS);

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertThat(fx.vsrx.contentHash(f)).isEqualTo(sha256("silknote edit"));
        assertThat(only().status()).isEqualTo(ConflictStatus.RESOLVED);
        assertThat(EngineFixture.unchanged(fx.run(), f)).isTrue();
    }

    @Test
    @DisplayName("issue 14 §4: releasing an applied record lets the loser's bytes go, not before")
    void releaseAppliedRecord() {
        bidirectional(ConflictStrategy.VSRX_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        conflicting(fs);
        ConflictRecord applied = only();
        assertThat(applied.status()).isEqualTo(ConflictStatus.APPLIED);
        assertThat(refs(sha256("silknote edit"))).isEqualTo(1);

        ConflictRecord released = conflicts().release(applied.id());

        assertThat(released.status()).isEqualTo(ConflictStatus.RESOLVED);
        assertThat(refs(sha256("silknote edit"))).isZero();
        assertThat(conflicts().list(false, Optional.empty(), 10).items()).isEmpty();
    }

    @Test
    @DisplayName("issue 14 §4: wrong state, unknown id and a running sync are refused, changing nothing")
    void refusals() {
        bidirectional(ConflictStrategy.VSRX_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        conflicting(fs);
        ConflictRecord applied = only();
        assertThatThrownBy(() -> conflicts().decide(applied.id(), ConflictStrategy.SILKNOTE_WINS))
                .isInstanceOf(PermanentSyncException.class);
        assertThatThrownBy(() -> conflicts().release(ConflictId.derive("nothing")))
                .isInstanceOf(PermanentSyncException.class);
        assertThatThrownBy(() -> conflicts().decide(applied.id(), ConflictStrategy.NEWER_WINS))
                .isInstanceOf(IllegalArgumentException.class);
        try (SyncLock.Lease held = fx.lock.tryAcquire(SyncConfig.LOCK_NAME, Duration.ofMinutes(5)).orElseThrow()) {
            assertThatThrownBy(() -> conflicts().release(applied.id())).isInstanceOf(TransientSyncException.class);
        }
        assertThat(only()).isEqualTo(applied);
    }
    @Test
    @DisplayName("issue 14 §4: the list pages one record at a time (a limit of 1 is the smallest accepted)")
    void listPagesOneAtATime() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        conflicting(fs);

        assertThat(conflicts().list(true, Optional.empty(), 1).items()).containsExactly(only());
        assertThatThrownBy(() -> conflicts().list(true, Optional.empty(), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("issue 14 §4 / DESIGN §4 GC: a release that drops the loser's last reference queues its collection in "
            + "the same unit of work")
    void releaseQueuesTheCollectionOfTheLoser() {
        bidirectional(ConflictStrategy.VSRX_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        conflicting(fs);
        ContentHash s = sha256("silknote edit");
        assertThat(fx.silknote.documents().pendingOutbox(100))
                .noneMatch(e -> e.action() == OutboxEntry.Action.COLLECT_BLOB && e.contentHash().equals(s));

        conflicts().release(only().id());

        assertThat(refs(s)).isZero();
        assertThat(fx.silknote.documents().pendingOutbox(100)).filteredOn(e -> e.contentHash().equals(s))
                .singleElement().satisfies(e -> {
                    assertThat(e.action()).isEqualTo(OutboxEntry.Action.COLLECT_BLOB);
                    assertThat(e.document()).isEqualTo(only().document());
                });
        assertThat(fx.run().success()).isTrue();
        assertThat(fx.silknote.blobs().stat(s)).as("collected by the next run").isEmpty();
    }

    @Test
    @DisplayName("DESIGN rule 10 (never release a reference twice): two operators release the same record at once; "
            + "the second is refused and the bytes another document still uses stay")
    void concurrentReleaseIsRefused() {
        bidirectional(ConflictStrategy.VSRX_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId same = fx.text(fs, "kopie.txt", "silknote edit"); // another document with the loser's bytes
        conflicting(fs);
        ContentHash s = sha256("silknote edit");
        ConflictRecord applied = only();
        assertThat(refs(s)).as("the record's and the other document's").isEqualTo(2);
        java.util.concurrent.atomic.AtomicBoolean raced = new java.util.concurrent.atomic.AtomicBoolean();
        SyncConflicts operatorA = SyncConflicts.builder().documents(new DelegatingDocumentStore(fx.silknote.documents()) {
            @Override
            public Optional<ConflictRecord> findConflict(ConflictId id) {
                Optional<ConflictRecord> read = super.findConflict(id);
                if (raced.compareAndSet(false, true)) {
                    ConflictResolutionTest.this.conflicts().release(id); // operator B, between A's read and A's commit
                }
                return read;
            }
        }).lock(fx.lock).config(fx.config).clock(fx.clock).build();

        assertThatThrownBy(() -> operatorA.release(applied.id())).isInstanceOf(ConcurrentUpdateException.class);

        assertThat(raced).isTrue();
        assertThat(only().status()).isEqualTo(ConflictStatus.RESOLVED);
        assertThat(refs(s)).as("released once").isEqualTo(1);
        assertThat(fx.run().success()).isTrue();
        assertThat(fx.silknote.blobs().stat(s)).as("the other document's bytes").isPresent();
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(same)).orElseThrow().contentHash())
                .isEqualTo(s);
    }

    @Test
    @DisplayName("issue 14 §4: an operator keeps Silknote's version; the VSRX version the write replaced is released "
            + "and collected")
    void operatorKeepsSilknoteReleasesTheVsrxVersion() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        conflicting(fs);
        conflicts().decide(only().id(), ConflictStrategy.SILKNOTE_WINS);

        assertThat(fx.run().success()).isTrue();

        assertThat(only().status()).isEqualTo(ConflictStatus.RESOLVED);
        assertThat(refs(sha256("vsrx edit"))).as("the operator chose: the loser is released").isZero();
        assertThat(fx.silknote.blobs().stat(sha256("vsrx edit"))).isEmpty();
        assertThat(refs(sha256("silknote edit"))).as("the mapping's").isEqualTo(1);
    }

    @Test
    @DisplayName("issue 14 §4: SILKNOTE_WINS keeps the VSRX version with exactly one reference; releasing the record "
            + "lets it go")
    void silknoteWinsKeepsTheVsrxVersionOnce() {
        bidirectional(ConflictStrategy.SILKNOTE_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        conflicting(fs);
        ConflictRecord applied = only();
        assertThat(applied.keptHash()).contains(sha256("vsrx edit"));
        assertThat(refs(sha256("vsrx edit"))).isEqualTo(1);

        conflicts().release(applied.id());

        assertThat(refs(sha256("vsrx edit"))).isZero();
        assertThat(fx.run().success()).isTrue();
        assertThat(fx.silknote.blobs().stat(sha256("vsrx edit"))).isEmpty();
    }
}
