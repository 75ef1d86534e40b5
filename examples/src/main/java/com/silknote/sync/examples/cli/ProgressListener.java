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
 * Shows a run's progress from the engine's {@link SyncListener} events: filesets done of the total, bytes
 * downloaded of planned, rate and ETA. On a terminal it redraws one progress-bar line (at most ten times a
 * second); otherwise it writes plain log lines, one per finished fileset. Prints ids and figures only.
 *
 * <p>The total is shown only when it is known ({@link #expectFilesets(int)}: the command counts VSRX's
 * filesets before a full run): filesets are listed while the first ones are already syncing, so a total
 * counted from the queue grows as the run goes (1/5, 2/6, 4/9) and an ETA from it jumps. Without a total the
 * line shows the filesets done and "listing" and no ETA. The bar never moves backwards.
 */
public final class ProgressListener implements SyncListener {
    private static final Logger LOG = LoggerFactory.getLogger(ProgressListener.class);
    private static final int BAR_WIDTH = 24;
    private static final Duration REDRAW_EVERY = Duration.ofMillis(100);

    private final PrintWriter terminal;
    private final Clock clock;

    private Instant startedAt;
    private Instant lastDraw;
    private int expected = -1;
    private int queued;
    private int started;
    private int done;
    private double shown;
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

    /**
     * The number of filesets the run will look at, when counted before it starts; without it the total is
     * shown as unknown. May be called before or after {@link #runStarted}.
     *
     * @throws IllegalArgumentException when negative
     */
    public synchronized void expectFilesets(int filesets) {
        if (filesets < 0) {
            throw new IllegalArgumentException("filesets must be >= 0");
        }
        expected = filesets;
    }

    @Override
    public synchronized void runStarted(RunId runId, boolean dryRun) {
        startedAt = clock.instant();
        lastDraw = null;
        queued = 0;
        started = 0;
        done = 0;
        shown = 0;
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
        started++;
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
        files += report.unchangedFiles(); // unchanged files have no fileFinished event of their own
        if (report.outcome().isFailure()) {
            failed++;
        }
        queued = Math.max(queued, done);
        if (terminal == null) {
            LOG.info("fileset done fileset={} outcome={} files={} progress={}/{} filesets, {} of {}, {}",
                    report.filesetId(), report.outcome(), report.totalFiles(), done,
                    total() < 0 ? "?" : Integer.toString(total()), ReportFormat.bytes(bytesDone),
                    ReportFormat.bytes(Math.max(bytesPlanned, bytesDone)), rateAndEta());
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
            expected = Math.max(expected, done); // the run is over: what was done is the total
            draw(true);
            terminal.println();
            terminal.flush();
            lastWidth = 0;
        }
    }

    /** The total number of filesets, or -1 while it is unknown. */
    private int total() {
        return expected < 0 ? -1 : Math.max(expected, Math.max(queued, done));
    }

    /** The current progress line (what the bar shows). */
    synchronized String line() {
        int total = total();
        shown = Math.max(shown, share(total)); // never backwards
        int filled = (int) Math.floor(shown * BAR_WIDTH + 1e-9);
        StringBuilder sb = new StringBuilder(96);
        sb.append('[').append("#".repeat(filled)).append("-".repeat(BAR_WIDTH - filled)).append("] ");
        if (total < 0) {
            sb.append(done).append(" filesets done, listing");
        } else {
            sb.append(done).append('/').append(total).append(" filesets");
        }
        if (failed > 0) {
            sb.append(" (").append(failed).append(" failed)");
        }
        sb.append("  ").append(ReportFormat.bytes(bytesDone)).append('/')
                .append(ReportFormat.bytes(Math.max(bytesPlanned, bytesDone)));
        sb.append("  ").append(rateAndEta());
        return sb.toString();
    }

    /**
     * The share done: filesets done of the total, and, once every fileset has started (so no more bytes will
     * be planned), the bytes done of the bytes planned when that is further. 0 while the total is unknown.
     */
    private double share(int total) {
        if (total <= 0) {
            return total == 0 ? 1.0 : 0.0;
        }
        double filesets = Math.min(1.0, (double) done / total);
        boolean allPlanned = started >= total && bytesPlanned > 0;
        double bytes = allPlanned ? Math.min(1.0, (double) bytesDone / bytesPlanned) : 0.0;
        double share = Math.max(filesets, bytes);
        // full only when every fileset is done (the last ones may still commit after their bytes arrived)
        return done < total ? Math.min(share, (BAR_WIDTH - 1) / (double) BAR_WIDTH) : share;
    }

    private String rateAndEta() {
        if (startedAt == null) {
            return "";
        }
        long ms = Math.max(1, Duration.between(startedAt, clock.instant()).toMillis());
        double perSecond = bytesDone * 1000.0 / ms;
        String rate = ReportFormat.bytes((long) perSecond) + "/s";
        int total = total();
        String eta;
        long remainingBytes = bytesPlanned - bytesDone;
        if (total < 0) {
            eta = "--:--"; // no total, no honest estimate
        } else if (done >= total) {
            eta = "0:00";
        } else if (started >= total && perSecond > 0 && remainingBytes > 0) {
            eta = clockFormat((long) (remainingBytes / perSecond));
        } else if (done > 0) {
            eta = clockFormat((long) ((double) ms / done * (total - done) / 1000.0));
        } else {
            eta = "--:--";
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
