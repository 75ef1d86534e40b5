package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VectorEntry;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.testkit.TestHashes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * DESIGN rule 10 (correctness never rests on the lock alone) for the work after a commit: a holder paused
 * inside its outbox work while newer holders took over and processed newer content never undoes their
 * work when it resumes. Found by the randomized history test holding a runner at every port call.
 */
class StaleHolderSideEffectsTest {
    private final EngineFixture fx = new EngineFixture();

    @Test
    @DisplayName("rule 10: a paused holder's late vector work never undoes a newer holder's processing")
    void aPausedHoldersLateVectorWorkNeverUndoesNewerProcessing() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "version one");
        fx.run();
        fx.vsrx.modifyFile(a, "version two");
        DocumentUuid doc = DocumentUuid.forVsrxFile(a);
        VectorStore real = fx.vectors;
        AtomicBoolean paused = new AtomicBoolean();
        // Runner A is held right before its vector work for "version two"; meanwhile its lease expires, VSRX
        // moves on to "version three" and two newer runs sync and process it.
        fx.vectors = new DelegatingVectorStore(real) {
            @Override
            public int deleteByDocument(FencingToken token, DocumentUuid d) {
                if (d.equals(doc) && paused.compareAndSet(false, true)) {
                    fx.vsrx.modifyFile(a, "version three");
                    fx.clock.advance(fx.config.lockTtl().plusSeconds(1));
                    fx.silknote.lock().forceExpiry(SyncConfig.LOCK_NAME);
                    fx.vectors = real;
                    fx.run(); // B resumes A's interrupted run
                    fx.clock.advance(Duration.ofSeconds(30));
                    fx.run(); // C syncs and processes version three
                    assertThat(real.entries(doc)).extracting(VectorEntry::contentHash).as("C processed v3")
                            .containsOnly(TestHashes.sha256("version three"));
                }
                return super.deleteByDocument(token, d);
            }
        };

        SyncResult stale = fx.run();

        assertThat(paused).isTrue();
        assertThat(stale.success()).isFalse();
        assertThat(fx.silknote.documents().findDocument(doc).orElseThrow().contentHash())
                .isEqualTo(TestHashes.sha256("version three"));
        List<VectorEntry> entries = real.entries(doc);
        assertThat(entries).as("the newer holder's vector entries survive the stale holder").isNotEmpty();
        assertThat(entries).extracting(VectorEntry::contentHash).containsOnly(TestHashes.sha256("version three"));
    }

    /** Forwards every call; tests override single methods. */
    private static class DelegatingVectorStore implements VectorStore {
        private final VectorStore d;

        DelegatingVectorStore(VectorStore d) {
            this.d = d;
        }

        @Override public void fence(FencingToken token) { d.fence(token); }
        @Override public void replace(FencingToken token, DocumentUuid document, List<VectorEntry> entries) {
            d.replace(token, document, entries);
        }
        @Override public int deleteByDocument(FencingToken token, DocumentUuid document) {
            return d.deleteByDocument(token, document);
        }
        @Override public List<VectorEntry> entries(DocumentUuid document) { return d.entries(document); }
        @Override public com.silknote.sync.core.model.Page<DocumentUuid> documents(java.util.Optional<String> cursor,
                int limit) {
            return d.documents(cursor, limit);
        }
    }
}
