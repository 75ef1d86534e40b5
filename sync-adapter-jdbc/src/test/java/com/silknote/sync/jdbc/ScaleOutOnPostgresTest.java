package com.silknote.sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.SyncListener;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.testkit.InMemoryBlobStore;
import com.silknote.sync.testkit.InMemoryDocumentProcessor;
import com.silknote.sync.testkit.InMemoryVectorStore;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.fault.Interception;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * Issue 11 "scale-out" against real PostgreSQL: 4 workers share one run through {@code FOR UPDATE SKIP LOCKED}
 * claims under one run id; one is killed mid-fileset (an {@link Error} from a port); its claims expire and are
 * taken over; the run completes, and the ledger ends as one clean run leaves it.
 */
class ScaleOutOnPostgresTest {

    /** Stands for a crash of a worker's process. */
    static final class WorkerKilled extends Error {
        private static final long serialVersionUID = 1L;

        WorkerKilled() {
            super("worker killed");
        }
    }

    abstract static class Scenario {
        static final int FILESETS = 16;

        final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
        final InMemoryVsrxSource vsrx = new InMemoryVsrxSource(clock);
        final InMemoryBlobStore blobs = new InMemoryBlobStore(clock);
        final InMemoryVectorStore vectors = new InMemoryVectorStore();
        final InMemoryDocumentProcessor processor = new InMemoryDocumentProcessor(blobs, vectors);
        final ExecutorService threads = Executors.newCachedThreadPool();
        final SyncConfig config = SyncConfig.builder().filesetConcurrency(2).fileConcurrency(2).pageSize(5)
                .lockTtl(Duration.ofMinutes(10)).blobGracePeriod(Duration.ZERO).build();
        long seed = 1;

        abstract Backends backend();

        @AfterEach
        void stopThreads() {
            threads.shutdownNow();
        }

        static void populate(InMemoryVsrxSource source, List<FilesetId> ids) {
            for (int i = 0; i < FILESETS; i++) {
                PatientUuid patient = new PatientUuid(UUID.nameUUIDFromBytes(("P-" + i).getBytes(StandardCharsets.UTF_8)));
                FilesetId fs = source.addFileset(PatientId.of("P-" + i), patient);
                for (int f = 0; f < 3; f++) {
                    source.addFile(fs, "notes/n" + f + ".txt", "text/plain", "note " + f + " of fileset " + i);
                }
                ids.add(fs);
            }
        }

        VsrxSync worker(JdbcLedger ledger, VsrxSource source, BlobStore blobStore, SyncListener listener) {
            return VsrxSync.builder().source(source).documents(ledger.documentStore()).blobs(blobStore)
                    .vectors(vectors).processor(processor).lock(ledger.syncLock("host-" + seed))
                    .claims(ledger.filesetClaims()).listener(listener).config(config).clock(clock).sleeper(clock)
                    .random(new SplittableRandom(seed++)).build();
        }

        @Test
        @DisplayName("issue 11 scale-out: 4 workers on PostgreSQL, one killed mid-fileset; its claims are taken over;"
                + " the run completes as one clean run would")
        void fourWorkersOneKilledMidFileset() throws Exception {
            JdbcLedger ledger = backend().ledger();
            backend().freshDataSource();
            List<FilesetId> filesets = new ArrayList<>();
            populate(vsrx, filesets);
            CountDownLatch opened = new CountDownLatch(1);
            CountDownLatch killed = new CountDownLatch(1);
            VsrxSource coordinatorSource = Interception.around(VsrxSource.class, vsrx, (name, call) -> {
                if (name.equals("listFilesets")) {
                    opened.countDown();
                }
                if (name.equals("listFiles")) {
                    Interception.await(killed);
                }
                return call.proceed();
            });
            Set<FilesetId> claimedByKilled = ConcurrentHashMap.newKeySet();
            SyncListener victimClaims = new SyncListener() {
                @Override
                public void filesetQueued(RunId runId, FilesetId filesetId, int queuedSoFar) {
                    claimedByKilled.add(filesetId);
                }
            };
            BlobStore dying = Interception.around(BlobStore.class, blobs, (name, call) -> {
                if (name.startsWith("put")) {
                    throw new WorkerKilled();
                }
                return call.proceed();
            });
            VsrxSync coordinator = worker(ledger, coordinatorSource, blobs, SyncListener.NONE);
            VsrxSync victim = worker(ledger, vsrx, dying, victimClaims);

            Future<SyncResult> coordinating = threads.submit(() -> coordinator.run(SyncRequest.full()));
            assertThat(opened.await(2, TimeUnit.MINUTES)).isTrue();
            Throwable death = null;
            try {
                threads.submit(() -> victim.run(SyncRequest.full())).get(2, TimeUnit.MINUTES);
            } catch (ExecutionException e) {
                death = e.getCause();
            }
            assertThat(death).isInstanceOf(WorkerKilled.class);
            assertThat(claimedByKilled).as("the killed worker held claims").isNotEmpty();
            // its host is gone: its claims expire (database time, here moved back)
            for (FilesetId f : claimedByKilled) {
                Backends.update(ledger.dataSource(), "UPDATE vsrx_sync_claim SET claimed_until = now() - interval"
                        + " '1 second' WHERE fileset_id = ? AND status = 'CLAIMED'", f.value());
            }
            killed.countDown();
            Future<SyncResult> second = threads.submit(() -> worker(ledger, vsrx, blobs, SyncListener.NONE)
                    .run(SyncRequest.full()));
            Future<SyncResult> third = threads.submit(() -> worker(ledger, vsrx, blobs, SyncListener.NONE)
                    .run(SyncRequest.full()));

            SyncResult run = coordinating.get(5, TimeUnit.MINUTES);
            assertThat(List.of(second.get(2, TimeUnit.MINUTES).status(), third.get(2, TimeUnit.MINUTES).status()))
                    .allSatisfy(s -> assertThat(s).isIn(SyncResult.Status.JOINED,
                            SyncResult.Status.ALREADY_IN_PROGRESS));

            assertThat(run.status()).as("%s", run.error()).isEqualTo(SyncResult.Status.COMPLETED);
            SyncReport report = run.report().orElseThrow();
            assertThat(report.totals().filesets(FilesetOutcome.COMPLETED)).isEqualTo(FILESETS);
            assertThat(report.count(FileAction.CREATED)).isEqualTo(3L * FILESETS);
            List<FilesetReport> stored = stored(ledger, report.runId());
            assertThat(stored).extracting(FilesetReport::filesetId).containsExactlyInAnyOrderElementsOf(filesets);
            assertThat(stored).allSatisfy(r -> assertThat(r.outcome()).isEqualTo(FilesetOutcome.COMPLETED));
            assertThat(ledger.documentStore().loadState().lastCompleteSync()).as("the mark moved").isPresent();
            assertThat(ledger.documentStore().loadState().partialSyncState().isEmpty()).isTrue();
            assertThat(ledger.filesetClaims().openRun()).as("the run is closed").isEmpty();
            assertThat(ledgerState(ledger, filesets)).isEqualTo(cleanRunState());
        }

        /** The ledger one clean single-worker run leaves, on a fresh database. */
        Map<String, Object> cleanRunState() {
            JdbcLedger fresh = PostgresFixture.newThrowawayLedger("clean_scaleout", Clock.systemUTC());
            try (fresh) {
                TestClock c = TestClock.at("2026-01-01T00:00:00Z");
                InMemoryVsrxSource source = new InMemoryVsrxSource(c);
                List<FilesetId> ids = new ArrayList<>();
                populate(source, ids);
                InMemoryBlobStore b = new InMemoryBlobStore(c);
                InMemoryVectorStore v = new InMemoryVectorStore();
                SyncResult r = VsrxSync.builder().source(source).documents(fresh.documentStore()).blobs(b).vectors(v)
                        .processor(new InMemoryDocumentProcessor(b, v)).lock(fresh.syncLock("clean")).config(config)
                        .clock(c).sleeper(c).random(new SplittableRandom(7)).build().run(SyncRequest.full());
                assertThat(r.success()).isTrue();
                return ledgerState(fresh, ids);
            }
        }

        /** Documents, mappings and reference counts, without the times the sync stamped. */
        static Map<String, Object> ledgerState(JdbcLedger ledger, List<FilesetId> filesets) {
            TreeMap<String, Object> state = new TreeMap<>();
            for (FilesetId fs : filesets) {
                for (SilknoteDocument d : ledger.documentStore().documents(fs)) {
                    state.put("doc " + d.uuid(), List.of(d.patientUuid(), d.filesetId(), d.clientFileId(),
                            d.contentHash(), d.size(), d.mimeType(), d.metadata()));
                    state.put("ref " + d.contentHash().hex(),
                            ledger.documentStore().findBlobRef(d.contentHash()).orElseThrow().refCount());
                }
                for (SyncMapping m : ledger.documentStore().mappings(fs)) {
                    state.put("map " + m.vsrxFileId(), List.of(m.silknoteDocumentUuid(), m.filesetId(), m.etag(),
                            m.modifiedAt(), m.size(), m.contentHash()));
                }
                state.put("fileset " + fs, ledger.documentStore().findFileset(fs)
                        .map(r -> List.of(r.patientUuid(), r.patientIdHistory())).orElseThrow());
            }
            return state;
        }

        static List<FilesetReport> stored(JdbcLedger ledger, RunId run) {
            List<FilesetReport> out = new ArrayList<>();
            Optional<String> cursor = Optional.empty();
            do {
                Page<FilesetReport> p = ledger.documentStore().runFilesets(run, cursor, 7);
                out.addAll(p.items());
                cursor = p.nextCursor();
            } while (cursor.isPresent());
            return out;
        }
    }

    @Nested
    class OnTheThrowawayServer extends Scenario {
        @Override
        Backends backend() {
            return Backends.THROWAWAY;
        }
    }

    @Nested
    class OnTheEmbeddedDefault extends Scenario {
        @Override
        Backends backend() {
            return Backends.EMBEDDED_DEFAULT;
        }
    }

    @Nested
    @EnabledIfEnvironmentVariable(named = PostgresFixture.EXTERNAL_URL_ENV, matches = ".+")
    class OnAnExternalServer extends Scenario {
        @Override
        Backends backend() {
            return Backends.EXTERNAL;
        }
    }
}
