package com.silknote.sync.testkit.contract;

import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentMetadata;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.PatientFilesetRecord;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.RunMetrics;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.TestHashes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Test data shared by the contracts. Not patient data: all of it is made up. */
final class Fixtures {
    static final PatientUuid PATIENT = PatientUuid.of("7d444840-9dc0-11d1-b245-5ffdce74fad2");
    static final PatientUuid OTHER_PATIENT = PatientUuid.of("0b2c6d1e-4f3a-4e5b-8c7d-9e0f1a2b3c4d");

    private Fixtures() {
    }

    static ContentHash hash(String seed) {
        return TestHashes.sha256(seed);
    }

    static VsrxFileId fileId(int n) {
        return VsrxFileId.of(String.format("file-%04d", n));
    }

    static PatientFilesetRecord fileset(FilesetId id, Instant at) {
        return new PatientFilesetRecord(id, PATIENT, List.of(PatientId.of("P-OLD-1"), PatientId.of("P-NEW-2")), at);
    }

    static SilknoteDocument document(FilesetId fileset, VsrxFileId file, ContentHash hash, long size, Instant at) {
        return new SilknoteDocument(DocumentUuid.forVsrxFile(file), PATIENT, fileset, file, hash, size,
                "application/pdf",
                DocumentMetadata.synced(file, "notes/" + file.value() + " Übersicht.pdf",
                        List.of(PatientId.of("P-OLD-1"), PatientId.of("P-NEW-2"))),
                at);
    }

    static SyncMapping mapping(SilknoteDocument d, Optional<String> etag, Instant modifiedAt, Instant at) {
        return new SyncMapping(d.clientFileId(), d.uuid(), d.clientFileId(), d.filesetId(), etag, modifiedAt,
                d.size(), d.contentHash(), at);
    }

    static SyncReport report(String runId, Instant startedAt, boolean dryRun) {
        FileReport created = FileReport.of(fileId(1), FileAction.CREATED);
        FileReport skipped = FileReport.skipped(fileId(2), SkipReason.TOO_LARGE, "size 200 > 100", 0);
        FileReport failed = new FileReport(fileId(3), FileAction.FAILED, Optional.empty(), Optional.of("HTTP 503"),
                1234);
        Alert relinked = new Alert(Alert.Kind.FILESET_RELINKED, Alert.Severity.WARNING,
                "fileset fs-a is linked to another Silknote patient: 1 documents move, 0 modified by users stay");
        FilesetReport a = new FilesetReport(FilesetId.of("fs-a"), FilesetOutcome.COMPLETED, Optional.empty(),
                List.of(created, skipped), Duration.ofMillis(1500), 4096, 2048, 0, List.of(relinked));
        FilesetReport b = new FilesetReport(FilesetId.of("fs-b"), FilesetOutcome.FAILED,
                Optional.of("transient failures exhausted"), List.of(failed), Duration.ofSeconds(3), 1234, 0);
        RunMetrics metrics = new RunMetrics(Duration.ofMillis(4500), Duration.ofMillis(2250), 12.5, 0.25, 2048,
                5330, 1);
        Alert alert = new Alert(Alert.Kind.ERROR_RATE, Alert.Severity.CRITICAL, "error rate 25% >= 10%");
        return new SyncReport(RunId.of(runId), startedAt, startedAt.plusMillis(4500), dryRun, List.of(a, b), metrics,
                List.of(relinked, alert));
    }
}
