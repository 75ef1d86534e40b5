package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.fileset;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.port.VsrxSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A dry run over many filesets (issue 10, DESIGN rule 9's bounded resume state): the engine queues no further
 * fileset while 1000 finished ahead of the oldest one in flight, so every fileset a dry run finishes must leave the
 * in-flight set, whatever its outcome, or a dry run over more than 1000 unlinked filesets never ends. 1010 of them:
 * with one fileset at a time the queue runs at most two ahead, so 1000 have surely finished before the last is queued.
 */
class DryRunProgressTest {
    private final EngineFixture fx = new EngineFixture();

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS) // a guard against a hang, not a measurement
    @DisplayName("issue 10, rule 9: a dry run whose first fileset has changes, followed by 1010 unlinked filesets, ends")
    void aDryRunOverManyUnlinkedFilesetsEnds() {
        fx.config(c -> c.filesetConcurrency(1).pageSize(500));
        FilesetId first = fx.linkedFileset("P-0");
        fx.text(first, "a.txt", "a letter");
        unlinkedFilesetsAfter(1010);

        SyncResult dry = fx.run(SyncRequest.full().asDryRun());

        assertThat(dry.success()).isTrue();
        assertThat(fileset(dry, first).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
        assertThat(EngineFixture.report(dry).totals().filesets(FilesetOutcome.SKIPPED_NOT_LINKED)).isEqualTo(1010);
    }

    private void unlinkedFilesetsAfter(int n) {
        for (int i = 0; i < n; i++) {
            fx.vsrx.addFileset("P-WAITING-" + i);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS) // a guard against a hang, not a measurement
    @DisplayName("issue 10, rules 5, 9: a dry run whose first fileset trips the mass-delete guard, followed by 1010 unlinked filesets, ends")
    void aDryRunPastABlockedFilesetEnds() {
        fx.config(c -> c.filesetConcurrency(1).pageSize(500));
        FilesetId first = fx.linkedFileset("P-0");
        List<VsrxFileId> files = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            files.add(fx.text(first, "f" + i + ".txt", "letter " + i));
        }
        unlinkedFilesetsAfter(1010);
        assertThat(fx.run().success()).isTrue();
        files.subList(0, 3).forEach(fx.vsrx::deleteFile);

        SyncResult dry = fx.run(SyncRequest.full().asDryRun());

        assertThat(fileset(dry, first).outcome()).isEqualTo(FilesetOutcome.MASS_DELETE_BLOCKED);
        assertThat(EngineFixture.report(dry).totals().filesets(FilesetOutcome.SKIPPED_NOT_LINKED)).isEqualTo(1010);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS) // a guard against a hang, not a measurement
    @DisplayName("issue 10, rule 9: a dry run whose first fileset fails, followed by 1010 unlinked filesets, ends")
    void aDryRunPastAFailedFilesetEnds() {
        fx.config(c -> c.filesetConcurrency(1).pageSize(500));
        FilesetId first = fx.linkedFileset("P-0");
        fx.text(first, "a.txt", "a letter");
        unlinkedFilesetsAfter(1010);
        VsrxSource real = fx.vsrx;
        fx.source = new VsrxSource() {
            @Override
            public Page<VsrxFileset> listFilesets(PageRequest request) {
                return real.listFilesets(request);
            }

            @Override
            public Optional<VsrxFileset> findFileset(FilesetId id) {
                return real.findFileset(id);
            }

            @Override
            public Page<VsrxFile> listFiles(FilesetId id, PageRequest request) {
                throw new IllegalStateException("listing broken");
            }

            @Override
            public FileContent openContent(VsrxFileId fileId) {
                return real.openContent(fileId);
            }
        };

        SyncResult dry = fx.run(SyncRequest.full().asDryRun());

        assertThat(fileset(dry, first).outcome()).isEqualTo(FilesetOutcome.FAILED);
        assertThat(EngineFixture.report(dry).totals().filesets(FilesetOutcome.SKIPPED_NOT_LINKED)).isEqualTo(1010);
    }
}
