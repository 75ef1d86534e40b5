package com.silknote.sync.testkit.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobPutResult;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.LockStatus;
import com.silknote.sync.core.model.MassDeleteGuard;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.testkit.ForwardingDocumentStore;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.testkit.SilknoteSnapshot;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.TestHashes;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DESIGN §4 "GC vs. new reference" and rule 12 on any Silknote backend, with seeded random schedules: runs
 * whose VSRX changes release content and reference it again (a small pool of contents shared by every file,
 * so references keep falling to zero and coming back) race with blob collectors that follow the protocol of
 * {@link com.silknote.sync.core.model.BlobRef} step by step (stat, mark {@code DELETING} with the ETag,
 * conditional delete, remove or revive the row) and sometimes die half-way. A collector step may run before
 * or after any call the run makes to the ledger or the blob store; the engine collects on its own too. After
 * every run no referenced blob is lost and the invariants hold; at the end, with the collectors gone, one
 * more run converges (no referenced blob lost, no unreferenced one left) and one after it writes nothing.
 *
 * <p>A schedule is one run with its interleaving of collector steps. Each history (one seed) runs
 * {@link #RUNS} schedules; the seed is logged and replays with {@code -Dvsrx.reliability.seed=S}.
 * (The orphan cleanup joins these schedules once it exists.)
 */
public abstract class GcRaceSchedules {
    /** Schedules (runs) per history. */
    public static final int RUNS = 5;
    /**
     * The engine's grace period: content released in one run stays (count zero) through the next runs, so the
     * collectors below (which take a row at once) and the runs that reference it again meet; the history's
     * last run comes after it and collects what is left.
     */
    private static final Duration GRACE = Duration.ofMinutes(10);
    private static final Logger LOG = LoggerFactory.getLogger(GcRaceSchedules.class);
    private static final List<String> POOL = List.of("shared letter", "shared scan", "shared lab result",
            "shared referral");

    /** A fresh, empty Silknote on {@code clock}. */
    protected abstract SilknoteBackend newBackend(TestClock clock);

    /** A short, log-safe name of the backend. */
    protected abstract String backendName();

    /** Histories in the test command. */
    protected abstract int boundedHistories();

    /** Histories in the heavy variant. */
    protected abstract int heavyHistories();

    @Test
    @DisplayName("DESIGN §4: random schedules of runs and collectors never lose a referenced blob")
    void randomSchedulesNeverLoseAReferencedBlob() {
        long started = System.nanoTime();
        int[] totals = new int[3];
        long[] seeds = Reliability.seeds(1, boundedHistories(), heavyHistories()).toArray();
        LOG.info("gc race schedules backend={} seeds={}..{} (a failure names its seed; replay with -D{}=S)",
                backendName(), seeds[0], seeds[seeds.length - 1], Reliability.SEED_PROPERTY);
        LongStream.of(seeds).forEach(seed -> {
            int[] h = history(seed);
            for (int i = 0; i < 3; i++) {
                totals[i] += h[i];
            }
        });
        LOG.info("gc race schedules backend={} schedules={} collectorSteps={} deletedByCollectors={} tookMs={}",
                backendName(), totals[0], totals[1], totals[2], (System.nanoTime() - started) / 1_000_000);
        assertThat(totals[0]).isPositive();
    }

    /** One history; returns {schedules, collector steps run, blobs the collectors deleted}. */
    private int[] history(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        TestClock clock = TestClock.at(SyncScenario.START);
        InMemoryVsrxSource vsrx = new InMemoryVsrxSource(clock);
        SilknoteBackend backend = newBackend(clock);
        List<FilesetId> filesets = new ArrayList<>();
        List<VsrxFileId> files = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            filesets.add(vsrx.addFileset(PatientId.of("GC" + p), SyncScenario.patient("GC" + p)));
        }
        for (int i = 0; i < 5; i++) {
            files.add(vsrx.addFile(filesets.get(random.nextInt(3)), "notes/f" + i + ".txt", "text/plain",
                    POOL.get(random.nextInt(POOL.size()))));
        }
        Scheduler scheduler = new Scheduler(random, backend, clock);
        int names = 5;
        for (int run = 1; run <= RUNS; run++) {
            String where = backendName() + ", seed " + seed + ", run " + run;
            if (run > 1) {
                for (int i = 1 + random.nextInt(3); i > 0; i--) {
                    VsrxFileId f = files.get(random.nextInt(files.size()));
                    boolean live = vsrx.findFile(f).map(v -> !v.deleted()).orElse(false);
                    switch (random.nextInt(3)) {
                        case 0 -> files.add(vsrx.addFile(filesets.get(random.nextInt(3)), "notes/f" + names++ + ".txt",
                                "text/plain", POOL.get(random.nextInt(POOL.size()))));
                        case 1 -> {
                            if (live) {
                                vsrx.deleteFile(f);
                            }
                        }
                        default -> {
                            if (live) {
                                vsrx.modifyFile(f, POOL.get(random.nextInt(POOL.size())));
                            }
                        }
                    }
                }
                scheduler.newCollectors(1 + random.nextInt(3));
            }
            clock.advance(Duration.ofSeconds(1));
            SyncResult result = scheduler.run(vsrx, seed * 100 + run, GRACE);
            assertThat(result.status()).as("%s: %s", where, result.error()).isIn(SyncResult.Status.COMPLETED,
                    SyncResult.Status.PARTIAL_FAILURE);
            SilknoteSnapshot s = Snapshots.read(backend);
            assertThat(Snapshots.invariantViolations(s, backend.blobs())).as("%s: no referenced blob lost", where)
                    .isEmpty();
        }
        String where = backendName() + ", seed " + seed + ", at the end";
        scheduler.stopCollectors();
        clock.advance(GRACE.plusSeconds(1));
        SyncResult last = scheduler.run(vsrx, seed * 100 + 99, GRACE);
        assertThat(last.status()).as("%s: %s", where, last.error()).isEqualTo(SyncResult.Status.COMPLETED);
        SilknoteSnapshot s = Snapshots.read(backend);
        assertThat(Snapshots.invariantViolations(s, backend.blobs())).as(where).isEmpty();
        SilknoteSnapshot timeless = s.timeless();
        assertThat(timeless.blobs()).as("%s: only referenced blobs are left", where)
                .isEqualTo(new java.util.TreeSet<>(timeless.blobRefs().keySet()));
        assertThat(timeless.blobRefs().values()).as("%s: no reference row left at zero", where)
                .allMatch(label -> label.startsWith("LIVE:") && !label.equals("LIVE:0"));
        Convergence.assertQuietRerun(log -> scheduler.quietRun(vsrx, log, seed), SyncResult.Status.COMPLETED,
                backend, timeless, where);
        return new int[] {RUNS + 1, scheduler.steps, scheduler.deleted};
    }

    /** Interleaves collector steps with the calls of one run, from the history's random source. */
    private static final class Scheduler {
        private final SplittableRandom random;
        private final SilknoteBackend backend;
        private final TestClock clock;
        private final List<Collector> collectors = new ArrayList<>();
        private FencingToken token = FencingToken.of(1);
        private boolean stopped;
        private int hosts;
        int steps;
        int deleted;

        Scheduler(SplittableRandom random, SilknoteBackend backend, TestClock clock) {
            this.random = random;
            this.backend = backend;
            this.clock = clock;
        }

        void newCollectors(int n) {
            for (int i = 0; i < n; i++) {
                ContentHash h = TestHashes.sha256(POOL.get(random.nextInt(POOL.size())));
                // some die half-way: after marking, or after deleting
                int diesAfter = random.nextInt(6) == 0 ? 2 + random.nextInt(2) : 4;
                collectors.add(new Collector(h, diesAfter));
            }
        }

        void stopCollectors() {
            stopped = true;
            collectors.clear();
        }

        /** Maybe runs one step of a random live collector. */
        void point() {
            if (stopped || collectors.isEmpty() || random.nextInt(3) != 0) {
                return;
            }
            Collector c = collectors.get(random.nextInt(collectors.size()));
            c.step();
            steps++;
            if (c.finished()) {
                collectors.remove(c);
            }
        }

        SyncResult run(InMemoryVsrxSource vsrx, long seed, Duration grace) {
            int host = ++hosts;
            SyncLock lock = backend.newLock("gc-" + host);
            return engine(vsrx, new Hooked(backend.documents()), hooked(backend.blobs()), watching(lock), seed,
                    null).run(SyncRequest.full());
        }

        SyncResult quietRun(InMemoryVsrxSource vsrx, WriteLog log, long seed) {
            int host = ++hosts;
            return engine(vsrx, log.documents(backend.documents()), log.blobs(backend.blobs()),
                    backend.newLock("gc-" + host), seed, log).run(SyncRequest.full());
        }

        private VsrxSync engine(InMemoryVsrxSource vsrx, DocumentStore documents, BlobStore blobs, SyncLock lock,
                long seed, WriteLog log) {
            SyncConfig config = SyncScenario.config().newBuilder().massDeleteGuard(new MassDeleteGuard(1.0, 1))
                    .blobGracePeriod(GRACE).build();
            return VsrxSync.builder().source(vsrx).documents(documents).blobs(blobs)
                    .vectors(log == null ? backend.vectors() : log.vectors(backend.vectors()))
                    .processor(log == null ? backend.processor() : log.processor(backend.processor())).lock(lock)
                    .config(config).clock(clock).sleeper(clock).random(new SplittableRandom(seed)).build();
        }

        /** Remembers the token of the run's lease: the collectors write with it. */
        private SyncLock watching(SyncLock lock) {
            return new SyncLock() {
                @Override
                public Optional<Lease> tryAcquire(String name, Duration ttl, String requestId) {
                    Optional<Lease> lease = lock.tryAcquire(name, ttl, requestId);
                    lease.ifPresent(l -> token = l.token());
                    return lease;
                }

                @Override
                public Optional<LockStatus> inspect(String name) {
                    return lock.inspect(name);
                }
            };
        }

        private <T> T around(Supplier<T> call) {
            point();
            T result = call.get();
            point();
            return result;
        }

        private BlobStore hooked(BlobStore blobs) {
            return new BlobStore() {
                @Override
                public boolean usesContentMd5() {
                    return blobs.usesContentMd5();
                }

                @Override
                public BlobPutResult putIfAbsent(BlobUpload upload) {
                    return around(() -> blobs.putIfAbsent(upload));
                }

                @Override
                public BlobPutResult putNewIfAbsent(BlobUpload upload) {
                    return around(() -> blobs.putNewIfAbsent(upload));
                }

                @Override
                public BlobInfo overwrite(BlobUpload upload) {
                    return around(() -> blobs.overwrite(upload));
                }

                @Override
                public Optional<BlobInfo> stat(ContentHash hash) {
                    return around(() -> blobs.stat(hash));
                }

                @Override
                public InputStream open(ContentHash hash) {
                    return around(() -> blobs.open(hash));
                }

                @Override
                public boolean deleteIfMatch(ContentHash hash, String etag) {
                    return around(() -> blobs.deleteIfMatch(hash, etag));
                }

                @Override
                public Page<BlobInfo> list(Optional<String> cursor, int limit) {
                    return around(() -> blobs.list(cursor, limit));
                }
            };
        }

        /** Collector steps may run around every call (never inside a unit of work: it holds row locks). */
        private final class Hooked extends ForwardingDocumentStore {
            Hooked(DocumentStore delegate) {
                super(delegate);
            }

            @Override
            public <T> T inUnitOfWork(FencingToken t, Function<UnitOfWork, T> work) {
                return around(() -> super.inUnitOfWork(t, work));
            }

            @Override
            public Optional<com.silknote.sync.core.model.BlobRef> findBlobRef(ContentHash hash) {
                return around(() -> super.findBlobRef(hash));
            }

            @Override
            public List<com.silknote.sync.core.model.BlobRef> unreferencedBlobs(int limit) {
                return around(() -> super.unreferencedBlobs(limit));
            }

            @Override
            public boolean markBlobDeleting(FencingToken t, ContentHash hash, String etag, java.time.Instant notAfter) {
                return around(() -> super.markBlobDeleting(t, hash, etag, notAfter));
            }

            @Override
            public boolean removeBlobRefIfDeleting(FencingToken t, ContentHash hash, String etag) {
                return around(() -> super.removeBlobRefIfDeleting(t, hash, etag));
            }

            @Override
            public void reviveBlobRef(FencingToken t, ContentHash hash, String etag) {
                around(() -> {
                    super.reviveBlobRef(t, hash, etag);
                    return null;
                });
            }

            @Override
            public void completeOutbox(FencingToken t, long entryId) {
                around(() -> {
                    super.completeOutbox(t, entryId);
                    return null;
                });
            }
        }

        /** One collector of one blob, a step at a time. */
        private final class Collector {
            final ContentHash hash;
            final int diesAfter;
            int step;
            String etag;
            boolean done;
            boolean gone;

            Collector(ContentHash hash, int diesAfter) {
                this.hash = hash;
                this.diesAfter = diesAfter;
            }

            boolean finished() {
                return done || step >= diesAfter;
            }

            void step() {
                DocumentStore documents = backend.documents();
                BlobStore blobs = backend.blobs();
                switch (step++) {
                    case 0 -> {
                        Optional<BlobInfo> info = blobs.stat(hash);
                        done = info.isEmpty();
                        etag = info.map(BlobInfo::etag).orElse(null);
                    }
                    case 1 -> done = !documents.markBlobDeleting(token, hash, etag, clock.instant().plusMillis(1));
                    case 2 -> {
                        gone = blobs.deleteIfMatch(hash, etag);
                        if (gone) {
                            deleted++;
                        }
                    }
                    case 3 -> {
                        if (gone || blobs.stat(hash).isEmpty()) {
                            documents.removeBlobRefIfDeleting(token, hash, etag);
                        } else {
                            documents.reviveBlobRef(token, hash, etag);
                        }
                        done = true;
                    }
                    default -> done = true;
                }
            }
        }
    }
}
