package com.silknote.sync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.TestClock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProgressListenerTest {
    private final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
    private final RunId run = RunId.of("run-1");

    @Test
    void theBarShowsFilesetsBytesRateAndEta() {
        StringWriter screen = new StringWriter();
        ProgressListener bar = ProgressListener.bar(new PrintWriter(screen), clock);

        bar.runStarted(run, false);
        bar.filesetQueued(run, FilesetId.of("fs-1"), 1);
        bar.filesetQueued(run, FilesetId.of("fs-2"), 2);
        bar.filesetStarted(run, FilesetId.of("fs-1"), 3, 2048 * 1024);
        clock.advance(Duration.ofSeconds(2));
        bar.bytesDownloaded(run, FilesetId.of("fs-1"), 1024 * 1024);
        bar.fileFinished(run, FilesetId.of("fs-1"), FileReport.of(VsrxFileId.of("file-1"), FileAction.CREATED));
        bar.filesetFinished(run, done("fs-1"));

        assertThat(bar.line()).isEqualTo("[############------------] 1/2 filesets  1.0 MiB/2.0 MiB  512.0 KiB/s  ETA 0:02");
        assertThat(screen.toString()).contains("\r[").contains("1/2 filesets");
    }

    @Test
    void redrawsAreThrottledByTheClock() {
        StringWriter screen = new StringWriter();
        ProgressListener bar = ProgressListener.bar(new PrintWriter(screen), clock);
        bar.runStarted(run, false);
        int before = count(screen.toString(), '\r');
        for (int i = 0; i < 50; i++) {
            bar.bytesDownloaded(run, FilesetId.of("fs-1"), 10);
        }
        assertThat(count(screen.toString(), '\r')).isEqualTo(before);
        clock.advance(Duration.ofMillis(150));
        bar.bytesDownloaded(run, FilesetId.of("fs-1"), 10);
        assertThat(count(screen.toString(), '\r')).isEqualTo(before + 1);
    }

    @Test
    void withoutATerminalNothingIsDrawn() {
        ProgressListener lines = ProgressListener.logLines(clock);
        lines.runStarted(run, true);
        lines.filesetQueued(run, FilesetId.of("fs-1"), 1);
        lines.filesetFinished(run, done("fs-1"));
        assertThat(lines.line()).startsWith("[########################] 1/1 filesets");
    }

    private static FilesetReport done(String id) {
        return new FilesetReport(FilesetId.of(id), FilesetOutcome.COMPLETED, Optional.empty(),
                List.of(FileReport.of(VsrxFileId.of("file-1"), FileAction.CREATED)), Duration.ofSeconds(2), 1024 * 1024, 0);
    }

    private static int count(String s, char c) {
        return (int) s.chars().filter(x -> x == c).count();
    }
}
