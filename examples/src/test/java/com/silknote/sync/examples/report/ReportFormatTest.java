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
        JsonNode skipped = json.get("filesets").get(0).get("files").get(2);
        assertThat(skipped.get("skipReason").asText()).isEqualTo("TYPE_MISMATCH");
        assertThat(skipped.get("detail").asText()).isEqualTo("declared image/png, sniffed \"other\"");
        assertThat(json.get("filesets").get(1).get("failureReason").asText()).startsWith("would delete");
        assertThat(json.get("filesets").get(0).get("failureReason").isNull()).isTrue();
        assertThat(json.get("metrics").get("bytesDownloaded").asLong()).isEqualTo(50_000);
        assertThat(json.get("alerts").get(0).get("kind").asText()).isEqualTo("MASS_DELETE_GUARD");
    }

    @Test
    void sizesAreHumanReadable() {
        assertThat(ReportFormat.bytes(0)).isEqualTo("0 B");
        assertThat(ReportFormat.bytes(1536)).isEqualTo("1.5 KiB");
        assertThat(ReportFormat.bytes(5L * 1024 * 1024)).isEqualTo("5.0 MiB");
    }
}
