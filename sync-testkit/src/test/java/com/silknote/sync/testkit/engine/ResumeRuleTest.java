package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.action;
import static com.silknote.sync.testkit.engine.EngineFixture.fileset;
import static com.silknote.sync.testkit.engine.EngineFixture.report;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.SyncState;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.testkit.fault.Fault;
import com.silknote.sync.testkit.fault.FaultPlan;
import com.silknote.sync.testkit.fault.FaultyVsrxSource;
import com.silknote.sync.testkit.fault.Interception;
import com.silknote.sync.testkit.fault.Operation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * DESIGN rule 9 / issue 9 item 1: a run resumes only after an interrupted run; a run that attempted every
 * fileset is complete, however many of them failed, and no failing fileset holds back the others.
 */
class ResumeRuleTest {
    private final EngineFixture fx = new EngineFixture();

    @Test
    @DisplayName("issue 9.1: a guard-blocked fileset never holds back the others; it is reported every run")
    void aGuardBlockedFilesetIsReportedEveryRunWhileTheOthersKeepSyncing() {
        FilesetId blocked = fx.linkedFileset("P-GUARD");
        List<VsrxFileId> guarded = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            guarded.add(fx.text(blocked, "g" + i + ".txt", "guarded " + i));
        }
        List<FilesetId> others = List.of(fx.linkedFileset("P-A"), fx.linkedFileset("P-B"), fx.linkedFileset("P-C"));
        List<VsrxFileId> changing = new ArrayList<>();
        for (FilesetId fs : others) {
            changing.add(fx.text(fs, "changing.txt", "version 0 of " + fs));
            fx.text(fs, "steady.txt", "steady " + fs);
        }
        assertThat(fx.run().success()).isTrue();
        for (int i = 0; i < 3; i++) {
            fx.vsrx.deleteFile(guarded.get(i));
        }

        for (int run = 1; run <= 3; run++) {
            fx.clock.advance(Duration.ofMinutes(10));
            List<VsrxFileId> created = new ArrayList<>();
            for (int i = 0; i < others.size(); i++) {
                fx.vsrx.modifyFile(changing.get(i), "version " + run + " of " + others.get(i));
                created.add(fx.text(others.get(i), "new-" + run + ".txt", "new in run " + run));
            }

            SyncResult result = fx.run();

            String where = "run " + run;
            assertThat(result.status()).as(where).isEqualTo(SyncResult.Status.PARTIAL_FAILURE);
            assertThat(fileset(result, blocked).outcome()).as(where).isEqualTo(FilesetOutcome.MASS_DELETE_BLOCKED);
            for (int i = 0; i < others.size(); i++) {
                assertThat(fileset(result, others.get(i)).outcome()).as(where).isEqualTo(FilesetOutcome.COMPLETED);
                assertThat(action(result, changing.get(i))).as(where).isEqualTo(FileAction.UPDATED);
                assertThat(action(result, created.get(i))).as(where).isEqualTo(FileAction.CREATED);
            }
            SyncState state = fx.silknote.documents().loadState();
            assertThat(state.partialSyncState().processedFilesets()).as(where).isEmpty();
            assertThat(state.partialSyncState().failedFilesets()).as(where).containsExactly(blocked);
            assertThat(state.partialSyncState().resumeFromFileset()).as(where).isEmpty();
            assertThat(state.lastCompleteSync()).as(where + ": a complete run moves the mark")
                    .contains(report(result).startedAt());
        }
        fx.silknote.assertInvariants();
    }

    @Test
    @DisplayName("issue 9.1: a run after a complete run with a failure looks at every fileset again")
    void aRunAfterACompleteRunWithAFailureLooksAtEveryFileset() {
        FaultPlan flaky = FaultPlan.seeded(1);
        fx.source = new FaultyVsrxSource(fx.vsrx, flaky);
        FilesetId failing = fx.linkedFileset("P1");
        FilesetId fine = fx.linkedFileset("P2");
        VsrxFileId a = fx.text(failing, "a.txt", "a");
        VsrxFileId b = fx.text(fine, "b.txt", "b");
        flaky.on(Operation.OPEN_CONTENT).key(a).always().thenFail(Fault.serviceUnavailable());
        assertThat(fx.run().status()).isEqualTo(SyncResult.Status.PARTIAL_FAILURE);

        fx.clock.advance(Duration.ofMinutes(1));
        fx.vsrx.modifyFile(b, "b changed");
        SyncResult second = fx.run();

        assertThat(fileset(second, fine).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
        assertThat(action(second, b)).isEqualTo(FileAction.UPDATED);
        assertThat(fileset(second, failing).outcome()).isEqualTo(FilesetOutcome.FAILED);
    }

    @Test
    @DisplayName("issue 9.1: an incremental run retries the failed filesets its listing does not return")
    void incrementalRunRetriesFailedFilesetsTheListingDoesNotReturn() {
        FaultPlan flaky = FaultPlan.seeded(1);
        fx.source = new FaultyVsrxSource(fx.vsrx, flaky);
        FilesetId failing = fx.linkedFileset("P1");
        FilesetId fine = fx.linkedFileset("P2");
        VsrxFileId a = fx.text(failing, "a.txt", "a");
        fx.text(fine, "b.txt", "b");
        flaky.on(Operation.OPEN_CONTENT).key(a).times(3).thenFail(Fault.serviceUnavailable());
        fx.clock.advance(Duration.ofHours(1));
        assertThat(fx.run().status()).isEqualTo(SyncResult.Status.PARTIAL_FAILURE);
        assertThat(fx.silknote.documents().loadState().partialSyncState().failedFilesets()).containsExactly(failing);

        fx.clock.advance(Duration.ofHours(1));
        SyncResult incremental = fx.run(SyncRequest.incrementalRun());

        assertThat(incremental.success()).isTrue();
        assertThat(report(incremental).filesets()).extracting(r -> r.filesetId()).containsExactly(failing);
        assertThat(action(incremental, a)).isEqualTo(FileAction.CREATED);
        assertThat(fx.silknote.documents().loadState().partialSyncState().failedFilesets()).isEmpty();
    }

    @Test
    @DisplayName("rules 9 and 10: a resumed run whose skipped pages take longer than the lock's ttl renews its lease"
            + " between the pages; no second holder takes the lock mid-listing and the run writes what is left")
    void aResumedRunRenewsItsLeaseBetweenPagesOfSkippedFilesets() {
        Duration ttl = Duration.ofSeconds(30);
        fx.config(c -> c.lockTtl(ttl)); // page size 2
        List<FilesetId> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(fx.linkedFileset("P-" + i));
        }
        VsrxFileId left = fx.text(ids.get(4), "a.txt", "the note the interrupted run did not reach");
        // the state of a run interrupted before the fifth fileset: the first two pages hold only committed
        // filesets, which the resumed run skips without starting any (so nothing else renews the lease)
        SyncLock.Lease setup = fx.lock.tryAcquire(SyncConfig.LOCK_NAME, ttl, "setup").orElseThrow();
        fx.silknote.documents().inUnitOfWork(setup.token(), uow -> {
            uow.saveState(new SyncState(Optional.empty(),
                    new SyncState.PartialSyncState(List.of(), List.of(), Optional.of(ids.get(4)))));
            return null;
        });
        setup.close();
        AtomicInteger pages = new AtomicInteger();
        List<Optional<SyncLock.Lease>> rival = new ArrayList<>();
        fx.source = Interception.around(VsrxSource.class, fx.vsrx, (method, call) -> {
            if (method.equals("listFilesets")) {
                fx.clock.advance(ttl.multipliedBy(4).dividedBy(10)); // each page takes 40 % of the ttl
                if (pages.incrementAndGet() == 3) {
                    // 120 % of the ttl after the run took the lock: another run tries it
                    rival.add(fx.lock.tryAcquire(SyncConfig.LOCK_NAME, ttl, "newer-run"));
                }
            }
            return call.proceed();
        });

        SyncResult r = fx.run();

        rival.forEach(l -> l.ifPresent(SyncLock.Lease::close));
        assertThat(pages).hasValue(3);
        assertThat(rival).singleElement().as("rule 10: the listing run still held the lock")
                .isEqualTo(Optional.empty());
        assertThat(r.status()).isEqualTo(SyncResult.Status.COMPLETED);
        for (FilesetId fs : ids.subList(0, 4)) {
            assertThat(fileset(r, fs).outcome()).as("rule 9: %s", fs)
                    .isEqualTo(FilesetOutcome.SKIPPED_ALREADY_PROCESSED);
        }
        assertThat(fileset(r, ids.get(4)).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
        assertThat(action(r, left)).isEqualTo(FileAction.CREATED);
        assertThat(fx.silknote.documents().findMapping(left)).as("written under the renewed lease").isPresent();
    }
}
