package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.fileset;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A dry run over many filesets (issue 10, DESIGN rule 9's bounded resume state): the engine queues no further
 * fileset while 1000 finished ahead of the oldest one in flight, so every fileset a dry run finishes must leave the
 * in-flight set, whatever its outcome, or a dry run over more than 1000 unlinked filesets never ends.
 */
class DryRunProgressTest {
    private final EngineFixture fx = new EngineFixture();

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS) // a guard against a hang, not a measurement
    @DisplayName("issue 10, rule 9: a dry run whose first fileset has changes, followed by 1001 unlinked filesets, ends")
    void aDryRunOverManyUnlinkedFilesetsEnds() {
        fx.config(c -> c.filesetConcurrency(1).pageSize(500));
        FilesetId first = fx.linkedFileset("P-0");
        fx.text(first, "a.txt", "a letter");
        for (int i = 0; i < 1001; i++) {
            fx.vsrx.addFileset("P-WAITING-" + i);
        }

        SyncResult dry = fx.run(SyncRequest.full().asDryRun());

        assertThat(dry.success()).isTrue();
        assertThat(fileset(dry, first).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
        assertThat(EngineFixture.report(dry).totals().filesets(FilesetOutcome.SKIPPED_NOT_LINKED)).isEqualTo(1001);
    }
}
