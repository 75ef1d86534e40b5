package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.report;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.RunControl;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.SyncListener;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.testkit.fault.Interception;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 "stop at a fileset boundary" and issue 9.7 (interrupts) for filesets already queued on the fileset pool
 * when the listing is over: one fileset thread, two filesets; the first holds until the run has listed every
 * fileset (it asks the store for the filesets Silknote holds, to find vanished ones), so the second is queued, not
 * yet started, when the stop or the interrupt comes (DESIGN rule 9: such a run is interrupted, never complete).
 */
class QueuedFilesetsTest {
    private final EngineFixture fx = new EngineFixture().config(c -> c.filesetConcurrency(1).fileConcurrency(1));
    private final CountDownLatch listed = new CountDownLatch(1);

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    private List<FilesetId> twoFilesets() {
        FilesetId a = fx.linkedFileset("P-1");
        fx.text(a, "a.txt", "note a");
        FilesetId b = fx.linkedFileset("P-2");
        fx.text(b, "b.txt", "note b");
        var real = fx.documents;
        fx.documents = Interception.around(DocumentStore.class, real, (method, call) -> {
            if (method.equals("filesets")) {
                listed.countDown();
            }
            return call.proceed();
        });
        return List.of(a, b);
    }

    @Test
    @DisplayName("issue 11 stop / rule 9: a stop that keeps a queued fileset from starting ends the run STOPPED, its"
            + " state interrupted, although the listing was complete")
    void aStopThatKeepsAQueuedFilesetFromStartingStopsTheRun() {
        List<FilesetId> ids = twoFilesets();
        RunControl control = new RunControl();
        fx.listener = new SyncListener() {
            @Override
            public void filesetStarted(RunId runId, FilesetId filesetId, int files, long bytes) {
                if (filesetId.equals(ids.get(0))) {
                    Interception.await(listed);
                    control.requestStop("maintenance");
                }
            }
        };

        SyncResult r = fx.sync().run(SyncRequest.full(), control);

        assertThat(r.status()).isEqualTo(SyncResult.Status.STOPPED);
        assertThat(r.error().orElseThrow()).contains("maintenance");
        assertThat(report(r).filesets()).extracting(FilesetReport::filesetId).containsExactly(ids.get(0));
        var state = fx.silknote.documents().loadState();
        assertThat(state.lastCompleteSync()).as("rule 9: a fileset was not attempted").isEmpty();
        assertThat(state.partialSyncState().processed(ids.get(0))).isTrue();
        assertThat(state.partialSyncState().processed(ids.get(1))).isFalse();
    }

    @Test
    @DisplayName("issue 9.7: a run interrupted while it waits for its filesets interrupts the one in flight, ends"
            + " FAILED and hands the interrupt back")
    void anInterruptWhileWaitingForTheFilesetsCancelsThem() {
        List<FilesetId> ids = twoFilesets();
        Thread caller = Thread.currentThread();
        AtomicBoolean interruptedInFlight = new AtomicBoolean();
        fx.source = Interception.around(VsrxSource.class, fx.vsrx, (method, call) -> {
            if (method.equals("openContent") && Thread.currentThread() != caller) {
                Interception.await(listed);
                caller.interrupt();
                // holds until the run interrupts it (at most a minute: a run that never does fails the test)
                try {
                    new CountDownLatch(1).await(1, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    interruptedInFlight.set(true);
                    Thread.currentThread().interrupt();
                }
            }
            return call.proceed();
        });

        SyncResult r = fx.run();

        assertThat(Thread.interrupted()).as("the caller's interrupt is handed back").isTrue();
        assertThat(interruptedInFlight).as("the fileset in flight was interrupted").isTrue();
        assertThat(r.status()).isEqualTo(SyncResult.Status.FAILED);
        assertThat(r.error().orElseThrow()).contains("interrupted");
        assertThat(fx.silknote.documents().loadState().lastCompleteSync()).isEmpty();
        assertThat(report(r).filesets()).extracting(FilesetReport::outcome).doesNotContain(FilesetOutcome.COMPLETED);
    }

    /** A fileset whose download waits until the run interrupts it (at most a minute), and whether it was. */
    private AtomicBoolean holdTheFirstDownload(CountDownLatch holding) {
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicBoolean first = new AtomicBoolean();
        fx.source = Interception.around(VsrxSource.class, fx.vsrx, (method, call) -> {
            if (method.equals("openContent") && first.compareAndSet(false, true)) {
                holding.countDown();
                try {
                    new CountDownLatch(1).await(1, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    interrupted.set(true);
                    Thread.currentThread().interrupt();
                }
            }
            return call.proceed();
        });
        return interrupted;
    }

    /** The first unit of work of the fileset not held throws {@code failure} once the other one is held. */
    private void failTheOtherCommit(CountDownLatch holding, RuntimeException failure, Error error) {
        AtomicBoolean first = new AtomicBoolean();
        var real = fx.documents;
        fx.documents = Interception.around(DocumentStore.class, real, (method, call) -> {
            if (method.equals("inUnitOfWork") && first.compareAndSet(false, true)) {
                Interception.await(holding);
                if (error != null) {
                    throw error;
                }
                throw failure;
            }
            return call.proceed();
        });
    }

    @Test
    @DisplayName("rule 10: a fileset that meets a newer fencing token stops the run and interrupts the other fileset"
            + " in flight")
    void aNewerTokenInOneFilesetInterruptsTheOthers() {
        fx.config(c -> c.filesetConcurrency(2).fileConcurrency(2));
        FilesetId a = fx.linkedFileset("P-1");
        fx.text(a, "a.txt", "note a");
        FilesetId b = fx.linkedFileset("P-2");
        fx.text(b, "b.txt", "note b");
        CountDownLatch holding = new CountDownLatch(1);
        AtomicBoolean interrupted = holdTheFirstDownload(holding);
        failTheOtherCommit(holding, new com.silknote.sync.core.exception.StaleFencingTokenException("newer token"),
                null);

        SyncResult r = fx.run();

        assertThat(interrupted).as("the other fileset in flight was interrupted").isTrue();
        assertThat(r.status()).isEqualTo(SyncResult.Status.FAILED);
        assertThat(r.error().orElseThrow()).contains("lease lost");
    }

    /** Stands for a fatal error of the JVM inside one fileset. */
    static final class FatalInFileset extends Error {
        private static final long serialVersionUID = 1L;

        FatalInFileset() {
            super("fatal error in a fileset");
        }
    }

    @Test
    @DisplayName("issue 9.7: an Error in one fileset interrupts the other fileset in flight and is rethrown by the run")
    void anErrorInOneFilesetInterruptsTheOthers() {
        fx.config(c -> c.filesetConcurrency(2).fileConcurrency(2));
        FilesetId a = fx.linkedFileset("P-1");
        fx.text(a, "a.txt", "note a");
        FilesetId b = fx.linkedFileset("P-2");
        fx.text(b, "b.txt", "note b");
        CountDownLatch holding = new CountDownLatch(1);
        AtomicBoolean interrupted = holdTheFirstDownload(holding);
        failTheOtherCommit(holding, null, new FatalInFileset());

        org.assertj.core.api.Assertions.assertThatThrownBy(fx::run).isInstanceOf(FatalInFileset.class);

        assertThat(interrupted).as("the other fileset in flight was interrupted").isTrue();
    }

    @Test
    @DisplayName("issue 9 (error classification): a fileset whose sync throws outside its own failure handling (the"
            + " store unreadable while an unlinked fileset is looked up) is reported FAILED, not left out of the report, and kept in the resume state (rule 9)")
    void aFilesetThatThrowsIsReportedFailed() {
        FilesetId unlinked = fx.vsrx.addFileset("P-unlinked");
        var real = fx.documents;
        fx.documents = Interception.around(DocumentStore.class, real, (method, call) -> {
            if (method.equals("findFileset")) {
                throw new com.silknote.sync.core.exception.PermanentSyncException("ledger refused the read");
            }
            return call.proceed();
        });

        SyncResult r = fx.run();

        assertThat(report(r).filesets()).singleElement().satisfies(f -> {
            assertThat(f.filesetId()).isEqualTo(unlinked);
            assertThat(f.outcome()).isEqualTo(FilesetOutcome.FAILED);
        });
        assertThat(r.status()).isEqualTo(SyncResult.Status.PARTIAL_FAILURE);
        assertThat(fx.silknote.documents().loadState().partialSyncState().failedFilesets())
                .as("rule 9: the failed fileset is kept for the next run").containsExactly(unlinked);
    }
}
