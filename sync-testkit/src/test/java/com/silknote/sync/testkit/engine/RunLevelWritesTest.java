package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.report;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.SyncState;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.testkit.InMemoryDocumentStore;
import com.silknote.sync.testkit.fault.Interception;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The run's own writes around its filesets (fencing, the run history, the outbox and collection passes, the final
 * resume state): which failures stop the run (a newer token: DESIGN rule 10), which fail it without stopping it
 * (rule 9: a complete run's state that was not saved), and which are logged only (issue 11 run history: the
 * history never fails a run).
 */
class RunLevelWritesTest {
    private final EngineFixture fx = new EngineFixture();
    private final InMemoryDocumentStore ledger = fx.silknote.documents();
    /** The fileset of {@link #oneFile}. */
    private FilesetId only;

    /** One linked fileset with one file; returns the file. */
    private VsrxFileId oneFile() {
        only = fx.linkedFileset("P1");
        return fx.text(only, "a.txt", "a");
    }

    /** The ledger, with every call of {@code method} throwing what {@code failure} gives. */
    private DocumentStore failing(String method, Supplier<RuntimeException> failure) {
        return Interception.around(DocumentStore.class, ledger, (name, call) -> {
            if (name.equals(method)) {
                throw failure.get();
            }
            return call.proceed();
        });
    }

    private static Supplier<RuntimeException> stale() {
        return () -> new StaleFencingTokenException("a newer holder wrote");
    }

    private static Supplier<RuntimeException> down() {
        return () -> new PermanentSyncException("store refused");
    }

    @Test
    @DisplayName("rule 10: a run that cannot fence the ledger stops before reading or writing anything")
    void aRunThatCannotFenceTheLedgerWritesNothing() {
        VsrxFileId a = oneFile();
        fx.documents = failing("fence", down());

        SyncResult result = fx.run();

        assertThat(result.status()).isEqualTo(SyncResult.Status.FAILED);
        assertThat(result.error()).contains("fencing the store failed: PermanentSyncException: store refused");
        assertThat(ledger.findMapping(a)).isEmpty();
        assertThat(fx.vsrx.downloads()).isZero();
        assertThat(ledger.allRuns()).as("a run that may not write records nothing").isEmpty();
    }

    @Test
    @DisplayName("rule 10: a newer token at the vector store's fence stops the run as a lost lease; nothing written")
    void aNewerTokenAtTheVectorFenceStopsTheRun() {
        VsrxFileId a = oneFile();
        fx.vectors = Interception.around(VectorStore.class, fx.silknote.vectors(), (name, call) -> {
            if (name.equals("fence")) {
                throw stale().get();
            }
            return call.proceed();
        });

        SyncResult result = fx.run();

        assertThat(result.status()).isEqualTo(SyncResult.Status.FAILED);
        assertThat(result.error()).contains("lease lost: StaleFencingTokenException");
        assertThat(ledger.findMapping(a)).isEmpty();
        assertThat(ledger.allRuns()).isEmpty();
    }

    @Test
    @DisplayName("rule 10: a newer token met by the run's start record stops the run before any fileset")
    void aNewerTokenAtTheStartRecordStopsTheRun() {
        VsrxFileId a = oneFile();
        fx.documents = failing("recordRunStarted", stale());

        SyncResult result = fx.run();

        assertThat(result.status()).isEqualTo(SyncResult.Status.FAILED);
        assertThat(result.error()).contains("lease lost: StaleFencingTokenException");
        assertThat(ledger.findMapping(a)).isEmpty();
        assertThat(fx.vsrx.downloads()).isZero();
        assertThat(ledger.allRuns()).isEmpty();
    }

    @Test
    @DisplayName("issue 11 run history: a start record that fails otherwise is logged; the run syncs and is recorded")
    void aFailedStartRecordDoesNotStopTheRun() {
        VsrxFileId a = oneFile();
        fx.documents = failing("recordRunStarted", down());

        SyncResult result = fx.run();

        assertThat(result.status()).isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(ledger.findMapping(a)).isPresent();
        assertThat(ledger.allRuns()).singleElement()
                .satisfies(r -> assertThat(r.runId()).isEqualTo(report(result).runId()));
    }

    @Test
    @DisplayName("rule 10: a newer token met when recording the finished run fails the run as a lost lease")
    void aNewerTokenAtTheRunRecordFailsTheRun() {
        VsrxFileId a = oneFile();
        fx.documents = failing("recordRun", stale());

        SyncResult result = fx.run();

        assertThat(result.status()).isEqualTo(SyncResult.Status.FAILED);
        assertThat(result.error()).contains("lease lost: StaleFencingTokenException");
        assertThat(report(result).status()).isEqualTo(SyncResult.Status.FAILED);
        assertThat(report(result).error()).isEqualTo(result.error());
        assertThat(ledger.findMapping(a)).as("the fileset committed before").isPresent();
    }

    @Test
    @DisplayName("issue 11 run history: recording the finished run may fail; the run's result stands")
    void aFailedRunRecordIsLoggedOnly() {
        VsrxFileId a = oneFile();
        fx.documents = failing("recordRun", down());

        SyncResult result = fx.run();

        assertThat(result.status()).isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(result.error()).isEmpty();
        assertThat(ledger.findMapping(a)).isPresent();
    }

    @Test
    @DisplayName("issue 11 run history: retention that fails is logged; a newer token met there fails the run")
    void retentionFailures() {
        oneFile();
        fx.documents = failing("pruneRuns", down());
        SyncResult logged = fx.run();
        assertThat(logged.status()).isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(ledger.allRuns()).hasSize(1);

        fx.documents = failing("pruneRuns", stale());
        SyncResult lost = fx.run();
        assertThat(lost.status()).isEqualTo(SyncResult.Status.FAILED);
        assertThat(lost.error()).contains("lease lost: StaleFencingTokenException");
    }

    @Test
    @DisplayName("rule 15: without the run history the metrics count this run alone; the run is not failed by it")
    void anUnreadableHistoryLeavesTheRunItsOwnFigures() {
        oneFile();
        fx.documents = failing("recentRuns", down());

        SyncResult result = fx.run();

        assertThat(result.status()).isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(report(result).metrics().consecutiveFailedRuns()).isZero();
    }

    @Test
    @DisplayName("§2.6 outbox: an outbox that cannot be read postpones its entries; the run completes")
    void anUnreadableOutboxDoesNotFailTheRun() {
        VsrxFileId a = oneFile();
        fx.documents = failing("pendingOutbox", down());

        SyncResult result = fx.run();

        assertThat(result.status()).isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(ledger.findMapping(a)).isPresent();
    }

    @Test
    @DisplayName("rule 12: a collection pass that fails is postponed; the run completes and saves its state")
    void aFailedCollectionPassDoesNotFailTheRun() {
        VsrxFileId a = oneFile();
        fx.documents = failing("unreferencedBlobs", down());

        SyncResult result = fx.run();

        assertThat(result.status()).isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(ledger.findMapping(a)).isPresent();
        assertThat(ledger.loadState().lastCompleteSync()).contains(report(result).startedAt());
    }

    @Test
    @DisplayName("rule 9: a run that attempted every fileset but could not save that is FAILED; the state is unchanged")
    void aCompleteRunWhoseFinalStateIsNotSavedFails() {
        VsrxFileId a = oneFile();
        fx.documents = Interception.around(DocumentStore.class, ledger, (name, call) -> {
            if (name.equals("inUnitOfWork")) {
                SyncState before = ledger.loadState();
                Object out = call.proceed();
                SyncState after = ledger.loadState();
                if (after.lastCompleteSync().isPresent() && !after.equals(before)) {
                    // the unit of work that moved lastCompleteSync fails (as a store would, rolled back)
                    ledger.inUnitOfWork(fx.silknote.lock().inspect("vsrx-sync").orElseThrow().token(), uow -> {
                        uow.saveState(before);
                        return null;
                    });
                    throw down().get();
                }
                return out;
            }
            return call.proceed();
        });

        SyncResult result = fx.run();

        assertThat(result.status()).isEqualTo(SyncResult.Status.FAILED);
        assertThat(result.error()).contains("saving resume state failed");
        assertThat(ledger.findMapping(a)).isPresent();
        assertThat(ledger.loadState().lastCompleteSync()).isEmpty();
    }

    @Test
    @DisplayName("issue 11 run history: a fileset report the history cannot store is still counted and announced")
    void aFilesetReportNotStoredIsStillCountedAndAnnounced() {
        VsrxFileId a = oneFile();
        java.util.List<FilesetId> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        fx.listener = new com.silknote.sync.core.port.SyncListener() {
            @Override
            public void filesetFinished(com.silknote.sync.core.model.RunId runId,
                    com.silknote.sync.core.model.FilesetReport report) {
                heard.add(report.filesetId());
            }
        };
        fx.documents = failing("recordFilesetReport", down());

        SyncResult result = fx.run();

        FilesetId fs = ledger.findMapping(a).orElseThrow().filesetId();
        assertThat(result.status()).isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(report(result).totals().filesetCount()).isEqualTo(1);
        assertThat(EngineFixture.fileset(result, fs).outcome())
                .isEqualTo(com.silknote.sync.core.model.FilesetOutcome.COMPLETED);
        assertThat(heard).containsExactly(fs);
    }

    @Test
    @DisplayName("rule 10: a newer token met when storing a fileset's report stops the run; no later fileset starts")
    void aNewerTokenAtAFilesetReportStopsTheRun() {
        fx.config(c -> c.filesetConcurrency(1));
        FilesetId first = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(first, "a.txt", "a");
        FilesetId second = fx.linkedFileset("P2");
        VsrxFileId b = fx.text(second, "b.txt", "b");
        fx.documents = failing("recordFilesetReport", stale());

        SyncResult result = fx.run();

        assertThat(result.status()).isEqualTo(SyncResult.Status.FAILED);
        assertThat(result.error()).contains("lease lost: StaleFencingTokenException");
        assertThat(ledger.findMapping(a)).as("committed before its report").isPresent();
        assertThat(ledger.findMapping(b)).isEmpty();
        assertThat(fx.vsrx.downloads(b)).isZero();
    }

    @Test
    @DisplayName("rule 10: every run, a dry run too, fences the ledger and the vector store before it reads anything")
    void everyRunFencesTheLedgerAndTheVectorStore() {
        VsrxFileId a = oneFile();
        com.silknote.sync.core.port.SyncLock.Lease paused = fx.silknote.lock().newHolder("paused")
                .tryAcquire(com.silknote.sync.core.model.SyncConfig.LOCK_NAME, java.time.Duration.ofMinutes(5))
                .orElseThrow();
        fx.silknote.lock().forceExpiry(com.silknote.sync.core.model.SyncConfig.LOCK_NAME);

        SyncResult dry = fx.run(com.silknote.sync.core.model.SyncRequest.full().asDryRun());

        assertThat(dry.success()).isTrue();
        assertThat(ledger.findMapping(a)).as("a dry run writes nothing").isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ledger.inUnitOfWork(paused.token(), uow -> {
            uow.saveState(SyncState.initial());
            return null;
        })).as("the paused holder's commit").isInstanceOf(StaleFencingTokenException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> fx.silknote.vectors().replace(paused.token(),
                com.silknote.sync.core.model.DocumentUuid.forVsrxFile(a), java.util.List.of()))
                .as("the paused holder's post-commit vector write").isInstanceOf(StaleFencingTokenException.class);
    }

    @Test
    @DisplayName("rule 10: a newer token met by the recovery drain of the outbox stops the run before any fileset")
    void aNewerTokenAtTheOutboxStopsTheRun() {
        VsrxFileId a = oneFile();
        fx.documents = failing("pendingOutbox", stale());

        SyncResult result = fx.run();

        assertThat(result.status()).isEqualTo(SyncResult.Status.FAILED);
        assertThat(result.error()).contains("lease lost: StaleFencingTokenException");
        assertThat(ledger.findMapping(a)).isEmpty();
        assertThat(ledger.allRuns()).isEmpty();
    }

    @Test
    @DisplayName("rule 10: a newer token met by the end-of-run collection pass fails the run; its state is not saved")
    void aNewerTokenAtTheCollectionPassFailsTheRun() {
        oneFile();
        fx.documents = failing("unreferencedBlobs", stale());

        SyncResult result = fx.run();

        assertThat(result.status()).isEqualTo(SyncResult.Status.FAILED);
        assertThat(result.error()).contains("lease lost: StaleFencingTokenException");
        assertThat(ledger.loadState().lastCompleteSync()).isEmpty();
        assertThat(ledger.allRuns()).as("nothing more is written under the lost lease").isEmpty();
    }

    @Test
    @DisplayName("rule 10: a newer token met when saving the final state fails the run as a lost lease")
    void aNewerTokenAtTheFinalStateFailsTheRun() {
        VsrxFileId a = oneFile();
        fx.documents = Interception.around(DocumentStore.class, ledger, (name, call) -> {
            if (name.equals("inUnitOfWork") && ledger.findMapping(a).isPresent()) {
                throw stale().get();
            }
            return call.proceed();
        });

        SyncResult result = fx.run();

        assertThat(result.status()).isEqualTo(SyncResult.Status.FAILED);
        assertThat(result.error()).contains("lease lost: StaleFencingTokenException");
        assertThat(ledger.findMapping(a)).isPresent();
        assertThat(ledger.loadState().lastCompleteSync()).isEmpty();
    }

    @Test
    @DisplayName("rule 9: a listing whose ids go backwards interrupts the run (nothing is skipped for good); the"
            + " filesets already queued finish")
    void aListingOutOfOrderInterruptsTheRun() {
        FilesetId first = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(first, "a.txt", "a");
        FilesetId second = fx.linkedFileset("P2");
        fx.text(second, "b.txt", "b");
        fx.source = Interception.around(com.silknote.sync.core.port.VsrxSource.class, fx.vsrx, (name, call) -> {
            Object out = call.proceed();
            if (name.equals("listFilesets")) {
                @SuppressWarnings("unchecked")
                com.silknote.sync.core.model.Page<com.silknote.sync.core.model.VsrxFileset> p =
                        (com.silknote.sync.core.model.Page<com.silknote.sync.core.model.VsrxFileset>) out;
                java.util.List<com.silknote.sync.core.model.VsrxFileset> items = new java.util.ArrayList<>(p.items());
                items.add(p.items().get(0)); // the first id again, after a larger one
                return new com.silknote.sync.core.model.Page<>(items, p.nextCursor(), p.serverTime());
            }
            return out;
        });

        SyncResult result = fx.run();

        assertThat(result.status()).isEqualTo(SyncResult.Status.FAILED);
        assertThat(result.error()).contains("listing filesets failed: ids not in increasing order");
        assertThat(ledger.findMapping(a)).isPresent();
        assertThat(ledger.loadState().lastCompleteSync()).as("not a complete run").isEmpty();
    }

    @Test
    @DisplayName("docs/bidirectional.md §6: a Silknote change sequence that cannot be read does not stop the pull;"
            + " the run stores no change position")
    void anUnreadableChangeSequenceDoesNotStopThePull() {
        fx.config(c -> c.bidirectional(com.silknote.sync.core.model.BidirectionalConfig.builder()
                .direction(com.silknote.sync.core.model.SyncDirection.BIDIRECTIONAL).build()));
        fx.target = fx.vsrx;
        VsrxFileId a = oneFile();
        fx.documents = failing("silknoteChanges", down());

        SyncResult result = fx.run();

        assertThat(result.status()).isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(ledger.findMapping(a)).isPresent();
        assertThat(ledger.loadChangePosition()).isZero();
    }

    @Test
    @DisplayName("issue 11 progress: a single-fileset run announces its one fileset as queued")
    void aSingleFilesetRunAnnouncesItsFileset() {
        VsrxFileId a = oneFile();
        FilesetId fs = only;
        java.util.List<String> queued = new java.util.concurrent.CopyOnWriteArrayList<>();
        fx.listener = new com.silknote.sync.core.port.SyncListener() {
            @Override
            public void filesetQueued(com.silknote.sync.core.model.RunId runId, FilesetId filesetId, int soFar) {
                queued.add(filesetId + "#" + soFar);
            }
        };

        SyncResult result = fx.run(com.silknote.sync.core.model.SyncRequest.fileset(fs));

        assertThat(result.status()).isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(ledger.findMapping(a)).isPresent();
        assertThat(queued).containsExactly(fs + "#1");
    }

    @Test
    @DisplayName("rule 9: a single-fileset run commits its fileset but leaves the run's resume state as it was")
    void aSingleFilesetRunLeavesTheResumeStateAlone() {
        VsrxFileId a = oneFile();
        FilesetId other = fx.linkedFileset("P2");
        fx.text(other, "b.txt", "b");
        SyncState before = ledger.loadState();

        SyncResult result = fx.run(com.silknote.sync.core.model.SyncRequest.fileset(only));

        assertThat(result.status()).isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(ledger.findMapping(a)).isPresent();
        assertThat(ledger.loadState()).isEqualTo(before);
    }

    @Test
    @DisplayName("issue 11: the listener hears each alert the report carries")
    void theListenerHearsEveryAlert() {
        oneFile();
        fx.run();
        fx.vsrx.removeFileset(only);
        java.util.List<com.silknote.sync.core.model.Alert> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        fx.listener = new com.silknote.sync.core.port.SyncListener() {
            @Override
            public void alertRaised(com.silknote.sync.core.model.RunId runId,
                    com.silknote.sync.core.model.Alert alert) {
                heard.add(alert);
            }
        };

        SyncResult result = fx.run();

        assertThat(report(result).alerts()).isNotEmpty();
        assertThat(heard).containsExactlyElementsOf(report(result).alerts());
    }

    @Test
    @DisplayName("issue 11 / SyncConfig.reportFilesetLimit: the report keeps alerts up to the limit, the listener"
            + " hears every one")
    void theReportKeepsAlertsUpToTheLimitTheListenerHearsAll() {
        fx.config(c -> c.reportFilesetLimit(2));
        java.util.List<FilesetId> relinked = new java.util.ArrayList<>();
        for (String p : new String[] {"P1", "P2", "P3"}) {
            FilesetId fs = fx.linkedFileset(p);
            fx.text(fs, "a.txt", "a of " + p);
            relinked.add(fs);
        }
        fx.run();
        relinked.forEach(fs -> fx.vsrx.linkPatient(fs, EngineFixture.patient("P-NEW")));
        java.util.List<com.silknote.sync.core.model.Alert> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        fx.listener = new com.silknote.sync.core.port.SyncListener() {
            @Override
            public void alertRaised(com.silknote.sync.core.model.RunId runId,
                    com.silknote.sync.core.model.Alert alert) {
                heard.add(alert);
            }
        };

        SyncResult result = fx.run();

        assertThat(result.status()).isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(heard).filteredOn(a -> a.kind() == com.silknote.sync.core.model.Alert.Kind.FILESET_RELINKED)
                .hasSize(3);
        assertThat(report(result).alerts()).as("filesets run side by side: which two is not fixed").hasSize(2)
                .doesNotHaveDuplicates().isSubsetOf(heard);
    }

    @Test
    @DisplayName("issue 11 / SyncConfig.reportFilesetLimit: the run-level alerts (duration, error rate, failed runs"
            + " in a row) stay in the report after per-fileset alerts have filled it")
    void runLevelAlertsStayInTheReportPastTheLimit() {
        fx.config(c -> c.reportFilesetLimit(2).alertThresholds(new com.silknote.sync.core.model.AlertThresholds(
                java.time.Duration.ZERO, java.time.Duration.ofHours(1), 0.05, 0.10, 3, 5)));
        java.util.List<FilesetId> relinked = new java.util.ArrayList<>();
        for (String p : new String[] {"P1", "P2", "P3"}) {
            FilesetId fs = fx.linkedFileset(p);
            fx.text(fs, "a.txt", "a of " + p);
            relinked.add(fs);
        }
        fx.run();
        relinked.forEach(fs -> fx.vsrx.linkPatient(fs, EngineFixture.patient("P-NEW")));

        SyncResult result = fx.run();

        java.util.List<com.silknote.sync.core.model.Alert> kept = report(result).alerts();
        assertThat(kept).filteredOn(a -> a.kind() == com.silknote.sync.core.model.Alert.Kind.FILESET_RELINKED)
                .as("per-fileset alerts up to the limit").hasSize(2);
        assertThat(kept).filteredOn(a -> a.kind() == com.silknote.sync.core.model.Alert.Kind.SYNC_DURATION)
                .as("raised after the per-fileset ones, kept all the same").hasSize(1);
    }

    @Test
    @DisplayName("rule 10: a run whose lock another holder took before the final state save does not save it, even"
            + " while the new holder has not fenced yet; the run fails as a lost lease")
    void aLockTakenOverBeforeTheFinalStateSaveFailsTheRun() {
        VsrxFileId a = oneFile();
        java.util.concurrent.atomic.AtomicBoolean finished = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicBoolean takenOver = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<SyncState> atTakeover = new java.util.concurrent.atomic.AtomicReference<>();
        fx.listener = new com.silknote.sync.core.port.SyncListener() {
            @Override
            public void filesetFinished(com.silknote.sync.core.model.RunId runId,
                    com.silknote.sync.core.model.FilesetReport report) {
                finished.set(true);
            }
        };
        // the end-of-run collection pass is the last look at the ledger before the state is saved
        fx.documents = Interception.around(DocumentStore.class, ledger, (name, call) -> {
            Object r = call.proceed();
            if (name.equals("unreferencedBlobs") && finished.get() && takenOver.compareAndSet(false, true)) {
                atTakeover.set(ledger.loadState());
                fx.clock.advance(fx.config.lockTtl().plusSeconds(1));
                assertThat(fx.silknote.lock().tryAcquire(com.silknote.sync.core.model.SyncConfig.LOCK_NAME,
                        fx.config.lockTtl(), "another-holder")).as("the expired lock is taken").isPresent();
            }
            return r;
        });

        SyncResult result = fx.run();

        assertThat(takenOver).isTrue();
        assertThat(result.status()).isEqualTo(SyncResult.Status.FAILED);
        assertThat(result.error().orElseThrow()).startsWith("lease lost");
        assertThat(ledger.findMapping(a)).as("the fileset committed under the lease").isPresent();
        assertThat(ledger.loadState()).as("no state saved after the lock was taken").isEqualTo(atTakeover.get());
        assertThat(ledger.loadState().lastCompleteSync()).isEmpty();
    }
}
