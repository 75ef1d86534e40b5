package com.silknote.sync.examples.report;

import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.RunMetrics;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.VsrxFileId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Report fixtures. */
public final class Reports {
    private Reports() { }

    public static SyncReport sample() {
        Instant start = Instant.parse("2026-01-01T10:00:00Z");
        FilesetReport ok = new FilesetReport(FilesetId.of("fs-000001"), FilesetOutcome.COMPLETED, Optional.empty(),
                List.of(FileReport.of(VsrxFileId.of("file-000001"), FileAction.CREATED),
                        FileReport.skipped(VsrxFileId.of("file-000003"), SkipReason.TYPE_MISMATCH,
                                "declared image/png, sniffed \"other\"", 24_576)),
                Duration.ofMillis(1200), 50_000, 25_000, 1);
        FilesetReport blocked = new FilesetReport(FilesetId.of("fs-000002"), FilesetOutcome.MASS_DELETE_BLOCKED,
                Optional.of("would delete 4 of 5 documents (limit 50 %)"),
                List.of(FileReport.of(VsrxFileId.of("file-000010"), FileAction.DELETED)), Duration.ofMillis(300), 0, 0);
        return new SyncReport(RunId.of("run-1"), start, start.plusSeconds(3), false, List.of(ok, blocked),
                new RunMetrics(Duration.ofSeconds(3), Duration.ofMillis(750), 40.0, 0.0, 25_000, 50_000, 1),
                List.of(new Alert(Alert.Kind.MASS_DELETE_GUARD, Alert.Severity.CRITICAL,
                        "fileset fs-000002 blocked by the mass-delete guard")));
    }
}
