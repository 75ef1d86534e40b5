package com.silknote.sync.testkit.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.testkit.SilknoteSnapshot;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.fault.FaultPlan;
import com.silknote.sync.testkit.fault.FaultyBlobStore;
import com.silknote.sync.testkit.fault.FaultyDocumentProcessor;
import com.silknote.sync.testkit.fault.FaultyDocumentStore;
import com.silknote.sync.testkit.fault.FaultySyncLock;
import com.silknote.sync.testkit.fault.FaultyVectorStore;
import com.silknote.sync.testkit.fault.SimulatedCrash;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DESIGN §4 crash safety, on any Silknote backend: the run of {@link SyncScenario} (creates, updates,
 * metadata-only updates, deletes, dedup hits, skips, a conflict and a tripped mass-delete guard) is run
 * once cleanly, counting its effects (writes to the ledger, blob store, vector store and processing, through
 * the {@code Faulty*} decorators). Then, for every effect N, in a fresh world:
 * <ul>
 *   <li><b>crash after effect N</b> (N = 0: before the first effect): effect N happened, the process dies
 *       before it learns so; its lease stays until it expires;</li>
 *   <li><b>lost acknowledgement of effect N</b>: the store applied the write but its answer never arrived
 *       (the decorator lets the call through, then throws a transient failure); the run goes on.</li>
 * </ul>
 * After each: a restarted run; then the state equals the clean run's (documents, mappings, fileset records,
 * reference counts, blobs, vector entries, skips, outbox, resume state), Silknote's invariants hold, the
 * backend's raw row counts agree with what the ports show, no run was recorded twice, and one more run
 * writes nothing and leaves the state as it is. The number of points covered is logged and asserted.
 *
 * <p>An adapter's test extends this class and supplies {@link #newBackend(TestClock)}. The bounded form sweeps
 * the second run (every kind of change); the first run is swept too in memory and in the heavy variant
 * ({@code -Dvsrx.reliability=heavy}), which also sweeps every "crash before effect N".
 */
public abstract class CrashPointSweep {
    private static final Logger LOG = LoggerFactory.getLogger(CrashPointSweep.class);

    /** A fresh, empty Silknote (its own namespace) whose ledger stamps times with {@code clock}. */
    protected abstract SilknoteBackend newBackend(TestClock clock);

    /** A short, log-safe name of the backend for the report lines. */
    protected abstract String backendName();

    /** Whether the first run is swept in the bounded form too (cheap backends say yes). */
    protected boolean sweepFirstRunWhenBounded() {
        return false;
    }

    /** The kinds of crash points. */
    public enum PointKind {
        /** The process dies just before effect N. */
        CRASH_BEFORE,
        /** Effect N is applied, then the process dies. */
        CRASH_AFTER,
        /** Effect N is applied, its answer is lost, the run goes on. */
        LOST_ACK
    }

    /** One crash point. */
    public record Point(PointKind kind, int effect) {
        FaultPlan plan() {
            return switch (kind) {
                case CRASH_BEFORE -> FaultPlan.crashBeforeEffect(effect);
                case CRASH_AFTER -> FaultPlan.crashAfterEffect(effect);
                case LOST_ACK -> FaultPlan.loseAckOfEffect(effect);
            };
        }

        @Override
        public String toString() {
            return switch (kind) {
                case CRASH_BEFORE -> "crash before effect " + effect;
                case CRASH_AFTER -> "crash after effect " + effect;
                case LOST_ACK -> "lost acknowledgement of effect " + effect;
            };
        }
    }

    /** What a sweep covered. */
    public record Coverage(int effects, int points, int converged) {
    }

    @Test
    @DisplayName("DESIGN §4: a run with every kind of change converges from a crash or lost answer at every effect")
    void secondRunConvergesFromEveryCrashPoint() {
        Coverage c = sweep("second run", true);
        assertThat(c.converged()).isEqualTo(c.points());
    }

    @Test
    @DisplayName("DESIGN §4: the first run converges from a crash or lost answer at every effect")
    void firstRunConvergesFromEveryCrashPoint() {
        if (!sweepFirstRunWhenBounded() && !Reliability.heavy()) {
            // The bounded form of a slow backend sweeps the second run only, which has every kind of effect
            // of the first; this still runs the first run cleanly and checks it against its own extra run.
            World w = world(false);
            SyncResult clean = w.run(FaultPlan.none());
            assertThat(clean.status()).isEqualTo(SyncResult.Status.COMPLETED);
            w.assertQuietRerun(clean, Snapshots.read(w.backend).timeless(), "first run");
            return;
        }
        Coverage c = sweep("first run", false);
        assertThat(c.converged()).isEqualTo(c.points());
    }

    /**
     * Sweeps one run of the scenario.
     *
     * @param second sweep the second run (after {@code base}, a first run, the user edit and the changes),
     *               else the first
     */
    protected final Coverage sweep(String what, boolean second) {
        World clean = world(second);
        FaultPlan counting = FaultPlan.none();
        SyncResult cleanResult = clean.run(counting);
        int total = counting.effectCount();
        assertThat(total).as("effects of the clean %s", what).isGreaterThan(10);
        SilknoteSnapshot expected = Snapshots.read(clean.backend).timeless();
        assertThat(Snapshots.invariantViolations(expected, clean.backend.blobs())).as("clean run").isEmpty();
        assertThat(expected.outbox()).as("clean run leaves no pending work").isEmpty();
        clean.assertQuietRerun(cleanResult, expected, "clean " + what);

        List<Point> points = new ArrayList<>();
        points.add(new Point(PointKind.CRASH_BEFORE, 1));
        for (int n = 1; n <= total; n++) {
            if (Reliability.heavy() && n > 1) {
                points.add(new Point(PointKind.CRASH_BEFORE, n));
            }
            points.add(new Point(PointKind.CRASH_AFTER, n));
            points.add(new Point(PointKind.LOST_ACK, n));
        }
        long started = System.nanoTime();
        int converged = 0;
        for (Point point : points) {
            String where = backendName() + ", " + what + ", " + point + " of " + total;
            World w = world(second);
            FaultPlan plan = point.plan();
            if (point.kind() == PointKind.LOST_ACK) {
                SyncResult faulted = w.run(plan);
                assertThat(faulted.status()).as("%s: the run goes on", where).isNotNull();
            } else {
                try {
                    SyncResult r = w.run(plan);
                    throw new AssertionError(where + ": the run did not reach its crash point: " + r);
                } catch (SimulatedCrash expectedCrash) {
                    // the process died here
                }
                w.backend.forceExpiry(SyncConfig.LOCK_NAME);
            }
            SyncResult rerun = w.run(FaultPlan.none());
            assertThat(rerun.status()).as("%s: restarted run (%s)", where, rerun.error())
                    .isEqualTo(cleanResult.status());
            Convergence.assertConverged(w.backend, expected, where);
            w.assertQuietRerun(cleanResult, expected, where);
            converged++;
        }
        LOG.info("crash-point sweep backend={} run=\"{}\" effects={} points={} converged={} tookMs={}",
                backendName(), what, total, points.size(), converged, (System.nanoTime() - started) / 1_000_000);
        return new Coverage(total, points.size(), converged);
    }

    private World world(boolean second) {
        World w = new World();
        w.scenario.base();
        if (second) {
            SyncResult first = w.run(FaultPlan.none());
            assertThat(first.status()).as("first run: %s", first.error()).isEqualTo(SyncResult.Status.COMPLETED);
            w.scenario.userEdits(w.backend);
            w.scenario.changes();
        }
        return w;
    }

    /** One VSRX and one Silknote backend on one clock. */
    protected final class World {
        final TestClock clock = TestClock.at(SyncScenario.START);
        final SyncScenario scenario = new SyncScenario(clock);
        final SilknoteBackend backend = newBackend(clock);
        private int hosts;

        /** One run through {@code plan}'s decorators, by a new host. */
        SyncResult run(FaultPlan plan) {
            int host = ++hosts;
            VsrxSync sync = scenario.engine(scenario.vsrx(), new FaultyDocumentStore(backend.documents(), plan),
                    new FaultyBlobStore(backend.blobs(), plan), new FaultyVectorStore(backend.vectors(), plan),
                    new FaultyDocumentProcessor(backend.processor(), plan),
                    new FaultySyncLock(backend.newLock("host-" + host), plan), SyncScenario.config(), host);
            return sync.run(SyncRequest.full());
        }

        /** One run whose writes go to {@code log}, by a new host. */
        SyncResult run(WriteLog log) {
            int host = ++hosts;
            VsrxSync sync = scenario.engine(scenario.vsrx(), log.documents(backend.documents()),
                    log.blobs(backend.blobs()), log.vectors(backend.vectors()), log.processor(backend.processor()),
                    backend.newLock("host-" + host), SyncScenario.config(), host);
            return sync.run(SyncRequest.full());
        }

        /** {@link Convergence#assertQuietRerun} with a run by a new host. */
        void assertQuietRerun(SyncResult clean, SilknoteSnapshot expected, String where) {
            Convergence.assertQuietRerun(this::run, clean.status(), backend, expected, where);
        }
    }
}
