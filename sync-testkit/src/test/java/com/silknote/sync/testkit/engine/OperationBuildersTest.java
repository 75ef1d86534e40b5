package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.ConsistencyCheck;
import com.silknote.sync.core.OrphanCleanup;
import com.silknote.sync.core.RebookingMigration;
import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.CheckReport;
import com.silknote.sync.core.model.CheckRequest;
import com.silknote.sync.core.model.CleanupRequest;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.MigrationRequest;
import com.silknote.sync.core.model.OperationStatus;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.OperationListener;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 / the embedding contract (README "Embedding"): the public operations' builders — an instance's
 * {@code newBuilder()} gives an equal instance to change one part of, a given random makes run ids reproducible,
 * and a listener given to the builder is the one that hears the operation.
 */
class OperationBuildersTest {
    private final EngineFixture fx = new EngineFixture();

    private static OperationListener recording(List<String> heard) {
        return new OperationListener() {
            @Override
            public void operationStarted(RunId runId, String operation, boolean dryRun) {
                heard.add(operation);
            }

            @Override
            public void operationFinished(RunId runId, String operation) {
                heard.add("finished " + operation);
            }
        };
    }

    @Test
    @DisplayName("issue 11: the consistency check's newBuilder keeps every part; a seeded random gives the same run id")
    void consistencyCheckNewBuilderKeepsItsPartsAndTheSeedGivesTheRunId() {
        List<String> heard = new ArrayList<String>();
        ConsistencyCheck check = ConsistencyCheck.builder().documents(fx.documents).blobs(fx.blobs).vectors(fx.vectors)
                .lock(fx.lock).config(fx.config).clock(fx.clock).sleeper(fx.clock).random(new SplittableRandom(5))
                .listener(recording(heard)).source(fx.vsrx).build();

        CheckReport first = check.check(CheckRequest.defaults());
        CheckReport again = check.newBuilder().random(new SplittableRandom(5)).build().check(CheckRequest.defaults());
        check.repair(new com.silknote.sync.core.model.RepairRequest(CheckRequest.defaults(), true));

        assertThat(first.status()).isEqualTo(OperationStatus.COMPLETED);
        assertThat(again.runId()).isEqualTo(first.runId());
        assertThat(heard).containsExactly("check", "finished check", "check", "finished check", "repair",
                "finished repair");
    }

    @Test
    @DisplayName("issue 11: the orphan cleanup's newBuilder keeps every part; a seeded random gives the same run id")
    void orphanCleanupNewBuilderKeepsItsPartsAndTheSeedGivesTheRunId() {
        List<String> heard = new ArrayList<String>();
        OrphanCleanup cleanup = OrphanCleanup.builder().documents(fx.documents).blobs(fx.blobs).vectors(fx.vectors)
                .lock(fx.lock).config(fx.config).clock(fx.clock).sleeper(fx.clock).random(new SplittableRandom(6))
                .listener(recording(heard)).build();

        RunId first = cleanup.run(CleanupRequest.dryRunOnly()).runId();
        RunId again = cleanup.newBuilder().random(new SplittableRandom(6)).build().run(CleanupRequest.dryRunOnly())
                .runId();

        assertThat(again).isEqualTo(first);
        assertThat(heard).containsExactly("cleanup", "finished cleanup", "cleanup", "finished cleanup");
    }

    @Test
    @DisplayName("rule 13: the migration's newBuilder keeps every part; a seeded random gives the same run id")
    void migrationNewBuilderKeepsItsPartsAndTheSeedGivesTheRunId() {
        FilesetId a = fx.linkedFileset("P-A");
        FilesetId b = fx.linkedFileset("P-B");
        List<String> heard = new ArrayList<String>();
        RebookingMigration migration = RebookingMigration.builder().documents(fx.documents).lock(fx.lock)
                .config(fx.config).clock(fx.clock).sleeper(fx.clock).random(new SplittableRandom(8))
                .listener(recording(heard)).build();

        RunId first = migration.migrate(new MigrationRequest(a, b, true)).runId();
        RunId again = migration.newBuilder().random(new SplittableRandom(8)).build()
                .migrate(new MigrationRequest(a, b, true)).runId();

        assertThat(again).isEqualTo(first);
        assertThat(heard).containsExactly("migrate", "finished migrate", "migrate", "finished migrate");
    }

    @Test
    @DisplayName("the sync's newBuilder keeps every part (config, claims, target); a seeded random gives the same run id")
    void syncNewBuilderKeepsItsPartsAndTheSeedGivesTheRunId() {
        FilesetId fs = fx.linkedFileset("P-SYNC");
        fx.text(fs, "a.txt", "a note");
        VsrxSync sync = VsrxSync.builder().source(fx.vsrx).documents(fx.documents).blobs(fx.blobs).vectors(fx.vectors)
                .processor(fx.processor).lock(fx.lock).claims(fx.silknote.claims())
                .target(fx.vsrx).config(fx.config).clock(fx.clock)
                .sleeper(fx.clock).random(new SplittableRandom(9)).build();

        SyncResult first = sync.run(com.silknote.sync.core.model.SyncRequest.full());
        VsrxSync copy = sync.newBuilder().random(new SplittableRandom(9)).build();
        SyncResult again = copy.run(com.silknote.sync.core.model.SyncRequest.full());

        assertThat(first.success()).isTrue();
        assertThat(copy.config()).isSameAs(fx.config);
        // run-<start millis>-<random hex>: the start moved on with the test clock, the random part is the seed's
        String firstId = first.report().orElseThrow().runId().value();
        String againId = again.report().orElseThrow().runId().value();
        assertThat(againId.substring(againId.lastIndexOf('-'))).isEqualTo(firstId.substring(firstId.lastIndexOf('-')));
    }

    @Test
    @DisplayName("the builder's processor hook is handed each document the sync writes")
    void aProcessorHookSeesEachDocument() {
        FilesetId fs = fx.linkedFileset("P-HOOK");
        VsrxFileId f = fx.text(fs, "a.txt", "a note for the hook");
        List<SilknoteDocument> seen = new ArrayList<>();
        VsrxSync sync = VsrxSync.builder().source(fx.vsrx).documents(fx.documents).blobs(fx.blobs).vectors(fx.vectors)
                .processor((java.util.function.Consumer<SilknoteDocument>) seen::add).lock(fx.lock).config(fx.config).clock(fx.clock).sleeper(fx.clock)
                .random(new SplittableRandom(10)).build();

        assertThat(sync.run(com.silknote.sync.core.model.SyncRequest.full()).success()).isTrue();

        assertThat(seen).extracting(SilknoteDocument::clientFileId).containsExactly(f);
    }
}
