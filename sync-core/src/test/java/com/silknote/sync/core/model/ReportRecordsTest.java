package com.silknote.sync.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The figures reports, totals, audit rows and the resume state derive from what they were given (DESIGN rules
 * 9, 13, 14 and 15): what an operator reads and what the next run resumes from.
 */
class ReportRecordsTest {
    private static final Instant T = Instant.parse("2026-01-02T03:04:05Z");
    private static final ContentHash HASH = ContentHash.ofHex("ab".repeat(32));
    private static final FilesetId FS1 = FilesetId.of("fs-1");
    private static final FilesetId FS2 = FilesetId.of("fs-2");
    private static final FilesetId FS3 = FilesetId.of("fs-3");
    private static final RunId RUN = RunId.of("run-1");
    private static final RunMetrics METRICS = new RunMetrics(Duration.ZERO, Duration.ZERO, 0, 0, 0, 0, 0);

    private static FileReport file(String id, FileAction action) {
        return FileReport.of(VsrxFileId.of(id), action);
    }

    private static FilesetReport fileset(FilesetId id, FilesetOutcome outcome, List<FileReport> files) {
        return new FilesetReport(id, outcome, Optional.empty(), files, Duration.ofSeconds(1), 10, 4);
    }

    @Test
    @DisplayName("rule 15: plain unchanged files are counted, not listed; the rest stay listed in order")
    void filesetReportFoldsPlainUnchangedFiles() {
        List<FileReport> files = new ArrayList<>(List.of(file("a", FileAction.UNCHANGED), file("b", FileAction.CREATED),
                new FileReport(VsrxFileId.of("c"), FileAction.UNCHANGED, Optional.empty(), Optional.of("note"), 0),
                new FileReport(VsrxFileId.of("d"), FileAction.UNCHANGED, Optional.empty(), Optional.empty(), 1),
                file("e", FileAction.UNCHANGED).withPath("notes/e"), file("f", FileAction.UNCHANGED),
                file("g", FileAction.CREATED)));
        FilesetReport r = new FilesetReport(FS1, FilesetOutcome.COMPLETED, Optional.empty(), files,
                Duration.ofSeconds(1), 10, 4, 5);
        files.clear();
        assertThat(r.files()).extracting(f -> f.fileId().value()).containsExactly("b", "c", "d", "e", "g");
        assertThat(r.unchangedFiles()).isEqualTo(7);
        assertThat(r.count(FileAction.UNCHANGED)).isEqualTo(10);
        assertThat(r.count(FileAction.CREATED)).isEqualTo(2);
        assertThat(r.count(FileAction.DELETED)).isZero();
        assertThat(r.totalFiles()).isEqualTo(12);
        List<FileReport> none = new ArrayList<>(List.of(file("b", FileAction.CREATED)));
        FilesetReport listed = fileset(FS1, FilesetOutcome.COMPLETED, none);
        none.clear();
        assertThat(listed.files()).hasSize(1);
        assertThat(listed.unchangedFiles()).isZero();
        assertThat(listed.totalFiles()).isEqualTo(1);
        assertThat(new FilesetReport(FS1, FilesetOutcome.COMPLETED, Optional.empty(), List.of(), Duration.ZERO, 0,
                0, 0).totalFiles()).isZero();
        assertThatThrownBy(() -> new FilesetReport(FS1, FilesetOutcome.COMPLETED, Optional.empty(), List.of(),
                Duration.ZERO, 0, 0, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("rule 15: run totals add up filesets, files and bytes; zero counts are dropped")
    void runTotals() {
        FilesetReport ok = fileset(FS1, FilesetOutcome.COMPLETED,
                List.of(file("a", FileAction.CREATED), file("b", FileAction.UNCHANGED)));
        FilesetReport failed = fileset(FS2, FilesetOutcome.FAILED, List.of(file("c", FileAction.FAILED)));
        FilesetReport blocked = fileset(FS3, FilesetOutcome.MASS_DELETE_BLOCKED, List.of());
        RunTotals t = RunTotals.of(List.of(ok, failed, blocked));
        assertThat(t.filesetCount()).isEqualTo(3);
        assertThat(t.failedFilesets()).isEqualTo(2);
        assertThat(t.filesets(FilesetOutcome.COMPLETED)).isEqualTo(1);
        assertThat(t.filesets(FilesetOutcome.VANISHED)).isZero();
        assertThat(t.files(FileAction.CREATED)).isEqualTo(1);
        assertThat(t.files(FileAction.UNCHANGED)).isEqualTo(1);
        assertThat(t.fileCount()).isEqualTo(3);
        assertThat(t.bytesDownloaded()).isEqualTo(30);
        assertThat(t.newUniqueBytes()).isEqualTo(12);
        assertThat(t.files()).doesNotContainKey(FileAction.DELETED);
        assertThat(t.filesets()).doesNotContainKey(FilesetOutcome.VANISHED);
        RunTotals twice = new RunTotals.Builder().add(t).add(ok).build();
        assertThat(twice.filesetCount()).isEqualTo(4);
        assertThat(twice.files(FileAction.CREATED)).isEqualTo(2);
        assertThat(twice.bytesDownloaded()).isEqualTo(40);
        assertThat(twice.newUniqueBytes()).isEqualTo(16);
        assertThat(RunTotals.empty().filesetCount()).isZero();
        assertThat(RunTotals.empty().fileCount()).isZero();
        assertThatThrownBy(() -> new RunTotals(Map.of(), Map.of(), -1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RunTotals(Map.of(), Map.of(), 0, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RunTotals(Map.of(FilesetOutcome.FAILED, -1L), Map.of(), 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new RunTotals(Map.of(FilesetOutcome.FAILED, 0L), Map.of(), 0, 0).filesets()).isEmpty();
    }

    @Test
    @DisplayName("rule 15: a report derives its status, and its summary keeps the totals without the filesets")
    void syncReport() {
        FilesetReport ok = fileset(FS1, FilesetOutcome.COMPLETED, List.of(file("a", FileAction.CREATED)));
        FilesetReport failed = fileset(FS2, FilesetOutcome.FAILED, List.of());
        SyncReport good = new SyncReport(RUN, T, T, false, List.of(ok), METRICS, List.of());
        assertThat(good.status()).isEqualTo(SyncResult.Status.COMPLETED);
        assertThat(good.error()).isEmpty();
        assertThat(good.completed()).isTrue();
        assertThat(good.allFilesetsSucceeded()).isTrue();
        assertThat(good.count(FileAction.CREATED)).isEqualTo(1);
        SyncReport partial = new SyncReport(RUN, T, T, false, List.of(ok, failed), METRICS, List.of());
        assertThat(partial.status()).isEqualTo(SyncResult.Status.PARTIAL_FAILURE);
        assertThat(partial.error()).contains("a fileset failed");
        assertThat(partial.completed()).isFalse();
        assertThat(partial.allFilesetsSucceeded()).isFalse();
        assertThat(partial.omittedFilesets()).isZero();
        SyncReport summary = partial.summary();
        assertThat(summary.filesets()).isEmpty();
        assertThat(summary.totals()).isEqualTo(partial.totals());
        assertThat(summary.omittedFilesets()).isEqualTo(2);
        assertThat(summary.status()).isEqualTo(partial.status());
        assertThat(summary.summary()).isSameAs(summary);
        assertThatThrownBy(() -> new SyncReport(RUN, T, T, false, RunTotals.of(List.of(ok)), List.of(ok, failed),
                METRICS, List.of(), SyncResult.Status.PARTIAL_FAILURE, Optional.of("e")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SyncReport(RUN, T, T, false, List.of(ok), METRICS, List.of(),
                SyncResult.Status.ALREADY_IN_PROGRESS, Optional.of("e"))).isInstanceOf(IllegalArgumentException.class);
        assertThat(new RunRecord(RUN, T, Optional.of(good)).finished()).isTrue();
        assertThat(new RunRecord(RUN, T, Optional.empty()).finished()).isFalse();
    }

    @Test
    @DisplayName("rule 14 and issue 11: check, cleanup, repair and migration reports")
    void operationReports() {
        Map<FindingClass, Long> counts = new EnumMap<>(FindingClass.class);
        counts.put(FindingClass.OUTBOX_STUCK, 2L);
        counts.put(FindingClass.DOCUMENT_WITHOUT_BLOB, 1L);
        CheckReport check = new CheckReport(RUN, T, T, OperationStatus.COMPLETED, Optional.empty(), false, counts,
                List.of(), false, new HashMap<>(), List.of());
        counts.clear();
        assertThat(check.total()).isEqualTo(3);
        assertThat(check.count(FindingClass.OUTBOX_STUCK)).isEqualTo(2);
        assertThat(check.count(FindingClass.OUTBOX_PARKED)).isZero();
        assertThat(check.clean()).isFalse();
        assertThat(new CheckReport(RUN, T, T, OperationStatus.COMPLETED, Optional.empty(), false, Map.of(),
                List.of(), false, Map.of(), List.of()).clean()).isTrue();
        assertThat(new CheckReport(RUN, T, T, OperationStatus.FAILED, Optional.of("e"), false, Map.of(), List.of(),
                false, Map.of(), List.of()).clean()).isFalse();

        CleanupReport.Tally one = CleanupReport.Tally.ZERO.plus(7);
        assertThat(one).isEqualTo(new CleanupReport.Tally(1, 7));
        assertThat(one.plus(-5)).isEqualTo(new CleanupReport.Tally(2, 7));
        Map<OrphanClass, CleanupReport.Tally> found = new EnumMap<>(OrphanClass.class);
        found.put(OrphanClass.UNREFERENCED_BLOB, one);
        CleanupReport cleanup = new CleanupReport(RUN, true, T, T, OperationStatus.COMPLETED, Optional.empty(),
                found, Map.of(), Map.of(), List.of(), false, List.of());
        found.clear();
        assertThat(cleanup.found(OrphanClass.UNREFERENCED_BLOB)).isEqualTo(one);
        assertThat(cleanup.found(OrphanClass.UNCOMMITTED_BLOB)).isEqualTo(CleanupReport.Tally.ZERO);
        assertThat(cleanup.removed(OrphanClass.UNREFERENCED_BLOB)).isEqualTo(CleanupReport.Tally.ZERO);
        assertThat(cleanup.success()).isTrue();
        assertThat(new CleanupReport(RUN, true, T, T, OperationStatus.REFUSED, Optional.of("e"), Map.of(),
                Map.of(OrphanClass.UNREFERENCED_BLOB, one), Map.of(), List.of(), false, List.of())
                .removed(OrphanClass.UNREFERENCED_BLOB)).isEqualTo(one);
        assertThat(new CleanupReport(RUN, true, T, T, OperationStatus.REFUSED, Optional.of("e"), Map.of(),
                Map.of(), Map.of(), List.of(), false, List.of()).success()).isFalse();

        Finding finding = new Finding(FindingClass.OUTBOX_PARKED, "id", "detail");
        assertThat(new RepairReport(RUN, false, T, T, OperationStatus.COMPLETED, Optional.empty(), List.of(),
                List.of()).clean()).isTrue();
        assertThat(new RepairReport(RUN, false, T, T, OperationStatus.COMPLETED, Optional.empty(), List.of(),
                List.of(finding)).clean()).isFalse();
        assertThat(new RepairReport(RUN, false, T, T, OperationStatus.FAILED, Optional.of("e"), List.of(),
                List.of()).clean()).isFalse();

        assertThat(new MigrationReport(RUN, false, T, T, OperationStatus.COMPLETED, Optional.empty(), FS1, FS2,
                List.of()).success()).isTrue();
        assertThat(new MigrationReport(RUN, false, T, T, OperationStatus.FAILED, Optional.of("e"), FS1, FS2,
                List.of()).success()).isFalse();
    }

    @Test
    @DisplayName("rule 12: a reference tally matches its row's count, a missing row counting zero")
    void referenceTally() {
        BlobRef row = new BlobRef(HASH, 2, 5, BlobRef.State.LIVE, Optional.empty(), T);
        assertThat(new ReferenceTally(HASH, 2, OptionalLong.of(5), Optional.of(row)).countMatches()).isTrue();
        assertThat(new ReferenceTally(HASH, 3, OptionalLong.of(5), Optional.of(row)).countMatches()).isFalse();
        assertThat(new ReferenceTally(HASH, 0, OptionalLong.empty(), Optional.empty()).countMatches()).isTrue();
        assertThat(new ReferenceTally(HASH, 1, OptionalLong.empty(), Optional.empty()).countMatches()).isFalse();
    }

    @Test
    @DisplayName("rule 9: a fileset counts as processed when listed, or before the resume mark, unless it failed")
    void resumeState() {
        SyncState.PartialSyncState empty = SyncState.PartialSyncState.empty();
        assertThat(empty.isEmpty()).isTrue();
        assertThat(empty.processed(FS1)).isFalse();
        assertThat(new SyncState.PartialSyncState(List.of(FS1), List.of(), Optional.empty()).isEmpty()).isFalse();
        assertThat(new SyncState.PartialSyncState(List.of(), List.of(FS1), Optional.empty()).isEmpty()).isFalse();
        assertThat(new SyncState.PartialSyncState(List.of(), List.of(), Optional.of(FS1)).isEmpty()).isFalse();
        SyncState.PartialSyncState p = new SyncState.PartialSyncState(List.of(FS3), List.of(FS1),
                Optional.of(FS2));
        assertThat(p.processed(FS1)).isFalse();  // failed, though before the mark
        assertThat(p.processed(FilesetId.of("fs-0"))).isTrue();  // before the mark
        assertThat(p.processed(FS2)).isFalse();  // the mark itself is next
        assertThat(p.processed(FS3)).isTrue();  // listed
        assertThat(p.processed(FilesetId.of("fs-4"))).isFalse();
        List<FilesetId> ids = new ArrayList<>(List.of(FS1));
        SyncState.PartialSyncState copied = new SyncState.PartialSyncState(ids, ids, Optional.empty());
        ids.add(FS2);
        assertThat(copied.processedFilesets()).containsExactly(FS1);
        assertThat(copied.failedFilesets()).containsExactly(FS1);
        assertThat(SyncState.initial()).isEqualTo(new SyncState(Optional.empty(), empty));
    }

    @Test
    @DisplayName("rule 9: the resume state is stored in the notes' JSON shape, strings escaped")
    void resumeStateJson() {
        assertThat(SyncState.initial().toJson()).isEqualTo("{\"lastCompleteSync\":null,\"partialSyncState\":"
                + "{\"processedFilesets\":[],\"failedFilesets\":[],\"resumeFromFileset\":null}}");
        SyncState s = new SyncState(Optional.of(T), new SyncState.PartialSyncState(List.of(FS1, FS2),
                List.of(FilesetId.of("q\"b\\n\nr\rt\t\u0001\u001f ")), Optional.of(FS3)));
        assertThat(s.toJson()).isEqualTo("{\"lastCompleteSync\":\"2026-01-02T03:04:05Z\",\"partialSyncState\":"
                + "{\"processedFilesets\":[\"fs-1\",\"fs-2\"],\"failedFilesets\":"
                + "[\"q\\\"b\\\\n\\nr\\rt\\t\\u0001\\u001f \"],\"resumeFromFileset\":\"fs-3\"}}");
    }

    @Test
    @DisplayName("issue 11: audit details are reason codes; queries find a row by document, fileset or run")
    void auditEntriesAndQueries() {
        DocumentUuid doc = DocumentUuid.forVsrxFile(VsrxFileId.of("file-1"));
        AuditEntry e = AuditEntry.of(RUN, AuditAction.MIGRATED).document(doc).fileId(VsrxFileId.of("file-1"))
                .fileset(FS2).fromFileset(FS1).before(HASH).after(Optional.empty()).detail("moved").build();
        assertThat(e.document()).contains(doc);
        assertThat(e.fileId()).contains(VsrxFileId.of("file-1"));
        assertThat(e.filesetId()).contains(FS2);
        assertThat(e.fromFilesetId()).contains(FS1);
        assertThat(e.beforeHash()).contains(HASH);
        assertThat(e.afterHash()).isEmpty();
        assertThat(e.detail()).contains("moved");
        assertThat(e.withDetail("k=v").detail()).contains("k=v");
        assertThat(e.withDetail("k=v").fromFilesetId()).contains(FS1);
        AuditEntry other = AuditEntry.of(RunId.of("run-2"), AuditAction.CREATED).after(HASH)
                .before(Optional.of(HASH)).detail(Optional.empty()).build();
        assertThat(other.afterHash()).contains(HASH);
        assertThat(other.beforeHash()).contains(HASH);
        assertThatThrownBy(() -> e.withDetail("notes/a b.pdf")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> e.withDetail("x".repeat(201))).isInstanceOf(IllegalArgumentException.class);

        AuditRecord r = new AuditRecord(1, T, FencingToken.of(1), Optional.empty(), e);
        AuditRecord o = new AuditRecord(2, T, FencingToken.of(1), Optional.empty(), other);
        assertThat(AuditQuery.byDocument(doc).matches(r)).isTrue();
        assertThat(AuditQuery.byDocument(doc).matches(o)).isFalse();
        assertThat(AuditQuery.byDocument(DocumentUuid.forVsrxFile(VsrxFileId.of("x"))).matches(r)).isFalse();
        assertThat(AuditQuery.byFileset(FS2).matches(r)).isTrue();
        assertThat(AuditQuery.byFileset(FS1).matches(r)).isTrue();
        assertThat(AuditQuery.byFileset(FS3).matches(r)).isFalse();
        assertThat(AuditQuery.byFileset(FS1).matches(o)).isFalse();
        assertThat(AuditQuery.byRun(RUN).matches(r)).isTrue();
        assertThat(AuditQuery.byRun(RUN).matches(o)).isFalse();
        assertThat(AuditQuery.byRun(RUN)).isEqualTo(new AuditQuery(AuditQuery.Kind.RUN, "run-1"));
    }
}
