package com.silknote.sync.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.RetryPolicy;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.testkit.ForwardingDocumentStore;
import com.silknote.sync.testkit.InMemoryBlobStore;
import com.silknote.sync.testkit.InMemoryDocumentProcessor;
import com.silknote.sync.testkit.InMemoryVectorStore;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.TestHashes;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * DESIGN rule 10 / issue 9 item 2: a run paused just before a fileset commit, whose lease runs out while
 * another run takes over, never applies a change twice. The fileset's file shares its blob with another
 * patient's document; the change deletes or updates it, so applying it twice would release the shared
 * reference twice and collect a blob another patient's document still needs.
 *
 * <p>Two interleavings, each with the store's fencing and with fencing switched off in a test double (to
 * show that the optimistic check of the unit of work alone also refuses the stale commit):
 * <ol>
 *   <li>runner A pauses before its commit; its lease expires; runner B runs to the end; A resumes;</li>
 *   <li>runner A pauses before its commit; its lease expires; runner B plans and pauses before its commit;
 *       A resumes and tries to commit; then B resumes.</li>
 * </ol>
 * Afterwards every blob reference count equals the number of file ids referencing it, the other patient's
 * blob exists, and a further run succeeds and changes nothing of that.
 *
 * <p>An adapter's test extends this class and supplies the document store, lock clients and expiry.
 */
public abstract class PausedHolderScenario {

    /** The clock of VSRX, the engine and the fakes. */
    protected final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");

    /** A fresh, empty document store (its own namespace), stamping times with {@code clock}; once per test. */
    protected abstract DocumentStore newDocumentStore(Clock clock);

    /** A lock client of one host on this test's lock namespace; every call gives another host. */
    protected abstract SyncLock newLock(Clock clock);

    /** Expires the current lease of {@code name} inside the backend. */
    protected abstract void forceExpiry(String name);

    /** What VSRX changes in the fileset the paused runner planned. */
    public enum Change { DELETE, UPDATE }

    private static final String SHARED = "referral letter shared by two patients";
    private static final String NEWER = "referral letter, second version";
    private static final ContentHash SHARED_HASH = TestHashes.sha256(SHARED);
    private static final ContentHash NEWER_HASH = TestHashes.sha256(NEWER);

    private final ExecutorService threads = Executors.newFixedThreadPool(2);
    private final InMemoryVsrxSource vsrx = new InMemoryVsrxSource(clock);
    private final InMemoryBlobStore blobs = new InMemoryBlobStore(clock);
    private final InMemoryVectorStore vectors = new InMemoryVectorStore();
    private final InMemoryDocumentProcessor processor = new InMemoryDocumentProcessor(blobs, vectors);
    private DocumentStore store;
    private FilesetId x;
    private FilesetId y;
    private VsrxFileId fileX;
    private VsrxFileId fileY;
    private long seed = 1;

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    @ParameterizedTest(name = "{0}, store fencing")
    @EnumSource(Change.class)
    @DisplayName("rule 10: a paused holder resuming after another run committed is refused by fencing")
    public void pausedHolderResumingAfterATakeoverIsRefusedByFencing(Change change) throws Exception {
        takeoverCompletesThenPausedHolderResumes(change, true);
    }

    @ParameterizedTest(name = "{0}, fencing switched off")
    @EnumSource(Change.class)
    @DisplayName("rule 10: without fencing, the unit of work's expectations alone refuse the paused holder")
    public void pausedHolderResumingAfterATakeoverIsRefusedByItsExpectations(Change change) throws Exception {
        takeoverCompletesThenPausedHolderResumes(change, false);
    }

    @ParameterizedTest(name = "{0}, store fencing")
    @EnumSource(Change.class)
    @DisplayName("rule 10: a paused holder committing while the new run is planning is refused by fencing")
    public void pausedHolderCommittingWhileTheNewRunPlansIsRefusedByFencing(Change change) throws Exception {
        pausedHolderCommitsWhileTheTakeoverIsPaused(change, true);
    }

    @ParameterizedTest(name = "{0}, fencing switched off")
    @EnumSource(Change.class)
    @DisplayName("rule 10: without fencing, the new run's commit planned before the old one's is refused")
    public void newRunPlannedBeforeThePausedHolderCommittedIsRefusedByItsExpectations(Change change)
            throws Exception {
        pausedHolderCommitsWhileTheTakeoverIsPaused(change, false);
    }

    private void takeoverCompletesThenPausedHolderResumes(Change change, boolean fencing) throws Exception {
        setUp(change);
        Gate gateA = new Gate(ledger(fencing));
        Future<SyncResult> runA = threads.submit(() -> runner(gateA, newLock(clock)).run(SyncRequest.full()));
        gateA.awaitPaused();
        forceExpiry(SyncConfig.LOCK_NAME);

        SyncResult b = runner(ledger(fencing), newLock(clock)).run(SyncRequest.full());
        assertThat(b.success()).as("the run that took over: %s", b.error()).isTrue();
        gateA.release();
        SyncResult a = runA.get(120, TimeUnit.SECONDS);

        assertThat(a.success()).as("the paused holder").isFalse();
        FilesetReport aX = filesetReport(a, x);
        assertThat(aX.outcome()).isEqualTo(FilesetOutcome.FAILED);
        assertThat(aX.failureReason().orElseThrow())
                .contains(fencing ? "StaleFencingTokenException" : "ConcurrentUpdateException");
        assertConsistent(change, fencing);
    }

    private void pausedHolderCommitsWhileTheTakeoverIsPaused(Change change, boolean fencing) throws Exception {
        setUp(change);
        Gate gateA = new Gate(ledger(fencing));
        Future<SyncResult> runA = threads.submit(() -> runner(gateA, newLock(clock)).run(SyncRequest.full()));
        gateA.awaitPaused();
        forceExpiry(SyncConfig.LOCK_NAME);
        Gate gateB = new Gate(ledger(fencing));
        Future<SyncResult> runB = threads.submit(() -> runner(gateB, newLock(clock)).run(SyncRequest.full()));
        gateB.awaitPaused();

        gateA.release();
        SyncResult a = runA.get(120, TimeUnit.SECONDS);
        gateB.release();
        SyncResult b = runB.get(120, TimeUnit.SECONDS);

        if (fencing) {
            assertThat(a.success()).as("the paused holder").isFalse();
            assertThat(filesetReport(a, x).failureReason().orElseThrow()).contains("StaleFencingTokenException");
            assertThat(b.success()).as("the run that took over: %s", b.error()).isTrue();
        } else {
            assertThat(filesetReport(a, x).outcome()).as("the old holder's commit lands first")
                    .isEqualTo(FilesetOutcome.COMPLETED);
            FilesetReport bX = filesetReport(b, x);
            assertThat(bX.outcome()).isEqualTo(FilesetOutcome.FAILED);
            assertThat(bX.failureReason().orElseThrow()).contains("ConcurrentUpdateException");
        }
        assertConsistent(change, fencing);
    }

    // ------------------------------------------------------------------ world

    private void setUp(Change change) {
        store = newDocumentStore(clock);
        x = vsrx.addFileset(PatientId.of("P-PAUSED-1"), patient("P-PAUSED-1"));
        y = vsrx.addFileset(PatientId.of("P-OTHER-2"), patient("P-OTHER-2"));
        fileX = vsrx.addFile(x, "notes/letter.txt", "text/plain", SHARED);
        vsrx.addFile(x, "notes/keep-1.txt", "text/plain", "first note that stays");
        vsrx.addFile(x, "notes/keep-2.txt", "text/plain", "second note that stays");
        fileY = vsrx.addFile(y, "notes/letter.txt", "text/plain", SHARED);
        SyncResult initial = runner(store, newLock(clock)).run(SyncRequest.full());
        assertThat(initial.success()).as("initial run: %s", initial.error()).isTrue();
        assertThat(store.findBlobRef(SHARED_HASH).map(BlobRef::refCount)).contains(2L);
        clock.advance(Duration.ofMinutes(1));
        if (change == Change.DELETE) {
            vsrx.deleteFile(fileX);
        } else {
            vsrx.modifyFile(fileX, NEWER);
        }
    }

    private VsrxSync runner(DocumentStore documents, SyncLock lock) {
        SyncConfig config = SyncConfig.builder()
                .retryPolicy(new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(100), true))
                .filesetConcurrency(1).fileConcurrency(2).pageSize(10).lockTtl(Duration.ofMinutes(5))
                .blobGracePeriod(Duration.ZERO)
                .build();
        return VsrxSync.builder().source(vsrx).documents(documents).blobs(blobs).vectors(vectors)
                .processor(processor).lock(lock).config(config).clock(clock).sleeper(clock)
                .random(new SplittableRandom(seed++)).build();
    }

    private DocumentStore ledger(boolean fencing) {
        return fencing ? store : new UnfencedDocumentStore(store);
    }

    private void assertConsistent(Change change, boolean fencing) {
        checkReferences(change);
        SyncResult again = runner(ledger(fencing), newLock(clock)).run(SyncRequest.full());
        assertThat(again.success()).as("a later run: %s", again.error()).isTrue();
        checkReferences(change);
    }

    private void checkReferences(Change change) {
        Map<ContentHash, Long> referencing = new HashMap<>();
        for (FilesetId fs : List.of(x, y)) {
            Map<VsrxFileId, ContentHash> byFile = new HashMap<>();
            store.documents(fs).forEach(d -> byFile.put(d.clientFileId(), d.contentHash()));
            store.mappings(fs).forEach(m -> byFile.put(m.vsrxFileId(), m.contentHash()));
            byFile.values().forEach(h -> referencing.merge(h, 1L, Long::sum));
        }
        for (Map.Entry<ContentHash, Long> e : referencing.entrySet()) {
            assertThat(store.findBlobRef(e.getKey()).map(BlobRef::refCount)).as("references of %s", e.getKey())
                    .contains(e.getValue());
            assertThat(blobs.rawBytes(e.getKey())).as("referenced blob %s", e.getKey()).isPresent();
        }
        assertThat(store.findDocumentByClientFileId(fileY).map(SilknoteDocument::contentHash))
                .as("the other patient's document").contains(SHARED_HASH);
        assertThat(blobs.rawBytes(SHARED_HASH)).as("the other patient's blob").isPresent();
        if (change == Change.DELETE) {
            assertThat(store.findDocumentByClientFileId(fileX)).isEmpty();
            assertThat(store.findBlobRef(SHARED_HASH).map(BlobRef::refCount)).contains(1L);
        } else {
            assertThat(store.findDocumentByClientFileId(fileX).map(SilknoteDocument::contentHash))
                    .contains(NEWER_HASH);
            assertThat(store.findBlobRef(SHARED_HASH).map(BlobRef::refCount)).contains(1L);
            assertThat(store.findBlobRef(NEWER_HASH).map(BlobRef::refCount)).contains(1L);
        }
    }

    private static PatientUuid patient(String id) {
        return new PatientUuid(UUID.nameUUIDFromBytes(id.getBytes(StandardCharsets.UTF_8)));
    }

    private static FilesetReport filesetReport(SyncResult result, FilesetId id) {
        return result.report().orElseThrow().filesets().stream().filter(f -> f.filesetId().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no report for fileset " + id));
    }

    // ------------------------------------------------------------------ test doubles

    /** Pauses the first unit of work (before it reaches the store) until released. */
    private static final class Gate extends ForwardingDocumentStore {
        private final AtomicInteger units = new AtomicInteger();
        private final CountDownLatch paused = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        Gate(DocumentStore delegate) {
            super(delegate);
        }

        @Override
        public <T> T inUnitOfWork(FencingToken token, Function<UnitOfWork, T> work) {
            if (units.incrementAndGet() == 1) {
                paused.countDown();
                try {
                    if (!released.await(120, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the paused runner was never released");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while paused", e);
                }
            }
            return super.inUnitOfWork(token, work);
        }

        void awaitPaused() throws InterruptedException {
            assertThat(paused.await(120, TimeUnit.SECONDS)).as("runner reached its commit").isTrue();
        }

        void release() {
            released.countDown();
        }
    }

    /** Fencing switched off: every write carries the same huge token and {@code fence} does nothing. */
    private static final class UnfencedDocumentStore extends ForwardingDocumentStore {
        private static final FencingToken ANY = FencingToken.of(Long.MAX_VALUE / 2);

        UnfencedDocumentStore(DocumentStore delegate) {
            super(delegate);
        }

        @Override
        public void fence(FencingToken token) {
            // switched off
        }

        @Override
        public <T> T inUnitOfWork(FencingToken token, Function<UnitOfWork, T> work) {
            return super.inUnitOfWork(ANY, work);
        }

        @Override
        public void completeOutbox(FencingToken token, long entryId) {
            super.completeOutbox(ANY, entryId);
        }

        @Override
        public void failOutbox(FencingToken token, long entryId, String reasonCode, boolean park) {
            super.failOutbox(ANY, entryId, reasonCode, park);
        }

        @Override
        public boolean markBlobDeleting(FencingToken token, ContentHash hash, String blobEtag, Instant notAfter) {
            return super.markBlobDeleting(ANY, hash, blobEtag, notAfter);
        }

        @Override
        public boolean removeBlobRefIfDeleting(FencingToken token, ContentHash hash, String blobEtag) {
            return super.removeBlobRefIfDeleting(ANY, hash, blobEtag);
        }

        @Override
        public void reviveBlobRef(FencingToken token, ContentHash hash, String blobEtag) {
            super.reviveBlobRef(ANY, hash, blobEtag);
        }

        @Override
        public void recordRun(FencingToken token, SyncReport report) {
            super.recordRun(ANY, report);
        }

        @Override
        public void recordRunStarted(FencingToken token, com.silknote.sync.core.model.RunId run, Instant startedAt) {
            super.recordRunStarted(ANY, run, startedAt);
        }

        @Override
        public void recordFilesetReport(FencingToken token, com.silknote.sync.core.model.RunId run,
                com.silknote.sync.core.model.FilesetReport report,
                Optional<com.silknote.sync.core.port.FilesetClaims.Claim> claim) {
            super.recordFilesetReport(ANY, run, report, claim);
        }

        @Override
        public int pruneRuns(FencingToken token, Instant startedBefore, int keepNewest) {
            return super.pruneRuns(ANY, startedBefore, keepNewest);
        }
    }
}
