package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VectorEntry;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.ContentSource;
import com.silknote.sync.core.port.DocumentProcessor;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.testkit.InMemoryFilesetClaims;
import com.silknote.sync.testkit.TestHashes;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * DESIGN rule 10 ("two runs can never ... undo each other") and §2.6 in scale-out: the workers of one run write
 * under the coordinator's one token, so the vector store's fencing does not order their post-commit work. A
 * worker still processing older content of a document must not leave its entries over those another worker
 * computed from the content the document has now.
 */
class ScaleOutProcessingOrderTest {
    private static final Duration TTL = Duration.ofSeconds(30);

    private final EngineFixture fx = new EngineFixture().config(c -> c.filesetConcurrency(1).lockTtl(TTL)
            .maxOutboxAttempts(5));
    private final InMemoryFilesetClaims claims = fx.silknote.claims();

    private VsrxSync worker(DocumentProcessor processor, long seed) {
        return VsrxSync.builder().source(fx.source).documents(fx.documents).blobs(fx.blobs).vectors(fx.vectors)
                .processor(processor).lock(fx.lock).claims(claims).config(fx.config).clock(fx.clock)
                .sleeper(fx.clock).random(new SplittableRandom(seed)).build();
    }

    private static List<ContentHash> processedFrom(List<VectorEntry> entries) {
        return entries.stream().map(VectorEntry::contentHash).distinct().toList();
    }

    @Test
    @DisplayName("rule 10 / §2.6 scale-out: a worker paused in its processing past its claim does not leave the"
            + " entries of the older content over those the worker that took the fileset over computed from the newer")
    void aWorkerPausedInItsProcessingDoesNotOverwriteTheNewHoldersEntries() {
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = fx.text(fs, "a.txt", "first version");
        pausedWhileTakenOver(fs, f, () -> fx.vsrx.modifyFile(f, "second version"));
        SilknoteDocument now = fx.documents.findDocument(DocumentUuid.forVsrxFile(f)).orElseThrow();
        assertThat(now.contentHash()).isEqualTo(TestHashes.sha256("second version"));
        assertThat(processedFrom(fx.vectors.entries(now.uuid())))
                .as("the document's entries are processed from its content")
                .containsExactly(TestHashes.sha256("second version"));
    }

    @Test
    @DisplayName("rule 10 / §2.6 scale-out: a worker paused in its processing past its claim leaves no entries of a"
            + " document the worker that took the fileset over deleted (its file was deleted in VSRX)")
    void aWorkerPausedInItsProcessingLeavesNoEntriesOfADeletedDocument() {
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = fx.text(fs, "a.txt", "first version");
        pausedWhileTakenOver(fs, f, () -> fx.vsrx.deleteFile(f));
        DocumentUuid doc = DocumentUuid.forVsrxFile(f);
        assertThat(fx.documents.findDocument(doc)).isEmpty();
        assertThat(fx.vectors.entries(doc)).as("no entries outlive their document").isEmpty();
    }

    /**
     * Worker A commits the file's first version and pauses in its processing; its claim expires, {@code change}
     * changes the file in VSRX, worker B claims the fileset and syncs it; then A goes on.
     */
    private void pausedWhileTakenOver(FilesetId fs, VsrxFileId f, Runnable change) {
        DocumentUuid doc = DocumentUuid.forVsrxFile(f);
        // the test holds the lock and opens a run with the fileset offered, as its coordinator
        SyncLock.Lease lease = fx.lock.tryAcquire(SyncConfig.LOCK_NAME, TTL, "coordinator").orElseThrow();
        RunId run = RunId.of("run-opened-by-the-test");
        claims.open(run, lease.token());
        claims.offer(run, List.of(fs));
        claims.allOffered(run);

        AtomicReference<SyncResult> b = new AtomicReference<>();
        AtomicBoolean paused = new AtomicBoolean();
        DocumentProcessor pausing = new DocumentProcessor() {
            @Override public void process(SilknoteDocument d, FencingToken t) {
                throw new UnsupportedOperationException();
            }
            @Override public void process(SilknoteDocument d, FencingToken t, ContentSource c) {
                if (d.uuid().equals(doc) && paused.compareAndSet(false, true)) {
                    claims.forceExpiry(run, fs);
                    change.run();
                    Thread other = new Thread(() -> b.set(worker(fx.silknote.processor(), 7).run(SyncRequest.full())));
                    other.start();
                    try {
                        other.join();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
                fx.silknote.processor().process(d, t, c);
            }
        };
        SyncResult a = worker(pausing, 3).run(SyncRequest.full());

        assertThat(paused).isTrue();
        assertThat(b.get().status()).isEqualTo(SyncResult.Status.JOINED);
        assertThat(a.status()).isEqualTo(SyncResult.Status.JOINED);
    }
}
