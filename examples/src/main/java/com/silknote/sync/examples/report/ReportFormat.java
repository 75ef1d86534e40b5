package com.silknote.sync.examples.report;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.RunMetrics;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncState;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Prints a run's report as a table or as JSON, from a report in memory (which lists a bounded number of its
 * filesets) or from the run history (the run's summary and its fileset reports, read page by page and
 * written as they come, so a run of 100,000 filesets prints in constant memory). By default it shows ids,
 * actions, reason codes and figures only. The paths of skipped, vanished and conflicting files (patient data, kept in the ledger's run report)
 * are shown only when asked for ({@code report --show-paths}), never by default and never in logs; control,
 * format and other invisible characters in them are shown escaped ({@code \u202e}), so a path cannot rewrite
 * the terminal or hide what it is.
 */
public final class ReportFormat {
    /** Per-file rows shown in a table before the rest is summarised. */
    public static final int MAX_FILE_ROWS = 60;

    private static final FileAction[] COLUMNS = {
        FileAction.CREATED, FileAction.UPDATED, FileAction.METADATA_ONLY, FileAction.DELETED, FileAction.SKIPPED,
        FileAction.CONFLICT, FileAction.FAILED, FileAction.VANISHED, FileAction.UNCHANGED
    };
    private static final java.util.Set<FileAction> ROUTINE = java.util.EnumSet.of(FileAction.CREATED, FileAction.UNCHANGED);
    private static final String[] HEADERS = {"NEW", "UPD", "META", "DEL", "SKIP", "CONFL", "FAIL", "VAN", "SAME"};

    private ReportFormat() { }

    /**
     * The report as a human-readable table: one row per fileset with counts per action, then every file
     * that was updated, deleted, skipped, in conflict, failed or vanished, then metrics and alerts.
     *
     * @throws NullPointerException when report is null
     */
    public static String table(SyncReport report) {
        return table(report, false);
    }

    /**
     * The report as a table; with {@code showPaths}, every listed file's path too (patient data: for the
     * operator's eyes only). A report that lists only some of its filesets says how many it leaves out.
     *
     * @throws NullPointerException when report is null
     */
    public static String table(SyncReport report, boolean showPaths) {
        requireNonNull(report, "report");
        StringWriter w = new StringWriter(1024);
        PrintWriter out = new PrintWriter(w);
        table(report.runId().value(), report.startedAt(), Optional.of(report), report.filesets(), showPaths, out);
        out.flush();
        return w.toString();
    }

    /**
     * Writes a run's report as a table: its header, the fileset reports as they come from {@code filesets}
     * (column widths follow the first {@value #WIDTH_SAMPLE}), the listed files, then (when the run finished)
     * its metrics and alerts. {@code summary} is empty for a run that has not finished (still running, or its
     * process died).
     *
     * @throws NullPointerException when an argument is null
     */
    public static void table(String runId, java.time.Instant startedAt, Optional<SyncReport> summary,
            Iterable<FilesetReport> filesets, boolean showPaths, PrintWriter out) {
        requireNonNull(runId, "runId");
        requireNonNull(startedAt, "startedAt");
        requireNonNull(summary, "summary");
        requireNonNull(filesets, "filesets");
        requireNonNull(out, "out");
        out.append("Run ").append(runId).append("  started ").append(startedAt.toString());
        if (summary.isPresent()) {
            SyncReport report = summary.get();
            out.append("  took ").append(seconds(Duration.between(report.startedAt(), report.finishedAt())))
                    .append("  ").append(report.status().name())
                    .append(report.dryRun() ? "  DRY RUN (nothing written)" : "");
        } else {
            out.append("  NOT FINISHED (still running, or its process died)");
        }
        out.append('\n');
        summary.flatMap(SyncReport::error).ifPresent(e -> out.append("Error: ").append(e).append('\n'));

        Iterator<FilesetReport> it = filesets.iterator();
        List<FilesetReport> sample = new ArrayList<>();
        while (sample.size() < WIDTH_SAMPLE && it.hasNext()) {
            sample.add(it.next());
        }
        int idWidth = Math.max(8, sample.stream().mapToInt(f -> f.filesetId().value().length()).max().orElse(0));
        int outcomeWidth = Math.max("OUTCOME".length(), sample.stream()
                .mapToInt(f -> f.outcome().name().length()).max().orElse(0)) + 1;
        outcomeWidth = Math.max(outcomeWidth, "999999 fileset(s)".length() + 1);
        out.append(pad("FILESET", idWidth)).append("  ").append(pad("OUTCOME", outcomeWidth));
        for (String h : HEADERS) {
            out.append(lpad(h, 6));
        }
        out.append(lpad("DOWNLOADED", 12)).append('\n');
        long[] totals = new long[COLUMNS.length];
        long totalBytes = 0;
        long count = 0;
        List<FilesetReport> notCompleted = new ArrayList<>();
        long notCompletedMore = 0;
        List<Row> rows = new ArrayList<>();
        long rowsMore = 0;
        Iterator<FilesetReport> all = concat(sample, it);
        while (all.hasNext()) {
            FilesetReport f = all.next();
            count++;
            out.append(pad(f.filesetId().value(), idWidth)).append("  ").append(pad(f.outcome().name(), outcomeWidth));
            for (int i = 0; i < COLUMNS.length; i++) {
                long n = f.count(COLUMNS[i]);
                totals[i] += n;
                out.append(lpad(Long.toString(n), 6));
            }
            totalBytes += f.bytesDownloaded();
            out.append(lpad(bytes(f.bytesDownloaded()), 12)).append('\n');
            if (f.failureReason().isPresent()) {
                if (notCompleted.size() < MAX_FILE_ROWS) {
                    notCompleted.add(f);
                } else {
                    notCompletedMore++;
                }
            }
            for (FileReport x : f.files()) {
                if (ROUTINE.contains(x.action())) {
                    continue;
                }
                if (rows.size() < MAX_FILE_ROWS) {
                    rows.add(new Row(f.filesetId(), x));
                } else {
                    rowsMore++;
                }
            }
        }
        out.append(pad("TOTAL", idWidth)).append("  ").append(pad(count + " fileset(s)", outcomeWidth));
        for (long t : totals) {
            out.append(lpad(Long.toString(t), 6));
        }
        out.append(lpad(bytes(totalBytes), 12)).append('\n');
        long listed = count;
        long omitted = summary.map(r -> r.totals().filesetCount() - listed).orElse(0L);
        if (omitted > 0) {
            out.append("... ").append(Long.toString(omitted)).append(" more fileset(s) not listed here; ")
                    .append("`vsrx-sync report --run ").append(runId).append("` lists every one\n");
            SyncReport r = summary.get();
            out.append(pad("RUN TOTAL", idWidth)).append("  ")
                    .append(pad(r.totals().filesetCount() + " fileset(s)", outcomeWidth));
            for (FileAction a : COLUMNS) {
                out.append(lpad(Long.toString(r.count(a)), 6));
            }
            out.append(lpad(bytes(r.totals().bytesDownloaded()), 12)).append('\n');
        }

        if (!notCompleted.isEmpty()) {
            out.append("\nFilesets not completed:\n");
            for (FilesetReport f : notCompleted) {
                out.append("  ").append(pad(f.filesetId().value(), idWidth)).append("  ")
                        .append(f.outcome().name()).append(": ").append(f.failureReason().orElse("")).append('\n');
            }
            if (notCompletedMore > 0) {
                out.append("  ... ").append(Long.toString(notCompletedMore)).append(" more (use --json)\n");
            }
        }

        if (!rows.isEmpty()) {
            int fileWidth = Math.max(7, rows.stream().mapToInt(r -> r.file.fileId().value().length()).max().orElse(0));
            int actionWidth = Math.max("ACTION".length(), rows.stream()
                    .mapToInt(r -> r.file.action().name().length()).max().orElse(0));
            int reasonWidth = Math.max("REASON".length(), rows.stream()
                    .mapToInt(r -> r.file.skipReason().map(x -> x.name().length()).orElse(1)).max().orElse(0));
            int detailWidth = Math.max("DETAIL".length(), rows.stream()
                    .mapToInt(r -> r.file.detail().map(String::length).orElse(0)).max().orElse(0));
            out.append("\nFiles (created and unchanged ones are only counted above):\n");
            out.append("  ").append(pad("FILE ID", fileWidth)).append("  ").append(pad("FILESET", idWidth))
                    .append("  ").append(pad("ACTION", actionWidth)).append("  ").append(pad("REASON", reasonWidth))
                    .append("  ").append(showPaths ? pad("DETAIL", detailWidth) + "  PATH" : "DETAIL")
                    .append('\n');
            for (Row r : rows) {
                String detail = r.file.detail().orElse("");
                out.append("  ").append(pad(r.file.fileId().value(), fileWidth)).append("  ")
                        .append(pad(r.fileset.value(), idWidth)).append("  ")
                        .append(pad(r.file.action().name(), actionWidth)).append("  ")
                        .append(pad(r.file.skipReason().map(Enum::name).orElse("-"), reasonWidth)).append("  ")
                        .append(showPaths ? pad(detail, detailWidth) + "  " + r.file.path().map(ReportFormat::printable)
                                .orElse("-") : detail)
                        .append('\n');
            }
            if (rowsMore > 0) {
                out.append("  ... ").append(Long.toString(rowsMore)).append(" more (use --json)\n");
            }
        }
        if (summary.isEmpty()) {
            return;
        }
        SyncReport report = summary.get();
        RunMetrics m = report.metrics();
        out.append("\nMetrics: ").append(String.format(Locale.ROOT, "%.1f files/min", m.filesPerMinute()))
                .append(", error rate ").append(String.format(Locale.ROOT, "%.1f %%", m.errorRate() * 100))
                .append(", new unique bytes ").append(bytes(m.newUniqueBytes()))
                .append(", downloaded ").append(bytes(m.bytesDownloaded()))
                .append(", avg per fileset ").append(seconds(m.averageFilesetDuration()))
                .append(", consecutive failed runs ").append(Integer.toString(m.consecutiveFailedRuns())).append('\n');
        if (report.alerts().isEmpty()) {
            out.append("Alerts: none\n");
        } else {
            out.append("Alerts:\n");
            for (Alert a : report.alerts()) {
                out.append("  ").append(a.severity().name()).append(' ').append(a.kind().name()).append(": ")
                        .append(a.message()).append('\n');
            }
        }
    }

    /** Fileset rows that set the table's column widths. */
    public static final int WIDTH_SAMPLE = 1000;

    private static <T> Iterator<T> concat(List<T> first, Iterator<T> rest) {
        Iterator<T> head = first.iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return head.hasNext() || rest.hasNext();
            }

            @Override
            public T next() {
                return head.hasNext() ? head.next() : rest.next();
            }
        };
    }

    /**
     * The report as one JSON object (stable field names, ISO-8601 instants, durations in milliseconds).
     *
     * @throws NullPointerException when report is null
     */
    public static String json(SyncReport report) {
        return json(report, false);
    }

    /**
     * The report as JSON; with {@code showPaths}, each file that has a path carries it in a {@code path} field
     * (patient data: for the operator's eyes only).
     *
     * @throws NullPointerException when report is null
     */
    public static String json(SyncReport report, boolean showPaths) {
        requireNonNull(report, "report");
        StringWriter w = new StringWriter(1024);
        PrintWriter out = new PrintWriter(w);
        json(report, report.filesets(), showPaths, out);
        out.flush();
        return w.toString();
    }

    /**
     * Writes a finished run's report as one JSON object, its fileset reports written as they come from
     * {@code filesets}. {@code totals} count every fileset of the run; {@code omittedFilesets} says how many
     * of them {@code filesets} left out (0 when read from the run history).
     *
     * @throws NullPointerException when an argument is null
     */
    public static void json(SyncReport report, Iterable<FilesetReport> filesets, boolean showPaths, PrintWriter out) {
        requireNonNull(report, "report");
        requireNonNull(filesets, "filesets");
        requireNonNull(out, "out");
        Json j = new Json();
        j.open('{');
        j.field("runId").string(report.runId().value());
        j.field("startedAt").string(report.startedAt().toString());
        j.field("finishedAt").string(report.finishedAt().toString());
        j.field("dryRun").raw(Boolean.toString(report.dryRun()));
        j.field("status").string(report.status().name());
        j.field("error").optional(report.error());
        j.field("success").raw(Boolean.toString(report.allFilesetsSucceeded()));
        j.field("totals").open('{');
        for (FileAction a : FileAction.values()) {
            j.field(a.name()).raw(Long.toString(report.count(a)));
        }
        j.close('}');
        j.field("filesetTotals").open('{');
        for (com.silknote.sync.core.model.FilesetOutcome o : com.silknote.sync.core.model.FilesetOutcome.values()) {
            j.field(o.name()).raw(Long.toString(report.totals().filesets(o)));
        }
        j.close('}');
        j.field("filesets").open('[');
        long listed = 0;
        for (FilesetReport f : filesets) {
            listed++;
            j.element();
            filesetJson(j, f, showPaths);
            j.drainTo(out);
        }
        j.close(']');
        j.field("omittedFilesets").raw(Long.toString(Math.max(0, report.totals().filesetCount() - listed)));
        RunMetrics m = report.metrics();
        j.field("metrics").open('{');
        j.field("durationMs").raw(Long.toString(m.duration().toMillis()));
        j.field("averageFilesetDurationMs").raw(Long.toString(m.averageFilesetDuration().toMillis()));
        j.field("filesPerMinute").raw(number(m.filesPerMinute()));
        j.field("errorRate").raw(number(m.errorRate()));
        j.field("newUniqueBytes").raw(Long.toString(m.newUniqueBytes()));
        j.field("bytesDownloaded").raw(Long.toString(m.bytesDownloaded()));
        j.field("consecutiveFailedRuns").raw(Integer.toString(m.consecutiveFailedRuns()));
        j.close('}');
        j.field("alerts").open('[');
        for (Alert a : report.alerts()) {
            j.element().open('{');
            j.field("kind").string(a.kind().name());
            j.field("severity").string(a.severity().name());
            j.field("message").string(a.message());
            j.close('}');
        }
        j.close(']');
        j.close('}');
        j.drainTo(out);
    }

    /** One fileset's report as a JSON object. */
    public static void filesetJson(Json j, FilesetReport f, boolean showPaths) {
        j.open('{');
        j.field("filesetId").string(f.filesetId().value());
        j.field("outcome").string(f.outcome().name());
        j.field("failureReason").optional(f.failureReason());
        j.field("durationMs").raw(Long.toString(f.duration().toMillis()));
        j.field("bytesDownloaded").raw(Long.toString(f.bytesDownloaded()));
        j.field("newUniqueBytes").raw(Long.toString(f.newUniqueBytes()));
        j.field("unchangedFiles").raw(Long.toString(f.unchangedFiles()));
        j.field("files").open('[');
        for (FileReport x : f.files()) {
            j.element().open('{');
            j.field("fileId").string(x.fileId().value());
            j.field("action").string(x.action().name());
            j.field("skipReason").optional(x.skipReason().map(Enum::name));
            j.field("detail").optional(x.detail());
            j.field("bytes").raw(Long.toString(x.bytes()));
            if (showPaths && x.path().isPresent()) {
                j.field("path").string(printable(x.path().get()));
            }
            j.close('}');
        }
        j.close(']');
        j.close('}');
    }

    /** The resume state as the JSON document of the design notes. */
    public static String stateJson(SyncState state) {
        return requireNonNull(state, "state").toJson();
    }

    /**
     * A path as safe to show on a terminal: control, format (bidirectional controls, joiners), private-use,
     * unassigned and surrogate characters are written as a backslash, {@code u} and four hex digits ({@code U}
     * and eight beyond the BMP), a backslash as two; all else stays.
     */
    public static String printable(String path) {
        StringBuilder sb = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); ) {
            int cp = path.codePointAt(i);
            i += Character.charCount(cp);
            int type = Character.getType(cp);
            if (cp == '\\') {
                sb.append("\\\\");
            } else if (type == Character.CONTROL || type == Character.FORMAT || type == Character.PRIVATE_USE
                    || type == Character.UNASSIGNED || type == Character.SURROGATE
                    || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
                if (Character.isBmpCodePoint(cp)) {
                    sb.append(String.format(Locale.ROOT, "\\u%04x", cp));
                } else {
                    sb.append(String.format(Locale.ROOT, "\\U%08x", cp));
                }
            } else {
                sb.appendCodePoint(cp);
            }
        }
        return sb.toString();
    }

    /** A byte count for people: {@code 1.5 KiB}. */
    public static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        double v = n;
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** A duration in seconds with one decimal. */
    public static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    private static String number(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return "null";
        }
        return String.format(Locale.ROOT, "%.4f", d);
    }

    private static String pad(String s, int w) {
        return s.length() >= w ? s : s + " ".repeat(w - s.length());
    }

    private static String lpad(String s, int w) {
        return s.length() >= w ? " " + s : " ".repeat(w - s.length()) + s;
    }

    private record Row(FilesetId fileset, FileReport file) { }

    /** A minimal JSON writer: enough for reports and status, with correct string escaping. */
    public static final class Json {
        private final StringBuilder sb = new StringBuilder(1024);
        private boolean needComma;

        public Json open(char c) {
            sb.append(c);
            needComma = false;
            return this;
        }

        public Json close(char c) {
            sb.append(c);
            needComma = true;
            return this;
        }

        public Json field(String name) {
            comma();
            quote(name);
            sb.append(':');
            needComma = false;
            return this;
        }

        public Json element() {
            comma();
            needComma = false;
            return this;
        }

        public Json string(String s) {
            quote(s);
            needComma = true;
            return this;
        }

        public Json raw(String s) {
            sb.append(s);
            needComma = true;
            return this;
        }

        public Json optional(Optional<String> s) {
            return s.isPresent() ? string(s.get()) : raw("null");
        }

        private void comma() {
            if (needComma) {
                sb.append(',');
            }
        }

        private void quote(String s) {
            sb.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> {
                        if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
            sb.append('"');
        }

        /** Writes what was built so far to {@code out} and forgets it; building goes on where it stopped. */
        public void drainTo(PrintWriter out) {
            out.print(sb);
            sb.setLength(0);
        }

        @Override
        public String toString() {
            return sb.toString();
        }
    }
}
