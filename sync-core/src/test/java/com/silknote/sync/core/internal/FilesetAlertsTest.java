package com.silknote.sync.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.VsrxFileId;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The alerts a scale-out coordinator raises again from a worker's fileset report ({@link FilesetSync#alertsOf}):
 * exactly those the worker raised for the fileset, so the coordinator's copy of one it raised itself is the same
 * alert and is not raised twice.
 */
class FilesetAlertsTest {
    private static final FilesetId FS = FilesetId.of("fs-7");

    private static FileReport gone(String id, String detail) {
        return new FileReport(VsrxFileId.of(id), FileAction.SKIPPED, Optional.of(SkipReason.GONE), Optional.of(detail),
                0);
    }

    private static FilesetReport report(FilesetOutcome outcome, Optional<String> reason, List<FileReport> files) {
        return new FilesetReport(FS, outcome, reason, files, Duration.ZERO, 0, 0);
    }

    @Test
    void aBlockedFilesetGivesTheMassDeleteAlertWithItsReason() {
        String reason = "mass-delete guard: 9 of 10 documents would be deleted (limit 50%, from 5 deletes); nothing"
                + " committed";
        List<Alert> alerts = FilesetSync.alertsOf(report(FilesetOutcome.MASS_DELETE_BLOCKED, Optional.of(reason),
                List.of()));
        assertThat(alerts).containsExactly(new Alert(Alert.Kind.MASS_DELETE_GUARD, Alert.Severity.CRITICAL,
                "fileset fs-7: " + reason));
    }

    @Test
    void filesListedButNotServedGiveOneAlertWithTheirCount() {
        List<Alert> alerts = FilesetSync.alertsOf(report(FilesetOutcome.COMPLETED, Optional.empty(), List.of(
                gone("f-1", FilesetSync.DETAIL_LISTED_NOT_SERVED), gone("f-2", "deleted-before-download"),
                gone("f-3", FilesetSync.DETAIL_LISTED_NOT_SERVED))));
        assertThat(alerts).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(Alert.Kind.FILE_NOT_SERVED);
            assertThat(a.severity()).isEqualTo(Alert.Severity.WARNING);
            assertThat(a.message()).startsWith("fileset fs-7: 2 listed file(s)");
        });
    }

    @Test
    void anOrdinaryReportGivesNone() {
        assertThat(FilesetSync.alertsOf(report(FilesetOutcome.COMPLETED, Optional.empty(), List.of(
                gone("f-1", "gone-before-download"))))).isEmpty();
        assertThat(FilesetSync.alertsOf(report(FilesetOutcome.FAILED, Optional.of("boom"), List.of()))).isEmpty();
    }
}
