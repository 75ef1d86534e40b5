package com.silknote.sync.examples.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.silknote.sync.core.model.SyncReport;
import org.junit.jupiter.api.Test;

class ReportFormatTest {

    @Test
    void theTableShowsFilesetsFilesReasonsMetricsAndAlerts() {
        String table = ReportFormat.table(Reports.sample());

        assertThat(table).contains("Run run-1", "took 3.0 s");
        assertThat(table).containsPattern("fs-000001 +COMPLETED +1 +0 +0 +0 +1 +0 +0 +0 +1");
        assertThat(table).contains("fs-000002", "MASS_DELETE_BLOCKED: would delete 4 of 5 documents");
        assertThat(table).containsPattern("file-000003 +fs-000001 +SKIPPED +TYPE_MISMATCH");
        assertThat(table).doesNotContain("file-000002");
        assertThat(table).contains("40.0 files/min", "error rate 0.0 %", "new unique bytes 24.4 KiB");
        assertThat(table).contains("CRITICAL MASS_DELETE_GUARD");
    }

    @Test
    void theJsonIsValidAndComplete() throws Exception {
        SyncReport report = Reports.sample();
        JsonNode json = new ObjectMapper().readTree(ReportFormat.json(report));

        assertThat(json.get("runId").asText()).isEqualTo("run-1");
        assertThat(json.get("success").asBoolean()).isFalse();
        assertThat(json.get("totals").get("CREATED").asInt()).isEqualTo(1);
        assertThat(json.get("filesets")).hasSize(2);
        // issue 12.1: unchanged files are counted, not listed
        assertThat(json.get("totals").get("UNCHANGED").asInt()).isEqualTo(1);
        assertThat(json.get("filesets").get(0).get("unchangedFiles").asLong()).isEqualTo(1);
        assertThat(json.get("filesets").get(0).get("files")).hasSize(2);
        JsonNode skipped = json.get("filesets").get(0).get("files").get(1);
        assertThat(skipped.get("skipReason").asText()).isEqualTo("TYPE_MISMATCH");
        assertThat(skipped.get("detail").asText()).isEqualTo("declared image/png, sniffed \"other\"");
        assertThat(json.get("filesets").get(1).get("failureReason").asText()).startsWith("would delete");
        assertThat(json.get("filesets").get(0).get("failureReason").isNull()).isTrue();
        assertThat(json.get("metrics").get("bytesDownloaded").asLong()).isEqualTo(50_000);
        assertThat(json.get("alerts").get(0).get("kind").asText()).isEqualTo("MASS_DELETE_GUARD");
    }

    /** Issue 10 item 9: no column runs into the next one, whatever the longest action or reason. */
    @Test
    void columnsNeverRunIntoEachOther() {
        SyncReport sample = Reports.sample();
        var files = new java.util.ArrayList<>(sample.filesets().get(0).files());
        files.add(new com.silknote.sync.core.model.FileReport(com.silknote.sync.core.model.VsrxFileId.of("f-7"),
                com.silknote.sync.core.model.FileAction.METADATA_ONLY, java.util.Optional.empty(),
                java.util.Optional.of("etag-changed"), 0));
        files.add(com.silknote.sync.core.model.FileReport.skipped(com.silknote.sync.core.model.VsrxFileId.of("f-8"),
                com.silknote.sync.core.model.SkipReason.CHECKSUM_MISMATCH, "listed-digest", 0));
        var f0 = sample.filesets().get(0);
        var skippedOnly = new com.silknote.sync.core.model.FilesetReport(f0.filesetId(),
                com.silknote.sync.core.model.FilesetOutcome.SKIPPED_ALREADY_PROCESSED, java.util.Optional.empty(), files,
                f0.duration(), 0, 0);
        SyncReport report = new SyncReport(sample.runId(), sample.startedAt(), sample.finishedAt(), false,
                java.util.List.of(skippedOnly), sample.metrics(), java.util.List.of());

        String table = ReportFormat.table(report);

        assertThat(table).containsPattern("SKIPPED_ALREADY_PROCESSED +1 ");
        assertThat(table).containsPattern("f-7 +fs-000001 +METADATA_ONLY +- +etag-changed");
        assertThat(table).containsPattern("f-8 +fs-000001 +SKIPPED +CHECKSUM_MISMATCH +listed-digest");
        assertThat(table).doesNotContainPattern("[A-Z]-(?:etag|  )").doesNotContain("METADATA_ONLY-");
    }

    /** Issue 10 item 3: paths only on request, and shown so they cannot rewrite the terminal. */
    @Test
    void pathsAreShownOnlyWhenAskedForAndEscaped() throws Exception {
        SyncReport sample = Reports.sample();
        var f0 = sample.filesets().get(0);
        var files = new java.util.ArrayList<>(f0.files());
        files.set(1, files.get(1).withPath("notes/Befund \u202Efdp.exe"));
        files.add(com.silknote.sync.core.model.FileReport.skipped(com.silknote.sync.core.model.VsrxFileId.of("f-9"),
                com.silknote.sync.core.model.SkipReason.INVALID_PATH, "CONTROL_CHARACTER", 0)
                .withPath("notes/a\u001b[2Jb\\c.pdf"));
        SyncReport report = new SyncReport(sample.runId(), sample.startedAt(), sample.finishedAt(), false,
                java.util.List.of(new com.silknote.sync.core.model.FilesetReport(f0.filesetId(), f0.outcome(),
                        f0.failureReason(), files, f0.duration(), 0, 0)), sample.metrics(), java.util.List.of());

        assertThat(ReportFormat.table(report)).doesNotContain("notes/").doesNotContainPattern("DETAIL +PATH");
        assertThat(ReportFormat.json(report)).doesNotContain("notes/", "\"path\"");
        assertThat(report.toString()).doesNotContain("notes/", "Befund");

        String table = ReportFormat.table(report, true);
        assertThat(table).containsPattern("DETAIL +PATH").contains("notes/Befund \\u202efdp.exe")
                .contains("notes/a\\u001b[2Jb\\\\c.pdf").doesNotContain("\u202E", "\u001b");
        JsonNode json = new ObjectMapper().readTree(ReportFormat.json(report, true));
        assertThat(json.get("filesets").get(0).get("files").get(1).get("path").asText())
                .isEqualTo("notes/Befund \\u202efdp.exe");
        assertThat(json.get("filesets").get(0).get("files").get(0).has("path")).isFalse();
    }

    @Test
    void sizesAreHumanReadable() {
        assertThat(ReportFormat.bytes(0)).isEqualTo("0 B");
        assertThat(ReportFormat.bytes(1536)).isEqualTo("1.5 KiB");
        assertThat(ReportFormat.bytes(5L * 1024 * 1024)).isEqualTo("5.0 MiB");
    }
}
