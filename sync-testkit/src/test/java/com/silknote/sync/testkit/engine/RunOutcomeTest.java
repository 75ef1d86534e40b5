package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.fileset;
import static com.silknote.sync.testkit.engine.EngineFixture.report;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.fault.Fault;
import com.silknote.sync.testkit.fault.FaultPlan;
import com.silknote.sync.testkit.fault.FaultyVsrxSource;
import com.silknote.sync.testkit.fault.Operation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Issue 9 item 5 / DESIGN rule 15: a run that failed is recorded as failed, and alerts follow from it. */
class RunOutcomeTest {
    private final EngineFixture fx = new EngineFixture();

    @Test
    @DisplayName("issue 9.5: runs that cannot list VSRX are FAILED, stored as such, and alert at 3 and 5")
    void runsThatCannotListVsrxAreRecordedAsFailedAndAlert() {
        FaultPlan down = FaultPlan.seeded(3);
        fx.source = new FaultyVsrxSource(fx.vsrx, down);
        FilesetId fs = fx.linkedFileset("P1");
        fx.text(fs, "a.txt", "a");
        down.on(Operation.LIST_FILESETS).always().thenFail(Fault.serviceUnavailable());

        List<SyncResult> results = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            results.add(fx.run());
        }

        for (int i = 0; i < 5; i++) {
            SyncResult r = results.get(i);
            assertThat(r.status()).as("run %d", i + 1).isEqualTo(SyncResult.Status.FAILED);
            assertThat(report(r).metrics().consecutiveFailedRuns()).as("run %d", i + 1).isEqualTo(i + 1);
        }
        assertThat(report(results.get(1)).alerts()).noneMatch(a -> a.kind() == Alert.Kind.CONSECUTIVE_FAILURES);
        assertThat(report(results.get(2)).alerts()).contains(new Alert(Alert.Kind.CONSECUTIVE_FAILURES,
                Alert.Severity.WARNING, "3 failed runs in a row (warning at 3)"));
        assertThat(report(results.get(4)).alerts()).contains(new Alert(Alert.Kind.CONSECUTIVE_FAILURES,
                Alert.Severity.CRITICAL, "5 failed runs in a row (critical at 5)"));

        List<SyncReport> stored = fx.silknote.documents().allRuns();
        assertThat(stored).hasSize(5).allSatisfy(s -> {
            assertThat(s.status()).isEqualTo(SyncResult.Status.FAILED);
            assertThat(s.error()).hasValueSatisfying(e -> assertThat(e).contains("listing filesets failed"));
            assertThat(s.allFilesetsSucceeded()).as("no fileset was attempted").isTrue();
        });

        fx.source = fx.vsrx;
        SyncResult recovered = fx.run();
        assertThat(recovered.success()).isTrue();
        assertThat(report(recovered).status()).isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(report(recovered).error()).isEmpty();
        assertThat(report(recovered).metrics().consecutiveFailedRuns()).isZero();
    }

    @Test
    @DisplayName("issue 9.5: a run refused by VSRX (401) is FAILED with the reason stored")
    void aRefusedTokenFailsTheRun() {
        FaultPlan refused = FaultPlan.seeded(3);
        fx.source = new FaultyVsrxSource(fx.vsrx, refused);
        refused.on(Operation.LIST_FILESETS).always().thenFail(Fault.status(401));

        SyncResult r = fx.run();

        assertThat(r.status()).isEqualTo(SyncResult.Status.FAILED);
        assertThat(fx.silknote.documents().recentRuns(1)).singleElement()
                .satisfies(s -> assertThat(s.status()).isEqualTo(SyncResult.Status.FAILED));
    }

    @Test
    @DisplayName("issue 9.5: a mass-delete guard trip is one failed fileset with its own alert, not file errors")
    void aGuardTripIsOneFailedFilesetAndNoErrorRateAlert() {
        FilesetId fs = fx.linkedFileset("P1");
        List<VsrxFileId> files = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            files.add(fx.text(fs, "f" + i + ".txt", "content " + i));
        }
        fx.run();
        for (int i = 0; i < 5; i++) {
            fx.vsrx.deleteFile(files.get(i));
        }

        SyncResult r = fx.run();

        assertThat(r.status()).isEqualTo(SyncResult.Status.PARTIAL_FAILURE);
        assertThat(fileset(r, fs).outcome()).isEqualTo(FilesetOutcome.MASS_DELETE_BLOCKED);
        assertThat(report(r).alerts()).anyMatch(a -> a.kind() == Alert.Kind.MASS_DELETE_GUARD);
        assertThat(report(r).alerts()).noneMatch(a -> a.kind() == Alert.Kind.ERROR_RATE);
        assertThat(report(r).metrics().errorRate()).isZero();
        assertThat(report(r).status()).isEqualTo(SyncResult.Status.PARTIAL_FAILURE);
        assertThat(report(r).error()).isPresent();
    }
}
