package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.report;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncResult;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 "bandwidth cap": downloads go through one token bucket on the injected clock and sleeper, shared by
 * every file thread, so the bytes per second of a run stay within the cap on the test clock.
 */
class BandwidthCapTest {
    private static final int FILE_BYTES = 200_000;
    private static final long CAP = 100_000;
    /** A read is paid after it returned: each thread may be one read (64 KiB at most) ahead of the cap. */
    private static final long SLACK_PER_THREAD = 64 * 1024;

    private static EngineFixture fixture(long cap) {
        EngineFixture fx = new EngineFixture().config(c -> c.fileConcurrency(4).filesetConcurrency(2)
                .lockTtl(Duration.ofHours(1)).maxDownloadBytesPerSecond(cap));
        SplittableRandom random = new SplittableRandom(11);
        for (int f = 0; f < 3; f++) {
            FilesetId fs = fx.linkedFileset("P-" + f);
            for (int i = 0; i < 3; i++) {
                byte[] text = new byte[FILE_BYTES];
                for (int b = 0; b < text.length; b++) {
                    text[b] = (byte) ('a' + random.nextInt(26));
                }
                fx.vsrx.addFile(fs, "notes/n" + i + ".txt", "text/plain", text);
            }
        }
        return fx;
    }

    @Test
    @DisplayName("issue 11 bandwidth: a capped run's bytes per second stay within the cap on the test clock")
    void aCappedRunStaysWithinItsCap() {
        EngineFixture fx = fixture(CAP);

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        SyncReport report = report(r);
        assertThat(report.count(FileAction.CREATED)).isEqualTo(9);
        long bytes = report.metrics().bytesDownloaded();
        assertThat(bytes).isEqualTo(9L * FILE_BYTES);
        double seconds = report.metrics().duration().toNanos() / 1e9;
        assertThat((double) bytes).as("bytes over %.1f s at %d B/s", seconds, CAP)
                .isLessThanOrEqualTo(CAP * seconds + 4 * SLACK_PER_THREAD);
        assertThat(seconds).as("the cap slowed the run down").isGreaterThanOrEqualTo((bytes - 4.0 * SLACK_PER_THREAD) / CAP);
    }

    @Test
    @DisplayName("issue 11 bandwidth: without a cap, downloads never wait")
    void anUncappedRunDoesNotWait() {
        EngineFixture fx = fixture(0);
        SyncResult r = fx.run();
        assertThat(r.success()).isTrue();
        assertThat(fx.clock.totalSlept()).isEqualTo(Duration.ZERO);
    }
}
