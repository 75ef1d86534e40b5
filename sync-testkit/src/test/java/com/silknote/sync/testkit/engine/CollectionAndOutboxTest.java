package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.action;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.OutboxEntry;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.DocumentProcessor;
import com.silknote.sync.testkit.TestHashes;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Issue 9 item 7: the blob grace period is honoured and the outbox never starves. */
class CollectionAndOutboxTest {
    private final EngineFixture fx = new EngineFixture();

    @Test
    @DisplayName("issue 9.7: a blob unreferenced for less than blobGracePeriod is kept; a later run collects it")
    void aReleasedBlobIsCollectedOnlyOnceTheGracePeriodIsOver() {
        fx.config(c -> c.blobGracePeriod(Duration.ofHours(1)));
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "first version");
        fx.run();
        ContentHash old = TestHashes.sha256("first version");
        fx.vsrx.modifyFile(a, "second version");

        SyncResult updated = fx.run();

        assertThat(action(updated, a)).isEqualTo(FileAction.UPDATED);
        assertThat(fx.silknote.blobs().rawBytes(old)).as("not yet due").isPresent();
        assertThat(fx.silknote.documents().findBlobRef(old).map(BlobRef::refCount)).contains(0L);
        assertThat(fx.silknote.documents().allPendingOutbox()).as("a collection not yet due is not left failing")
                .isEmpty();
        assertThat(fx.silknote.documents().parkedOutbox()).isEmpty();

        fx.clock.advance(Duration.ofMinutes(30));
        assertThat(fx.run().success()).isTrue();
        assertThat(fx.silknote.blobs().rawBytes(old)).as("30 minutes later").isPresent();

        fx.clock.advance(Duration.ofMinutes(31));
        assertThat(fx.run().success()).isTrue();
        assertThat(fx.silknote.blobs().rawBytes(old)).as("past the grace period").isEmpty();
        assertThat(fx.silknote.documents().findBlobRef(old)).isEmpty();
        assertThat(fx.silknote.blobs().rawBytes(TestHashes.sha256("second version"))).isPresent();
        fx.silknote.assertQuiescent();
    }

    @Test
    @DisplayName("issue 9.7: a blob referenced again within the grace period is never collected")
    void aBlobReferencedAgainWithinTheGracePeriodStays() {
        fx.config(c -> c.blobGracePeriod(Duration.ofHours(1)));
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "shared later");
        fx.text(fs, "b.txt", "b");
        fx.text(fs, "c.txt", "c");
        fx.run();
        fx.vsrx.deleteFile(a);
        fx.run();
        fx.clock.advance(Duration.ofMinutes(50));
        FilesetId other = fx.linkedFileset("P2");
        fx.text(other, "again.txt", "shared later");
        fx.run();
        fx.clock.advance(Duration.ofHours(2));

        fx.run();

        assertThat(fx.silknote.blobs().rawBytes(TestHashes.sha256("shared later"))).isPresent();
        fx.silknote.assertQuiescent();
    }

    @Test
    @DisplayName("issue 9.7: 600 failing outbox entries ahead of a good one do not starve it")
    void failingEntriesAtTheHeadOfTheOutboxDoNotStarveNewerOnes() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId bad = fx.text(fs, "bad.txt", "processing always fails");
        VsrxFileId good = fx.text(fs, "good.txt", "processing works");
        fx.run();
        DocumentUuid badDoc = DocumentUuid.forVsrxFile(bad);
        DocumentUuid goodDoc = DocumentUuid.forVsrxFile(good);
        ContentHash badHash = TestHashes.sha256("processing always fails");
        ContentHash goodHash = TestHashes.sha256("processing works");
        fx.silknote.documents().inUnitOfWork(FencingToken.of(1), u -> {
            for (int i = 0; i < 600; i++) {
                u.enqueue(OutboxEntry.pending(badDoc, OutboxEntry.Action.PROCESS, badHash, fx.clock.instant()));
            }
            u.enqueue(OutboxEntry.pending(goodDoc, OutboxEntry.Action.PROCESS, goodHash, fx.clock.instant()));
            return null;
        });
        DocumentProcessor real = fx.silknote.processor();
        fx.processor = (d, token) -> {
            if (d.uuid().equals(badDoc)) {
                throw new PermanentSyncException("processing refused");
            }
            real.process(d, token);
        };
        long before = fx.silknote.processor().processCount(goodDoc);

        fx.run();

        assertThat(fx.silknote.processor().processCount(goodDoc)).isEqualTo(before + 1);
        // every failing entry was attempted (by the recovery drain and again by the final one), none skipped
        assertThat(fx.silknote.documents().allPendingOutbox()).hasSize(600)
                .allSatisfy(e -> assertThat(e.attempts()).isEqualTo(2));
    }
}
