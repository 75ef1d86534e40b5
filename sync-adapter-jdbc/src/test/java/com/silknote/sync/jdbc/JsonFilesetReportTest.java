package com.silknote.sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.VsrxFileId;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Stored fileset reports keep their alerts (a scale-out coordinator raises a worker's from them). */
class JsonFilesetReportTest {
    private static final Alert RELINKED = new Alert(Alert.Kind.FILESET_RELINKED, Alert.Severity.WARNING,
            "fileset fs-1 is linked to another Silknote patient: 2 documents move, 0 modified by users stay");

    private static FilesetReport report(List<Alert> alerts) {
        return new FilesetReport(FilesetId.of("fs-1"), FilesetOutcome.COMPLETED, Optional.empty(),
                List.of(FileReport.of(VsrxFileId.of("file-1"), FileAction.METADATA_ONLY)), Duration.ofMillis(12), 0,
                0, 3, alerts);
    }

    @Test
    void aReportIsReadBackWithItsAlerts() {
        FilesetReport r = report(List.of(RELINKED));
        assertThat(Json.filesetReport(Json.filesetReport(r))).isEqualTo(r);
    }

    @Test
    void aReportStoredBeforeAlertsWereKeptReadsWithNone() throws Exception {
        ObjectNode stored = (ObjectNode) Json.MAPPER.readTree(Json.filesetReport(report(List.of(RELINKED))));
        stored.remove("alerts");

        FilesetReport read = Json.filesetReport(stored.toString());

        assertThat(read.alerts()).isEmpty();
        assertThat(read).isEqualTo(report(List.of()));
    }
}
