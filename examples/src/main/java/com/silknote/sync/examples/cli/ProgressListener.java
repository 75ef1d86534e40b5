package com.silknote.sync.examples.cli;

import com.silknote.sync.examples.report.ReportFormat;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.port.SyncListener;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows a run's progress from the engine's {@link SyncListener} events: filesets done of queued, bytes
 * downloaded of planned, rate and ETA. On a terminal it redraws one progress-bar line (at most ten times a
 * second); otherwise it writes plain log lines, one per finished fileset. Prints ids and figures only.
 */
public final class ProgressListener implements SyncListener {
    private static final Logger LOG = LoggerFactory.getLogger(ProgressListener.class);
    private static final int BAR_WIDTH = 24;
    private static final Duration REDRAW_EVERY = Duration.ofMillis(100);

    private final PrintWriter terminal;
    private final Clock clock;

    private Instant startedAt;
    private Instant lastDraw;
    private int queued;
    private int done;
    private int failed;
    private long bytesPlanned;
    private long bytesDone;
    private long files;
    private int lastWidth;

    private ProgressListener(PrintWriter terminal, Clock clock) {
        this.terminal = terminal;
        this.clock = requireNonNull(clock, "clock");
    }

    /** A progress bar redrawn on {@code terminal} (use when {@code System.console() != null}). */
    public static ProgressListener bar(PrintWriter terminal, Clock clock) {
        return new ProgressListener(requireNonNull(terminal, "terminal"), clock);
    }

    /** Plain INFO log lines, for logs and pipes. */
    public static ProgressListener logLines(Clock clock) {
        return new ProgressListener(null, clock);
    }

    @Override
    public synchronized void runStarted(RunId runId, boolean dryRun) {
        startedAt = clock.instant();
        lastDraw = null;
        queued = 0;
        done = 0;
        failed = 0;
        bytesPlanned = 0;
        bytesDone = 0;
        files = 0;
        if (terminal == null) {
            LOG.info("run started run={} dryRun={}", runId, dryRun);
        } else {
            draw(true);
        }
    }

    @Override
    public synchronized void filesetQueued(RunId runId, FilesetId filesetId, int queuedSoFar) {
        queued = Math.max(queued, queuedSoFar);
        draw(false);
    }

    @Override
    public synchronized void filesetStarted(RunId runId, FilesetId filesetId, int fileCount, long bytesToDownload) {
        bytesPlanned += Math.max(0, bytesToDownload);
        draw(false);
    }

    @Override
    public synchronized void bytesDownloaded(RunId runId, FilesetId filesetId, long bytes) {
        bytesDone += Math.max(0, bytes);
        draw(false);
    }

    @Override
    public synchronized void fileFinished(RunId runId, FilesetId filesetId, FileReport file) {
        files++;
        draw(false);
    }

    @Override
    public synchronized void filesetFinished(RunId runId, FilesetReport report) {
        done++;
        if (report.outcome().isFailure()) {
            failed++;
        }
        queued = Math.max(queued, done);
        if (terminal == null) {
            LOG.info("fileset done fileset={} outcome={} files={} progress={}/{} filesets, {} of {}, {}",
                    report.filesetId(), report.outcome(), report.files().size(), done, queued,
                    ReportFormat.bytes(bytesDone), ReportFormat.bytes(Math.max(bytesPlanned, bytesDone)),
                    rateAndEta());
        } else {
            draw(true);
        }
    }

    @Override
    public synchronized void alertRaised(RunId runId, Alert alert) {
        if (terminal == null) {
            LOG.warn("alert {} {}: {}", alert.severity(), alert.kind(), alert.message());
        } else {
            clearLine();
            terminal.println("alert " + alert.severity() + " " + alert.kind() + ": " + alert.message());
            draw(true);
        }
    }

    @Override
    public synchronized void runFinished(SyncReport report) {
        if (terminal == null) {
            LOG.info("run finished run={} filesets={} failed={} files={} downloaded={}", report.runId(),
                    report.filesets().size(), failed, files, ReportFormat.bytes(bytesDone));
        } else {
            queued = Math.max(queued, done);
            draw(true);
            terminal.println();
            terminal.flush();
            lastWidth = 0;
        }
    }

    /** The current progress line (what the bar shows). */
    synchronized String line() {
        int total = Math.max(queued, done);
        double share = bytesPlanned > 0 ? Math.min(1.0, (double) bytesDone / bytesPlanned)
                : total > 0 ? (double) done / total : 0.0;
        int filled = (int) Math.round(share * BAR_WIDTH);
        StringBuilder sb = new StringBuilder(96);
        sb.append('[').append("#".repeat(filled)).append("-".repeat(BAR_WIDTH - filled)).append("] ");
        sb.append(done).append('/').append(total).append(" filesets");
        if (failed > 0) {
            sb.append(" (").append(failed).append(" failed)");
        }
        sb.append("  ").append(ReportFormat.bytes(bytesDone)).append('/')
                .append(ReportFormat.bytes(Math.max(bytesPlanned, bytesDone)));
        sb.append("  ").append(rateAndEta());
        return sb.toString();
    }

    private String rateAndEta() {
        if (startedAt == null) {
            return "";
        }
        long ms = Math.max(1, Duration.between(startedAt, clock.instant()).toMillis());
        double perSecond = bytesDone * 1000.0 / ms;
        String rate = ReportFormat.bytes((long) perSecond) + "/s";
        String eta;
        long remainingBytes = bytesPlanned - bytesDone;
        int total = Math.max(queued, done);
        if (bytesPlanned > 0 && perSecond > 0 && remainingBytes > 0) {
            eta = clockFormat((long) (remainingBytes / perSecond));
        } else if (done > 0 && total > done) {
            eta = clockFormat((long) ((double) ms / done * (total - done) / 1000.0));
        } else {
            eta = total > 0 && done >= total ? "0:00" : "--:--";
        }
        return rate + "  ETA " + eta;
    }

    private static String clockFormat(long seconds) {
        long h = seconds / 3600;
        long m = (seconds % 3600) / 60;
        long s = seconds % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s) : String.format(Locale.ROOT, "%d:%02d", m, s);
    }

    private void draw(boolean force) {
        if (terminal == null) {
            return;
        }
        Instant now = clock.instant();
        if (!force && lastDraw != null && Duration.between(lastDraw, now).compareTo(REDRAW_EVERY) < 0) {
            return;
        }
        lastDraw = now;
        String line = line();
        terminal.print('\r');
        terminal.print(line);
        if (line.length() < lastWidth) {
            terminal.print(" ".repeat(lastWidth - line.length()));
        }
        lastWidth = line.length();
        terminal.flush();
    }

    private void clearLine() {
        if (lastWidth > 0) {
            terminal.print('\r');
            terminal.print(" ".repeat(lastWidth));
            terminal.print('\r');
            lastWidth = 0;
        }
    }
}
