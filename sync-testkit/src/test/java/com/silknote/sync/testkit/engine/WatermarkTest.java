package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.action;
import static com.silknote.sync.testkit.engine.EngineFixture.report;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.port.SyncListener;
import com.silknote.sync.testkit.ForwardingVsrxSource;
import com.silknote.sync.testkit.TestHashes;
import com.silknote.sync.core.port.VsrxSource;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DESIGN rule 9 / issue 9 item 4: the incremental watermark comes from VSRX's clock (the first fileset
 * page's server time) and is used with an overlap, so an edit made during a run is listed by the next
 * incremental run whatever the skew between the hosts.
 */
class WatermarkTest {
    private final EngineFixture fx = new EngineFixture();

    /** Fileset 1 with a file that is edited while the run downloads it; fileset 2 untouched. */
    private VsrxFileId editDuringDownload(FilesetId fs, String name) {
        VsrxFileId a = fx.text(fs, name, "before");
        fx.vsrx.onOpen(a, () -> {
            fx.clock.advance(Duration.ofMillis(200));
            fx.vsrx.modifyFile(a, "edited during the run");
        });
        return a;
    }

    @ParameterizedTest(name = "VSRX clock {0} s against the host")
    @ValueSource(longs = {-5, 5})
    @DisplayName("issue 9.4: an edit made while a fileset downloads is listed by the next incremental run")
    void anEditDuringADownloadIsListedByTheNextIncrementalRun(long skewSeconds) {
        fx.config(c -> c.watermarkOverlap(Duration.ZERO));
        fx.vsrx.setClockSkew(Duration.ofSeconds(skewSeconds));
        FilesetId fs1 = fx.linkedFileset("P1");
        FilesetId fs2 = fx.linkedFileset("P2");
        fx.text(fs2, "b.txt", "b");
        fx.clock.advance(Duration.ofHours(1));
        VsrxFileId a = editDuringDownload(fs1, "a.txt");

        SyncResult first = fx.run();
        assertThat(first.success()).isTrue();
        assertThat(fx.silknote.documents().findDocument(com.silknote.sync.core.model.DocumentUuid.forVsrxFile(a))
                .orElseThrow().contentHash()).isEqualTo(TestHashes.sha256("before"));

        fx.clock.advance(Duration.ofMinutes(1));
        SyncResult next = fx.run(SyncRequest.incrementalRun());

        assertThat(report(next).filesets()).extracting(FilesetReport::filesetId).containsExactly(fs1);
        assertThat(action(next, a)).isEqualTo(FileAction.UPDATED);
    }

    @Test
    @DisplayName("issue 9.4: the mark is VSRX's clock at the first fileset page, not the host's")
    void theMarkIsTheServerTimeOfTheFirstFilesetPage() {
        fx.vsrx.setClockSkew(Duration.ofSeconds(-5));
        fx.linkedFileset("P1");
        fx.clock.advance(Duration.ofHours(1));

        SyncResult run = fx.run();

        assertThat(fx.silknote.documents().loadState().lastCompleteSync())
                .contains(report(run).startedAt().minusSeconds(5));
    }

    @Test
    @DisplayName("issue 9.4: an edit made after its fileset was processed, VSRX 5 s behind, default overlap")
    void anEditAfterItsFilesetWasProcessedIsListedByTheNextIncrementalRun() {
        fx.vsrx.setClockSkew(Duration.ofSeconds(-5));
        fx.config(c -> c.filesetConcurrency(1));
        FilesetId fs1 = fx.linkedFileset("P1");
        FilesetId fs2 = fx.linkedFileset("P2");
        FilesetId fs3 = fx.linkedFileset("P3");
        VsrxFileId a = fx.text(fs1, "a.txt", "a");
        fx.text(fs2, "b.txt", "b");
        fx.text(fs3, "c.txt", "c");
        fx.clock.advance(Duration.ofHours(1));
        fx.listener = new SyncListener() {
            @Override
            public void filesetFinished(RunId runId, FilesetReport r) {
                if (r.filesetId().equals(fs1)) {
                    fx.clock.advance(Duration.ofSeconds(1));
                    fx.vsrx.modifyFile(a, "edited between pages");
                }
            }
        };
        assertThat(fx.run().success()).isTrue();
        fx.listener = SyncListener.NONE;

        fx.clock.advance(Duration.ofMinutes(1));
        SyncResult next = fx.run(SyncRequest.incrementalRun());

        assertThat(action(next, a)).isEqualTo(FileAction.UPDATED);
    }

    @Test
    @DisplayName("issue 9.4: without a server time the host's clock at run start minus the overlap is used")
    void withoutAServerTimeTheHostClockMinusTheOverlapIsUsed() {
        fx.vsrx.setClockSkew(Duration.ofSeconds(-5));
        VsrxSource real = fx.vsrx;
        fx.source = new ForwardingVsrxSource(real) {
            @Override
            public Page<VsrxFileset> listFilesets(PageRequest request) {
                Page<VsrxFileset> p = real.listFilesets(request);
                return new Page<>(p.items(), p.nextCursor());
            }
        };
        FilesetId fs1 = fx.linkedFileset("P1");
        fx.clock.advance(Duration.ofHours(1));
        VsrxFileId a = editDuringDownload(fs1, "a.txt");

        SyncResult first = fx.run();
        assertThat(fx.silknote.documents().loadState().lastCompleteSync()).contains(report(first).startedAt());

        fx.clock.advance(Duration.ofMinutes(1));
        assertThat(action(fx.run(SyncRequest.incrementalRun()), a)).isEqualTo(FileAction.UPDATED);
    }
}
