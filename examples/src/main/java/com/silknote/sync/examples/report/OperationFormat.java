package com.silknote.sync.examples.report;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.AuditEntry;
import com.silknote.sync.core.model.AuditRecord;
import com.silknote.sync.core.model.CheckReport;
import com.silknote.sync.core.model.CleanupReport;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.Finding;
import com.silknote.sync.core.model.FindingClass;
import com.silknote.sync.core.model.MigrationCandidate;
import com.silknote.sync.core.model.MigrationReport;
import com.silknote.sync.core.model.OrphanClass;
import com.silknote.sync.core.model.RepairReport;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Tables and JSON of the operations beside the sync (cleanup, check, repair, migrate, audit). Ids, counts,
 * sizes and reason codes only: these reports never hold a path or a patient id.
 */
public final class OperationFormat {
    /** Rows of items or findings a table shows at most ({@code --json} has all the report holds). */
    public static final int MAX_ROWS = 60;

    private OperationFormat() { }

    // ------------------------------------------------------------------ cleanup

    /** @throws NullPointerException when report is null */
    public static String table(CleanupReport r) {
        requireNonNull(r, "report");
        StringBuilder sb = new StringBuilder();
        sb.append(r.dryRun() ? "Orphan cleanup (dry run: nothing removed) " : "Orphan cleanup ")
                .append(r.runId()).append(": ").append(r.status()).append(r.error().map(e -> " (" + e + ")").orElse(""))
                .append('\n');
        sb.append(String.format(Locale.ROOT, "  %-28s %10s %12s %10s %12s %10s%n", "CLASS", "FOUND", "BYTES",
                "REMOVED", "BYTES", "TOO YOUNG"));
        for (OrphanClass c : OrphanClass.values()) {
            CleanupReport.Tally f = r.found(c);
            CleanupReport.Tally x = r.removed(c);
            sb.append(String.format(Locale.ROOT, "  %-28s %10d %12s %10d %12s %10d%n", c.name(), f.count(),
                    ReportFormat.bytes(f.bytes()), x.count(), ReportFormat.bytes(x.bytes()),
                    r.tooYoung().getOrDefault(c, 0L)));
        }
        if (!r.items().isEmpty()) {
            sb.append("Orphans (ids only):\n");
            r.items().stream().limit(MAX_ROWS).forEach(i -> sb.append(String.format(Locale.ROOT, "  %-28s %-66s %10s%s%n",
                    i.orphanClass().name(), i.id(), ReportFormat.bytes(i.bytes()), i.removed() ? "  removed" : "")));
            if (r.items().size() > MAX_ROWS || r.itemsTruncated()) {
                sb.append("  ... (--json lists up to ").append(CleanupReport.MAX_ITEMS).append(")\n");
            }
        }
        r.notes().forEach(n -> sb.append("note: ").append(n).append('\n'));
        return sb.toString();
    }

    /** @throws NullPointerException when report is null */
    public static String json(CleanupReport r) {
        requireNonNull(r, "report");
        ReportFormat.Json j = new ReportFormat.Json();
        j.open('{');
        header(j, "cleanup", r.runId().value(), r.dryRun(), r.status().name(), r.error().orElse(null),
                r.startedAt().toString(), r.finishedAt().toString());
        j.field("classes").open('{');
        for (OrphanClass c : OrphanClass.values()) {
            j.field(c.name()).open('{');
            j.field("found").raw(Long.toString(r.found(c).count()));
            j.field("foundBytes").raw(Long.toString(r.found(c).bytes()));
            j.field("removed").raw(Long.toString(r.removed(c).count()));
            j.field("removedBytes").raw(Long.toString(r.removed(c).bytes()));
            j.field("tooYoung").raw(Long.toString(r.tooYoung().getOrDefault(c, 0L)));
            j.close('}');
        }
        j.close('}');
        j.field("items").open('[');
        for (CleanupReport.Item i : r.items()) {
            j.element().open('{');
            j.field("class").string(i.orphanClass().name());
            j.field("id").string(i.id());
            j.field("bytes").raw(Long.toString(i.bytes()));
            j.field("removed").raw(Boolean.toString(i.removed()));
            j.close('}');
        }
        j.close(']');
        j.field("itemsTruncated").raw(Boolean.toString(r.itemsTruncated()));
        strings(j, "notes", r.notes());
        j.close('}');
        return j.toString();
    }

    // ------------------------------------------------------------------ check and repair

    /** @throws NullPointerException when report is null */
    public static String table(CheckReport r) {
        requireNonNull(r, "report");
        StringBuilder sb = new StringBuilder();
        sb.append("Consistency check ").append(r.runId()).append(": ").append(r.status())
                .append(r.error().map(e -> " (" + e + ")").orElse(""))
                .append(r.contentVerified() ? ", content verified" : ", metadata only (--verify-content reads every blob)")
                .append('\n');
        sb.append("  examined: ");
        r.examined().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> sb.append(e.getKey()).append(' ').append(e.getValue()).append("  "));
        sb.append('\n');
        sb.append(String.format(Locale.ROOT, "  %-30s %8s  %s%n", "CLASS", "FOUND", "REPAIR"));
        for (FindingClass c : FindingClass.values()) {
            sb.append(String.format(Locale.ROOT, "  %-30s %8d  %s%n", c.name(), r.count(c),
                    c.repairable() ? "repair fixes it" : "reported"));
        }
        findings(sb, r.findings(), r.findingsTruncated());
        r.notes().forEach(n -> sb.append("note: ").append(n).append('\n'));
        sb.append(r.total() == 0 ? "No findings.\n" : r.total() + " finding(s).\n");
        return sb.toString();
    }

    private static void findings(StringBuilder sb, List<Finding> findings, boolean truncated) {
        if (findings.isEmpty()) {
            return;
        }
        sb.append("Findings (ids only):\n");
        findings.stream().limit(MAX_ROWS).forEach(f -> sb.append(String.format(Locale.ROOT, "  %-30s %-66s %s%n",
                f.findingClass().name(), f.id(), f.detail())));
        if (findings.size() > MAX_ROWS || truncated) {
            sb.append("  ... (--json lists up to ").append(CleanupReport.MAX_ITEMS).append(")\n");
        }
    }

    /** @throws NullPointerException when report is null */
    public static String json(CheckReport r) {
        requireNonNull(r, "report");
        ReportFormat.Json j = new ReportFormat.Json();
        j.open('{');
        header(j, "check", r.runId().value(), false, r.status().name(), r.error().orElse(null),
                r.startedAt().toString(), r.finishedAt().toString());
        j.field("contentVerified").raw(Boolean.toString(r.contentVerified()));
        j.field("total").raw(Long.toString(r.total()));
        j.field("counts").open('{');
        for (FindingClass c : FindingClass.values()) {
            j.field(c.name()).raw(Long.toString(r.count(c)));
        }
        j.close('}');
        j.field("examined").open('{');
        r.examined().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> j.field(e.getKey()).raw(Long.toString(e.getValue())));
        j.close('}');
        findings(j, "findings", r.findings());
        j.field("findingsTruncated").raw(Boolean.toString(r.findingsTruncated()));
        strings(j, "notes", r.notes());
        j.close('}');
        return j.toString();
    }

    /** @throws NullPointerException when report is null */
    public static String table(RepairReport r) {
        requireNonNull(r, "report");
        StringBuilder sb = new StringBuilder();
        sb.append(r.dryRun() ? "Repair (dry run: nothing changed) " : "Repair ").append(r.runId()).append(": ")
                .append(r.status()).append(r.error().map(e -> " (" + e + ")").orElse("")).append('\n');
        sb.append(r.dryRun() ? "Would repair (" : "Repaired (").append(r.repaired().size()).append("):\n");
        r.repaired().stream().limit(MAX_ROWS).forEach(x -> sb.append(String.format(Locale.ROOT, "  %-30s %-66s %s%n",
                x.finding().findingClass().name(), x.finding().id(), x.outcome())));
        sb.append("Left (").append(r.remaining().size()).append("):\n");
        r.remaining().stream().limit(MAX_ROWS).forEach(f -> sb.append(String.format(Locale.ROOT, "  %-30s %-66s %s%n",
                f.findingClass().name(), f.id(), f.detail())));
        return sb.toString();
    }

    /** @throws NullPointerException when report is null */
    public static String json(RepairReport r) {
        requireNonNull(r, "report");
        ReportFormat.Json j = new ReportFormat.Json();
        j.open('{');
        header(j, "repair", r.runId().value(), r.dryRun(), r.status().name(), r.error().orElse(null),
                r.startedAt().toString(), r.finishedAt().toString());
        j.field("repaired").open('[');
        for (RepairReport.Repair x : r.repaired()) {
            j.element().open('{');
            j.field("class").string(x.finding().findingClass().name());
            j.field("id").string(x.finding().id());
            j.field("detail").string(x.finding().detail());
            j.field("outcome").string(x.outcome());
            j.close('}');
        }
        j.close(']');
        findings(j, "remaining", r.remaining());
        j.close('}');
        return j.toString();
    }

    // ------------------------------------------------------------------ migration

    /** @throws NullPointerException when candidates is null */
    public static String candidatesTable(List<MigrationCandidate> candidates) {
        requireNonNull(candidates, "candidates");
        if (candidates.isEmpty()) {
            return "No re-booked filesets to migrate.\n";
        }
        StringBuilder sb = new StringBuilder("Re-booking candidates (old fileset -> new fileset of one Silknote patient):\n");
        sb.append(String.format(Locale.ROOT, "  %-24s %-24s %10s%n", "FROM", "TO", "DOCUMENTS"));
        candidates.forEach(c -> sb.append(String.format(Locale.ROOT, "  %-24s %-24s %10d%n", c.from(), c.to(),
                c.documents())));
        return sb.toString();
    }

    /** @throws NullPointerException when candidates is null */
    public static String candidatesJson(List<MigrationCandidate> candidates) {
        requireNonNull(candidates, "candidates");
        ReportFormat.Json j = new ReportFormat.Json();
        j.open('[');
        for (MigrationCandidate c : candidates) {
            j.element().open('{');
            j.field("from").string(c.from().value());
            j.field("to").string(c.to().value());
            j.field("documents").raw(Long.toString(c.documents()));
            j.close('}');
        }
        j.close(']');
        return j.toString();
    }

    /** @throws NullPointerException when report is null */
    public static String table(MigrationReport r) {
        requireNonNull(r, "report");
        StringBuilder sb = new StringBuilder();
        sb.append(r.dryRun() ? "Migration (dry run: nothing moved) " : "Migration ").append(r.runId()).append(' ')
                .append(r.from()).append(" -> ").append(r.to()).append(": ").append(r.status())
                .append(r.error().map(e -> " (" + e + ")").orElse("")).append('\n');
        sb.append(r.dryRun() ? "  would move " : "  moved ").append(r.moved().size()).append(" document(s)\n");
        r.moved().stream().limit(MAX_ROWS).forEach(u -> sb.append("    ").append(u).append('\n'));
        return sb.toString();
    }

    /** @throws NullPointerException when report is null */
    public static String json(MigrationReport r) {
        requireNonNull(r, "report");
        ReportFormat.Json j = new ReportFormat.Json();
        j.open('{');
        header(j, "migrate", r.runId().value(), r.dryRun(), r.status().name(), r.error().orElse(null),
                r.startedAt().toString(), r.finishedAt().toString());
        j.field("from").string(r.from().value());
        j.field("to").string(r.to().value());
        strings(j, "moved", r.moved().stream().map(DocumentUuid::toString).toList());
        j.close('}');
        return j.toString();
    }

    // ------------------------------------------------------------------ audit

    /** @throws NullPointerException when records is null */
    public static String auditTable(List<AuditRecord> records, boolean more) {
        requireNonNull(records, "records");
        if (records.isEmpty()) {
            return "No audit rows.\n";
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "  %-8s %-24s %-22s %-36s %-20s %-14s %-10s %-12s %-12s %s%n", "ID", "TIME",
                "ACTION", "DOCUMENT", "FILE", "FILESET", "TOKEN", "BEFORE", "AFTER", "RUN / DETAIL"));
        for (AuditRecord r : records) {
            AuditEntry e = r.entry();
            sb.append(String.format(Locale.ROOT, "  %-8d %-24s %-22s %-36s %-20s %-14s %-10d %-12s %-12s %s%s%n", r.id(),
                    r.recordedAt(), e.action(), e.document().map(DocumentUuid::toString).orElse("-"),
                    e.fileId().map(Object::toString).orElse("-"),
                    e.fromFilesetId().map(f -> f + ">").orElse("") + e.filesetId().map(Object::toString).orElse("-"),
                    r.fencingToken().value(), e.beforeHash().map(h -> h.hex().substring(0, 12)).orElse("-"),
                    e.afterHash().map(h -> h.hex().substring(0, 12)).orElse("-"), e.runId(),
                    e.detail().map(d -> " " + d).orElse("")));
        }
        if (more) {
            sb.append("  ... more rows: raise --limit or use --after ").append(records.get(records.size() - 1).id())
                    .append('\n');
        }
        return sb.toString();
    }

    /** @throws NullPointerException when records is null */
    public static String auditJson(List<AuditRecord> records) {
        requireNonNull(records, "records");
        ReportFormat.Json j = new ReportFormat.Json();
        j.open('[');
        for (AuditRecord r : records) {
            AuditEntry e = r.entry();
            j.element().open('{');
            j.field("id").raw(Long.toString(r.id()));
            j.field("recordedAt").string(r.recordedAt().toString());
            j.field("runId").string(e.runId().value());
            j.field("fencingToken").raw(Long.toString(r.fencingToken().value()));
            j.field("holder").optional(r.holder());
            j.field("action").string(e.action().name());
            j.field("document").optional(e.document().map(DocumentUuid::toString));
            j.field("fileId").optional(e.fileId().map(Object::toString));
            j.field("filesetId").optional(e.filesetId().map(Object::toString));
            j.field("fromFilesetId").optional(e.fromFilesetId().map(Object::toString));
            j.field("beforeHash").optional(e.beforeHash().map(h -> h.hex()));
            j.field("afterHash").optional(e.afterHash().map(h -> h.hex()));
            j.field("detail").optional(e.detail());
            j.close('}');
        }
        j.close(']');
        return j.toString();
    }

    // ------------------------------------------------------------------ parts

    private static void header(ReportFormat.Json j, String operation, String runId, boolean dryRun, String status,
            String error, String startedAt, String finishedAt) {
        j.field("operation").string(operation);
        j.field("runId").string(runId);
        j.field("dryRun").raw(Boolean.toString(dryRun));
        j.field("status").string(status);
        j.field("error").optional(java.util.Optional.ofNullable(error));
        j.field("startedAt").string(startedAt);
        j.field("finishedAt").string(finishedAt);
    }

    private static void findings(ReportFormat.Json j, String name, List<Finding> findings) {
        j.field(name).open('[');
        for (Finding f : findings) {
            j.element().open('{');
            j.field("class").string(f.findingClass().name());
            j.field("id").string(f.id());
            j.field("detail").string(f.detail());
            j.close('}');
        }
        j.close(']');
    }

    private static void strings(ReportFormat.Json j, String name, List<String> values) {
        j.field(name).open('[');
        values.forEach(v -> j.element().string(v));
        j.close(']');
    }
}
