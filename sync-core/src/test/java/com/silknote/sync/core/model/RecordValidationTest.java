package com.silknote.sync.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What the records refuse when built, at each limit and one step past it: a value that slipped through here
 * would reach a store or a run as if it were valid. Each test names the rule whose values it guards.
 */
class RecordValidationTest {
    private static final ContentHash HASH = ContentHash.ofHex("ab".repeat(32));
    private static final VsrxFileId FILE = VsrxFileId.of("file-1");
    private static final FilesetId FILESET = FilesetId.of("fs-1");
    private static final DocumentUuid DOC = DocumentUuid.forVsrxFile(FILE);
    private static final PatientUuid PATIENT = PatientUuid.of("0f8fad5b-d9cb-469f-a165-70867728950e");
    private static final Instant T = Instant.parse("2026-01-02T03:04:05Z");

    private static void refused(ThrowingCallable c) {
        assertThatThrownBy(c).isInstanceOf(IllegalArgumentException.class);
    }

    private static void accepted(ThrowingCallable c) {
        assertThatCode(c).doesNotThrowAnyException();
    }

    @Test
    @DisplayName("rules 7 and 12: sizes, counts and attempts are never negative; zero is allowed")
    void sizesAndCounts() {
        refused(() -> new VsrxFile(FILE, FILESET, "notes/a", -1, "t", T, Optional.empty(), Optional.empty(), false));
        accepted(() -> new VsrxFile(FILE, FILESET, "notes/a", 0, "t", T, Optional.empty(), Optional.empty(), false));
        refused(() -> new BlobRef(HASH, -1, 0, BlobRef.State.LIVE, Optional.empty(), T));
        accepted(() -> new BlobRef(HASH, 0, 0, BlobRef.State.LIVE, Optional.empty(), T));
        BlobUpload.Source src = () -> new ByteArrayInputStream(new byte[0]);
        refused(() -> new BlobUpload(HASH, -1, "t", src));
        assertThat(new BlobUpload(HASH, 0, "t", src).md5()).isEmpty();
        refused(() -> new OutboxEntry(1, DOC, OutboxEntry.Action.PROCESS, HASH, -1, T, Optional.empty()));
        OutboxEntry pending = OutboxEntry.pending(DOC, OutboxEntry.Action.COLLECT_BLOB, HASH, T);
        assertThat(pending).isEqualTo(new OutboxEntry(0, DOC, OutboxEntry.Action.COLLECT_BLOB, HASH, 0, T,
                Optional.empty()));
        DocumentMetadata meta = DocumentMetadata.synced(FILE, "notes/a", List.of());
        refused(() -> new SilknoteDocument(DOC, PATIENT, FILESET, FILE, HASH, -1, "t", meta, T));
        accepted(() -> new SilknoteDocument(DOC, PATIENT, FILESET, FILE, HASH, 0, "t", meta, T));
        assertThat(new SilknoteDocument(DOC, PATIENT, FILESET, FILE, HASH, 0, "t", meta, T).blobKey())
                .isEqualTo(BlobKey.of(HASH));
        refused(() -> new SyncMapping(FILE, DOC, FILE, FILESET, Optional.empty(), T, -1, HASH, T));
        accepted(() -> new SyncMapping(FILE, DOC, FILE, FILESET, Optional.empty(), T, 0, HASH, T));
        refused(() -> new ReferenceTally(HASH, -1, OptionalLong.empty(), Optional.empty()));
        refused(() -> new CleanupReport.Tally(-1, 0));
        refused(() -> new CleanupReport.Tally(0, -1));
        accepted(() -> new CleanupReport.Tally(0, 0));
    }

    @Test
    @DisplayName("rule 2: a mapping's clientFileId is its VSRX file id")
    void mappingClientFileId() {
        refused(() -> new SyncMapping(FILE, DOC, VsrxFileId.of("file-2"), FILESET, Optional.empty(), T, 1, HASH, T));
    }

    @Test
    @DisplayName("rule 1: a document made by the sync is not Silknote-created; grouping shows a user's hand")
    void authoredDocuments() {
        refused(() -> authored(DocumentMetadata.SOURCE_SYSTEM, "ungrouped", 0));
        refused(() -> authored("SILKNOTE", "ungrouped", -1));
        assertThat(authored("SILKNOTE", "ungrouped", 0).grouped()).isFalse();
        assertThat(authored("SILKNOTE", "grouped", 0).grouped()).isTrue();
        DocumentMetadata synced = DocumentMetadata.synced(FILE, "notes/a", List.of());
        assertThat(synced.sourceSystem()).isEqualTo("VSRX_SYNC");
        assertThat(synced.groupingStatus()).isEqualTo("ungrouped");
        assertThat(synced.migratedFrom()).isEmpty();
        assertThat(synced.untouchedBySilknoteUser()).isTrue();
        assertThat(new DocumentMetadata(FILE, "notes/a", "SILKNOTE", "ungrouped", List.of())
                .untouchedBySilknoteUser()).isFalse();
        assertThat(new DocumentMetadata(FILE, "notes/a", "VSRX_SYNC", "grouped", List.of())
                .untouchedBySilknoteUser()).isFalse();
        DocumentMetadata moved = synced.withMigratedFrom(Optional.of(FILESET))
                .withPatientIdHistory(List.of(PatientId.of("P-1")));
        assertThat(moved.migratedFrom()).contains(FILESET);
        assertThat(moved.patientIdHistory()).containsExactly(PatientId.of("P-1"));
        assertThat(moved.originalPath()).isEqualTo("notes/a");
    }

    private static AuthoredDocument authored(String source, String grouping, long size) {
        return new AuthoredDocument(DOC, PATIENT, Optional.empty(), HASH, size, "t", Optional.empty(), source,
                grouping, T);
    }

    @Test
    @DisplayName("rule 7: a skipped file carries its reason")
    void fileReports() {
        refused(() -> new FileReport(FILE, FileAction.SKIPPED, Optional.empty(), Optional.empty(), 0));
        FileReport skipped = FileReport.skipped(FILE, SkipReason.TOO_LARGE, null, 9);
        assertThat(skipped.skipReason()).contains(SkipReason.TOO_LARGE);
        assertThat(skipped.detail()).isEmpty();
        assertThat(skipped.bytes()).isEqualTo(9);
        assertThat(FileReport.of(FILE, FileAction.DELETED).path()).isEmpty();
    }

    @Test
    @DisplayName("rule 5: the mass-delete guard trips only above its share and from its minimum count")
    void massDeleteGuard() {
        refused(() -> new MassDeleteGuard(-0.01, 1));
        refused(() -> new MassDeleteGuard(1.01, 1));
        refused(() -> new MassDeleteGuard(Double.NaN, 1));
        refused(() -> new MassDeleteGuard(0.5, 0));
        accepted(() -> new MassDeleteGuard(0, 1));
        accepted(() -> new MassDeleteGuard(1, 1));
        MassDeleteGuard g = MassDeleteGuard.defaults();
        assertThat(g).isEqualTo(new MassDeleteGuard(0.5, 3));
        assertThat(g.trips(3, 5)).isTrue();
        assertThat(g.trips(2, 3)).isFalse();  // below the minimum count
        assertThat(g.trips(3, 6)).isFalse();  // exactly the share
        assertThat(g.trips(4, 7)).isTrue();
        assertThat(g.trips(3, 0)).isFalse();
        assertThat(new MassDeleteGuard(0.5, 1).trips(1, 1)).isTrue();
    }

    @Test
    @DisplayName("rule 8: retry policies are bounded and ordered")
    void retryPolicy() {
        refused(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO, false));
        refused(() -> new RetryPolicy(1, Duration.ofMillis(-1), Duration.ZERO, false));
        refused(() -> new RetryPolicy(1, Duration.ZERO, Duration.ofMillis(-1), false));
        refused(() -> new RetryPolicy(1, Duration.ofSeconds(2), Duration.ofSeconds(1), false));
        accepted(() -> new RetryPolicy(1, Duration.ofSeconds(1), Duration.ofSeconds(1), false));
        assertThat(RetryPolicy.defaults())
                .isEqualTo(new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(30), true));
        assertThat(RetryPolicy.none()).isEqualTo(new RetryPolicy(1, Duration.ZERO, Duration.ZERO, false));
    }

    @Test
    @DisplayName("DESIGN §5: a page is 1 to 1000 items")
    void pageRequests() {
        refused(() -> PageRequest.first(0));
        refused(() -> PageRequest.first(PageRequest.MAX_LIMIT + 1));
        accepted(() -> PageRequest.first(1));
        PageRequest max = PageRequest.first(PageRequest.MAX_LIMIT);
        assertThat(max.cursor()).isEmpty();
        PageRequest next = max.changedSince(T).next("c2");
        assertThat(next).isEqualTo(new PageRequest(Optional.of("c2"), 1000, Optional.of(T)));
        Page<String> page = new Page<>(new java.util.ArrayList<>(List.of("a")), Optional.of("c"));
        assertThat(page.isLast()).isFalse();
        assertThat(Page.last(List.of("a")).isLast()).isTrue();
        assertThat(page.withServerTime(T).serverTime()).contains(T);
        assertThat(page.withServerTime(T).items()).containsExactly("a");
        assertThat(page.withServerTime(T).nextCursor()).contains("c");
    }

    @Test
    @DisplayName("rule 9: a run budget is at least one file or byte and is reached at its limit")
    void runBudget() {
        refused(() -> RunBudget.files(0));
        refused(() -> RunBudget.bytes(0));
        refused(() -> RunBudget.files(1).withMaxBytes(0));
        accepted(() -> RunBudget.files(1).withMaxBytes(1));
        assertThat(RunBudget.unlimited().isUnlimited()).isTrue();
        assertThat(RunBudget.files(1).isUnlimited()).isFalse();
        assertThat(RunBudget.bytes(1).isUnlimited()).isFalse();
        assertThat(RunBudget.unlimited().exhaustedBy(Long.MAX_VALUE, Long.MAX_VALUE)).isNull();
        RunBudget b = RunBudget.unlimited().withMaxFiles(10).withMaxBytes(100);
        assertThat(b.exhaustedBy(9, 99)).isNull();
        assertThat(b.exhaustedBy(10, 0)).isEqualTo("file budget reached (10 of 10 files)");
        assertThat(b.exhaustedBy(0, 100)).isEqualTo("byte budget reached (100 of 100 bytes)");
        assertThat(RunBudget.bytes(5).maxFiles()).isEmpty();
        assertThat(RunBudget.files(5).maxBytes()).isEmpty();
    }

    @Test
    @DisplayName("rule 10 and DESIGN §3: schedules, retention and check limits are positive")
    void durations() {
        refused(() -> Schedule.every(Duration.ZERO));
        refused(() -> Schedule.every(Duration.ofSeconds(-1)));
        refused(() -> Schedule.every(Duration.ofSeconds(1)).withJitter(Duration.ofMillis(-1)));
        Schedule s = Schedule.every(Duration.ofSeconds(1)).withJitter(Duration.ZERO)
                .withRequest(SyncRequest.incrementalRun());
        assertThat(s.request()).isEqualTo(SyncRequest.incrementalRun());
        assertThat(Schedule.every(Duration.ofSeconds(1)).withJitter(Duration.ofSeconds(2)).jitter())
                .isEqualTo(Duration.ofSeconds(2));
        assertThat(Schedule.every(Duration.ofSeconds(1)).request()).isEqualTo(SyncRequest.full());
        refused(() -> new RunRetention(Duration.ZERO, 1));
        refused(() -> new RunRetention(Duration.ofDays(-1), 1));
        refused(() -> new RunRetention(Duration.ofDays(1), 0));
        accepted(() -> new RunRetention(Duration.ofNanos(1), 1));
        assertThat(RunRetention.defaults()).isEqualTo(new RunRetention(Duration.ofDays(30), 3000));
        refused(() -> new CheckRequest(false, Duration.ofNanos(-1)));
        accepted(() -> new CheckRequest(false, Duration.ZERO));
        assertThat(CheckRequest.defaults()).isEqualTo(new CheckRequest(false, Duration.ofHours(24)));
        assertThat(RepairRequest.defaults()).isEqualTo(new RepairRequest(CheckRequest.defaults(), false));
        assertThat(CleanupRequest.removing().dryRun()).isFalse();
        assertThat(CleanupRequest.dryRunOnly().dryRun()).isTrue();
        refused(() -> new MigrationRequest(FILESET, FilesetId.of("fs-1"), true));
        accepted(() -> new MigrationRequest(FILESET, FilesetId.of("fs-2"), true));
    }

    @Test
    @DisplayName("rule 15: alert thresholds are ordered, from one failure up")
    void alertThresholds() {
        refused(() -> new AlertThresholds(Duration.ofSeconds(10), Duration.ofSeconds(9), 0, 0, 1, 1));
        accepted(() -> new AlertThresholds(Duration.ofSeconds(10), Duration.ofSeconds(10), 0, 0, 1, 1));
        refused(() -> new AlertThresholds(Duration.ZERO, Duration.ZERO, 0, 0, 0, 1));
        refused(() -> new AlertThresholds(Duration.ZERO, Duration.ZERO, 0, 0, 2, 1));
        accepted(() -> new AlertThresholds(Duration.ZERO, Duration.ZERO, 0, 0, 2, 2));
        assertThat(AlertThresholds.defaults()).isEqualTo(new AlertThresholds(Duration.ofSeconds(300),
                Duration.ofSeconds(600), 0.05, 0.10, 3, 5));
    }

    @Test
    @DisplayName("DESIGN §3: each configuration value is checked at its limits")
    void syncConfigLimits() {
        SyncConfig.Builder b = SyncConfig.builder();
        refused(() -> SyncConfig.builder().maxFileSizeBytes(0).build());
        accepted(() -> SyncConfig.builder().maxFileSizeBytes(1).build());
        refused(() -> SyncConfig.builder().filesetConcurrency(0).build());
        refused(() -> SyncConfig.builder().filesetConcurrency(257).build());
        accepted(() -> SyncConfig.builder().filesetConcurrency(1).build());
        accepted(() -> SyncConfig.builder().filesetConcurrency(256).build());
        refused(() -> SyncConfig.builder().fileConcurrency(0).build());
        refused(() -> SyncConfig.builder().fileConcurrency(1025).build());
        accepted(() -> SyncConfig.builder().fileConcurrency(1).build());
        accepted(() -> SyncConfig.builder().fileConcurrency(1024).build());
        refused(() -> SyncConfig.builder().pageSize(0).build());
        refused(() -> SyncConfig.builder().pageSize(1001).build());
        accepted(() -> SyncConfig.builder().pageSize(1).build());
        accepted(() -> SyncConfig.builder().pageSize(1000).build());
        refused(() -> SyncConfig.builder().lockTtl(Duration.ofMillis(2999)).build());
        accepted(() -> SyncConfig.builder().lockTtl(Duration.ofSeconds(3)).build());
        refused(() -> SyncConfig.builder().maxOutboxAttempts(0).build());
        accepted(() -> SyncConfig.builder().maxOutboxAttempts(1).build());
        refused(() -> SyncConfig.builder().blobGracePeriod(Duration.ofNanos(-1)).build());
        accepted(() -> SyncConfig.builder().blobGracePeriod(Duration.ZERO).build());
        refused(() -> SyncConfig.builder().watermarkOverlap(Duration.ofNanos(-1)).build());
        accepted(() -> SyncConfig.builder().watermarkOverlap(Duration.ZERO).build());
        refused(() -> SyncConfig.builder().maxDownloadBytesPerSecond(-1).build());
        accepted(() -> SyncConfig.builder().maxDownloadBytesPerSecond(0).build());
        refused(() -> SyncConfig.builder().reportFilesetLimit(0).build());
        refused(() -> SyncConfig.builder().reportFilesetLimit(100_001).build());
        accepted(() -> SyncConfig.builder().reportFilesetLimit(1).build());
        accepted(() -> SyncConfig.builder().reportFilesetLimit(100_000).build());
        SyncConfig c = b.allowedMimeTypes(Set.of(" Application/PDF ", "text/plain")).build();
        assertThat(c.allowedMimeTypes()).containsExactlyInAnyOrder("application/pdf", "text/plain");
        assertThat(c.newBuilder().build()).isEqualTo(c);
        assertThat(SyncConfig.defaults()).isEqualTo(SyncConfig.builder().build());
        java.nio.file.Path spool = java.nio.file.Path.of("spool");
        SyncConfig all = SyncConfig.builder().changeDetection(ChangeDetectionMode.FULL_HASH)
                .vanishedFilePolicy(VanishedFilePolicy.DELETE).massDeleteGuard(new MassDeleteGuard(0.2, 1))
                .retryPolicy(RetryPolicy.none()).spoolDirectory(spool).alertThresholds(new AlertThresholds(
                        Duration.ZERO, Duration.ZERO, 0, 0, 1, 1))
                .removedDocumentPolicy(RemovedDocumentPolicy.RESTORE).runRetention(new RunRetention(Duration.ofDays(1), 1))
                .bidirectional(BidirectionalConfig.defaults().newBuilder().direction(SyncDirection.BIDIRECTIONAL).build())
                .build();
        assertThat(all.changeDetection()).isEqualTo(ChangeDetectionMode.FULL_HASH);
        assertThat(all.vanishedFilePolicy()).isEqualTo(VanishedFilePolicy.DELETE);
        assertThat(all.massDeleteGuard()).isEqualTo(new MassDeleteGuard(0.2, 1));
        assertThat(all.retryPolicy()).isEqualTo(RetryPolicy.none());
        assertThat(all.spoolDirectory()).contains(spool);
        assertThat(all.alertThresholds().consecutiveFailuresWarning()).isEqualTo(1);
        assertThat(all.removedDocumentPolicy()).isEqualTo(RemovedDocumentPolicy.RESTORE);
        assertThat(all.runRetention().maxRuns()).isEqualTo(1);
        assertThat(all.bidirectional().enabled()).isTrue();
    }

    @Test
    @DisplayName("issue 14: the export folder lies inside notes/ and is made of plain segments")
    void bidirectionalConfig() {
        for (String bad : List.of("notes/", "silknote/", "notes/a", "notes/a//", "notes/./", "notes/a/../b/",
                "notes/a/./b/", "notes/ a/", "notes/a /", "notes/ä/", "/notes/a/")) {
            refused(() -> BidirectionalConfig.builder().exportFolder(bad).build());
        }
        for (String ok : List.of("notes/a/", "notes/a b/c.d/", "notes/..a/", "notes/a./b/")) {
            accepted(() -> BidirectionalConfig.builder().exportFolder(ok).build());
        }
        BidirectionalConfig d = BidirectionalConfig.defaults();
        assertThat(d.enabled()).isFalse();
        assertThat(d.exportFolder()).isEqualTo("notes/silknote/");
        BidirectionalConfig on = d.newBuilder().direction(SyncDirection.BIDIRECTIONAL).creates(false)
                .contentUpdates(false).deletes(true).groupedDocuments(true)
                .conflictStrategy(ConflictStrategy.KEEP_BOTH).build();
        assertThat(on.enabled()).isTrue();
        assertThat(on).isEqualTo(new BidirectionalConfig(SyncDirection.BIDIRECTIONAL, false, false, true, true,
                "notes/silknote/", ConflictStrategy.KEEP_BOTH));
        assertThat(on.newBuilder().build()).isEqualTo(on);
    }

    @Test
    @DisplayName("issue 14: only an open conflict waits for an operator's decision, one of three")
    void conflictRecords() {
        refused(() -> conflict(ConflictStatus.OPEN, Optional.of(ConflictStrategy.REPORT)));
        refused(() -> conflict(ConflictStatus.OPEN, Optional.of(ConflictStrategy.NEWER_WINS)));
        refused(() -> conflict(ConflictStatus.APPLIED, Optional.of(ConflictStrategy.VSRX_WINS)));
        for (ConflictStrategy d : List.of(ConflictStrategy.VSRX_WINS, ConflictStrategy.SILKNOTE_WINS,
                ConflictStrategy.KEEP_BOTH)) {
            accepted(() -> conflict(ConflictStatus.OPEN, Optional.of(d)));
        }
        ContentHash v = ContentHash.ofHex("01".repeat(32));
        ContentHash s = ContentHash.ofHex("02".repeat(32));
        ContentHash k = ContentHash.ofHex("03".repeat(32));
        ConflictRecord open = new ConflictRecord(ConflictId.derive("x"), FILESET, Optional.of(FILE), DOC,
                ConflictKind.CHANGED_ON_BOTH_SIDES, ConflictStatus.OPEN, Optional.empty(), Optional.of(v),
                Optional.empty(), Optional.of(s), Optional.empty(), Optional.empty(), Optional.of(k),
                Optional.empty(), T, T);
        assertThat(open.heldHashes()).containsExactly(v, s);
        assertThat(open.unresolved()).isTrue();
        Instant later = T.plusSeconds(1);
        ConflictRecord applied = open.with(ConflictStatus.APPLIED, Optional.of(ConflictStrategy.VSRX_WINS),
                Optional.empty(), Optional.of(k), Optional.of("d"), later);
        assertThat(applied.heldHashes()).containsExactly(k);
        assertThat(applied.unresolved()).isTrue();
        assertThat(applied.updatedAt()).isEqualTo(later);
        assertThat(applied.detectedAt()).isEqualTo(T);
        assertThat(applied.strategy()).contains(ConflictStrategy.VSRX_WINS);
        assertThat(applied.detail()).contains("d");
        assertThat(applied.vsrxHash()).contains(v);
        ConflictRecord resolved = applied.with(ConflictStatus.RESOLVED, Optional.empty(), Optional.empty(),
                Optional.of(k), Optional.empty(), later);
        assertThat(resolved.heldHashes()).isEmpty();
        assertThat(resolved.unresolved()).isFalse();
    }

    private static ConflictRecord conflict(ConflictStatus status, Optional<ConflictStrategy> decision) {
        return new ConflictRecord(ConflictId.derive("x"), FILESET, Optional.empty(), DOC,
                ConflictKind.CHANGED_ON_BOTH_SIDES, status, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), decision, Optional.empty(), Optional.empty(), T, T);
    }

    @Test
    @DisplayName("rule 10: a run that did not start reports only 'Sync already in progress'")
    void syncResults() {
        SyncResult busy = SyncResult.alreadyInProgress();
        assertThat(busy.isAlreadyInProgress()).isTrue();
        assertThat(busy.error()).contains("Sync already in progress");
        assertThat(busy.success()).isFalse();
        assertThat(busy.isStopped()).isFalse();
        refused(() -> new SyncResult(SyncResult.Status.COMPLETED, Optional.of("e"), Optional.empty()));
        refused(() -> new SyncResult(SyncResult.Status.JOINED, Optional.of("e"), Optional.empty()));
        refused(() -> new SyncResult(SyncResult.Status.FAILED, Optional.empty(), Optional.empty()));
        SyncResult ok = new SyncResult(SyncResult.Status.COMPLETED, Optional.empty(), Optional.empty());
        assertThat(ok.success()).isTrue();
        assertThat(ok.isAlreadyInProgress()).isFalse();
        assertThat(new SyncResult(SyncResult.Status.JOINED, Optional.empty(), Optional.empty()).success()).isFalse();
        SyncResult stopped = new SyncResult(SyncResult.Status.STOPPED, Optional.of("stop"), Optional.empty());
        assertThat(stopped.isStopped()).isTrue();
        assertThat(stopped.success()).isFalse();
    }

    @Test
    @DisplayName("rule 9: the request shapes a run: dry run, one fileset, incremental, budget")
    void syncRequests() {
        SyncRequest full = SyncRequest.full();
        assertThat(full).isEqualTo(new SyncRequest(false, Optional.empty(), false, RunBudget.unlimited()));
        assertThat(SyncRequest.incrementalRun().incremental()).isTrue();
        assertThat(SyncRequest.fileset(FILESET).onlyFileset()).contains(FILESET);
        SyncRequest dry = SyncRequest.fileset(FILESET).withBudget(RunBudget.files(3)).asDryRun();
        assertThat(dry).isEqualTo(new SyncRequest(true, Optional.of(FILESET), false, RunBudget.files(3)));
    }
}
