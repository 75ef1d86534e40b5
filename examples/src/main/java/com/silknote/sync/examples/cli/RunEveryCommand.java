package com.silknote.sync.examples.cli;

import com.silknote.sync.core.SyncScheduler;
import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.exception.ConfigurationException;
import com.silknote.sync.core.model.RunRecord;
import com.silknote.sync.core.model.Schedule;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.port.Sleeper;
import com.silknote.sync.core.port.SyncListener;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.examples.config.Values;
import com.silknote.sync.examples.config.VsrxSyncSettings;
import com.silknote.sync.examples.embedded.Backends;
import com.silknote.sync.examples.embedded.EmbeddedDefault;
import com.silknote.sync.examples.embedded.OpenMode;
import com.silknote.sync.examples.report.ReportFormat;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code vsrx-sync run-every 15m}: runs {@code sync} on a fixed delay with jitter ({@link SyncScheduler}) until
 * stopped. SIGTERM or Ctrl-C stops gracefully: the run in progress starts no further fileset, lets those in
 * flight commit and saves its resume state; the next start resumes.
 */
@Command(name = "run-every", mixinStandardHelpOptions = true,
        description = {"Runs a sync, waits INTERVAL (plus a random jitter) after it ended, runs again, until stopped.",
            "SIGTERM or Ctrl-C stops gracefully: the filesets in flight commit, the next start resumes."})
final class RunEveryCommand implements Callable<Integer> {

    @ParentCommand
    VsrxSyncCommand root;

    @Parameters(index = "0", paramLabel = "INTERVAL", description = "Pause after each run: 30s, 15m, 1h, PT15M.")
    String interval;

    @Option(names = "--jitter", paramLabel = "DURATION", defaultValue = "0s",
            description = "At most this much is added to each pause, at random (spreads hosts started together).")
    String jitter;

    @Option(names = "--incremental",
            description = "Each run lists only filesets changed since the last complete sync (VSRX changedSince).")
    boolean incremental;

    @Option(names = "--max-files", paramLabel = "N",
            description = "Each run stops at a fileset boundary once it downloaded N files (overrides run.max-files).")
    Long maxFiles;

    @Option(names = "--max-bytes", paramLabel = "SIZE",
            description = "Each run stops at a fileset boundary once it downloaded SIZE (overrides run.max-bytes).")
    String maxBytes;

    @Option(names = "--max-runs", paramLabel = "N",
            description = "Stop after N runs (runs refused by the lock do not count). Default: until stopped.")
    Integer maxRuns;

    @Option(names = "--json", description = "One JSON object per run (JSON Lines) instead of a line of text.")
    boolean json;

    @Override
    public Integer call() {
        CliEnvironment env = root.environment();
        VsrxSyncSettings settings = root.settings();
        Schedule schedule = schedule(settings);
        if (maxRuns != null && maxRuns < 1) {
            throw new ConfigurationException("--max-runs must be >= 1, was " + maxRuns);
        }
        VsrxSource source = env.sources().open(settings);
        try (Backends backends = env.backends().open(settings, OpenMode.READ_WRITE)) {
            // a test environment's clock is also its sleeper: waiting then advances it instead of the wall clock
            Sleeper sleeper = env.clock() instanceof Sleeper s ? s : Sleeper.SYSTEM;
            AtomicLong finished = new AtomicLong();
            SyncScheduler[] scheduler = new SyncScheduler[1];
            SyncListener printer = new SyncListener() {
                @Override
                public void runFinished(SyncReport report) {
                    print(env, report);
                    if (maxRuns != null && finished.incrementAndGet() >= maxRuns) {
                        scheduler[0].stop();
                    }
                }
            };
            VsrxSync.Builder builder = backends.syncBuilder(source).listener(printer).clock(env.clock())
                    .sleeper(sleeper);
            EmbeddedDefault.vsrxTarget(settings, source).ifPresent(builder::target);
            VsrxSync sync = builder.build();
            scheduler[0] = SyncScheduler.builder().sync(sync).schedule(schedule).clock(env.clock()).sleeper(sleeper)
                    .build();
            SystemEnvironment.stopsGracefully();
            env.stop().thenRun(scheduler[0]::stop);
            env.err().println("running a sync every " + Values.formatDuration(schedule.delay())
                    + (schedule.jitter().isZero() ? "" : " (+ up to " + Values.formatDuration(schedule.jitter())
                    + " jitter)") + "; SIGTERM or Ctrl-C stops gracefully");
            env.err().flush();
            scheduler[0].runUntilStopped();
            env.err().println("stopped after " + scheduler[0].runs() + " run(s)");
            env.err().flush();
            return ExitCode.OK;
        } finally {
            SyncCommand.closeQuietly(source);
        }
    }

    private Schedule schedule(VsrxSyncSettings settings) {
        Duration delay;
        Duration extra;
        try {
            delay = Values.parseDuration(interval);
            extra = Values.parseDuration(jitter);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("INTERVAL and --jitter must be durations (30s, 15m, 1h, PT15M): "
                    + e.getMessage());
        }
        try {
            return new Schedule(delay, extra, new SyncRequest(false, Optional.empty(), incremental,
                    SyncCommand.budget(settings.runBudget(), maxFiles, maxBytes)));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("invalid schedule: " + e.getMessage());
        }
    }

    private void print(CliEnvironment env, SyncReport report) {
        RunRecord r = new RunRecord(report.runId(), report.startedAt(), Optional.of(report));
        if (json) {
            ReportFormat.Json j = new ReportFormat.Json();
            HistoryCommand.summaryJson(j, r);
            env.out().println(j);
        } else {
            env.out().println(HistoryCommand.line(r));
        }
        env.out().flush();
    }
}
