package com.silknote.sync.testkit.history;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobPutResult;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.VectorEntry;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.history.HistoryVsrx.ShaClaim;
import com.silknote.sync.testkit.history.Step.RunKind;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The history checker is not vacuous: on Silknote stores broken on purpose, short fixed histories break the
 * invariant that guards against that breakage, whatever the engine does right.
 */
class HistoryCheckerTest {
    private static final int LAB_1 = 0;
    private static final int LETTER = 2;
    private static final FilesetId FS1 = FilesetId.of("fs-01");
    private static final VsrxFileId F1 = VsrxFileId.of("f-001");
    private static final VsrxFileId F2 = VsrxFileId.of("f-002");

    /** Stores whose ports are decorated by {@code broken}; the behind-the-back hooks stay the real ones. */
    private static RandomHistoryScenario scenario(Function<InMemorySilknoteStores, SilknoteStores> broken) {
        return new RandomHistoryScenario() {
            @Override
            protected SilknoteStores newStores(TestClock clock) {
                return broken.apply(new InMemorySilknoteStores(clock));
            }
        };
    }

    private static Step create(VsrxFileId id, int content) {
        return new Step.CreateFile(id, FS1, "notes/" + id + ".txt", HistoryContent.content(content).mime(), content,
                true, ShaClaim.NONE, OptionalLong.empty());
    }

    private static Step full() {
        return new Step.Run(RunKind.FULL, Optional.empty(), Optional.empty());
    }

    private static Invariant broken(RandomHistoryScenario scenario, List<Step> steps) {
        RandomHistoryScenario.Outcome o = scenario.replay(1, HistorySetup.defaults(), steps);
        assertThat(o.violation()).as("a violation").isPresent();
        return o.violation().get().invariant();
    }

    @Test
    @DisplayName("issue 9 item 2: a paused runner's write accepted after the other runner's is caught; refused ones are not")
    void staleWritesAreThoseAcceptedAfterTheNewerHoldersFirstWrite() {
        GatedDocumentStore.WriteLog log = new GatedDocumentStore.WriteLog();
        log.add("A", "completeOutbox", true);
        log.add("B", "commit", false);
        log.add("A", "commit", true);
        log.add("B", "commit", true);
        log.add("A", "commit", false);
        log.add("A", "recordRun", true);
        log.add("B", "recordRun", true);

        assertThat(log.acceptedAfter("A", "B")).extracting(GatedDocumentStore.WriteLog.Write::what)
                .containsExactly("recordRun");
        assertThat(log.acceptedAfter("B", "A")).extracting(GatedDocumentStore.WriteLog.Write::what)
                .containsExactly("commit", "recordRun");
    }

    @Test
    @DisplayName("rule 12: a blob store that loses an upload leaves a referenced blob missing")
    void blobStoreThatLosesUploads() {
        ContentHash lost = HistoryContent.content(LETTER).hash();
        RandomHistoryScenario s = scenario(real -> new Decorated(real) {
            @Override
            public BlobStore blobs() {
                return new LosingBlobStore(real.blobs(), lost);
            }
        });

        Invariant i = broken(s, List.of(new Step.CreateFileset(FS1, Optional.of("A")), create(F1, LETTER), full()));

        assertThat(i).isIn(Invariant.LIVE_FILE_HAS_ITS_DOCUMENT, Invariant.REFERENCE_COUNTS_AND_BLOBS,
                Invariant.NO_FAILURE_WITHOUT_CAUSE);
    }

    @Test
    @DisplayName("rule 5: a vector store that ignores deletes leaves vector entries of a deleted file")
    void vectorStoreThatKeepsEntries() {
        RandomHistoryScenario s = scenario(real -> new Decorated(real) {
            @Override
            public VectorStore vectors() {
                return new UndeletableVectorStore(real.vectors());
            }
        });

        Invariant i = broken(s, List.of(new Step.CreateFileset(FS1, Optional.of("A")), create(F1, LAB_1),
                create(F2, LETTER), full(), new Step.DeleteFiles(List.of(F1)), full()));

        assertThat(i).isEqualTo(Invariant.DELETED_FILE_LEAVES_NOTHING);
    }

    @Test
    @DisplayName("a failing history is shrunk to the steps that matter and replays to the same invariant")
    void shrinkKeepsTheInvariant() {
        RandomHistoryScenario s = scenario(real -> new Decorated(real) {
            @Override
            public VectorStore vectors() {
                return new UndeletableVectorStore(real.vectors());
            }
        });
        List<Step> noise = List.of(new Step.CreateFileset(FilesetId.of("fs-02"), Optional.of("B")),
                new Step.Advance(java.time.Duration.ofSeconds(3)), new Step.ClockDrift(java.time.Duration.ofSeconds(-4)));
        List<Step> steps = new java.util.ArrayList<>(noise);
        steps.addAll(List.of(new Step.CreateFileset(FS1, Optional.of("A")), create(F1, LAB_1), create(F2, LETTER),
                full(), new Step.Run(RunKind.DRY, Optional.empty(), Optional.empty()),
                new Step.DeleteFiles(List.of(F1)), full()));
        RandomHistoryScenario.Outcome failed = s.replay(7, HistorySetup.defaults(), steps);

        RandomHistoryScenario.Outcome shrunk = s.shrink(failed);

        assertThat(shrunk.violation().orElseThrow().invariant()).isEqualTo(Invariant.DELETED_FILE_LEAVES_NOTHING);
        assertThat(shrunk.steps()).hasSizeLessThan(steps.size()).doesNotContainAnyElementsOf(noise);
        assertThat(s.replay(7, HistorySetup.defaults(), shrunk.steps()).violation()).isEqualTo(shrunk.violation());
    }

    // ------------------------------------------------------------------ broken ports

    /** Forwards everything to the in-memory stores; tests override single ports. */
    private static class Decorated implements SilknoteStores {
        private final InMemorySilknoteStores real;

        Decorated(InMemorySilknoteStores real) {
            this.real = real;
        }

        @Override public DocumentStore documents() { return real.documents(); }
        @Override public BlobStore blobs() { return real.blobs(); }
        @Override public VectorStore vectors() { return real.vectors(); }
        @Override public SyncLock lock(String holderId) { return real.lock(holderId); }
        @Override public void forceLeaseExpiry(String lockName) { real.forceLeaseExpiry(lockName); }
        @Override public void editDocumentAsUser(DocumentUuid uuid, UnaryOperator<SilknoteDocument> edit) {
            real.editDocumentAsUser(uuid, edit);
        }
        @Override public void removeDocumentRow(DocumentUuid uuid) { real.removeDocumentRow(uuid); }
        @Override public void removeMappingRow(VsrxFileId fileId) { real.removeMappingRow(fileId); }
        @Override public void removeBlobRefRow(ContentHash hash) { real.removeBlobRefRow(hash); }
        @Override public void removeFilesetRecord(FilesetId fileset) { real.removeFilesetRecord(fileset); }
        @Override public int removeVectorEntries(DocumentUuid document) { return real.removeVectorEntries(document); }
        @Override public com.silknote.sync.testkit.SilknoteUser silknoteUser() { return real.silknoteUser(); }
    }

    /** Says it stored one content but drops it. */
    private static final class LosingBlobStore implements BlobStore {
        private final BlobStore d;
        private final ContentHash lost;

        LosingBlobStore(BlobStore d, ContentHash lost) {
            this.d = d;
            this.lost = lost;
        }

        @Override
        public BlobPutResult putIfAbsent(BlobUpload upload) {
            if (upload.hash().equals(lost)) {
                return new BlobPutResult(new BlobInfo(upload.hash(), upload.size(), "0xLOST", java.time.Instant.EPOCH),
                        true);
            }
            return d.putIfAbsent(upload);
        }

        @Override public BlobInfo overwrite(BlobUpload upload) { return d.overwrite(upload); }
        @Override public Optional<BlobInfo> stat(ContentHash hash) { return d.stat(hash); }
        @Override public InputStream open(ContentHash hash) { return d.open(hash); }
        @Override public boolean deleteIfMatch(ContentHash hash, String etag) { return d.deleteIfMatch(hash, etag); }
        @Override public Page<BlobInfo> list(Optional<String> cursor, int limit) { return d.list(cursor, limit); }
    }

    /** Ignores deletes. */
    private static final class UndeletableVectorStore implements VectorStore {
        private final VectorStore d;

        UndeletableVectorStore(VectorStore d) {
            this.d = d;
        }

        @Override public void fence(FencingToken token) { d.fence(token); }
        @Override public void replace(FencingToken token, DocumentUuid document, List<VectorEntry> entries) {
            d.replace(token, document, entries);
        }
        @Override public int deleteByDocument(FencingToken token, DocumentUuid document) { return 0; }
        @Override public List<VectorEntry> entries(DocumentUuid document) { return d.entries(document); }
        @Override public Page<DocumentUuid> documents(Optional<String> cursor, int limit) { return d.documents(cursor, limit); }
    }
}
