package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.action;
import static com.silknote.sync.testkit.engine.EngineFixture.fileset;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.model.AuthoredDocument;
import com.silknote.sync.core.model.BidirectionalConfig;
import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobPutResult;
import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ConflictStrategy;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.IdempotencyKey;
import com.silknote.sync.core.model.NewVsrxFile;
import com.silknote.sync.core.model.OutboxEntry;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SyncDirection;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.SyncListener;
import com.silknote.sync.testkit.ForwardingBlobStore;
import com.silknote.sync.testkit.TestHashes;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §4 "GC vs. new reference", the in-process window: the run's own collector (a fileset's post-commit drain)
 * works on content another fileset of the same run is about to reference. The content registry keeps such content
 * from the collector from before the existence check of the blob until the commit, makes a step wait while the
 * collector is working on it, and is left again after the commit (or a failure), so content released later in the
 * run is collected by that run. Each test holds the two filesets at chosen points with latches in store decorators,
 * so the interleaving is the same every time; the latches' bounds only guard against a hang.
 */
class InProcessCollectorRaceTest {
    private static final String SHARED = "content one fileset releases while another takes it up";
    private static final ContentHash SHARED_HASH = TestHashes.sha256(SHARED);
    private static final long GUARD_SECONDS = 20;

    private final EngineFixture fx = new EngineFixture();

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted(); // an interrupted run hands its interrupt back to the caller, the test thread
    }

    private static void await(CountDownLatch latch, String what) {
        try {
            if (!latch.await(GUARD_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("guard against a hang: " + what + " never happened");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + what, e);
        }
    }

    private void bidirectional(ConflictStrategy strategy) {
        fx.config(c -> c.bidirectional(BidirectionalConfig.builder().direction(SyncDirection.BIDIRECTIONAL)
                .conflictStrategy(strategy).build()));
        fx.target = fx.vsrx;
    }

    private ContentHash stored(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ContentHash h = TestHashes.sha256(text);
        fx.silknote.blobs().putIfAbsent(new BlobUpload(h, bytes.length, "text/plain",
                () -> new ByteArrayInputStream(bytes)));
        return h;
    }

    private void userEdits(VsrxFileId f, String text) {
        ContentHash h = stored(text);
        fx.silknote.documents().silknoteUser().replaceContent(DocumentUuid.forVsrxFile(f), h,
                text.getBytes(StandardCharsets.UTF_8).length, "text/plain");
    }

    private static boolean collects(List<OutboxEntry> entries, ContentHash h) {
        return entries.stream().anyMatch(e -> e.action() == OutboxEntry.Action.COLLECT_BLOB
                && e.contentHash().equals(h));
    }

    /** The shared content, referenced once at the end of the run and stored. */
    private void assertKeptOnce() {
        assertThat(fx.silknote.blobs().rawBytes(SHARED_HASH)).as("blob of the shared content").isPresent();
        BlobRef ref = fx.silknote.documents().findBlobRef(SHARED_HASH).orElseThrow();
        assertThat(ref.state()).isEqualTo(BlobRef.State.LIVE);
        assertThat(ref.refCount()).isEqualTo(1);
    }

    /** Released by this run and collected by it: no reference and no blob left. */
    private void assertCollected() {
        assertThat(fx.silknote.documents().findBlobRef(SHARED_HASH)).as("ledger row of the shared content").isEmpty();
        assertThat(fx.silknote.blobs().rawBytes(SHARED_HASH)).as("blob collected in the same run").isEmpty();
    }

    // ------------------------------------------------------------------ new content: existence check to commit

    /**
     * Fileset A (first) releases the shared content and its post-commit drain collects it, while fileset B has just
     * found the same content stored (its existence check) and not yet committed its reference. A waits before its
     * commit until B's check is done; B waits after its check until A's collector has had its turn.
     */
    private final class DownloadRace {
        final CountDownLatch bChecked = new CountDownLatch(1);
        final CountDownLatch aAttempted = new CountDownLatch(1);
        final AtomicBoolean bHeld = new AtomicBoolean();
        final AtomicBoolean entrySeen = new AtomicBoolean();
        final Set<ContentHash> deleted = ConcurrentHashMap.newKeySet();

        /** Installs the decorators; {@code aDownload} is a file of A changed in VSRX (downloaded before A's commit). */
        void install(VsrxFileId aDownload) {
            fx.vsrx.onOpen(aDownload, () -> await(bChecked, "fileset B's existence check"));
            fx.blobs = new ForwardingBlobStore(fx.silknote.blobs()) {
                @Override
                public BlobPutResult putNewIfAbsent(BlobUpload upload) {
                    BlobPutResult r = super.putNewIfAbsent(upload);
                    if (upload.hash().equals(SHARED_HASH) && !r.created() && bHeld.compareAndSet(false, true)) {
                        bChecked.countDown();
                        await(aAttempted, "fileset A's collection attempt");
                    }
                    return r;
                }

                @Override
                public boolean deleteIfMatch(ContentHash hash, String etag) {
                    boolean d = super.deleteIfMatch(hash, etag);
                    if (d) {
                        deleted.add(hash);
                    }
                    return d;
                }
            };
            fx.documents = new DelegatingDocumentStore(fx.silknote.documents()) {
                @Override
                public List<OutboxEntry> pendingOutbox(long afterId, int limit) {
                    if (entrySeen.get()) {
                        aAttempted.countDown(); // the drain that returned the entry has handled it
                    }
                    List<OutboxEntry> r = super.pendingOutbox(afterId, limit);
                    if (bChecked.getCount() == 0 && collects(r, SHARED_HASH)) {
                        entrySeen.set(true);
                    }
                    return r;
                }
            };
        }

        void assertRaced() {
            assertThat(bHeld).as("fileset B found the content stored").isTrue();
            assertThat(entrySeen).as("fileset A's drain had the content's collection").isTrue();
            assertThat(deleted).as("the run's collector never deleted content a fileset was about to reference")
                    .doesNotContain(SHARED_HASH);
        }
    }

    @Test
    @DisplayName("DESIGN §4 GC vs. new reference: content a fileset found stored is not collected by the run's own "
            + "collector before the fileset's commit references it")
    void newContentFoundStoredIsNotCollectedByTheRunBeforeTheCommit() {
        FilesetId a = fx.linkedFileset("P-A");
        VsrxFileId released = fx.text(a, "c.txt", SHARED);
        VsrxFileId aw = fx.text(a, "w.txt", "a work");
        FilesetId b = fx.linkedFileset("P-B");
        fx.text(b, "b0.txt", "b zero");
        assertThat(fx.run().success()).isTrue();
        fx.vsrx.deleteFile(released);
        fx.vsrx.modifyFile(aw, "a work changed");
        VsrxFileId taken = fx.text(b, "y.txt", SHARED);
        DownloadRace race = new DownloadRace();
        race.install(aw);

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        race.assertRaced();
        assertThat(action(r, released)).isEqualTo(FileAction.DELETED);
        assertThat(action(r, taken)).isEqualTo(FileAction.CREATED);
        assertKeptOnce();
        fx.silknote.assertInvariants();
    }

    @Test
    @DisplayName("DESIGN §4 GC vs. new reference, issue 14 §4: the VSRX version a conflict step downloads and finds "
            + "stored is not collected by the run before the conflict record references it")
    void vsrxVersionOfAConflictIsNotCollectedByTheRunBeforeTheRecordCommits() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId a = fx.linkedFileset("P-A");
        VsrxFileId released = fx.text(a, "c.txt", SHARED);
        VsrxFileId aw = fx.text(a, "w.txt", "a work");
        FilesetId b = fx.linkedFileset("P-B");
        VsrxFileId bf = fx.text(b, "f.txt", "b original");
        assertThat(fx.run().success()).isTrue();
        fx.vsrx.deleteFile(released);
        fx.vsrx.modifyFile(aw, "a work changed");
        fx.vsrx.modifyFile(bf, SHARED);
        userEdits(bf, "silknote edit");
        DownloadRace race = new DownloadRace();
        race.install(aw);

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        race.assertRaced();
        assertThat(action(r, bf)).isEqualTo(FileAction.CONFLICT);
        assertThat(fx.silknote.documents().allConflicts().values()).singleElement()
                .satisfies(c -> assertThat(c.heldHashes()).contains(SHARED_HASH));
        assertKeptOnce();
    }

    // ------------------------------------------------------------------ a document's content: step to commit

    /**
     * Fileset A releases the shared content (to a count of zero) while fileset B's conflict step is about to make a
     * record reference the same bytes, held by B's document. A's drain gets the collection only once B is inside its
     * commit; B commits only after A's collector has had its turn.
     */
    private final class HeldContentRace {
        final CountDownLatch aCommitted = new CountDownLatch(1);
        final CountDownLatch bInWindow = new CountDownLatch(1);
        final CountDownLatch aAttempted = new CountDownLatch(1);
        final AtomicReference<Thread> bThread = new AtomicReference<>();
        final AtomicBoolean entrySeen = new AtomicBoolean();
        final AtomicBoolean windowTaken = new AtomicBoolean();
        final Set<ContentHash> marked = ConcurrentHashMap.newKeySet();

        void install() {
            fx.blobs = new ForwardingBlobStore(fx.silknote.blobs()) {
                @Override
                public Optional<BlobInfo> stat(ContentHash hash) {
                    if (hash.equals(SHARED_HASH) && bThread.compareAndSet(null, Thread.currentThread())) {
                        await(aCommitted, "fileset A's commit");
                    }
                    return super.stat(hash);
                }
            };
            fx.documents = new DelegatingDocumentStore(fx.silknote.documents()) {
                @Override
                public List<OutboxEntry> pendingOutbox(long afterId, int limit) {
                    if (entrySeen.get()) {
                        aAttempted.countDown();
                    }
                    List<OutboxEntry> r = super.pendingOutbox(afterId, limit);
                    if (!entrySeen.get() && collects(r, SHARED_HASH)) {
                        entrySeen.set(true);
                        aCommitted.countDown();
                        await(bInWindow, "fileset B's conflict commit");
                    }
                    return r;
                }

                @Override
                public <T> T inUnitOfWork(FencingToken token, Function<UnitOfWork, T> work) {
                    if (Thread.currentThread() == bThread.get() && windowTaken.compareAndSet(false, true)) {
                        bInWindow.countDown();
                        await(aAttempted, "fileset A's collection attempt");
                    }
                    return super.inUnitOfWork(token, work);
                }

                @Override
                public boolean markBlobDeleting(FencingToken token, ContentHash hash, String blobEtag,
                        Instant notAfter) {
                    marked.add(hash);
                    return super.markBlobDeleting(token, hash, blobEtag, notAfter);
                }
            };
        }

        void assertRaced() {
            assertThat(entrySeen).as("fileset A's drain had the content's collection").isTrue();
            assertThat(windowTaken).as("fileset B was held in its commit").isTrue();
            // the store would refuse to mark bytes a document holds; the registry keeps the collector off them first
            assertThat(marked).as("the run's collector never took up content a step was about to reference")
                    .doesNotContain(SHARED_HASH);
        }
    }

    /** A (first) holds the shared content in a file deleted in VSRX; B's linked file changed on both sides. */
    private VsrxFileId bothChangedWhileAnotherFilesetReleases() {
        FilesetId a = fx.linkedFileset("P-A");
        VsrxFileId released = fx.text(a, "c.txt", SHARED);
        FilesetId b = fx.linkedFileset("P-B");
        VsrxFileId bf = fx.text(b, "f.txt", "b original");
        assertThat(fx.run().success()).isTrue();
        fx.vsrx.deleteFile(released);
        fx.vsrx.modifyFile(bf, "vsrx edit");
        userEdits(bf, SHARED);
        return bf;
    }

    @Test
    @DisplayName("DESIGN §4 GC vs. new reference, issue 14 §4 REPORT: the run's collector leaves the Silknote version "
            + "a new conflict record is about to reference")
    void reportedConflictKeepsTheCollectorOffTheSilknoteVersion() {
        bidirectional(ConflictStrategy.REPORT);
        VsrxFileId bf = bothChangedWhileAnotherFilesetReleases();
        HeldContentRace race = new HeldContentRace();
        race.install();

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        race.assertRaced();
        assertThat(action(r, bf)).isEqualTo(FileAction.CONFLICT);
        assertKeptOnce();
    }

    @Test
    @DisplayName("DESIGN §4 GC vs. new reference, issue 14 §4 VSRX_WINS: the run's collector leaves the Silknote "
            + "loser the applied record is about to keep")
    void vsrxWinsKeepsTheCollectorOffTheLoser() {
        bidirectional(ConflictStrategy.VSRX_WINS);
        VsrxFileId bf = bothChangedWhileAnotherFilesetReleases();
        HeldContentRace race = new HeldContentRace();
        race.install();

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        race.assertRaced();
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(bf)).orElseThrow().contentHash())
                .isEqualTo(TestHashes.sha256("vsrx edit"));
        assertKeptOnce();
    }

    @Test
    @DisplayName("DESIGN §4 GC vs. new reference, issue 14 row 11: the run's collector leaves the unlinked document's "
            + "bytes a new conflict record is about to reference")
    void unlinkedConflictKeepsTheCollectorOffTheDocumentsBytes() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId a = fx.linkedFileset("P-A");
        VsrxFileId released = fx.text(a, "c.txt", SHARED);
        FilesetId b = fx.linkedFileset("P-B");
        fx.text(b, "b0.txt", "b zero");
        assertThat(fx.run().success()).isTrue();
        fx.vsrx.deleteFile(released);
        ContentHash s = stored(SHARED);
        AuthoredDocument doc = new AuthoredDocument(new DocumentUuid(UUID.randomUUID()), EngineFixture.patient("P-B"),
                Optional.of(b), s, SHARED.length(), "text/plain", Optional.of("Brief"), "SILKNOTE", "ungrouped",
                fx.clock.instant());
        fx.silknote.documents().createDocumentAsSilknoteUser(doc);
        byte[] v = "vsrx version".getBytes(StandardCharsets.UTF_8);
        VsrxFileId f = fx.vsrx.createFile(FencingToken.of(1), IdempotencyKey.create(doc.uuid()),
                new NewVsrxFile(b, "notes/silknote/Brief-" + doc.uuid().value().toString().substring(0, 8) + ".txt",
                        "text/plain", doc.uuid()),
                new BlobUpload(TestHashes.sha256("vsrx version"), v.length, "text/plain",
                        () -> new ByteArrayInputStream(v))).file().id();
        HeldContentRace race = new HeldContentRace();
        race.install();

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        race.assertRaced();
        assertThat(action(r, f)).isEqualTo(FileAction.CONFLICT);
        assertKeptOnce();
    }

    // ------------------------------------------------------------------ registry left after a step

    @Test
    @DisplayName("DESIGN §4 GC, rule 12: a conflict step whose upload of the VSRX version fails leaves the content "
            + "registry, so the run collects the same bytes another fileset releases later")
    void aFailedUploadOfTheVsrxVersionLeavesTheRegistry() {
        bidirectional(ConflictStrategy.REPORT);
        fx.config(c -> c.filesetConcurrency(1));
        FilesetId b = fx.linkedFileset("P-B");
        VsrxFileId bf = fx.text(b, "f.txt", "b original");
        FilesetId a = fx.linkedFileset("P-A");
        VsrxFileId released = fx.text(a, "c.txt", SHARED);
        assertThat(fx.run().success()).isTrue();
        fx.vsrx.modifyFile(bf, SHARED);
        userEdits(bf, "silknote edit");
        fx.vsrx.deleteFile(released);
        AtomicInteger refused = new AtomicInteger();
        fx.blobs = new ForwardingBlobStore(fx.silknote.blobs()) {
            @Override
            public BlobPutResult putNewIfAbsent(BlobUpload upload) {
                if (upload.hash().equals(SHARED_HASH)) {
                    refused.incrementAndGet();
                    throw new PermanentSyncException("blob store refused the upload");
                }
                return super.putNewIfAbsent(upload);
            }
        };

        SyncResult r = fx.run();

        assertThat(refused).as("the conflict step's upload of the VSRX version").hasPositiveValue();
        assertThat(action(r, bf)).isEqualTo(FileAction.FAILED);
        assertThat(action(r, released)).isEqualTo(FileAction.DELETED);
        assertCollected();
    }

    @Test
    @DisplayName("DESIGN §4 GC, rule 10: a REPORT step whose commit is refused (a Silknote user's edit meanwhile) "
            + "leaves the content registry, so the run collects the Silknote version another fileset releases later")
    void aRefusedReportCommitLeavesTheRegistry() {
        bidirectional(ConflictStrategy.REPORT);
        fx.config(c -> c.filesetConcurrency(1));
        FilesetId b = fx.linkedFileset("P-B");
        VsrxFileId bf = fx.text(b, "f.txt", "b original");
        FilesetId a = fx.linkedFileset("P-A");
        VsrxFileId released = fx.text(a, "c.txt", SHARED);
        assertThat(fx.run().success()).isTrue();
        fx.vsrx.modifyFile(bf, "vsrx edit");
        userEdits(bf, SHARED);
        fx.vsrx.deleteFile(released);
        ContentHash later = stored("the user's later edit");
        AtomicBoolean statted = new AtomicBoolean();
        AtomicBoolean editedMeanwhile = new AtomicBoolean();
        fx.blobs = new ForwardingBlobStore(fx.silknote.blobs()) {
            @Override
            public Optional<BlobInfo> stat(ContentHash hash) {
                if (hash.equals(SHARED_HASH)) {
                    statted.set(true);
                }
                return super.stat(hash);
            }
        };
        fx.documents = new DelegatingDocumentStore(fx.silknote.documents()) {
            @Override
            public <T> T inUnitOfWork(FencingToken token, Function<UnitOfWork, T> work) {
                if (statted.get() && editedMeanwhile.compareAndSet(false, true)) {
                    // the conflict step read the document and its bytes; a Silknote user edits it before the commit
                    fx.silknote.documents().silknoteUser().replaceContent(DocumentUuid.forVsrxFile(bf), later,
                            "the user's later edit".length(), "text/plain");
                }
                return super.inUnitOfWork(token, work);
            }
        };

        SyncResult r = fx.run();

        assertThat(editedMeanwhile).isTrue();
        assertThat(fx.silknote.documents().allConflicts()).as("the refused record").isEmpty();
        assertThat(action(r, released)).isEqualTo(FileAction.DELETED);
        assertCollected();
    }

    @Test
    @DisplayName("DESIGN §4 GC: a REPORT step leaves the content registry after its commit, so a collection of the "
            + "Silknote version still pending is worked off by the same run")
    void aCommittedReportLeavesTheRegistry() {
        bidirectional(ConflictStrategy.REPORT);
        fx.config(c -> c.filesetConcurrency(1));
        FilesetId a = fx.linkedFileset("P-A");
        VsrxFileId released = fx.text(a, "c.txt", SHARED);
        FilesetId b = fx.linkedFileset("P-B");
        VsrxFileId bf = fx.text(b, "f.txt", "b original");
        assertThat(fx.run().success()).isTrue();
        fx.vsrx.deleteFile(released);
        fx.vsrx.modifyFile(bf, "vsrx edit");
        userEdits(bf, SHARED);
        AtomicInteger stats = new AtomicInteger();
        fx.blobs = new ForwardingBlobStore(fx.silknote.blobs()) {
            @Override
            public Optional<BlobInfo> stat(ContentHash hash) {
                if (hash.equals(SHARED_HASH) && stats.getAndIncrement() == 0) {
                    // fileset A's collection of the bytes it released fails once: the entry stays pending
                    throw new PermanentSyncException("blob store unavailable");
                }
                return super.stat(hash);
            }
        };

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertThat(stats).as("the failed collection, then the conflict step's").hasValueGreaterThan(1);
        assertThat(action(r, released)).isEqualTo(FileAction.DELETED);
        assertThat(action(r, bf)).isEqualTo(FileAction.CONFLICT);
        // the final drain finds the bytes referenced by the new record: done, not deferred for a later run
        assertThat(fx.silknote.documents().pendingOutbox(0, 10)).as("outbox after the run").isEmpty();
        assertKeptOnce();
    }

    // ------------------------------------------------------------------ interrupts

    @Test
    @DisplayName("issue 9.7: a run interrupted while its files download interrupts the downloads in flight and keeps "
            + "the fileset thread's interrupt")
    void anInterruptWhileFilesDownloadReachesTheDownloadsAndIsKept() {
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = fx.text(fs, "a.txt", "a");
        Thread runner = Thread.currentThread();
        AtomicReference<Thread> fileThread = new AtomicReference<>();
        AtomicBoolean downloadSawInterrupt = new AtomicBoolean();
        AtomicBoolean released = new AtomicBoolean();
        AtomicReference<Boolean> filesetThreadInterrupted = new AtomicReference<>();
        AtomicReference<Boolean> downloadInterrupted = new AtomicReference<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
        fx.vsrx.onOpen(f, () -> {
            fileThread.set(Thread.currentThread());
            runner.interrupt(); // the embedder stops the run while this file downloads
            while (!released.get() && System.nanoTime() < deadline) {
                if (Thread.currentThread().isInterrupted()) {
                    downloadSawInterrupt.set(true); // the interrupt stays set for the download's own checks
                    return;
                }
                LockSupport.parkNanos(this, TimeUnit.SECONDS.toNanos(1));
            }
        });
        fx.listener = new SyncListener() {
            @Override
            public void filesetFinished(RunId runId, FilesetReport report) {
                filesetThreadInterrupted.set(Thread.currentThread().isInterrupted());
                Thread t = fileThread.get();
                downloadInterrupted.set(downloadSawInterrupt.get() || (t != null && t.isInterrupted()));
                released.set(true);
                if (t != null) {
                    LockSupport.unpark(t);
                }
            }
        };

        SyncResult r = fx.run();

        assertThat(Thread.interrupted()).as("the interrupt handed back to the caller").isTrue();
        FilesetReport report = fileset(r, fs);
        assertThat(report.outcome()).isEqualTo(FilesetOutcome.FAILED);
        assertThat(report.failureReason().orElseThrow()).contains("interrupted while downloading");
        assertThat(downloadInterrupted.get()).as("the download in flight was interrupted").isTrue();
        assertThat(filesetThreadInterrupted.get()).as("the fileset thread kept its interrupt").isTrue();
    }

    @Test
    @DisplayName("issue 9.7, DESIGN §4: a conflict step interrupted while it waits for the run's collector fails its "
            + "fileset and keeps the thread's interrupt")
    void aConflictStepInterruptedWhileWaitingForTheCollectorKeepsTheInterrupt() {
        bidirectional(ConflictStrategy.REPORT);
        VsrxFileId bf = bothChangedWhileAnotherFilesetReleases();
        FilesetId b = fx.vsrx.findFile(bf).orElseThrow().filesetId();
        CountDownLatch aCollecting = new CountDownLatch(1);
        CountDownLatch bFinished = new CountDownLatch(1);
        AtomicBoolean collecting = new AtomicBoolean();
        AtomicReference<Thread> bThread = new AtomicReference<>();
        AtomicReference<Boolean> keptInterrupt = new AtomicReference<>();
        fx.documents = new DelegatingDocumentStore(fx.silknote.documents()) {
            @Override
            public Optional<BlobRef> findBlobRef(ContentHash hash) {
                if (hash.equals(SHARED_HASH) && collecting.compareAndSet(false, true)) {
                    // fileset A's collector has begun on the bytes it released
                    aCollecting.countDown();
                    await(bFinished, "fileset B's end");
                }
                return super.findBlobRef(hash);
            }
        };
        fx.blobs = new ForwardingBlobStore(fx.silknote.blobs()) {
            @Override
            public Optional<BlobInfo> stat(ContentHash hash) {
                Optional<BlobInfo> info = super.stat(hash);
                if (hash.equals(SHARED_HASH) && bThread.compareAndSet(null, Thread.currentThread())) {
                    await(aCollecting, "fileset A's collection");
                    Thread.currentThread().interrupt(); // the run is stopped while B's step is about to wait
                }
                return info;
            }
        };
        fx.listener = new SyncListener() {
            @Override
            public void filesetFinished(RunId runId, FilesetReport report) {
                if (report.filesetId().equals(b)) {
                    keptInterrupt.set(Thread.currentThread().isInterrupted());
                    bFinished.countDown();
                }
            }
        };

        SyncResult r = fx.run();

        assertThat(collecting).isTrue();
        assertThat(fileset(r, b).outcome()).isEqualTo(FilesetOutcome.FAILED);
        assertThat(fileset(r, b).failureReason()).contains("silknote-side-failed");
        assertThat(EngineFixture.file(r, bf).action()).isEqualTo(FileAction.FAILED);
        assertThat(EngineFixture.file(r, bf).detail()).contains("TransientSyncException: interrupted while waiting for "
                + "the collector");
        assertThat(keptInterrupt.get()).as("the fileset thread kept its interrupt").isTrue();
    }
}
