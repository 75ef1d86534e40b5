package com.silknote.sync.jdbc;

import static com.silknote.sync.jdbc.Samples.T0;
import static com.silknote.sync.jdbc.Samples.document;
import static com.silknote.sync.jdbc.Samples.fileset;
import static com.silknote.sync.jdbc.Samples.hash;
import static com.silknote.sync.jdbc.Samples.mapping;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.exception.BlobBeingCollectedException;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.AuditAction;
import com.silknote.sync.core.model.AuditEntry;
import com.silknote.sync.core.model.AuditQuery;
import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.OutboxEntry;
import com.silknote.sync.core.model.PermanentSkip;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.RunMetrics;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncState;
import com.silknote.sync.core.model.VsrxFileId;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** PostgreSQL-specific behaviour of the store: batching, row locks, fencing, rollback, exact round trips. */
class JdbiDocumentStoreTest {
    static final FilesetId FS = FilesetId.of("fs-1");
    static final FencingToken TOKEN = FencingToken.of(7);
    static final RunId RUN = RunId.of("run-audit-1");

    static JdbcLedger ledger;
    static CountingDataSource counting;
    JdbiDocumentStore store;

    @BeforeAll
    static void start() {
        ledger = PostgresFixture.newThrowawayLedger("store", Clock.systemUTC());
        counting = new CountingDataSource(ledger.dataSource());
    }

    @AfterAll
    static void stop() {
        ledger.close();
    }

    @BeforeEach
    void empty() {
        PostgresFixture.truncate(ledger.dataSource());
        store = JdbiDocumentStore.builder().dataSource(counting).clock(Clock.fixed(T0, ZoneOffset.UTC))
                .fencedByLock("vsrx-sync").build();
    }

    @Test
    void roundTripsEveryKindOfRowExactly() {
        ContentHash h = hash("a");
        Instant oddModifiedAt = Instant.parse("2025-05-05T10:11:12.999999999Z");
        SilknoteDocument doc = document(FS, "f1", h);
        var map = mapping(FS, "f1", h, oddModifiedAt);
        var skip = new PermanentSkip(VsrxFileId.of("f2"), FS, "\"e2\"", SkipReason.TOO_LARGE, T0);
        var state = new SyncState(Optional.of(Instant.parse("2024-01-20T10:00:00.123456Z")),
                new SyncState.PartialSyncState(List.of(FilesetId.of("uuid1"), FilesetId.of("uuid2")),
                        List.of(FilesetId.of("uuid3")), Optional.of(FilesetId.of("uuid3"))));
        store.inUnitOfWork(TOKEN, uow -> {
            uow.upsertFileset(fileset(FS));
            uow.upsertDocument(doc);
            uow.upsertMapping(map);
            uow.addBlobRef(h, 1234, "etag-1");
            uow.rememberSkip(skip);
            uow.enqueue(OutboxEntry.pending(doc.uuid(), OutboxEntry.Action.PROCESS, h, T0));
            uow.saveState(state);
            return null;
        });

        assertThat(store.findDocument(doc.uuid())).contains(doc);
        assertThat(store.findDocumentByClientFileId(VsrxFileId.of("f1"))).contains(doc);
        assertThat(store.documents(FS)).containsExactly(doc);
        assertThat(store.findMapping(VsrxFileId.of("f1"))).contains(map);
        assertThat(store.mappings(FS)).containsExactly(map);
        assertThat(store.findFileset(FS)).contains(fileset(FS));
        assertThat(store.permanentSkips(FS)).containsEntry(VsrxFileId.of("f2"), skip).hasSize(1);
        assertThat(store.loadState()).isEqualTo(state);
        assertThat(store.loadState().toJson()).isEqualTo(state.toJson());
        assertThat(store.findBlobRef(h)).contains(new BlobRef(h, 1, 1234, BlobRef.State.LIVE, Optional.of("etag-1"), T0));
        assertThat(store.pendingOutbox(10)).singleElement().satisfies(e -> {
            assertThat(e.id()).isPositive();
            assertThat(e.document()).isEqualTo(doc.uuid());
            assertThat(e.action()).isEqualTo(OutboxEntry.Action.PROCESS);
        });
    }

    @Test
    void patientValuesAreStoredAsTheirValuesNotTheirRedactedText() throws SQLException {
        store.inUnitOfWork(TOKEN, uow -> {
            uow.upsertFileset(fileset(FS));
            uow.upsertDocument(document(FS, "f1", hash("a")));
            return null;
        });
        try (Connection c = ledger.dataSource().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT d.patient_uuid::text, d.metadata::text, f.patient_id_history::text"
                        + " FROM vsrx_sync_document d JOIN vsrx_sync_fileset f USING (fileset_id)")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(Samples.PATIENT.value().toString());
            assertThat(rs.getString(2)).contains("\"P-OLD\"", "\"P-1\"").doesNotContain("redacted");
            assertThat(rs.getString(3)).isEqualTo("[\"P-OLD\", \"P-1\"]");
        }
    }

    @Test
    void tenThousandFilesCommitInAFewBatchedRoundTrips() {
        List<ContentHash> hashes = java.util.stream.IntStream.range(0, 10).mapToObj(i -> hash("h" + i)).toList();
        counting.reset();
        store.inUnitOfWork(TOKEN, uow -> {
            // issue 9.2: the expectations of a unit of work are checked in one query per table
            uow.expectFileset(FS, Optional.empty());
            for (int i = 0; i < 10_000; i++) {
                uow.expectFile(VsrxFileId.of("file-" + i), Optional.empty(), Optional.empty());
            }
            uow.upsertFileset(fileset(FS));
            for (int i = 0; i < 10_000; i++) {
                ContentHash h = hashes.get(i % 10);
                SilknoteDocument d = document(FS, "file-" + i, h);
                uow.upsertDocument(d);
                uow.upsertMapping(mapping(FS, "file-" + i, h, T0));
                uow.addBlobRef(h, 1234, "etag");
                uow.enqueue(OutboxEntry.pending(d.uuid(), OutboxEntry.Action.PROCESS, h, T0));
                // issue 11: one audit row per change, in the same transaction
                uow.audit(AuditEntry.of(RUN, AuditAction.CREATED).document(d.uuid()).fileId(d.clientFileId())
                        .fileset(FS).after(h).build());
            }
            uow.saveState(SyncState.initial());
            return null;
        });
        // fence (2-3) + expectations (3) + one locking read per distinct hash (10) + one batch per table + the
        // audit rows of the unit and of its 10,000 changes in one statement
        assertThat(counting.executions.get()).isLessThan(30);
        assertThat(counting.batchExecutions.get()).isLessThanOrEqualTo(5);
        assertThat(auditRows()).isEqualTo(10_001);
        assertThat(store.auditTrail(AuditQuery.byRun(RUN), 0, 20_000)).hasSize(10_000)
                .extracting(r -> r.entry().fileId().orElseThrow().value()).startsWith("file-0", "file-1", "file-2");
        assertThat(count("vsrx_sync_document")).isEqualTo(10_000);
        assertThat(count("vsrx_sync_mapping")).isEqualTo(10_000);
        assertThat(count("vsrx_sync_outbox")).isEqualTo(10_000);
        assertThat(store.findDocumentByClientFileId(VsrxFileId.of("file-9999"))).isPresent();
        assertThat(store.findBlobRef(hashes.get(3))).map(BlobRef::refCount).contains(1000L);
    }

    @Test
    @DisplayName("issue 12 / rule 12: prefetched blob references are read and locked in one statement; the counts are"
            + " those without the prefetch, and a row only prefetched is not written")
    void prefetchedBlobReferencesAreReadInOneStatementAndChangeNothing() {
        List<ContentHash> hashes = java.util.stream.IntStream.range(0, 40).mapToObj(i -> hash("p" + i)).toList();
        ContentHash onlyPrefetched = hashes.get(39);
        store.inUnitOfWork(TOKEN, uow -> {
            uow.addBlobRef(hashes.get(0), 10, "etag-0");
            uow.addBlobRef(onlyPrefetched, 10, "etag-39");
            return null;
        });
        Optional<BlobRef> untouchedBefore = store.findBlobRef(onlyPrefetched);
        Store later = new Store(Clock.fixed(T0.plusSeconds(3600), ZoneOffset.UTC));

        counting.reset();
        later.store.inUnitOfWork(TOKEN, uow -> {
            uow.prefetchBlobRefs(hashes);
            for (int i = 0; i < 39; i++) {
                uow.addBlobRef(hashes.get(i), 10, "etag-" + i);
            }
            uow.addBlobRef(hashes.get(0), 10, "etag-0");
            assertThat(uow.releaseBlobRef(hashes.get(1))).map(BlobRef::refCount).contains(0L);
            return null;
        });

        // fence (3) + the prefetch (1) + the update of the existing row + the insert of the new ones + the audit
        assertThat(counting.executions.get() + counting.batchExecutions.get()).as("not one per reference")
                .isLessThan(15);
        assertThat(store.findBlobRef(hashes.get(0))).map(BlobRef::refCount).contains(3L);
        assertThat(store.findBlobRef(hashes.get(1))).map(BlobRef::refCount).contains(0L);
        assertThat(store.findBlobRef(hashes.get(38))).map(BlobRef::refCount).contains(1L);
        assertThat(store.findBlobRef(onlyPrefetched)).as("only prefetched: not written back").isEqualTo(untouchedBefore);
    }

    /** A store on the counting data source with its own clock. */
    private record Store(JdbiDocumentStore store) {
        Store(Clock clock) {
            this(JdbiDocumentStore.builder().dataSource(counting).clock(clock).fencedByLock("vsrx-sync").build());
        }
    }

    @Test
    void referencesInOneUnitSeeEarlierOnesOfTheSameUnit() {
        ContentHash h = hash("same");
        store.inUnitOfWork(TOKEN, uow -> {
            assertThat(uow.addBlobRef(h, 10, "e1").refCount()).isEqualTo(1);
            assertThat(uow.addBlobRef(h, 10, "e1").refCount()).isEqualTo(2);
            assertThat(uow.releaseBlobRef(h).orElseThrow().refCount()).isEqualTo(1);
            return null;
        });
        assertThat(store.findBlobRef(h)).map(BlobRef::refCount).contains(1L);
        store.inUnitOfWork(TOKEN, uow -> {
            assertThat(uow.releaseBlobRef(h).orElseThrow().refCount()).isZero();
            assertThat(uow.addBlobRef(h, 10, "e1").refCount()).isEqualTo(1);
            return null;
        });
        assertThat(store.findBlobRef(h)).map(BlobRef::refCount).contains(1L);
    }

    @Test
    void addingAReferenceToABlobBeingCollectedRollsTheWholeUnitBack() {
        ContentHash h = hash("gc");
        store.inUnitOfWork(TOKEN, uow -> {
            uow.addBlobRef(h, 10, "e1");
            uow.releaseBlobRef(h);
            return null;
        });
        assertThat(store.markBlobDeleting(TOKEN, h, "e1", T0.plusSeconds(1))).isTrue();
        assertThatThrownBy(() -> store.inUnitOfWork(TOKEN, uow -> {
            uow.upsertDocument(document(FS, "f1", h));
            return uow.addBlobRef(h, 10, "e1");
        })).isInstanceOf(BlobBeingCollectedException.class);
        assertThat(store.findDocumentByClientFileId(VsrxFileId.of("f1"))).isEmpty();
        assertThat(store.findBlobRef(h)).map(BlobRef::state).contains(BlobRef.State.DELETING);

        // a re-upload gives a new ETag: the reference revives the row and the collector's row removal fails
        BlobRef revived = store.inUnitOfWork(TOKEN, uow -> uow.addBlobRef(h, 10, "e2"));
        assertThat(revived.state()).isEqualTo(BlobRef.State.LIVE);
        assertThat(store.removeBlobRefIfDeleting(TOKEN, h, "e1")).isFalse();
        assertThat(store.findBlobRef(h)).map(BlobRef::refCount).contains(1L);
    }

    @Test
    void aConstraintViolationMidFlushLeavesNothingWritten() {
        store.inUnitOfWork(TOKEN, uow -> {
            uow.upsertDocument(document(FS, "FILE-CANARY", hash("x")));
            return null;
        });
        SilknoteDocument clash = new SilknoteDocument(new DocumentUuid(UUID.fromString(
                "11111111-2222-3333-4444-555555555555")), Samples.PATIENT, FS, VsrxFileId.of("FILE-CANARY"),
                hash("y"), 1, "application/pdf", document(FS, "FILE-CANARY", hash("y")).metadata(), T0);
        assertThatThrownBy(() -> store.inUnitOfWork(TOKEN, uow -> {
            uow.upsertFileset(fileset(FilesetId.of("fs-2")));
            uow.deleteDocument(DocumentUuid.forVsrxFile(VsrxFileId.of("other")));
            uow.upsertDocument(clash);
            uow.upsertMapping(mapping(FS, "FILE-CANARY", hash("y"), T0));
            uow.addBlobRef(hash("y"), 1, "e");
            uow.enqueue(OutboxEntry.pending(clash.uuid(), OutboxEntry.Action.PROCESS, hash("y"), T0));
            uow.saveState(SyncState.initial());
            return null;
        })).isInstanceOf(PermanentSyncException.class)
                .hasMessageContaining("23505")
                .satisfies(e -> {
                    for (Throwable t = e; t != null; t = t.getCause()) {
                        assertThat(String.valueOf(t.getMessage()))
                                .doesNotContain("FILE-CANARY", Samples.PATIENT.value().toString(), "notes/");
                    }
                });
        assertThat(store.findFileset(FilesetId.of("fs-2"))).isEmpty();
        assertThat(store.findDocument(clash.uuid())).isEmpty();
        assertThat(store.findMapping(VsrxFileId.of("FILE-CANARY"))).isEmpty();
        assertThat(store.findBlobRef(hash("y"))).isEmpty();
        assertThat(store.pendingOutbox(10)).isEmpty();
        assertThat(auditRows()).isEqualTo(1);
    }

    @Test
    void aStaleTokenIsRefusedAndWritesNothing() {
        store.inUnitOfWork(FencingToken.of(5), uow -> {
            uow.upsertFileset(fileset(FS));
            uow.enqueue(OutboxEntry.pending(DocumentUuid.forVsrxFile(VsrxFileId.of("f")), OutboxEntry.Action.PROCESS,
                    hash("a"), T0));
            return null;
        });
        long entry = store.pendingOutbox(1).get(0).id();
        assertThatThrownBy(() -> store.inUnitOfWork(FencingToken.of(4), uow -> {
            uow.upsertDocument(document(FS, "f9", hash("b")));
            return null;
        })).isInstanceOf(StaleFencingTokenException.class);
        assertThatThrownBy(() -> store.completeOutbox(FencingToken.of(4), entry))
                .isInstanceOf(StaleFencingTokenException.class);
        assertThat(store.findDocumentByClientFileId(VsrxFileId.of("f9"))).isEmpty();
        assertThat(store.pendingOutbox(10)).hasSize(1);
        store.completeOutbox(FencingToken.of(6), entry);
        assertThat(store.pendingOutbox(10)).isEmpty();
        assertThatThrownBy(() -> store.failOutbox(FencingToken.of(5), entry, "X", false))
                .isInstanceOf(StaleFencingTokenException.class);
    }

    @Test
    void aTokenBelowTheLeaseRowIsRefusedBeforeTheNewHolderWrites() {
        JdbiSyncLock lock = JdbiSyncLock.builder().dataSource(ledger.dataSource()).holderId("host-a").build();
        var first = lock.tryAcquire("vsrx-sync", Duration.ofMinutes(5)).orElseThrow();
        store.inUnitOfWork(first.token(), uow -> null);
        LockTestSupport.forceExpiry(ledger.dataSource(), "vsrx-sync");
        var second = JdbiSyncLock.builder().dataSource(ledger.dataSource()).holderId("host-b").build()
                .tryAcquire("vsrx-sync", Duration.ofMinutes(5)).orElseThrow();
        assertThat(second.token()).isGreaterThan(first.token());
        assertThatThrownBy(() -> store.inUnitOfWork(first.token(), uow -> {
            uow.upsertFileset(fileset(FS));
            return null;
        })).isInstanceOf(StaleFencingTokenException.class);
        assertThat(store.findFileset(FS)).isEmpty();
    }

    @Test
    void eachUnitOfWorkWritesAnAuditRow() throws SQLException {
        JdbiSyncLock lock = JdbiSyncLock.builder().dataSource(ledger.dataSource()).holderId("host-a").build();
        var lease = lock.tryAcquire("vsrx-sync", Duration.ofMinutes(5)).orElseThrow();
        store.inUnitOfWork(lease.token(), uow -> {
            uow.upsertFileset(fileset(FS));
            uow.upsertDocument(document(FS, "f1", hash("a")));
            uow.upsertMapping(mapping(FS, "f1", hash("a"), T0));
            uow.addBlobRef(hash("a"), 1, "e");
            return null;
        });
        try (Connection c = ledger.dataSource().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT actor, fencing_token, fileset_id, action, counts::text, recorded_at"
                        + " FROM vsrx_sync_audit")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString("actor")).isEqualTo("host-a");
            assertThat(rs.getLong("fencing_token")).isEqualTo(lease.token().value());
            assertThat(rs.getString("fileset_id")).isEqualTo("fs-1");
            assertThat(rs.getString("action")).isEqualTo("FILESET_COMMIT");
            assertThat(rs.getString("counts")).contains("\"documentsUpserted\": 1", "\"blobRefsAdded\": 1");
            assertThat(rs.next()).isFalse();
        }
    }

    @Test
    @org.junit.jupiter.api.DisplayName("issue 11: the audit log is append-only; the unit's row carries the run of its changes")
    void auditRowsAreAppendOnlyAndCarryTheRun() throws SQLException {
        JdbiSyncLock lock = JdbiSyncLock.builder().dataSource(ledger.dataSource()).holderId("host-a").build();
        var lease = lock.tryAcquire("vsrx-sync", Duration.ofMinutes(5)).orElseThrow();
        SilknoteDocument d = document(FS, "f1", hash("a"));
        store.inUnitOfWork(lease.token(), uow -> {
            uow.upsertDocument(d);
            uow.audit(AuditEntry.of(RUN, AuditAction.CREATED).document(d.uuid()).fileId(d.clientFileId()).fileset(FS)
                    .after(hash("a")).build());
            return null;
        });
        var trail = store.auditTrail(AuditQuery.byDocument(d.uuid()), 0, 10);
        assertThat(trail).singleElement().satisfies(r -> {
            assertThat(r.holder()).contains("host-a");
            assertThat(r.fencingToken()).isEqualTo(lease.token());
            assertThat(r.recordedAt()).isEqualTo(T0);
            assertThat(r.entry().afterHash()).contains(hash("a"));
        });
        try (Connection c = ledger.dataSource().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT run_id, count(*) FROM vsrx_sync_audit GROUP BY run_id")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(RUN.value());
            assertThat(rs.getInt(2)).isEqualTo(2);
            assertThat(rs.next()).isFalse();
        }
        for (String change : List.of("UPDATE vsrx_sync_audit SET detail = 'x'", "DELETE FROM vsrx_sync_audit",
                "UPDATE vsrx_sync_audit SET document_uuid = NULL WHERE action = 'CREATED'")) {
            try (Connection c = ledger.dataSource().getConnection(); Statement s = c.createStatement()) {
                assertThatThrownBy(() -> s.execute(change)).as(change).isInstanceOf(SQLException.class)
                        .hasMessageContaining("append-only");
            }
        }
        assertThat(auditRows()).isEqualTo(2);
        assertThat(store.auditTrail(AuditQuery.byDocument(d.uuid()), 0, 10)).isEqualTo(trail);
    }

    @Test
    void runReportsRoundTripThroughJsonNewestFirst() {
        SyncReport older = report("run-1", T0);
        SyncReport newer = report("run-2", T0.plusSeconds(3600));
        store.recordRun(TOKEN, newer);
        store.recordRun(TOKEN, older);
        assertThat(store.recentRuns(10)).containsExactly(newer.summary(), older.summary());
        assertThat(store.recentRuns(1)).containsExactly(newer.summary());
    }

    /**
     * Issue 10 item 3: the path of a skipped, vanished or conflicting file is kept in the ledger's run history
     * (the fileset's report row), so {@code report --show-paths} can print it; reports stored before it existed
     * still read back.
     */
    @Test
    void pathsOfReportedFilesAreKeptAndOlderReportsStillRead() throws SQLException {
        SyncReport base = report("run-3", T0);
        FilesetReport fs = base.filesets().get(0);
        var files = List.of(fs.files().get(0), fs.files().get(1).withPath("notes/Befund \u00e4 #1; 10:30.pdf"),
                new FileReport(VsrxFileId.of("f3"), FileAction.VANISHED, Optional.empty(), Optional.of("not-listed"), 0)
                        .withPath("notes/weg.pdf"));
        FilesetReport withPaths = new FilesetReport(FS, fs.outcome(), fs.failureReason(), files, fs.duration(), 10, 5);
        store.recordRunStarted(TOKEN, base.runId(), base.startedAt());
        store.recordFilesetReport(TOKEN, base.runId(), withPaths, Optional.empty());
        assertThat(store.runFilesets(base.runId(), Optional.empty(), 10).items()).containsExactly(withPaths);
        assertThat(store.runFilesets(base.runId(), Optional.empty(), 10).items().get(0).files().get(1).path())
                .contains("notes/Befund \u00e4 #1; 10:30.pdf");

        // a report written before paths existed has no "path" fields
        try (Connection c = ledger.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute("UPDATE vsrx_sync_run_fileset SET report = report #- '{files,0,path}'"
                    + " #- '{files,1,path}' #- '{files,2,path}'");
        }
        FilesetReport old = store.runFilesets(base.runId(), Optional.empty(), 10).items().get(0);
        assertThat(old.files()).allSatisfy(f -> assertThat(f.path()).isEmpty());
    }

    @Test
    @org.junit.jupiter.api.DisplayName("issue 9.5: a failed run's status and error are stored; older rows still read")
    void runStatusAndErrorRoundTripAndOlderRowsStillRead() throws SQLException {
        SyncReport ok = report("run-ok", T0);
        SyncReport failed = new SyncReport(RunId.of("run-failed"), T0.plusSeconds(60), T0.plusSeconds(61), false,
                List.of(), ok.metrics(), List.of(), com.silknote.sync.core.model.SyncResult.Status.FAILED,
                Optional.of("listing filesets failed: TransientSyncException: status 503"));
        store.recordRun(TOKEN, ok);
        store.recordRun(TOKEN, failed);
        assertThat(store.recentRuns(10)).containsExactly(failed.summary(), ok.summary());

        // a row written before status and error were recorded
        String old = Json.report(ok).replace(",\"status\":\"COMPLETED\"", "").replace(",\"error\":null", "");
        assertThat(old).doesNotContain("status");
        try (Connection c = ledger.dataSource().getConnection(); var ps = c.prepareStatement(
                "INSERT INTO vsrx_sync_run (run_id, started_at, finished_at, report) VALUES (?, now(), now(),"
                        + " CAST(? AS jsonb))")) {
            ps.setString(1, "run-old");
            ps.setString(2, old.replace("run-ok", "run-old"));
            ps.executeUpdate();
        }
        SyncReport read = store.recentRuns(10).stream().filter(r -> r.runId().value().equals("run-old")).findFirst()
                .orElseThrow();
        assertThat(read.status()).isEqualTo(com.silknote.sync.core.model.SyncResult.Status.COMPLETED);
        assertThat(read.error()).isEmpty();
        assertThat(read.filesets()).isEqualTo(ok.filesets());
    }

    @Test
    void losingTheConnectionMidTransactionIsTransientAndLeavesNothing() {
        JdbcLedger own = PostgresFixture.newThrowawayLedger("connloss", Clock.systemUTC());
        try {
            DataSource admin = own.dataSource();
            JdbiDocumentStore victim = own.documentStore();
            String url;
            try (Connection c = admin.getConnection()) {
                url = c.getMetaData().getURL();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            DataSource killer = PostgresFixture.rawDataSource(url);
            assertThatThrownBy(() -> victim.inUnitOfWork(TOKEN, uow -> {
                uow.upsertFileset(fileset(FS));
                for (int i = 0; i < 100; i++) {
                    uow.upsertDocument(document(FS, "f" + i, hash("a")));
                }
                uow.addBlobRef(hash("a"), 1, "e"); // the transaction has begun on the server
                try (Connection c = killer.getConnection(); Statement s = c.createStatement()) {
                    s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                            + " WHERE datname = current_database() AND state = 'idle in transaction'"
                            + " AND pid <> pg_backend_pid()");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
                return null;
            })).isInstanceOf(TransientSyncException.class);
            ((HikariDataSource) own.dataSource()).getHikariPoolMXBean().softEvictConnections();
            assertThat(victim.findFileset(FS)).isEmpty();
            assertThat(victim.documents(FS)).isEmpty();
            assertThat(victim.findBlobRef(hash("a"))).isEmpty();
        } finally {
            own.close();
        }
    }

    @Test
    void closingThePoolMidTransactionIsTransientAndLeavesNothing() throws SQLException {
        String url = PostgresFixture.newIsolatedUrl("poolclose");
        JdbcLedger own = JdbcLedger.builder().jdbcUrl(url, "postgres", com.silknote.sync.core.model.Secret.of(""))
                .build();
        JdbiDocumentStore victim = own.documentStore();
        assertThatThrownBy(() -> victim.inUnitOfWork(TOKEN, uow -> {
            uow.upsertFileset(fileset(FS));
            uow.addBlobRef(hash("a"), 1, "e");
            own.close();
            return null;
        })).isInstanceOf(TransientSyncException.class);
        DataSource raw = PostgresFixture.rawDataSource(url);
        try (Connection c = raw.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM vsrx_sync_fileset)"
                        + " + (SELECT count(*) FROM vsrx_sync_blob_ref) + (SELECT count(*) FROM vsrx_sync_audit)")) {
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        }
    }

    /**
     * Issue 12 item 1: unchanged files are counted ({@code unchangedFiles}), not listed; a report stored before
     * the count existed lists them as plain UNCHANGED entries and reads back the same as a new one.
     */
    @Test
    void unchangedFilesAreCountedAndOlderReportsListingThemStillRead() throws SQLException {
        SyncReport base = report("run-4", T0);
        FilesetReport fs = base.filesets().get(0);
        FilesetReport counted = new FilesetReport(FS, fs.outcome(), fs.failureReason(), fs.files(), fs.duration(), 10,
                5, 3);
        store.recordRunStarted(TOKEN, base.runId(), base.startedAt());
        store.recordFilesetReport(TOKEN, base.runId(), counted, Optional.empty());
        assertThat(store.runFilesets(base.runId(), Optional.empty(), 10).items()).containsExactly(counted);
        try (Connection c = ledger.dataSource().getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT report->>'unchangedFiles' FROM vsrx_sync_run_fileset"
                        + " WHERE run_id = 'run-4'")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("3");
        }

        // the older shape: no count, every unchanged file an entry of its own
        try (Connection c = ledger.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute("UPDATE vsrx_sync_run_fileset SET report = jsonb_set(report #- '{unchangedFiles}',"
                    + " '{files}', (report->'files') || '["
                    + "{\"fileId\":{\"value\":\"u1\"},\"action\":\"UNCHANGED\",\"skipReason\":null,\"detail\":null,\"bytes\":0},"
                    + "{\"fileId\":{\"value\":\"u2\"},\"action\":\"UNCHANGED\",\"skipReason\":null,\"detail\":null,\"bytes\":0},"
                    + "{\"fileId\":{\"value\":\"u3\"},\"action\":\"UNCHANGED\",\"skipReason\":null,\"detail\":null,\"bytes\":0}"
                    + "]'::jsonb) WHERE run_id = 'run-4'");
        }
        FilesetReport old = store.runFilesets(base.runId(), Optional.empty(), 10).items().get(0);
        assertThat(old).isEqualTo(counted);
        assertThat(old.unchangedFiles()).isEqualTo(3);
        assertThat(old.files()).extracting(FileReport::action).containsExactly(FileAction.CREATED, FileAction.SKIPPED);
        assertThat(old.count(FileAction.UNCHANGED)).isEqualTo(3);
    }

    private static SyncReport report(String run, Instant start) {
        var files = List.of(FileReport.of(VsrxFileId.of("f1"), FileAction.CREATED),
                FileReport.skipped(VsrxFileId.of("f2"), SkipReason.TOO_LARGE, "limit", 0));
        var fs = new FilesetReport(FS, FilesetOutcome.COMPLETED, Optional.empty(), files, Duration.ofMillis(1500), 10, 5);
        var metrics = new RunMetrics(Duration.ofSeconds(2), Duration.ofMillis(1500), 60.0, 0.0, 5, 10, 0);
        return new SyncReport(RunId.of(run), start, start.plusSeconds(2), false, List.of(fs), metrics,
                List.of(new Alert(Alert.Kind.ERROR_RATE, Alert.Severity.WARNING, "error rate 6% >= 5%")));
    }

    private static int auditRows() {
        return count("vsrx_sync_audit");
    }

    private static int count(String table) {
        try (Connection c = ledger.dataSource().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
