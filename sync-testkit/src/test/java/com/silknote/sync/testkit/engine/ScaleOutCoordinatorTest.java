package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.fileset;
import static com.silknote.sync.testkit.engine.EngineFixture.report;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.Sleeper;
import com.silknote.sync.testkit.fault.Fault;
import com.silknote.sync.testkit.fault.FaultPlan;
import com.silknote.sync.testkit.fault.FaultyVsrxSource;
import com.silknote.sync.testkit.fault.Operation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 "scale-out" (DESIGN §6) with the coordinator alone: a run with claims and no other worker offers its
 * filesets and works on them itself. What ScaleOutTest's concurrent workers do not pin: the lock released at the
 * end, the failures kept in the resume state, and the incremental run that carries them (DESIGN rule 9).
 */
class ScaleOutCoordinatorTest {
    private final EngineFixture fx = new EngineFixture()
            .config(c -> c.filesetConcurrency(1).lockTtl(Duration.ofHours(1)));
    /** Polls yield instead of moving the clock (see ScaleOutTest: polls must not expire the coordinator's lease). */
    private final Sleeper polls = d -> {
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted while waiting");
        }
        Thread.yield();
    };
    private long seed = 11;

    private VsrxSync coordinator() {
        return VsrxSync.builder().source(fx.source).documents(fx.documents).blobs(fx.blobs).vectors(fx.vectors)
                .processor(fx.processor).lock(fx.lock).claims(fx.silknote.claims()).listener(fx.listener)
                .config(fx.config).clock(fx.clock).sleeper(polls).random(new SplittableRandom(seed++)).build();
    }

    private List<FilesetId> filesets(int n) {
        List<FilesetId> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            FilesetId fs = fx.linkedFileset("P-" + i);
            fx.text(fs, "a.txt", "note of fileset " + i);
            ids.add(fs);
        }
        return ids;
    }

    @Test
    @DisplayName("issue 11 scale-out: a coordinator alone syncs every fileset, reports each, and releases the lock at"
            + " the end (rule 10: the next run is not turned away)")
    void aCoordinatorAloneSyncsEveryFilesetAndReleasesTheLock() {
        List<FilesetId> ids = filesets(3);

        SyncResult first = coordinator().run(SyncRequest.full());

        assertThat(first.status()).isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(report(first).filesets()).extracting(r -> r.filesetId()).containsExactlyElementsOf(ids);
        assertThat(fx.silknote.documents().loadState().lastCompleteSync()).contains(report(first).startedAt());
        SyncResult second = coordinator().run(SyncRequest.full());
        assertThat(second.status()).as("the lock was released").isEqualTo(SyncResult.Status.COMPLETED);
    }

    @Test
    @DisplayName("issue 11 scale-out / rule 9: a failed fileset is kept in the resume state; the next incremental run"
            + " offers it again although VSRX lists no change, and drops one VSRX no longer lists")
    void anIncrementalScaleOutRunCarriesItsFailures() {
        FaultPlan flaky = FaultPlan.seeded(1);
        fx.source = new FaultyVsrxSource(fx.vsrx, flaky);
        List<FilesetId> ids = filesets(3);
        FilesetId failing = ids.get(1);
        VsrxFileId broken = fx.vsrx.listedFiles(failing).get(0).id();
        VsrxFileId gone = fx.text(ids.get(2), "b.txt", "second note");
        flaky.on(Operation.OPEN_CONTENT).key(broken).times(3).thenFail(Fault.serviceUnavailable()); // every attempt of one run
        flaky.on(Operation.OPEN_CONTENT).key(gone).always().thenFail(Fault.serviceUnavailable());

        SyncResult first = coordinator().run(SyncRequest.full());

        assertThat(first.status()).isEqualTo(SyncResult.Status.PARTIAL_FAILURE);
        assertThat(fx.silknote.documents().loadState().partialSyncState().failedFilesets())
                .containsExactlyInAnyOrder(failing, ids.get(2));

        fx.vsrx.removeFileset(ids.get(2));
        fx.clock.advance(Duration.ofHours(2));
        SyncResult next = coordinator().run(SyncRequest.incrementalRun());

        assertThat(next.status()).isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(fileset(next, failing).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
        assertThat(fx.silknote.documents().findMapping(broken)).isPresent();
        assertThat(fx.silknote.documents().loadState().partialSyncState().failedFilesets()).isEmpty();
    }
}
