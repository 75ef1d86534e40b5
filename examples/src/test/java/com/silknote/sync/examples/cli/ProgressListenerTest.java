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
        bar.expectFilesets(2);

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
        lines.expectFilesets(1);
        lines.runStarted(run, true);
        lines.filesetQueued(run, FilesetId.of("fs-1"), 1);
        lines.filesetFinished(run, done("fs-1"));
        assertThat(lines.line()).startsWith("[########################] 1/1 filesets");
    }

    /** Issue 10 item 9: while filesets are still being listed there is no total and no ETA to jump around. */
    @Test
    void withoutACountTheTotalIsUnknownUntilTheRunEnds() {
        ProgressListener bar = ProgressListener.bar(new PrintWriter(new StringWriter()), clock);
        bar.runStarted(run, false);
        bar.filesetQueued(run, FilesetId.of("fs-1"), 1);
        bar.filesetStarted(run, FilesetId.of("fs-1"), 2, 1000);
        clock.advance(Duration.ofSeconds(1));
        bar.bytesDownloaded(run, FilesetId.of("fs-1"), 1000);
        bar.filesetFinished(run, done("fs-1"));
        bar.filesetQueued(run, FilesetId.of("fs-2"), 2);

        assertThat(bar.line()).startsWith("[------------------------] 1 filesets done, listing").endsWith("ETA --:--")
                .doesNotContain("1/");
        bar.filesetFinished(run, done("fs-2"));
        bar.runFinished(com.silknote.sync.examples.report.Reports.sample());
        assertThat(bar.line()).startsWith("[########################] 2/2 filesets").endsWith("ETA 0:00");
    }

    /**
     * Issue 10 item 9: whatever order the events come in (filesets listed while others sync, uneven sizes),
     * the bar never moves backwards and the total never shrinks. Seeded; the seed is in the failure message.
     */
    @Test
    void theBarNeverMovesBackwards() {
        for (long seed = 1; seed <= 200; seed++) {
            java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
            int total = 1 + random.nextInt(12);
            ProgressListener bar = ProgressListener.bar(new PrintWriter(new StringWriter()), clock);
            if (random.nextBoolean()) {
                bar.expectFilesets(total);
            }
            bar.runStarted(run, false);
            int queued = 0;
            int started = 0;
            int finished = 0;
            long[] planned = new long[total];
            long[] downloaded = new long[total];
            double lastShare = 0;
            int lastTotal = 0;
            while (finished < total) {
                int step = random.nextInt(4);
                if (step == 0 && queued < total) {
                    bar.filesetQueued(run, FilesetId.of("fs-" + queued), ++queued);
                } else if (step == 1 && started < queued) {
                    planned[started] = random.nextInt(5) * 1000L;
                    bar.filesetStarted(run, FilesetId.of("fs-" + started), 3, planned[started]);
                    started++;
                } else if (step == 2 && finished < started) {
                    long rest = planned[finished] - downloaded[finished];
                    if (rest > 0) {
                        bar.bytesDownloaded(run, FilesetId.of("fs-" + finished), rest);
                        downloaded[finished] += rest;
                    }
                    bar.filesetFinished(run, done("fs-" + finished));
                    finished++;
                } else if (finished < started && downloaded[finished] < planned[finished]) {
                    bar.bytesDownloaded(run, FilesetId.of("fs-" + finished), 500);
                    downloaded[finished] += 500;
                }
                clock.advance(Duration.ofMillis(200));
                String line = bar.line();
                double share = line.substring(1, 25).chars().filter(c -> c == '#').count() / 24.0;
                assertThat(share).as("seed %s: %s", seed, line).isGreaterThanOrEqualTo(lastShare);
                if (finished < total) {
                    assertThat(share).as("full before the end, seed %s: %s", seed, line).isLessThan(1.0);
                }
                lastShare = share;
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\d+/(\\d+) filesets").matcher(line);
                if (m.find()) {
                    int shownTotal = Integer.parseInt(m.group(1));
                    assertThat(shownTotal).as("seed %s: %s", seed, line).isGreaterThanOrEqualTo(lastTotal)
                            .isEqualTo(total);
                    lastTotal = shownTotal;
                }
            }
        }
    }

    private static FilesetReport done(String id) {
        return new FilesetReport(FilesetId.of(id), FilesetOutcome.COMPLETED, Optional.empty(),
                List.of(FileReport.of(VsrxFileId.of("file-1"), FileAction.CREATED)), Duration.ofSeconds(2), 1024 * 1024, 0);
    }

    private static int count(String s, char c) {
        return (int) s.chars().filter(x -> x == c).count();
    }
}
