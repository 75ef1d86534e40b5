package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.SilknoteSnapshot;
import com.silknote.sync.testkit.fault.FaultPlan;
import com.silknote.sync.testkit.fault.FaultySilknote;
import com.silknote.sync.testkit.fault.SimulatedCrash;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §4 crash safety: for every effect N of a clean run, crash just before and just after effect N,
 * re-run, and compare Silknote with the clean run's result: no lost file, no duplicate document, correct
 * reference counts, vectors for every document, no orphan blob once the collector ran. Effects are counted
 * and crashed by the testkit's {@link FaultPlan} through {@link FaultySilknote}.
 */
class CrashPointSweepTest {

    /** One world: fixture and handles of the scripted files. */
    private static final class World {
        final EngineFixture fx = new EngineFixture();
        final List<VsrxFileId> files = new ArrayList<>();

        World() {
            fx.config(c -> c.filesetConcurrency(1).fileConcurrency(1));
        }

        /** Hands the engine Silknote's ports wrapped with {@code plan}; returns the plan. */
        FaultPlan use(FaultPlan plan) {
            FaultySilknote ports = FaultySilknote.wrap(fx.silknote, plan);
            fx.documents = ports.documents();
            fx.blobs = ports.blobs();
            fx.vectors = ports.vectors();
            fx.processor = ports.processor();
            fx.lock = ports.lock();
            return plan;
        }
    }

    private static World base() {
        World w = new World();
        EngineFixture fx = w.fx;
        FilesetId a = fx.linkedFileset("P1");
        FilesetId b = fx.linkedFileset("P2");
        fx.vsrx.addFileset(PatientId.of("P3"));
        w.files.add(fx.text(a, "a1.txt", "alpha"));          // 0 renamed later
        w.files.add(fx.text(a, "a2.txt", "shared"));         // 1
        w.files.add(fx.text(a, "a3.txt", "to delete"));      // 2 deleted later
        w.files.add(fx.text(a, "a4.txt", "to modify"));      // 3 modified later
        w.files.add(fx.text(a, "a5.txt", "touch me"));       // 4 touched later
        w.files.add(fx.text(b, "b1.txt", "shared"));         // 5
        w.files.add(fx.text(b, "b2.txt", "bravo"));          // 6 becomes "shared"
        VsrxFileId bad = fx.text(b, "b3.txt", "lying size"); // 7 skipped
        fx.vsrx.setDeclaredSize(bad, 3);
        w.files.add(bad);
        return w;
    }

    private static void changes(World w) {
        EngineFixture fx = w.fx;
        FilesetId a = fx.vsrx.filesetIds().get(0);
        FilesetId b = fx.vsrx.filesetIds().get(1);
        fx.clock.advance(Duration.ofMinutes(1));
        fx.vsrx.renameFile(w.files.get(0), "notes/a1-renamed.txt");
        fx.vsrx.deleteFile(w.files.get(2));
        fx.vsrx.modifyFile(w.files.get(3), "modified");
        fx.vsrx.touchFile(w.files.get(4));
        fx.vsrx.modifyFile(w.files.get(6), "shared");
        fx.text(a, "a6.txt", "brand new");
        fx.text(b, "b4.txt", "to modify");
        fx.text(b, "b5.txt", "to delete");
    }

    @Test
    void initialRunSurvivesACrashAtEveryEffect() {
        sweep(w -> { }, w -> { });
    }

    @Test
    void runWithUpdatesDeletesAndCollectionSurvivesACrashAtEveryEffect() {
        sweep(w -> assertThat(w.fx.run().success()).isTrue(), CrashPointSweepTest::changes);
    }

    /**
     * @param before runs before the swept run (on a clean world)
     * @param change VSRX changes between {@code before} and the swept run
     */
    private void sweep(Consumer<World> before, Consumer<World> change) {
        World clean = prepared(before, change);
        FaultPlan counting = clean.use(FaultPlan.none());
        SyncResult cleanResult = clean.fx.run();
        int total = counting.effectCount();
        assertThat(cleanResult.success()).as("clean run").isTrue();
        assertThat(total).as("effects of the clean run").isGreaterThan(10);
        clean.fx.silknote.assertQuiescent();
        SilknoteSnapshot expected = clean.fx.silknote.snapshot().timeless();

        for (int n = 1; n <= total; n++) {
            for (boolean after : new boolean[] {false, true}) {
                World w = prepared(before, change);
                w.use(after ? FaultPlan.crashAfterEffect(n) : FaultPlan.crashBeforeEffect(n));
                assertThatThrownBy(w.fx::run).as("crash %s effect %d", after ? "after" : "before", n)
                        .isInstanceOf(SimulatedCrash.class);
                w.use(FaultPlan.none());
                w.fx.clock.advance(w.fx.config.lockTtl().plusSeconds(1));

                SyncResult rerun = w.fx.run();

                String where = (after ? "after" : "before") + " effect " + n + " of " + total;
                assertThat(rerun.success()).as("re-run succeeds, crash " + where).isEqualTo(cleanResult.success());
                w.fx.silknote.assertInvariants();
                w.fx.silknote.assertQuiescent();
                SilknoteSnapshot actual = w.fx.silknote.snapshot().timeless();
                assertThat(actual.documents()).as("documents, crash " + where).isEqualTo(expected.documents());
                assertThat(actual.mappings()).as("mappings, crash " + where).isEqualTo(expected.mappings());
                assertThat(actual.filesets()).as("filesets, crash " + where).isEqualTo(expected.filesets());
                assertThat(actual.blobRefs()).as("blob refs, crash " + where).isEqualTo(expected.blobRefs());
                assertThat(actual.blobs()).as("blobs (no orphan), crash " + where).isEqualTo(expected.blobs());
                assertThat(actual.vectors()).as("vectors, crash " + where).isEqualTo(expected.vectors());
                assertThat(actual.skips()).as("skips, crash " + where).isEqualTo(expected.skips());
                assertThat(actual.outbox()).as("outbox, crash " + where).isEqualTo(expected.outbox());
                assertThat(actual.differencesTo(expected).stream().filter(d -> !d.startsWith("state")).toList())
                        .as("differences, crash " + where).isEmpty();
                assertThat(actual.state().partialSyncState().isEmpty()).as("resume state, crash " + where).isTrue();
            }
        }
    }

    private static World prepared(Consumer<World> before, Consumer<World> change) {
        World w = base();
        before.accept(w);
        change.accept(w);
        return w;
    }
}
