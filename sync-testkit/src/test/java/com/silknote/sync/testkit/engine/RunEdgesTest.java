package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.fileset;
import static com.silknote.sync.testkit.engine.EngineFixture.report;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.RunControl;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.LockStatus;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.RunBudget;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.port.SyncListener;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.testkit.fault.Operation;
import com.silknote.sync.testkit.fault.SimulatedCrash;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The edges of a run around its filesets: what the listener hears as filesets are queued by a resumed or an
 * incremental run (issue 11 progress), where failures carried from an earlier run are reported and what an
 * interrupted run keeps of them (DESIGN rule 9), a caller's interrupt during the listing (issue 9.7) and an
 * {@link Error} while the lock is released after a crash.
 */
class RunEdgesTest {
    private final EngineFixture fx = new EngineFixture().config(c -> c.filesetConcurrency(1).fileConcurrency(1));
    /** Filesets whose downloads fail while they are in here. */
    private final Set<FilesetId> failing = new HashSet<>();
    /** Called with the fileset id each time the run asks VSRX for one fileset. */
    private Consumer<FilesetId> onFind = id -> { };
    /** Called each time the run lists a page of filesets. */
    private Runnable onList = () -> { };
    private final List<String> queued = new CopyOnWriteArrayList<>();

    RunEdgesTest() {
        VsrxSource vsrx = fx.vsrx;
        fx.source = new VsrxSource() {
            @Override
            public Page<VsrxFileset> listFilesets(PageRequest request) {
                onList.run();
                return vsrx.listFilesets(request);
            }

            @Override
            public Optional<VsrxFileset> findFileset(FilesetId id) {
                onFind.accept(id);
                return vsrx.findFileset(id);
            }

            @Override
            public Page<VsrxFile> listFiles(FilesetId filesetId, PageRequest request) {
                return vsrx.listFiles(filesetId, request);
            }

            @Override
            public FileContent openContent(VsrxFileId fileId) {
                if (failing.contains(fx.vsrx.findFile(fileId).orElseThrow().filesetId())) {
                    throw new TransientSyncException("VSRX unavailable");
                }
                return vsrx.openContent(fileId);
            }
        };
        fx.listener = new SyncListener() {
            @Override
            public void filesetQueued(RunId runId, FilesetId filesetId, int queuedSoFar) {
                queued.add(filesetId + "#" + queuedSoFar);
            }
        };
    }

    private FilesetId filesetWithOneFile(String patient) {
        FilesetId fs = fx.linkedFileset(patient);
        fx.text(fs, "a.txt", "a note of " + patient);
        return fs;
    }

    @Test
    @DisplayName("issue 11 progress: a resumed run announces every listed fileset as queued, those the interrupted run"
            + " committed too, counting on in listing order")
    void aResumedRunAnnouncesTheFilesetsItSkipsAsQueued() {
        List<FilesetId> ids = List.of(filesetWithOneFile("P1"), filesetWithOneFile("P2"), filesetWithOneFile("P3"),
                filesetWithOneFile("P4"));
        SyncRequest budgeted = SyncRequest.full().withBudget(RunBudget.files(2));
        assertThat(fx.run(budgeted).status()).isEqualTo(SyncResult.Status.STOPPED);
        queued.clear();

        SyncResult resumed = fx.run();

        assertThat(resumed.status()).isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(fileset(resumed, ids.get(0)).outcome()).isEqualTo(FilesetOutcome.SKIPPED_ALREADY_PROCESSED);
        assertThat(fileset(resumed, ids.get(1)).outcome()).isEqualTo(FilesetOutcome.SKIPPED_ALREADY_PROCESSED);
        assertThat(queued).containsExactly(ids.get(0) + "#1", ids.get(1) + "#2", ids.get(2) + "#3",
                ids.get(3) + "#4");
    }

    @Test
    @DisplayName("rule 9 / issue 11 progress: failed filesets an incremental run fetches beyond its listing are"
            + " announced as queued after the listed ones and reported after them, in the order they failed")
    void carriedFailuresAreQueuedAndReportedAfterTheListing() {
        FilesetId first = filesetWithOneFile("P1");
        FilesetId second = filesetWithOneFile("P2");
        FilesetId changed = filesetWithOneFile("P3");
        failing.addAll(Set.of(first, second));
        fx.clock.advance(Duration.ofDays(1)); // the filesets are older than the run's watermark and its overlap
        assertThat(fx.run().status()).isEqualTo(SyncResult.Status.PARTIAL_FAILURE);
        assertThat(fx.silknote.documents().loadState().partialSyncState().failedFilesets())
                .containsExactly(first, second);
        failing.clear();
        fx.clock.advance(Duration.ofMinutes(10));
        fx.text(changed, "b.txt", "a later note of P3");
        queued.clear();

        SyncResult next = fx.run(SyncRequest.incrementalRun());

        assertThat(next.status()).isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(queued).containsExactly(changed + "#1", first + "#2", second + "#3");
        assertThat(report(next).filesets()).extracting(FilesetReport::filesetId)
                .containsExactly(changed, first, second);
        assertThat(fx.silknote.documents().loadState().partialSyncState().failedFilesets()).isEmpty();
    }

    @Test
    @DisplayName("rule 9: an incremental run stopped while it fetches carried failures drops the one VSRX no longer"
            + " lists from the state it saves and keeps the other")
    void aStoppedIncrementalRunKeepsOnlyTheCarriedFailuresVsrxStillLists() {
        FilesetId gone = filesetWithOneFile("P1");
        FilesetId kept = filesetWithOneFile("P2");
        failing.addAll(Set.of(gone, kept));
        fx.clock.advance(Duration.ofDays(1)); // the incremental run's listing shows neither fileset
        assertThat(fx.run().status()).isEqualTo(SyncResult.Status.PARTIAL_FAILURE);
        assertThat(fx.silknote.documents().loadState().partialSyncState().failedFilesets())
                .containsExactly(gone, kept);
        failing.clear();
        fx.vsrx.removeFileset(gone);
        fx.clock.advance(Duration.ofMinutes(10));
        RunControl control = new RunControl();
        onFind = id -> {
            if (id.equals(gone)) {
                control.requestStop("shutting down");
            }
        };

        SyncResult stopped = fx.sync().run(SyncRequest.incrementalRun(), control);

        assertThat(stopped.status()).isEqualTo(SyncResult.Status.STOPPED);
        assertThat(fx.silknote.documents().loadState().partialSyncState().failedFilesets())
                .as("the fileset VSRX no longer lists is not carried on").containsExactly(kept);
    }

    @Test
    @DisplayName("issue 9.7: a caller's interrupt that comes while the run lists VSRX ends the run, and the caller"
            + " gets its interrupt back")
    void anInterruptDuringTheListingIsHandedBack() {
        FilesetId fs = filesetWithOneFile("P1");
        filesetWithOneFile("P2");
        onList = () -> Thread.currentThread().interrupt();

        SyncResult result;
        boolean interruptKept;
        try {
            result = fx.run();
        } finally {
            interruptKept = Thread.interrupted();
        }

        assertThat(interruptKept).as("the caller's interrupt is kept for it").isTrue();
        assertThat(result.success()).isFalse();
        assertThat(result.status()).isEqualTo(SyncResult.Status.FAILED);
        assertThat(result.error().orElseThrow()).contains("interrupted");
        assertThat(fx.silknote.documents().findMapping(fx.vsrx.listedFiles(fs).get(0).id()))
                .as("no fileset started").isEmpty();
        onList = () -> { };
        assertThat(fx.run().status()).as("the next run syncs everything").isEqualTo(SyncResult.Status.COMPLETED);
    }

    @Test
    @DisplayName("DESIGN rule 9 / errors: an Error thrown while the lock is released after a crash is suppressed into"
            + " the crash, which the caller gets; without a crash the caller gets that Error")
    void anErrorReleasingTheLockIsSuppressedIntoTheCrash() {
        FilesetId fs = filesetWithOneFile("P1");
        SyncLock real = fx.silknote.lock();
        fx.lock = new SyncLock() {
            @Override
            public Optional<Lease> tryAcquire(String name, Duration ttl, String requestId) {
                return real.tryAcquire(name, ttl, requestId).map(l -> new Lease() {
                    @Override
                    public FencingToken token() {
                        return l.token();
                    }

                    @Override
                    public void renew(Duration t) {
                        l.renew(t);
                    }

                    @Override
                    public void close() {
                        l.close();
                        throw new SimulatedCrash(1, Operation.LOCK_ACQUIRE, "crash while releasing the lock");
                    }
                });
            }

            @Override
            public Optional<LockStatus> inspect(String name) {
                return real.inspect(name);
            }
        };
        VsrxFileId a = fx.vsrx.listedFiles(fs).get(0).id();
        fx.vsrx.beforeOpen(a, () -> {
            throw new SimulatedCrash(1, Operation.OPEN_CONTENT, "simulated crash at download");
        });

        assertThatThrownBy(fx::run).isInstanceOf(SimulatedCrash.class).hasMessageContaining("at download")
                .satisfies(crash -> assertThat(crash.getSuppressed()).singleElement()
                        .satisfies(e -> assertThat(e).hasMessageContaining("releasing the lock")));

        assertThatThrownBy(fx::run).isInstanceOf(SimulatedCrash.class).hasMessageContaining("releasing the lock");
    }
}
