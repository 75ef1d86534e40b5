package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.FilesetClaims;
import com.silknote.sync.core.port.Sleeper;
import com.silknote.sync.core.port.SyncListener;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.testkit.SilknoteSimulator;
import com.silknote.sync.testkit.SilknoteSnapshot;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.fault.Interception;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 "scale-out" (DESIGN §6) on the in-memory ledger: N workers share one run's filesets through claims;
 * a crashed worker's claims expire and are taken over; a worker whose claim was taken over cannot commit; the
 * next run's higher token fences every worker of a dead coordinator. Each ends in the state of one clean run.
 */
class ScaleOutTest {
    /** Stands for a crash of a worker's process. */
    static final class WorkerKilled extends Error {
        private static final long serialVersionUID = 1L;

        WorkerKilled() {
            super("worker killed");
        }
    }

    private static final int FILESETS = 24;

    private final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
    private final InMemoryVsrxSource vsrx = new InMemoryVsrxSource(clock);
    private final SilknoteSimulator silknote = new SilknoteSimulator(clock);
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final SyncConfig config = SyncConfig.builder().filesetConcurrency(2).fileConcurrency(2).pageSize(5)
            .lockTtl(Duration.ofHours(1)).blobGracePeriod(Duration.ZERO).build();
    private final List<FilesetId> filesets = new ArrayList<>();
    private long seed = 1;
    /**
     * The workers' sleeper. Waiting for claims or completions does not move the shared test clock: with the
     * clock as every worker's sleeper, one worker's one-second polls raced the simulated time ahead of the
     * others by hours per real second, so any worker not scheduled for a few milliseconds lost its claims and
     * the coordinator its lease (lock and claims expiry by the clock are covered by the claims and lock
     * contracts). Here a claim expires when the test says so ({@code forceExpiry}); a wait only yields.
     */
    private final Sleeper polls = d -> {
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted while waiting");
        }
        Thread.yield();
    };

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    private void populate(InMemoryVsrxSource source, List<FilesetId> ids) {
        for (int i = 0; i < FILESETS; i++) {
            FilesetId fs = source.addFileset(com.silknote.sync.core.model.PatientId.of("P-" + i),
                    EngineFixture.patient("P-" + i));
            for (int f = 0; f < 3; f++) {
                source.addFile(fs, "notes/n" + f + ".txt", "text/plain", "note " + f + " of fileset " + i);
            }
            ids.add(fs);
        }
    }

    /** The state one clean single-worker run leaves. */
    private SilknoteSnapshot cleanRun() {
        TestClock c = TestClock.at("2026-01-01T00:00:00Z");
        InMemoryVsrxSource source = new InMemoryVsrxSource(c);
        populate(source, new ArrayList<>());
        SilknoteSimulator s = new SilknoteSimulator(c);
        SyncResult r = VsrxSync.builder().source(source).documents(s.documents()).blobs(s.blobs()).vectors(s.vectors())
                .processor(s.processor()).lock(s.lock()).config(config).clock(c).sleeper(c)
                .random(new SplittableRandom(99)).build().run(SyncRequest.full());
        assertThat(r.success()).isTrue();
        return s.snapshot().timeless();
    }

    private VsrxSync worker(VsrxSource source, DocumentStore documents, BlobStore blobs, SyncListener listener) {
        return worker(source, documents, blobs, listener, config);
    }

    private VsrxSync worker(VsrxSource source, DocumentStore documents, BlobStore blobs, SyncListener listener,
            SyncConfig c) {
        return worker(source, documents, blobs, listener, c, silknote.claims());
    }

    private VsrxSync worker(VsrxSource source, DocumentStore documents, BlobStore blobs, SyncListener listener,
            SyncConfig c, FilesetClaims claims) {
        return VsrxSync.builder().source(source).documents(documents).blobs(blobs).vectors(silknote.vectors())
                .processor(silknote.processor()).lock(silknote.lock()).claims(claims).listener(listener)
                .config(c).clock(clock).sleeper(polls).random(new SplittableRandom(seed++)).build();
    }

    private VsrxSync worker(SyncListener listener) {
        return worker(vsrx, silknote.documents(), silknote.blobs(), listener);
    }

    /** A VSRX that counts down {@code listed} on its first fileset listing (after the run was opened). */
    private VsrxSource signallingListing(CountDownLatch listed, CountDownLatch gate) {
        return Interception.around(VsrxSource.class, vsrx, (name, call) -> {
            if (name.equals("listFilesets")) {
                listed.countDown();
            }
            if (name.equals("listFiles")) {
                Interception.await(gate);
            }
            return call.proceed();
        });
    }

    /** Records the filesets a worker claimed (it announces each as queued). */
    private static SyncListener claimsOf(Set<FilesetId> claimed) {
        return new SyncListener() {
            @Override
            public void filesetQueued(RunId runId, FilesetId filesetId, int queuedSoFar) {
                claimed.add(filesetId);
            }
        };
    }

    @Test
    @DisplayName("issue 11 scale-out: 4 workers, one killed mid-fileset; its claims expire and are taken over; the"
            + " run completes only when every fileset is done, in the state of one clean run")
    void fourWorkersOneKilledMidFileset() throws Exception {
        populate(vsrx, filesets);
        CountDownLatch opened = new CountDownLatch(1);
        CountDownLatch killed = new CountDownLatch(1);
        // the coordinator syncs nothing until the killed worker has claimed filesets and died
        VsrxSync coordinator = worker(signallingListing(opened, killed), silknote.documents(), silknote.blobs(),
                SyncListener.NONE);
        Set<FilesetId> claimedByKilled = ConcurrentHashMap.newKeySet();
        BlobStore dying = Interception.around(BlobStore.class, silknote.blobs(), (name, call) -> {
            if (name.startsWith("put")) {
                throw new WorkerKilled();
            }
            return call.proceed();
        });
        VsrxSync victim = worker(vsrx, silknote.documents(), dying, claimsOf(claimedByKilled));

        Future<SyncResult> coordinating = threads.submit(() -> coordinator.run(SyncRequest.full()));
        assertThat(opened.await(1, TimeUnit.MINUTES)).isTrue();
        Future<SyncResult> victimRun = threads.submit(() -> victim.run(SyncRequest.full()));
        Throwable death = null;
        try {
            victimRun.get(1, TimeUnit.MINUTES);
        } catch (java.util.concurrent.ExecutionException e) {
            death = e.getCause();
        }
        assertThat(death).isInstanceOf(WorkerKilled.class);
        assertThat(claimedByKilled).as("the killed worker held claims").isNotEmpty();
        // its host stays gone for the claims' ttl: they expire
        RunId open = silknote.claims().openRun().orElseThrow().run();
        for (FilesetId f : claimedByKilled) {
            silknote.claims().forceExpiry(open, f);
        }
        // the other two workers join while the coordinator still holds its filesets: started after it is let go,
        // a late thread could find the run finished and the lock free, and run a second run of its own
        CountDownLatch joined = new CountDownLatch(2);
        SyncListener joins = new SyncListener() {
            @Override
            public void runStarted(RunId runId, boolean dryRun) {
                joined.countDown();
            }
        };
        Future<SyncResult> second = threads.submit(() -> worker(joins).run(SyncRequest.full()));
        Future<SyncResult> third = threads.submit(() -> worker(joins).run(SyncRequest.full()));
        assertThat(joined.await(1, TimeUnit.MINUTES)).as("both workers joined the open run").isTrue();
        killed.countDown();

        SyncResult run = coordinating.get(2, TimeUnit.MINUTES);
        assertThat(List.of(second.get(1, TimeUnit.MINUTES).status(), third.get(1, TimeUnit.MINUTES).status()))
                .containsOnly(SyncResult.Status.JOINED);

        assertThat(run.status()).as("%s", run.error()).isEqualTo(SyncResult.Status.COMPLETED);
        SyncReport report = run.report().orElseThrow();
        assertThat(report.totals().filesets(FilesetOutcome.COMPLETED)).isEqualTo(FILESETS);
        assertThat(report.totals().files(com.silknote.sync.core.model.FileAction.CREATED)).isEqualTo(3L * FILESETS);
        List<FilesetReport> stored = silknote.documents().allFilesetReports(report.runId());
        assertThat(stored).extracting(FilesetReport::filesetId).containsExactlyInAnyOrderElementsOf(filesets);
        assertThat(stored).allSatisfy(r -> assertThat(r.outcome()).isEqualTo(FilesetOutcome.COMPLETED));
        assertThat(silknote.documents().loadState().lastCompleteSync()).as("the mark moved").isPresent();
        assertThat(silknote.documents().loadState().partialSyncState().isEmpty()).isTrue();
        assertThat(silknote.claims().openRun()).as("the run is closed").isEmpty();
        assertThat(silknote.snapshot().timeless()).isEqualTo(cleanRun());
        silknote.assertInvariants();
    }

    /**
     * A scale-out run whose coordinator syncs nothing until a worker has finished three filesets: the alerts of
     * {@code kind} in the run's report are one per fileset, none twice, the worker's included.
     */
    private SyncResult assertOneAlertPerFilesetWithAWorker(com.silknote.sync.core.model.Alert.Kind kind)
            throws Exception {
        CountDownLatch opened = new CountDownLatch(1);
        CountDownLatch workerDone = new CountDownLatch(3);
        VsrxSync coordinator = worker(signallingListing(opened, workerDone), silknote.documents(), silknote.blobs(),
                SyncListener.NONE);
        Set<FilesetId> byWorker = ConcurrentHashMap.newKeySet();
        SyncListener finishes = new SyncListener() {
            @Override
            public void filesetFinished(RunId runId, FilesetReport report) {
                byWorker.add(report.filesetId());
                workerDone.countDown();
            }
        };

        Future<SyncResult> coordinating = threads.submit(() -> coordinator.run(SyncRequest.full()));
        assertThat(opened.await(1, TimeUnit.MINUTES)).isTrue();
        Future<SyncResult> working = threads.submit(() -> worker(finishes).run(SyncRequest.full()));
        SyncResult run = coordinating.get(2, TimeUnit.MINUTES);
        SyncResult worked = working.get(1, TimeUnit.MINUTES);

        assertThat(worked.status()).isEqualTo(SyncResult.Status.JOINED);
        assertThat(byWorker).as("filesets the worker synced").hasSizeGreaterThanOrEqualTo(3);
        assertThat(run.status()).as("%s", run.error()).isEqualTo(SyncResult.Status.COMPLETED);
        List<com.silknote.sync.core.model.Alert> alerts = run.report().orElseThrow().alerts().stream()
                .filter(a -> a.kind() == kind).toList();
        assertThat(alerts).as("one per fileset, the worker's included, none twice").hasSize(FILESETS)
                .doesNotHaveDuplicates();
        for (FilesetId fs : byWorker) {
            assertThat(alerts).as("the worker's fileset %s", fs)
                    .anyMatch(a -> a.message().startsWith("fileset " + fs + ":")
                            || a.message().startsWith("fileset " + fs + " "));
        }
        silknote.assertInvariants();
        return run;
    }

    @Test
    @DisplayName("issue 11 scale-out: the alerts a worker raised for its filesets (a file listed but not served) are in"
            + " the run's report, once per fileset, whoever synced it")
    void aWorkersAlertsAreInTheRunsReport() throws Exception {
        populate(vsrx, filesets);
        for (FilesetId fs : filesets) {
            // VSRX lists a file in every fileset whose bytes its store lost
            com.silknote.sync.core.model.VsrxFileId lost = vsrx.addFile(fs, "notes/lost.txt", "text/plain",
                    "bytes VSRX no longer has of " + fs);
            vsrx.beforeOpen(lost, () -> {
                throw com.silknote.sync.core.exception.FileGoneException.notFound();
            });
        }

        assertOneAlertPerFilesetWithAWorker(com.silknote.sync.core.model.Alert.Kind.FILE_NOT_SERVED);
    }

    @Test
    @DisplayName("issue 11 scale-out: a worker's relink warnings are in the run's report, once per fileset, whoever"
            + " synced it (kept with each fileset's stored report)")
    void aWorkersRelinkWarningsAreInTheRunsReport() throws Exception {
        populate(vsrx, filesets);
        SyncResult first = worker(SyncListener.NONE).run(SyncRequest.full());
        assertThat(first.status()).isEqualTo(SyncResult.Status.COMPLETED);
        for (FilesetId fs : filesets) {
            // every fileset is linked to another Silknote patient since: its documents move (issue 9 item 3)
            vsrx.linkPatient(fs, EngineFixture.patient("moved-" + fs.value()));
        }

        SyncResult run = assertOneAlertPerFilesetWithAWorker(com.silknote.sync.core.model.Alert.Kind.FILESET_RELINKED);

        assertThat(run.report().orElseThrow().filesets()).allSatisfy(f -> assertThat(f.alerts())
                .as("fileset %s", f.filesetId()).extracting(com.silknote.sync.core.model.Alert::kind)
                .containsExactly(com.silknote.sync.core.model.Alert.Kind.FILESET_RELINKED));
    }

    @Test
    @DisplayName("issue 11 scale-out: a worker whose claim expired and was taken over cannot commit; the new holder"
            + " syncs the fileset and reports it")
    void aWorkerWhoseClaimWasTakenOverCannotCommit() throws Exception {
        populate(vsrx, filesets);
        CountDownLatch opened = new CountDownLatch(1);
        CountDownLatch slowClaimed = new CountDownLatch(1);
        // the coordinator syncs nothing until the slow worker has a claim
        VsrxSync coordinator = worker(signallingListing(opened, slowClaimed), silknote.documents(), silknote.blobs(),
                SyncListener.NONE);
        // the slow worker (one fileset at a time) hangs in its first commit until its claims were taken over
        CountDownLatch paused = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        DocumentStore slowStore = Interception.around(DocumentStore.class, silknote.documents(), (name, call) -> {
            if (name.equals("inUnitOfWork") && paused.getCount() > 0) {
                paused.countDown();
                Interception.await(release);
            }
            return call.proceed();
        });
        Set<FilesetId> claimedBySlow = ConcurrentHashMap.newKeySet();
        SyncListener slowListener = new SyncListener() {
            @Override
            public void filesetQueued(RunId runId, FilesetId filesetId, int queuedSoFar) {
                claimedBySlow.add(filesetId);
                slowClaimed.countDown();
            }
        };
        VsrxSync slow = worker(vsrx, slowStore, silknote.blobs(), slowListener,
                config.newBuilder().filesetConcurrency(1).build());

        Future<SyncResult> coordinating = threads.submit(() -> coordinator.run(SyncRequest.full()));
        assertThat(opened.await(1, TimeUnit.MINUTES)).isTrue();
        Future<SyncResult> slowRun = threads.submit(() -> slow.run(SyncRequest.full()));
        assertThat(paused.await(1, TimeUnit.MINUTES)).isTrue();
        // the slow worker's claims expire (its host hangs): the coordinator takes them over and finishes the run
        RunId run = silknote.claims().openRun().orElseThrow().run();
        for (FilesetId f : claimedBySlow) {
            silknote.claims().forceExpiry(run, f);
        }
        SyncResult result = coordinating.get(2, TimeUnit.MINUTES);
        release.countDown();
        SyncResult slowResult = slowRun.get(1, TimeUnit.MINUTES);

        assertThat(result.status()).isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(slowResult.report().orElseThrow().totals().filesets(FilesetOutcome.COMPLETED))
                .as("the slow worker committed none of the filesets it lost").isZero();
        List<FilesetReport> stored = silknote.documents().allFilesetReports(result.report().orElseThrow().runId());
        assertThat(stored).extracting(FilesetReport::filesetId).containsExactlyInAnyOrderElementsOf(filesets);
        assertThat(stored).allSatisfy(r -> assertThat(r.outcome()).isEqualTo(FilesetOutcome.COMPLETED));
        assertThat(silknote.snapshot().timeless()).isEqualTo(cleanRun());
        silknote.assertInvariants();
    }

    @Test
    @DisplayName("issue 11 scale-out, DESIGN rule 10: a worker that claims its own expired fileset again commits"
            + " only under the new claim; the attempt still running under the expired claim cannot commit")
    void anAttemptUnderItsWorkersExpiredClaimCannotCommit() throws Exception {
        populate(vsrx, filesets);
        CountDownLatch opened = new CountDownLatch(1);
        CountDownLatch coordinatorGate = new CountDownLatch(1);
        // the coordinator fills its window (filesetConcurrency 2, twice that queued or running) and hangs in
        // those filesets, so the fileset whose claim expires can only go back to the worker
        CountDownLatch coordinatorFull = new CountDownLatch(4);
        FilesetClaims countingClaims = Interception.around(FilesetClaims.class, silknote.claims(), (name, call) -> {
            Object r = call.proceed();
            if (name.equals("claimNext") && ((Optional<?>) r).isPresent()) {
                coordinatorFull.countDown();
            }
            return r;
        });
        VsrxSync coordinator = worker(signallingListing(opened, coordinatorGate), silknote.documents(),
                silknote.blobs(), SyncListener.NONE, config, countingClaims);

        // the worker's first fileset (attempt A of fileset F) hangs after its plan, before its downloads and its
        // commit, until F's claim expired and the worker itself claimed F again (attempt B, held at its listing
        // until A is done)
        AtomicReference<FilesetId> target = new AtomicReference<>();
        AtomicReference<Thread> aThread = new AtomicReference<>();
        AtomicReference<String> firstCommit = new AtomicReference<>();
        CountDownLatch aPaused = new CountDownLatch(1);
        CountDownLatch releaseA = new CountDownLatch(1);
        CountDownLatch aDone = new CountDownLatch(1);
        CountDownLatch bListing = new CountDownLatch(1);
        CountDownLatch releaseB = new CountDownLatch(1);
        SyncListener pausesA = new SyncListener() {
            @Override
            public void filesetStarted(RunId runId, FilesetId filesetId, int files, long bytesToDownload) {
                if (target.compareAndSet(null, filesetId)) {
                    aThread.set(Thread.currentThread());
                    aPaused.countDown();
                    Interception.await(releaseA);
                }
            }
        };
        DocumentStore recordsA = Interception.around(DocumentStore.class, silknote.documents(), (name, call) -> {
            if (!name.equals("inUnitOfWork") || Thread.currentThread() != aThread.get() || firstCommit.get() != null) {
                return call.proceed();
            }
            try {
                Object r = call.proceed();
                firstCommit.set("committed");
                return r;
            } catch (RuntimeException e) {
                firstCommit.set(e.getClass().getSimpleName());
                throw e;
            } finally {
                aDone.countDown();
            }
        });
        VsrxSource holdingB = (VsrxSource) Proxy.newProxyInstance(VsrxSource.class.getClassLoader(),
                new Class<?>[] {VsrxSource.class}, (p, m, args) -> {
                    if (m.getName().equals("listFiles") && aPaused.getCount() == 0 && args[0].equals(target.get())) {
                        bListing.countDown();
                        Interception.await(releaseB);
                    }
                    try {
                        return m.invoke(vsrx, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        VsrxSync w = worker(holdingB, recordsA, silknote.blobs(), pausesA);

        Future<SyncResult> coordinating = threads.submit(() -> coordinator.run(SyncRequest.full()));
        assertThat(opened.await(1, TimeUnit.MINUTES)).isTrue();
        assertThat(coordinatorFull.await(1, TimeUnit.MINUTES)).as("the coordinator's window is full").isTrue();
        Future<SyncResult> working = threads.submit(() -> w.run(SyncRequest.full()));
        assertThat(aPaused.await(1, TimeUnit.MINUTES)).as("attempt A planned").isTrue();
        RunId run = silknote.claims().openRun().orElseThrow().run();
        silknote.claims().forceExpiry(run, target.get());
        assertThat(bListing.await(1, TimeUnit.MINUTES)).as("the worker claimed F again").isTrue();
        releaseA.countDown();
        assertThat(aDone.await(1, TimeUnit.MINUTES)).isTrue();
        assertThat(firstCommit.get()).as("attempt A's claim expired: its unit of work is refused")
                .isEqualTo("ClaimLostException");
        releaseB.countDown();
        assertThat(working.get(1, TimeUnit.MINUTES).status()).isEqualTo(SyncResult.Status.JOINED);
        coordinatorGate.countDown();
        SyncResult result = coordinating.get(2, TimeUnit.MINUTES);

        assertThat(result.status()).as("%s", result.error()).isEqualTo(SyncResult.Status.COMPLETED);
        SyncReport report = result.report().orElseThrow();
        assertThat(report.totals().files(com.silknote.sync.core.model.FileAction.CREATED)).isEqualTo(3L * FILESETS);
        List<FilesetReport> stored = silknote.documents().allFilesetReports(report.runId());
        assertThat(stored).extracting(FilesetReport::filesetId).containsExactlyInAnyOrderElementsOf(filesets);
        assertThat(stored).allSatisfy(r -> assertThat(r.outcome()).isEqualTo(FilesetOutcome.COMPLETED));
        assertThat(silknote.snapshot().timeless()).isEqualTo(cleanRun());
        silknote.assertInvariants();
    }

    @Test
    @DisplayName("issue 11 scale-out: a coordinator that dies lets its lease expire; the next run's higher token"
            + " fences every worker of the old run")
    void aDeadCoordinatorsWorkersAreFencedByTheNextRun() throws Exception {
        populate(vsrx, filesets);
        CountDownLatch opened = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        // the first coordinator lists, opens its run, and dies before syncing anything
        VsrxSource dyingListing = Interception.around(VsrxSource.class, vsrx, (name, call) -> {
            if (name.equals("listFilesets")) {
                opened.countDown();
            }
            if (name.equals("listFiles")) {
                Interception.await(never);
            }
            return call.proceed();
        });
        CountDownLatch paused = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        DocumentStore pausingStore = Interception.around(DocumentStore.class, silknote.documents(), (name, call) -> {
            if (name.equals("inUnitOfWork") && paused.getCount() > 0) {
                paused.countDown();
                Interception.await(release);
            }
            return call.proceed();
        });
        VsrxSync firstCoordinator = worker(dyingListing, silknote.documents(), silknote.blobs(), SyncListener.NONE);
        Future<SyncResult> first = threads.submit(() -> firstCoordinator.run(SyncRequest.full()));
        assertThat(opened.await(1, TimeUnit.MINUTES)).isTrue();
        FencingToken oldToken = silknote.claims().openRun().orElseThrow().token();
        VsrxSync oldWorker = worker(vsrx, pausingStore, silknote.blobs(), SyncListener.NONE);
        Future<SyncResult> oldWork = threads.submit(() -> oldWorker.run(SyncRequest.full()));
        assertThat(paused.await(1, TimeUnit.MINUTES)).as("the old run's worker is about to commit").isTrue();

        // the first coordinator's host dies: its lease runs out, a new run takes the lock with a higher token
        first.cancel(true);
        silknote.lock().forceExpiry(SyncConfig.LOCK_NAME);
        SyncResult next = worker(SyncListener.NONE).run(SyncRequest.full());
        assertThat(next.status()).as("%s", next.error()).isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(silknote.documents().highWaterMark().orElseThrow()).isGreaterThan(oldToken);

        release.countDown();
        SyncResult old = oldWork.get(1, TimeUnit.MINUTES);
        assertThat(old.status()).as("the old worker stops: its writes are refused").isEqualTo(SyncResult.Status.FAILED);
        assertThat(old.error().orElseThrow()).contains("lease lost");
        never.countDown();
        assertThat(silknote.snapshot().timeless()).isEqualTo(cleanRun());
        silknote.assertInvariants();
    }
}
