package com.silknote.sync.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.OrphanCleanup;
import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobPutResult;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.CleanupReport;
import com.silknote.sync.core.model.CleanupRequest;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.ReferenceTally;
import com.silknote.sync.core.model.RetryPolicy;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.testkit.ForwardingDocumentStore;
import com.silknote.sync.testkit.InMemoryDocumentProcessor;
import com.silknote.sync.testkit.InMemoryVectorStore;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.TestHashes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * DESIGN rule 14 and §4 / issue 11: the orphan cleanup and a sync on another host never lose a referenced
 * blob and keep every reference count equal to its references, however they interleave. Seeded worlds hold
 * orphans of every kind whose content VSRX brings back in new files (a blob a run uploaded and never committed,
 * a zero-reference blob), so the sync references exactly the blobs the cleanup is collecting.
 *
 * <ol>
 *   <li>The cleanup pauses before its n-th effect (a ledger write or a blob store write), for every n; its
 *       lease is taken over and a sync with the newer lease runs to the end; the cleanup resumes.</li>
 *   <li>The reverse: the sync pauses before its n-th effect while a cleanup with the newer lease runs.</li>
 * </ol>
 * After each, and after a further sync and cleanup: every hash a mapping or document references has its blob
 * with bytes that hash to it, every reference row counts exactly its references, and the further sync
 * succeeds. Failures name the seed, the direction and the step; {@code -Dvsrx.interleaving.seed=N} replays one
 * seed. An adapter's test extends this class and supplies the stores, lock clients and expiry.
 */
public abstract class CleanupInterleavingScenario {

    /** A fresh, empty document store (its own namespace) on {@code clock}; once per world. */
    protected abstract DocumentStore newDocumentStore(Clock clock);

    /** A fresh, empty blob store on {@code clock}; once per world. */
    protected abstract BlobStore newBlobStore(Clock clock);

    /** A lock client of one host on this world's lock namespace; every call gives another host. */
    protected abstract SyncLock newLock(Clock clock);

    /** Expires the current lease of {@code name} inside the backend. */
    protected abstract void forceExpiry(String name);

    /** The clock of one world (a blob store that stamps its own times needs one near its time). */
    protected TestClock newClock() {
        return TestClock.at("2026-01-01T00:00:00Z");
    }

    /** The seeds to run (each a different world and interleaved changes). */
    protected long[] seeds() {
        return new long[] {11, 12, 13, 14};
    }

    /** At most this many pause points per seed and direction (sampled by the seed when there are more). */
    protected int maxStepsPerDirection() {
        return Integer.MAX_VALUE;
    }

    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    @Test
    @DisplayName("rule 14 / §4: a cleanup paused at every step while a sync with a newer lease runs loses nothing")
    public void cleanupPausedAtEveryStepWhileASyncRuns() throws Exception {
        for (long seed : effectiveSeeds()) {
            everyStep(seed, Direction.CLEANUP_PAUSED);
        }
    }

    @Test
    @DisplayName("rule 14 / §4: a sync paused at every step while a cleanup with a newer lease runs loses nothing")
    public void syncPausedAtEveryStepWhileACleanupRuns() throws Exception {
        for (long seed : effectiveSeeds()) {
            everyStep(seed, Direction.SYNC_PAUSED);
        }
    }

    private long[] effectiveSeeds() {
        String replay = System.getProperty("vsrx.interleaving.seed");
        return replay == null ? seeds() : new long[] {Long.parseLong(replay)};
    }

    private enum Direction { CLEANUP_PAUSED, SYNC_PAUSED }

    private void everyStep(long seed, Direction direction) throws Exception {
        SplittableRandom sampler = new SplittableRandom(seed * 31 + direction.ordinal());
        int max = maxStepsPerDirection();
        int step = 1;
        int tried = 0;
        while (tried < max) {
            World w = new World(seed);
            String at = "seed=" + seed + " direction=" + direction + " step=" + step;
            boolean paused = w.interleave(direction, step, at);
            tried++;
            if (!paused) {
                return; // the party ran to its end before reaching this step: every step was covered
            }
            // with a cap, skip ahead by a seeded stride so the sample spreads over the whole run
            step += max == Integer.MAX_VALUE ? 1 : 1 + sampler.nextInt(3);
        }
    }

    // ------------------------------------------------------------------ one world

    private final class World {
        final long seed;
        final SplittableRandom random;
        final TestClock clock = newClock();
        final InMemoryVsrxSource vsrx = new InMemoryVsrxSource(clock);
        final DocumentStore documents = newDocumentStore(clock);
        final BlobStore blobs = newBlobStore(clock);
        final InMemoryVectorStore vectors = new InMemoryVectorStore();
        final InMemoryDocumentProcessor processor = new InMemoryDocumentProcessor(blobs, vectors);
        final SyncConfig config;
        final List<FilesetId> filesets = new ArrayList<>();
        final List<String> orphanContents = new ArrayList<>();
        int files;

        World(long seed) {
            this.seed = seed;
            this.random = new SplittableRandom(seed);
            Duration grace = random.nextBoolean() ? Duration.ZERO : Duration.ofMinutes(10);
            config = SyncConfig.builder().blobGracePeriod(grace).filesetConcurrency(1).fileConcurrency(1)
                    .retryPolicy(new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(50), false))
                    .lockTtl(Duration.ofMinutes(5)).build();
            build();
        }

        private String content(int n) {
            return "content " + n + " of world " + seed;
        }

        private void build() {
            for (int p = 0; p < 3; p++) {
                String patient = "P-IL-" + seed + "-" + p;
                FilesetId fs = vsrx.addFileset(PatientId.of(patient),
                        new PatientUuid(UUID.nameUUIDFromBytes(patient.getBytes(StandardCharsets.UTF_8))));
                filesets.add(fs);
                int n = 2 + random.nextInt(3);
                for (int i = 0; i < n; i++) {
                    // a small pool of contents, so blobs are shared across files and patients
                    addFile(fs, content(random.nextInt(6)));
                }
            }
            assertThat(sync(newLock(clock), documents, blobs).run(SyncRequest.full()).success())
                    .as("seed %d: first sync", seed).isTrue();
            // files deleted in VSRX leave zero-reference rows; uploads of a run that crashed leave blobs with no row
            List<VsrxFile> all = new ArrayList<>();
            filesets.forEach(fs -> all.addAll(vsrx.listedFiles(fs)));
            for (int i = 0; i < 2 && !all.isEmpty(); i++) {
                VsrxFile f = all.remove(random.nextInt(all.size()));
                vsrx.deleteFile(f.id());
            }
            assertThat(sync(newLock(clock), documents, blobs).run(SyncRequest.full()).success())
                    .as("seed %d: second sync", seed).isTrue();
            for (int i = 0; i < 2; i++) {
                String lost = "uploaded and never committed " + i + " of world " + seed;
                orphanContents.add(lost);
                byte[] bytes = lost.getBytes(StandardCharsets.UTF_8);
                blobs.putIfAbsent(new BlobUpload(TestHashes.sha256(bytes), bytes.length, "text/plain",
                        () -> new ByteArrayInputStream(bytes)));
            }
            for (int i = 0; i < 6; i++) {
                orphanContents.add(content(i));
            }
            clock.advance(Duration.ofHours(1));
        }

        private void addFile(FilesetId fs, String content) {
            vsrx.addFile(fs, "notes/f" + (files++) + ".txt", "text/plain", content);
        }

        /** VSRX changes that make a sync reference what the cleanup is collecting. */
        private void changeVsrx() {
            int n = 1 + random.nextInt(3);
            for (int i = 0; i < n; i++) {
                FilesetId fs = filesets.get(random.nextInt(filesets.size()));
                List<VsrxFile> listed = vsrx.listedFiles(fs).stream().filter(f -> !f.deleted()).toList();
                int what = random.nextInt(4);
                if (what <= 1 || listed.isEmpty()) {
                    addFile(fs, orphanContents.get(random.nextInt(orphanContents.size())));
                } else if (what == 2) {
                    vsrx.modifyFile(listed.get(random.nextInt(listed.size())).id(),
                            orphanContents.get(random.nextInt(orphanContents.size())));
                } else {
                    vsrx.deleteFile(listed.get(random.nextInt(listed.size())).id());
                }
            }
        }

        VsrxSync sync(SyncLock lock, DocumentStore store, BlobStore blobStore) {
            return VsrxSync.builder().source(vsrx).documents(store).blobs(blobStore).vectors(vectors)
                    .processor(processor).lock(lock).config(config).clock(clock).sleeper(clock)
                    .random(new SplittableRandom(random.nextLong())).build();
        }

        OrphanCleanup cleanup(SyncLock lock, DocumentStore store, BlobStore blobStore) {
            return OrphanCleanup.builder().documents(store).blobs(blobStore).vectors(vectors).lock(lock).source(vsrx)
                    .config(config).clock(clock).sleeper(clock).random(new SplittableRandom(random.nextLong()))
                    .build();
        }

        /** Runs one interleaving; {@code false} when the paused party never reached {@code step}. */
        boolean interleave(Direction direction, int step, String at) throws Exception {
            changeVsrx();
            Gate gate = new Gate(step);
            DocumentStore gatedDocuments = new GatedDocumentStore(documents, gate);
            BlobStore gatedBlobs = new GatedBlobStore(blobs, gate);
            Supplier<Object> pausedParty = direction == Direction.CLEANUP_PAUSED
                    ? () -> cleanup(newLock(clock), gatedDocuments, gatedBlobs).run(CleanupRequest.removing())
                    : () -> sync(newLock(clock), gatedDocuments, gatedBlobs).run(SyncRequest.full());
            Future<Object> run = threads.submit(pausedParty::get);
            if (!gate.awaitPausedOrDone(run)) {
                run.get(120, TimeUnit.SECONDS);
                return false;
            }
            forceExpiry(SyncConfig.LOCK_NAME);
            changeVsrx();
            if (direction == Direction.CLEANUP_PAUSED) {
                SyncResult other = sync(newLock(clock), documents, blobs).run(SyncRequest.full());
                assertThat(other.success()).as("%s: the sync that took over: %s", at, other.error()).isTrue();
            } else {
                CleanupReport other = cleanup(newLock(clock), documents, blobs).run(CleanupRequest.removing());
                assertThat(other.success()).as("%s: the cleanup that took over: %s", at, other.error()).isTrue();
            }
            gate.release();
            Object resumed = run.get(120, TimeUnit.SECONDS);
            assertThat(resumed).as("%s: the paused party ended", at).isNotNull();
            assertNothingLost(at + " (after the paused party resumed)");

            // a run after an interrupted one resumes it (DESIGN rule 9): the one after that looks at every fileset
            for (int i = 0; i < 2; i++) {
                SyncResult next = sync(newLock(clock), documents, blobs).run(SyncRequest.full());
                assertThat(next.success()).as("%s: further sync %d: %s", at, i, next.error()).isTrue();
            }
            assertThat(cleanup(newLock(clock), documents, blobs).run(CleanupRequest.removing()).success())
                    .as("%s: a further cleanup", at).isTrue();
            assertNothingLost(at + " (after a further sync and cleanup)");
            assertDocumentsHoldVsrxContent(at);
            return true;
        }

        /** Every referenced hash has its blob, with its bytes; every row counts exactly its references. */
        void assertNothingLost(String at) {
            List<String> violations = new ArrayList<>();
            Optional<String> cursor = Optional.empty();
            do {
                Page<ReferenceTally> page = documents.referenceTallies(cursor, 1000);
                for (ReferenceTally t : page.items()) {
                    if (!t.countMatches()) {
                        violations.add("hash " + t.hash().hex() + " counts "
                                + t.row().map(r -> Long.toString(r.refCount())).orElse("no row") + " but has "
                                + t.references() + " references");
                    }
                    if (t.references() > 0) {
                        if (t.row().isPresent() && t.row().get().state() != com.silknote.sync.core.model.BlobRef.State.LIVE) {
                            violations.add("hash " + t.hash().hex() + " is referenced but its row is DELETING");
                        }
                        Optional<ContentHash> stored = storedHash(t.hash());
                        if (stored.isEmpty()) {
                            violations.add("referenced blob " + t.hash().hex() + " is lost");
                        } else if (!stored.get().equals(t.hash())) {
                            violations.add("blob " + t.hash().hex() + " holds other bytes");
                        }
                    }
                }
                cursor = page.nextCursor();
            } while (cursor.isPresent());
            assertThat(violations).as("%s", at).isEmpty();
        }

        private Optional<ContentHash> storedHash(ContentHash hash) {
            if (blobs.stat(hash).isEmpty()) {
                return Optional.empty();
            }
            try (InputStream in = blobs.open(hash)) {
                return Optional.of(TestHashes.sha256(in.readAllBytes()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** After a successful further sync, every live listed file's document holds its current content. */
        void assertDocumentsHoldVsrxContent(String at) {
            for (FilesetId fs : filesets) {
                for (VsrxFile f : vsrx.listedFiles(fs)) {
                    Optional<SilknoteDocument> d = documents.findDocumentByClientFileId(f.id());
                    if (f.deleted()) {
                        assertThat(d).as("%s: document of deleted file %s", at, f.id()).isEmpty();
                    } else {
                        assertThat(d).as("%s: document of %s", at, f.id()).isPresent();
                        assertThat(d.get().contentHash()).as("%s: content of %s", at, f.id())
                                .isEqualTo(vsrx.contentHash(f.id()));
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ the gate

    /** Pauses the party before its n-th effect until released; counts effects of that party only. */
    private static final class Gate {
        private final int pauseAt;
        private final AtomicInteger effects = new AtomicInteger();
        private final CountDownLatch paused = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        Gate(int pauseAt) {
            this.pauseAt = pauseAt;
        }

        void before() {
            if (effects.incrementAndGet() == pauseAt) {
                paused.countDown();
                try {
                    if (!released.await(120, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("gate never released");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted at the gate", e);
                }
            }
        }

        /** {@code true} once the party is paused; {@code false} when it finished first. */
        boolean awaitPausedOrDone(Future<?> run) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline) {
                if (paused.await(5, TimeUnit.MILLISECONDS)) {
                    return true;
                }
                if (run.isDone()) {
                    return paused.getCount() == 0;
                }
            }
            throw new IllegalStateException("the party neither paused nor ended");
        }

        void release() {
            released.countDown();
        }
    }

    /** Counts and gates every write of the document store. */
    private static final class GatedDocumentStore extends ForwardingDocumentStore {
        private final Gate gate;

        GatedDocumentStore(DocumentStore delegate, Gate gate) {
            super(delegate);
            this.gate = gate;
        }

        @Override
        public void fence(FencingToken token) {
            gate.before();
            super.fence(token);
        }

        @Override
        public <T> T inUnitOfWork(FencingToken token, Function<UnitOfWork, T> work) {
            gate.before();
            return super.inUnitOfWork(token, work);
        }

        @Override
        public void completeOutbox(FencingToken token, long entryId) {
            gate.before();
            super.completeOutbox(token, entryId);
        }

        @Override
        public void failOutbox(FencingToken token, long entryId, String reasonCode, boolean park) {
            gate.before();
            super.failOutbox(token, entryId, reasonCode, park);
        }

        @Override
        public boolean markBlobDeleting(FencingToken token, ContentHash hash, String etag, Instant notAfter) {
            gate.before();
            return super.markBlobDeleting(token, hash, etag, notAfter);
        }

        @Override
        public boolean removeBlobRefIfDeleting(FencingToken token, ContentHash hash, String etag) {
            gate.before();
            return super.removeBlobRefIfDeleting(token, hash, etag);
        }

        @Override
        public void reviveBlobRef(FencingToken token, ContentHash hash, String etag) {
            gate.before();
            super.reviveBlobRef(token, hash, etag);
        }

        @Override
        public void recordRun(FencingToken token, SyncReport report) {
            gate.before();
            super.recordRun(token, report);
        }
    }

    /** Counts and gates every write of the blob store. */
    private static final class GatedBlobStore implements BlobStore {
        private final BlobStore delegate;
        private final Gate gate;

        GatedBlobStore(BlobStore delegate, Gate gate) {
            this.delegate = delegate;
            this.gate = gate;
        }

        @Override
        public BlobPutResult putIfAbsent(BlobUpload upload) {
            gate.before();
            return delegate.putIfAbsent(upload);
        }

        @Override
        public BlobPutResult putNewIfAbsent(BlobUpload upload) {
            gate.before();
            return delegate.putNewIfAbsent(upload);
        }

        @Override
        public BlobInfo overwrite(BlobUpload upload) {
            gate.before();
            return delegate.overwrite(upload);
        }

        @Override
        public Optional<BlobInfo> stat(ContentHash hash) {
            return delegate.stat(hash);
        }

        @Override
        public InputStream open(ContentHash hash) {
            return delegate.open(hash);
        }

        @Override
        public boolean deleteIfMatch(ContentHash hash, String etag) {
            gate.before();
            return delegate.deleteIfMatch(hash, etag);
        }

        @Override
        public Page<BlobInfo> list(Optional<String> cursor, int limit) {
            return delegate.list(cursor, limit);
        }
    }
}
