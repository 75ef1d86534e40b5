package com.silknote.sync.examples.cli;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.port.OperationListener;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows an operation's progress (cleanup, check, repair, migrate) from its {@link OperationListener} events: on a
 * terminal one redrawn line on stderr (at most ten times a second) with the phase, the items looked at and the
 * findings; otherwise an INFO log line per phase. Ids and counts only.
 */
final class OperationProgress implements OperationListener {
    private static final Logger LOG = LoggerFactory.getLogger(OperationProgress.class);
    private static final Duration REDRAW_EVERY = Duration.ofMillis(100);

    private final PrintWriter terminal;
    private final Clock clock;
    private String operation = "";
    private String phase = "";
    private long examined;
    private long found;
    private Instant lastDraw;
    private int lastWidth;

    private OperationProgress(PrintWriter terminal, Clock clock) {
        this.terminal = terminal;
        this.clock = requireNonNull(clock, "clock");
    }

    /** A line redrawn on {@code terminal} when there is one, else log lines. */
    static OperationListener forEnvironment(CliEnvironment env, boolean progress) {
        if (!progress) {
            return OperationListener.NONE;
        }
        return new OperationProgress(env.interactive() ? env.err() : null, env.clock());
    }

    @Override
    public synchronized void operationStarted(RunId runId, String op, boolean dryRun) {
        operation = op + (dryRun ? " (dry run)" : "");
        if (terminal == null) {
            LOG.info("{} started run={}", operation, runId);
        }
        draw(true);
    }

    @Override
    public synchronized void phaseStarted(RunId runId, String name) {
        if (terminal == null && !phase.isEmpty()) {
            LOG.info("{} phase={} examined={} found={}", operation, phase, examined, found);
        }
        phase = name;
        examined = 0;
        draw(true);
    }

    @Override
    public synchronized void progress(RunId runId, String name, long examinedSoFar, long foundSoFar) {
        phase = name;
        examined = examinedSoFar;
        found = foundSoFar;
        draw(false);
    }

    @Override
    public synchronized void operationFinished(RunId runId, String op) {
        if (terminal == null) {
            LOG.info("{} finished run={} phase={} examined={} found={}", operation, runId, phase, examined, found);
            return;
        }
        draw(true);
        terminal.println();
        terminal.flush();
        lastWidth = 0;
    }

    /** The progress line. */
    synchronized String line() {
        return operation + ": " + (phase.isEmpty() ? "starting" : phase) + ", " + examined + " examined, " + found
                + " found";
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
}
