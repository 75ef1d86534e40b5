package com.silknote.sync.examples.cli;

import com.silknote.sync.core.exception.ConfigurationException;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.RunRecord;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.examples.embedded.Backends;
import com.silknote.sync.examples.embedded.OpenMode;
import com.silknote.sync.examples.report.ReportFormat;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code vsrx-sync history}: the runs of the run history, newest first, one line each (or one run's whole report
 * with {@code --run}). Runs that have not finished (still running, or their process died) show as
 * {@code UNFINISHED}.
 */
@Command(name = "history", mixinStandardHelpOptions = true,
        description = "Lists the recorded runs, newest first, or shows one run's report (--run).")
final class HistoryCommand implements Callable<Integer> {
    static final int DEFAULT_LIMIT = 50;

    @ParentCommand
    VsrxSyncCommand root;

    @Option(names = "--since", paramLabel = "T", description = {"Runs that started at or after T: an instant",
        "(2026-11-25T08:00:00Z), a date (2026-11-25, UTC) or a time ago (90m, 24h, 7d)."})
    String since;

    @Option(names = "--until", paramLabel = "T", description = "Runs that started before T (same forms as --since).")
    String until;

    @Option(names = "--run", paramLabel = "ID", description = "Show this run's report, every fileset included.")
    String run;

    @Option(names = "--limit", paramLabel = "N", description = "At most N runs (1..1000, default 50).")
    int limit = DEFAULT_LIMIT;

    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    @Option(names = "--show-paths", description = "With --run: the VSRX paths of the files it lists (patient data).")
    boolean showPaths;

    @Override
    public Integer call() {
        CliEnvironment env = root.environment();
        Instant now = env.clock().instant();
        Instant from = since == null ? Instant.EPOCH : time("--since", since, now);
        Instant to = until == null ? now.plusSeconds(1) : time("--until", until, now);
        if (limit < 1 || limit > 1000) {
            throw new ConfigurationException("--limit must be in 1..1000, was " + limit);
        }
        try (Backends b = env.backends().open(root.settings(), OpenMode.READ_ONLY)) {
            PrintWriter out = env.out();
            if (run != null) {
                Optional<RunRecord> r = b.documents().findRun(RunId.of(run));
                if (r.isEmpty()) {
                    env.err().println("no run " + run + " in the run history");
                    env.err().flush();
                    return ExitCode.FAILED;
                }
                ReportCommand.print(out, b, r.get(), json, showPaths);
                out.flush();
                return ExitCode.OK;
            }
            List<RunRecord> runs = b.documents().runs(from, to, limit);
            if (json) {
                ReportFormat.Json j = new ReportFormat.Json();
                j.open('[');
                for (RunRecord r : runs) {
                    j.element();
                    summaryJson(j, r);
                }
                j.close(']');
                out.println(j);
            } else if (runs.isEmpty()) {
                out.println("no runs recorded in that time");
            } else {
                out.println(String.format(Locale.ROOT, "%-36s %-24s %9s %-15s %9s %7s %9s %7s %11s", "RUN", "STARTED",
                        "TOOK", "STATUS", "FILESETS", "FAILED", "CHANGED", "SKIPPED", "DOWNLOADED"));
                for (RunRecord r : runs) {
                    out.println(line(r));
                }
                if (runs.size() == limit) {
                    out.println("(the " + limit + " newest in that time; --limit or --until for more)");
                }
            }
            out.flush();
            return ExitCode.OK;
        }
    }

    static String line(RunRecord r) {
        if (r.report().isEmpty()) {
            return String.format(Locale.ROOT, "%-36s %-24s %9s %-15s", r.runId().value(), r.startedAt(), "-",
                    "UNFINISHED");
        }
        SyncReport s = r.report().get();
        long changed = s.count(FileAction.CREATED) + s.count(FileAction.UPDATED) + s.count(FileAction.METADATA_ONLY)
                + s.count(FileAction.DELETED);
        return String.format(Locale.ROOT, "%-36s %-24s %9s %-15s %9d %7d %9d %7d %11s", r.runId().value(),
                r.startedAt(), ReportFormat.seconds(Duration.between(s.startedAt(), s.finishedAt())),
                s.status().name() + (s.dryRun() ? "*" : ""), s.totals().filesetCount(), s.totals().failedFilesets(),
                changed, s.count(FileAction.SKIPPED), ReportFormat.bytes(s.totals().bytesDownloaded()));
    }

    static void summaryJson(ReportFormat.Json j, RunRecord r) {
        j.open('{');
        j.field("runId").string(r.runId().value());
        j.field("startedAt").string(r.startedAt().toString());
        j.field("finished").raw(Boolean.toString(r.finished()));
        if (r.report().isPresent()) {
            SyncReport s = r.report().get();
            j.field("finishedAt").string(s.finishedAt().toString());
            j.field("status").string(s.status().name());
            j.field("error").optional(s.error());
            j.field("dryRun").raw(Boolean.toString(s.dryRun()));
            j.field("durationMs").raw(Long.toString(Duration.between(s.startedAt(), s.finishedAt()).toMillis()));
            j.field("filesets").open('{');
            for (FilesetOutcome o : FilesetOutcome.values()) {
                j.field(o.name()).raw(Long.toString(s.totals().filesets(o)));
            }
            j.close('}');
            j.field("files").open('{');
            for (FileAction a : FileAction.values()) {
                j.field(a.name()).raw(Long.toString(s.count(a)));
            }
            j.close('}');
            j.field("bytesDownloaded").raw(Long.toString(s.totals().bytesDownloaded()));
            j.field("newUniqueBytes").raw(Long.toString(s.totals().newUniqueBytes()));
            j.field("alerts").raw(Integer.toString(s.alerts().size()));
        }
        j.close('}');
    }

    /** A run that has not finished, as JSON: what the history holds of it so far. */
    static void unfinishedJson(PrintWriter out, RunRecord r, Iterable<FilesetReport> filesets, boolean showPaths) {
        ReportFormat.Json j = new ReportFormat.Json();
        j.open('{');
        j.field("runId").string(r.runId().value());
        j.field("startedAt").string(r.startedAt().toString());
        j.field("finished").raw("false");
        j.field("filesets").open('[');
        for (FilesetReport f : filesets) {
            j.element();
            ReportFormat.filesetJson(j, f, showPaths);
            j.drainTo(out);
        }
        j.close(']');
        j.close('}');
        j.drainTo(out);
        out.println();
    }

    /**
     * An instant, a UTC date or a time ago ({@code 90m}, {@code 24h}, {@code 7d}).
     *
     * @throws ConfigurationException when it is none of these
     */
    static Instant time(String option, String value, Instant now) {
        String v = value.trim();
        try {
            if (v.matches("\\d+[smhd]")) {
                long n = Long.parseLong(v.substring(0, v.length() - 1));
                Duration d = switch (v.charAt(v.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
                return now.minus(d);
            }
            if (v.matches("\\d{4}-\\d{2}-\\d{2}")) {
                return LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return Instant.parse(v);
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new ConfigurationException(option + " must be an instant (2026-11-25T08:00:00Z), a date (2026-11-25)"
                    + " or a time ago (90m, 24h, 7d), was " + value);
        }
    }
}
