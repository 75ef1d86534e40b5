package com.silknote.sync.examples.reliability;

import com.silknote.sync.azure.Azurite;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.testkit.ForwardingDocumentStore;
import com.silknote.sync.testkit.SilknoteSnapshot;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.reliability.Convergence;
import com.silknote.sync.testkit.reliability.Reliability;
import com.silknote.sync.testkit.reliability.Snapshots;
import com.silknote.sync.testkit.reliability.SyncScenario;
import com.silknote.sync.testkit.reliability.WriteLog;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 13 item 3 / DESIGN rule 10: eight runners (threads; {@link ConcurrentRunnerProcessesTest} runs
 * separate JVMs in the heavy variant) sync the reliability scenario against one PostgreSQL and one Azurite,
 * with the JDBC lease lock and with the Azure blob-lease lock:
 * <ol>
 *   <li>eight start at once; one holds {@code vsrx-sync} and pauses at its k-th unit of work, the seven others
 *       get "Sync already in progress" and write nothing;</li>
 *   <li>the pause outlasts the lease (the test expires it in the backend); seven more start at once, one
 *       takes over and completes, those refused meanwhile write nothing;</li>
 *   <li>the paused holder resumes: its commit is rejected and it writes nothing more.</li>
 * </ol>
 * A monitor sees at most one lease held at any instant and tokens rising; the final state equals a single
 * clean run's and one more run writes nothing. Seeds (pause point): 2 in the test command, 8 heavy.
 */
class ConcurrentRunnersTest {
    static final int RUNNERS = 8;
    private final ExecutorService threads = Executors.newFixedThreadPool(RUNNERS * 2);

    static LongStream seeds() {
        return Reliability.seeds(1, 2, 8);
    }

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    @Nested
    class JdbcLeaseLock extends Contest {
        JdbcLeaseLock() {
            super(RealStores::postgresWithAzurite);
        }
    }

    @Nested
    class AzureBlobLeaseLock extends Contest {
        AzureBlobLeaseLock() {
            super(RealStores::postgresWithAzuriteAndBlobLeaseLock);
        }
    }

    abstract class Contest {
        private final Function<TestClock, RealStores.Backend> backends;

        Contest(Function<TestClock, RealStores.Backend> backends) {
            this.backends = backends;
        }

        @ParameterizedTest(name = "seed {0}")
        @MethodSource("com.silknote.sync.examples.reliability.ConcurrentRunnersTest#seeds")
        @DisplayName("rule 10: one holder at a time, refused runners write nothing, a paused holder is fenced")
        void eightRunnersOneHolderAtATime(long seed) throws Exception {
            int pauseAt = 1 + new SplittableRandom(seed).nextInt(3);
            String where = "seed " + seed + ", holder pauses at unit of work " + pauseAt;
            System.out.println("concurrent runners: " + where);

            TestClock cleanClock = TestClock.at(SyncScenario.START);
            SyncScenario cleanScenario = new SyncScenario(cleanClock).base();
            RealStores.Backend clean = backends.apply(cleanClock);
            Runner prep = new Runner(cleanScenario, clean, new LockMonitor(), "clean", seed, 0);
            prep.sync();
            cleanScenario.userEdits(clean).changes();
            SyncResult cleanResult = new Runner(cleanScenario, clean, new LockMonitor(), "clean-2", seed, 0).sync();
            SilknoteSnapshot expected = Snapshots.read(clean).timeless();

            TestClock clock = TestClock.at(SyncScenario.START);
            SyncScenario scenario = new SyncScenario(clock).base();
            RealStores.Backend backend = backends.apply(clock);
            LockMonitor monitor = new LockMonitor();
            new Runner(scenario, backend, monitor, "first", seed, 0).sync();
            scenario.userEdits(backend).changes();

            // 1. eight at once: one holder, paused at its k-th unit of work
            List<Runner> wave1 = new ArrayList<>();
            for (int i = 0; i < RUNNERS; i++) {
                wave1.add(new Runner(scenario, backend, monitor, "a" + i, seed, pauseAt));
            }
            List<Future<SyncResult>> first = start(wave1);
            Runner holder = awaitPaused(wave1, where);
            for (int i = 0; i < RUNNERS; i++) {
                if (wave1.get(i) != holder) {
                    assertRefused(wave1.get(i), first.get(i).get(120, TimeUnit.SECONDS), where);
                }
            }
            int writesBeforeResume = holder.log.writes().size();

            // 2. the pause outlasts the lease; seven more at once, one takes over
            monitor.expireHolder();
            backend.forceExpiry(SyncConfig.LOCK_NAME);
            List<Runner> wave2 = new ArrayList<>();
            for (int i = 0; i < RUNNERS - 1; i++) {
                wave2.add(new Runner(scenario, backend, monitor, "b" + i, seed, 0));
            }
            List<Future<SyncResult>> second = start(wave2);
            int ran = 0;
            for (int i = 0; i < wave2.size(); i++) {
                SyncResult r = second.get(i).get(120, TimeUnit.SECONDS);
                if (r.status() == SyncResult.Status.ALREADY_IN_PROGRESS) {
                    assertRefused(wave2.get(i), r, where);
                } else {
                    ran++;
                    assertThat(r.status()).as("%s: takeover %s (%s)", where, wave2.get(i).name, r.error())
                            .isEqualTo(cleanResult.status());
                }
            }
            assertThat(ran).as("%s: a runner took over the expired lease", where).isPositive();

            // 3. the paused holder resumes: rejected
            holder.release.countDown();
            SyncResult resumed = first.get(wave1.indexOf(holder)).get(120, TimeUnit.SECONDS);
            assertThat(resumed.status()).as("%s: the paused holder (%s)", where, resumed.error())
                    .isEqualTo(SyncResult.Status.FAILED);
            assertThat(resumed.error().orElse("")).as(where).contains("lease lost");
            List<String> late = holder.log.writes().subList(writesBeforeResume, holder.log.writes().size());
            assertThat(late).as("%s: what the paused holder tried after its lease ran out", where).isNotEmpty()
                    .allMatch(w -> w.contains("!"), "was refused");

            assertThat(monitor.violations()).as(where).isEmpty();
            assertThat(monitor.acquisitions()).as(where).isGreaterThanOrEqualTo(3);
            Convergence.assertConverged(backend, expected, where);
            Convergence.assertQuietRerun(log -> new Runner(scenario, backend, monitor, "last", seed, 0)
                    .sync(log), cleanResult.status(), backend, expected, where);
            assertThat(monitor.violations()).as(where).isEmpty();
        }

        private List<Future<SyncResult>> start(List<Runner> runners) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<SyncResult>> futures = new ArrayList<>();
            for (Runner r : runners) {
                futures.add(threads.submit(() -> {
                    go.await();
                    return r.sync();
                }));
            }
            go.countDown();
            return futures;
        }

        private Runner awaitPaused(List<Runner> runners, String where) throws InterruptedException {
            CountDownLatch any = runners.get(0).anyPaused;
            assertThat(any.await(120, TimeUnit.SECONDS)).as("%s: a holder reached its pause", where).isTrue();
            List<Runner> paused = runners.stream().filter(r -> r.paused.getCount() == 0).toList();
            assertThat(paused).as(where).hasSize(1);
            return paused.get(0);
        }

        private void assertRefused(Runner r, SyncResult result, String where) {
            assertThat(result.status()).as("%s: runner %s", where, r.name).isEqualTo(SyncResult.Status.ALREADY_IN_PROGRESS);
            assertThat(result.error()).as(where).contains(SyncResult.ALREADY_IN_PROGRESS);
            assertThat(r.log.writes()).as("%s: refused runner %s writes nothing", where, r.name).isEmpty();
        }
    }

    /** One runner: its own engine, lock client and write log; optionally pausing at its k-th unit of work. */
    private static final class Runner {
        private static final java.util.Map<SyncScenario, CountDownLatch> ANY = new java.util.concurrent.ConcurrentHashMap<>();
        final String name;
        final WriteLog log = new WriteLog();
        final CountDownLatch paused = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch anyPaused;
        private final SyncScenario scenario;
        private final RealStores.Backend backend;
        private final LockMonitor monitor;
        private final long seed;
        private final int pauseAt;

        Runner(SyncScenario scenario, RealStores.Backend backend, LockMonitor monitor, String name, long seed,
                int pauseAt) {
            this.scenario = scenario;
            this.backend = backend;
            this.monitor = monitor;
            this.name = name;
            this.seed = seed;
            this.pauseAt = pauseAt;
            this.anyPaused = ANY.computeIfAbsent(scenario, s -> new CountDownLatch(1));
        }

        SyncResult sync() {
            return sync(log);
        }

        SyncResult sync(WriteLog into) {
            DocumentStore documents = into.documents(backend.documents());
            if (pauseAt > 0) {
                documents = new Pause(documents);
            }
            return scenario.engine(scenario.vsrx(), documents, into.blobs(backend.blobs()),
                    into.vectors(backend.vectors()), into.processor(backend.processor()),
                    monitor.watch(backend.newLock("runner-" + name)), SyncScenario.config(),
                    seed * 1000 + name.hashCode()).run(SyncRequest.full());
        }

        /** Pauses the runner at its k-th unit of work until released. */
        private final class Pause extends ForwardingDocumentStore {
            private final AtomicInteger units = new AtomicInteger();

            Pause(DocumentStore delegate) {
                super(delegate);
            }

            @Override
            public <T> T inUnitOfWork(FencingToken token, Function<UnitOfWork, T> work) {
                if (units.incrementAndGet() == pauseAt) {
                    paused.countDown();
                    anyPaused.countDown();
                    try {
                        if (!release.await(300, TimeUnit.SECONDS)) {
                            throw new IllegalStateException("the paused runner was never released");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while paused", e);
                    }
                }
                return super.inUnitOfWork(token, work);
            }
        }
    }
}
