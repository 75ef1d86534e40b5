package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.SilknoteSnapshot;
import com.silknote.sync.testkit.fault.Fault;
import com.silknote.sync.testkit.fault.FaultPlan;
import com.silknote.sync.testkit.fault.FaultySilknote;
import com.silknote.sync.testkit.fault.FaultyVsrxSource;
import com.silknote.sync.testkit.fault.Operation;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The engine under the testkit's seeded fault plans (crash points: {@link CrashPointSweepTest}). */
class FaultPlanEngineTest {

    private static EngineFixture world() {
        EngineFixture fx = new EngineFixture();
        fx.config(c -> c.filesetConcurrency(1).fileConcurrency(1));
        FilesetId a = fx.linkedFileset("P1");
        FilesetId b = fx.linkedFileset("P2");
        fx.vsrx.addFileset(PatientId.of("P3"));
        VsrxFileId a1 = fx.text(a, "a1.txt", "alpha");
        fx.text(a, "a2.txt", "shared");
        VsrxFileId a3 = fx.text(a, "a3.txt", "gone soon");
        fx.text(b, "b1.txt", "shared");
        VsrxFileId b2 = fx.text(b, "b2.txt", "bravo");
        fx.text(b, "b3.txt", "third");
        assertThat(fx.run().success()).isTrue();
        fx.clock.advance(Duration.ofMinutes(1));
        fx.vsrx.modifyFile(a1, "alpha two");
        fx.vsrx.deleteFile(a3);
        fx.vsrx.touchFile(b2);
        fx.text(b, "b4.txt", "gone soon");
        return fx;
    }

    private static void use(EngineFixture fx, FaultySilknote ports) {
        fx.documents = ports.documents();
        fx.blobs = ports.blobs();
        fx.vectors = ports.vectors();
        fx.processor = ports.processor();
        fx.lock = ports.lock();
    }

    @Test
    void seededTransientFaultsEverywhereConvergeToTheCleanResult() {
        EngineFixture clean = world();
        assertThat(clean.run().success()).isTrue();
        SilknoteSnapshot expected = clean.silknote.snapshot().timeless();

        for (long seed = 1; seed <= 12; seed++) {
            EngineFixture fx = world();
            FaultPlan plan = FaultPlan.seeded(seed)
                    .failRandomly(Operation.OPEN_CONTENT, 0.3, Fault.serviceUnavailable())
                    .failRandomly(Operation.LIST_FILES, 0.2, Fault.tooManyRequests(Duration.ofSeconds(1)))
                    .failRandomly(Operation.BLOB_PUT_IF_ABSENT, 0.2, Fault.timeout())
                    .failRandomly(Operation.DOCUMENTS_UNIT_OF_WORK, 0.2, Fault.lostResponse())
                    .failRandomly(Operation.DOCUMENTS_COMPLETE_OUTBOX, 0.2, Fault.serviceUnavailable())
                    .failRandomly(Operation.PROCESS, 0.2, Fault.serviceUnavailable())
                    .failRandomly(Operation.VECTOR_DELETE, 0.2, Fault.timeout());
            use(fx, FaultySilknote.wrap(fx.silknote, plan));
            fx.source = new FaultyVsrxSource(fx.vsrx, plan);

            SyncResult last = null;
            for (int attempt = 0; attempt < 15; attempt++) {
                last = fx.run();
                fx.silknote.assertInvariants();
                if (last.success() && fx.silknote.documents().allPendingOutbox().isEmpty()) {
                    break;
                }
                fx.clock.advance(Duration.ofMinutes(1));
            }
            assertThat(last.success()).as("seed " + seed).isTrue();
            SilknoteSnapshot actual = fx.silknote.snapshot().timeless();
            assertThat(actual.differencesTo(expected).stream().filter(d -> !d.startsWith("state")).toList())
                    .as("seed " + seed + " " + plan.injected().size() + " faults").isEmpty();
        }
    }
}
