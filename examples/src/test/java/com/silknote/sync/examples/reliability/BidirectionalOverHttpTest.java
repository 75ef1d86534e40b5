package com.silknote.sync.examples.reliability;

import com.silknote.sync.azure.Azurite;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.model.AuthoredDocument;
import com.silknote.sync.core.model.BidirectionalConfig;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ConflictRecord;
import com.silknote.sync.core.model.ConflictStrategy;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.ConflictStatus;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.IdempotencyKey;
import com.silknote.sync.core.model.NewVsrxFile;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncDirection;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.testkit.ForwardingDocumentStore;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.testkit.SilknoteUser;
import com.silknote.sync.testkit.SqlSilknoteUser;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.reliability.SyncScenario;
import com.silknote.sync.vsrx.http.HttpVsrxSource;
import com.silknote.sync.vsrx.http.HttpVsrxTarget;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.vsrx.http.VsrxHttpHandler;
import com.silknote.sync.vsrx.http.VsrxHttpServer;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 14 "Done when", the scenario table over HTTP on PostgreSQL + Azurite: the engine talks to VSRX through
 * the {@code /v1} read and write routes ({@link HttpVsrxSource}, {@link HttpVsrxTarget} against
 * {@link VsrxHttpServer}), keeps its ledger in the embedded PostgreSQL and its blobs in Azurite, and Silknote
 * users change documents with plain SQL ({@link SqlSilknoteUser}, so the change-sequence triggers see them).
 */
class BidirectionalOverHttpTest {
    private static final Secret TOKEN = Secret.of("bidi-token-0123456789abcdef0123");
    private static final PatientUuid PATIENT = PatientUuid.of("c0ffee00-0000-4000-8000-00000000b1d1");

    private final TestClock clock = TestClock.at(SyncScenario.START);
    private final InMemoryVsrxSource vsrx = new InMemoryVsrxSource(clock);
    private RealStores.Backend backend;
    private VsrxHttpServer server;
    private HttpVsrxSource source;
    private HttpVsrxTarget target;
    private SilknoteUser user;
    private DocumentStore documents;
    private int hosts;

    @BeforeEach
    void setUp() {
        backend = RealStores.postgresWithAzurite(clock);
        documents = backend.documents();
        server = VsrxHttpServer.builder().handler(VsrxHttpHandler.builder().source(vsrx).target(vsrx)
                .fileLookup(vsrx::findFile).acceptedToken(TOKEN).clock(clock).build()).threads(4).build().start();
        source = HttpVsrxSource.builder().baseUri(server.baseUri()).token(TOKEN).clock(clock)
                .requestTimeout(Duration.ofSeconds(30)).build();
        target = HttpVsrxTarget.builder().baseUri(server.baseUri()).token(TOKEN).clock(clock)
                .requestTimeout(Duration.ofSeconds(30)).build();
        user = new SqlSilknoteUser(RealStores.dataSource(), "vsrx_sync_document", clock);
    }

    @AfterEach
    void tearDown() {
        server.stop();
    }

    private SyncResult run(ConflictStrategy strategy, boolean deletes) {
        return run(strategy, deletes, SyncRequest.full());
    }

    private SyncResult run(ConflictStrategy strategy, boolean deletes, SyncRequest request) {
        SyncConfig config = SyncScenario.config().newBuilder().bidirectional(BidirectionalConfig.builder()
                .direction(SyncDirection.BIDIRECTIONAL).conflictStrategy(strategy).deletes(deletes).build()).build();
        int host = ++hosts;
        return VsrxSync.builder().source(source).target(target).documents(documents).blobs(backend.blobs())
                .vectors(backend.vectors()).processor(backend.processor()).lock(backend.newLock("bidi-" + host))
                .config(config).clock(clock).sleeper(clock).random(new SplittableRandom(host)).build()
                .run(request);
    }

    private SyncResult run() {
        return run(ConflictStrategy.REPORT, false);
    }

    private static ContentHash sha256(String text) {
        try {
            return ContentHash.ofBytes(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private ContentHash store(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ContentHash h = sha256(text);
        backend.blobs().putIfAbsent(new BlobUpload(h, bytes.length, "text/plain", () -> new ByteArrayInputStream(bytes)));
        return h;
    }

    private FilesetId fileset() {
        return vsrx.addFileset(PatientId.of("P-BIDI"), PATIENT);
    }

    private AuthoredDocument authored(FilesetId fs, String text) {
        ContentHash h = store(text);
        AuthoredDocument a = new AuthoredDocument(new DocumentUuid(UUID.randomUUID()), PATIENT, Optional.of(fs), h,
                text.getBytes(StandardCharsets.UTF_8).length, "text/plain", Optional.of("Befund"),
                AuthoredDocument.SILKNOTE, "ungrouped", clock.instant());
        user.create(a);
        return a;
    }

    private List<VsrxFile> withOrigin(FilesetId fs, DocumentUuid origin) {
        return vsrx.listedFiles(fs).stream().filter(f -> f.origin().equals(Optional.of(origin))).toList();
    }

    private FileAction action(SyncResult r, VsrxFileId f) {
        return r.report().orElseThrow().filesets().stream().flatMap(x -> x.files().stream())
                .filter(x -> x.fileId().equals(f)).findFirst().orElseThrow().action();
    }

    private void assertKept(ContentHash h) {
        assertThat(backend.blobs().stat(h)).as("blob %s stored", h.shortHex()).isPresent();
        assertThat(documents.findBlobRef(h).orElseThrow().refCount()).as("blob %s referenced", h.shortHex())
                .isGreaterThanOrEqualTo(1);
    }

    private List<ConflictRecord> records() {
        Page<ConflictRecord> p = documents.conflicts(EnumSet.allOf(ConflictStatus.class), Optional.empty(), 100);
        return p.items();
    }

    @Test
    @DisplayName("issue 14 over HTTP/PostgreSQL/Azurite: a Silknote-created document reaches VSRX once; the next pull does not duplicate it")
    void exportedOnce() {
        FilesetId fs = fileset();
        vsrx.addFile(fs, "notes/a.txt", "text/plain", "from vsrx");
        AuthoredDocument a = authored(fs, "written in silknote");

        assertThat(run().success()).isTrue();
        assertThat(withOrigin(fs, a.uuid())).hasSize(1);
        VsrxFile f = withOrigin(fs, a.uuid()).get(0);
        assertThat(vsrx.contentHash(f.id())).isEqualTo(a.contentHash());

        SyncResult next = run();
        assertThat(next.success()).isTrue();
        assertThat(next.report().orElseThrow().filesets().stream().flatMap(x -> x.files().stream())
                .filter(x -> x.fileId().equals(f.id()))).as("unchanged: counted, not listed (issue 12)")
                .allMatch(x -> x.action() == FileAction.UNCHANGED);
        assertThat(vsrx.listedFiles(fs)).hasSize(2);
        assertThat(documents.findDocument(a.uuid()).orElseThrow().clientFileId()).isEqualTo(f.id());
        assertThat(documents.documents(fs)).hasSize(2);
    }

    /**
     * A process that dies between the export's VSRX write and its link: once VSRX lists a file for {@code a}, the
     * next unit of work throws before it runs, once. Wraps the current store; returns whether the crash happened.
     */
    private AtomicBoolean crashOnceWrittenFor(FilesetId fs, AuthoredDocument a) {
        AtomicBoolean crashed = new AtomicBoolean();
        documents = new ForwardingDocumentStore(documents) {
            @Override
            public <T> T inUnitOfWork(FencingToken token, Function<UnitOfWork, T> work) {
                if (!withOrigin(fs, a.uuid()).isEmpty() && crashed.compareAndSet(false, true)) {
                    throw new IllegalStateException("process died before the commit");
                }
                return super.inUnitOfWork(token, work);
            }
        };
        return crashed;
    }

    @Test
    @DisplayName("issue 14 over HTTP/PostgreSQL/Azurite: a crash after the VSRX write, before the commit: linked by the next run, no second file")
    void crashBetweenWriteAndCommit() {
        FilesetId fs = fileset();
        AuthoredDocument a = authored(fs, "letter");
        DocumentStore real = documents;
        AtomicBoolean crashed = crashOnceWrittenFor(fs, a);
        assertThat(run().success()).isFalse();
        assertThat(crashed).isTrue();
        documents = real;

        assertThat(run().success()).isTrue();
        assertThat(withOrigin(fs, a.uuid())).hasSize(1);
        assertThat(documents.findDocument(a.uuid()).orElseThrow().clientFileId())
                .isEqualTo(withOrigin(fs, a.uuid()).get(0).id());
        assertThat(documents.documents(fs)).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(ConflictStrategy.class)
    @DisplayName("issue 14 §4 over HTTP/PostgreSQL/Azurite: each strategy gives its result with no bytes lost")
    void strategies(ConflictStrategy strategy) {
        FilesetId fs = fileset();
        VsrxFileId f = vsrx.addFile(fs, "notes/befund.txt", "text/plain", "base");
        assertThat(run(strategy, false).success()).isTrue();
        clock.advance(Duration.ofMinutes(1));
        vsrx.modifyFile(f, "vsrx edit");
        if (strategy == ConflictStrategy.NEWER_WINS) {
            clock.advance(Duration.ofMinutes(1)); // Silknote's change is the later one
        }
        ContentHash s = store("silknote edit");
        user.replaceContent(DocumentUuid.forVsrxFile(f), s, "silknote edit".length(), "text/plain");
        ContentHash v = sha256("vsrx edit");

        SyncResult r = run(strategy, false);

        assertThat(r.success()).isTrue();
        ContentHash document = documents.findDocument(DocumentUuid.forVsrxFile(f)).orElseThrow().contentHash();
        ContentHash inVsrx = vsrx.contentHash(f);
        ConflictRecord rec = records().get(0);
        switch (strategy) {
            case REPORT -> {
                assertThat(action(r, f)).isEqualTo(FileAction.CONFLICT);
                assertThat(document).isEqualTo(s);
                assertThat(inVsrx).isEqualTo(v);
                assertThat(rec.status()).isEqualTo(ConflictStatus.OPEN);
                assertKept(s);
                assertKept(v);
            }
            case VSRX_WINS, KEEP_BOTH -> {
                assertThat(document).isEqualTo(v);
                assertThat(inVsrx).isEqualTo(v);
                assertThat(rec.keptHash()).contains(s);
                assertKept(s);
                if (strategy == ConflictStrategy.KEEP_BOTH) {
                    assertThat(withOrigin(fs, DocumentUuid.conflictCopy(DocumentUuid.forVsrxFile(f), s))).hasSize(1);
                }
            }
            case SILKNOTE_WINS, NEWER_WINS -> {
                assertThat(document).isEqualTo(s);
                assertThat(inVsrx).isEqualTo(s);
                assertThat(rec.keptHash()).contains(v);
                assertKept(v);
            }
        }
        assertThat(run(strategy, false).success()).as("the next run converges").isTrue();
        assertThat(records()).hasSize(1);
    }

    @Test
    @DisplayName("issue 14 §7 over HTTP/PostgreSQL/Azurite: delete propagation only under the mass-delete guard")
    void deletePropagationObeysTheGuard() {
        FilesetId fs = fileset();
        List<VsrxFileId> files = List.of(vsrx.addFile(fs, "notes/1.txt", "text/plain", "one"),
                vsrx.addFile(fs, "notes/2.txt", "text/plain", "two"),
                vsrx.addFile(fs, "notes/3.txt", "text/plain", "three"),
                vsrx.addFile(fs, "notes/4.txt", "text/plain", "four"),
                vsrx.addFile(fs, "notes/5.txt", "text/plain", "five"));
        assertThat(run().success()).isTrue();
        files.subList(0, 3).forEach(f -> user.remove(DocumentUuid.forVsrxFile(f)));

        SyncResult blocked = run(ConflictStrategy.REPORT, true);
        assertThat(blocked.report().orElseThrow().filesets().get(0).outcome())
                .isEqualTo(FilesetOutcome.MASS_DELETE_BLOCKED);
        assertThat(files).noneMatch(f -> vsrx.findFile(f).orElseThrow().deleted());

        SyncResult off = run(ConflictStrategy.REPORT, false);
        assertThat(files).as("deletes off: one-way").noneMatch(f -> vsrx.findFile(f).orElseThrow().deleted());
        assertThat(action(off, files.get(0))).isEqualTo(FileAction.CONFLICT);
    }

    @Test
    @DisplayName("issue 14 over HTTP: after a run fenced VSRX, a paused holder's older token is refused by the server")
    void pausedHolderIsRefusedByTheServer() {
        FilesetId fs = fileset();
        AuthoredDocument a = authored(fs, "letter");
        assertThat(run().success()).isTrue();
        assertThat(run().success()).as("a second holder: VSRX's mark is now above the first one's token").isTrue();

        assertThatThrownBy(() -> target.createFile(FencingToken.of(1), IdempotencyKey.of("create:stale"),
                new NewVsrxFile(fs, "notes/silknote/stale.txt", "text/plain", new DocumentUuid(UUID.randomUUID())),
                new BlobUpload(a.contentHash(), a.size(), "text/plain",
                        () -> new ByteArrayInputStream("letter".getBytes(StandardCharsets.UTF_8)))))
                .isInstanceOf(StaleFencingTokenException.class);
        assertThat(vsrx.listedFiles(fs)).hasSize(1);
    }

    private List<com.silknote.sync.core.model.AuditAction> auditActions(DocumentUuid d) {
        return documents.auditTrail(com.silknote.sync.core.model.AuditQuery.byDocument(d), 0, 100).stream()
                .map(r -> r.entry().action()).toList();
    }

    /** A file written for {@code origin} with other bytes than its document has (row 11). */
    private VsrxFileId writtenFor(FilesetId fs, DocumentUuid origin, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return vsrx.createFile(FencingToken.of(1), IdempotencyKey.create(origin),
                new NewVsrxFile(fs, "notes/silknote/Befund-" + origin.value().toString().substring(0, 8) + ".txt",
                        "text/plain", origin),
                new BlobUpload(sha256(text), bytes.length, "text/plain", () -> new ByteArrayInputStream(bytes)))
                .file().id();
    }

    @ParameterizedTest
    @EnumSource(ConflictStrategy.class)
    @DisplayName("issue 14 row 11 over HTTP/PostgreSQL/Azurite: different bytes are a conflict decided by the strategy, no bytes lost, audited")
    void row11(ConflictStrategy strategy) {
        FilesetId fs = fileset();
        AuthoredDocument a = authored(fs, "silknote version");
        clock.advance(Duration.ofMinutes(5)); // the VSRX file is newer: NEWER_WINS picks VSRX
        VsrxFileId f = writtenFor(fs, a.uuid(), "vsrx version");
        ContentHash s = a.contentHash();
        ContentHash v = sha256("vsrx version");

        SyncResult r = run(strategy, false);

        assertThat(r.success()).as("%s", r.error()).isTrue();
        List<ConflictRecord> recs = records();
        assertThat(recs).hasSize(1);
        ConflictRecord rec = recs.get(0);
        switch (strategy) {
            case REPORT -> {
                assertThat(action(r, f)).isEqualTo(FileAction.CONFLICT);
                assertThat(rec.status()).isEqualTo(ConflictStatus.OPEN);
                assertThat(rec.heldHashes()).containsExactlyInAnyOrder(s, v);
                assertThat(auditActions(a.uuid())).contains(com.silknote.sync.core.model.AuditAction.CONFLICT_DETECTED);
            }
            case SILKNOTE_WINS -> {
                assertThat(vsrx.contentHash(f)).isEqualTo(s);
                assertThat(documents.findDocument(a.uuid()).orElseThrow().contentHash()).isEqualTo(s);
                assertThat(rec.heldHashes()).containsExactly(v);
            }
            default -> {
                assertThat(vsrx.contentHash(f)).isEqualTo(v);
                assertThat(documents.findDocument(a.uuid()).orElseThrow().contentHash()).isEqualTo(v);
                assertThat(rec.heldHashes()).containsExactly(s);
            }
        }
        if (strategy != ConflictStrategy.REPORT) {
            assertThat(rec.status()).isEqualTo(ConflictStatus.APPLIED);
            assertThat(auditActions(a.uuid())).contains(com.silknote.sync.core.model.AuditAction.CONFLICT_DECIDED);
        }
        assertKept(s);
        assertKept(v);
        assertThat(withOrigin(fs, a.uuid())).hasSize(1);
        assertThat(run(strategy, false).success()).isTrue();
        assertThat(records()).hasSize(1);
    }

    @ParameterizedTest(name = "changed in VSRX: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    @DisplayName("issue 14 row 13 over HTTP/PostgreSQL/Azurite: deletes on, an export whose link was lost and whose "
            + "document a Silknote user removed is marked deleted while it holds the exported bytes, audited; a VSRX "
            + "user's change of it is a conflict and stays")
    void row13DeletesOn(boolean changedInVsrx) {
        FilesetId fs = fileset();
        vsrx.addFile(fs, "notes/a.txt", "text/plain", "one");
        vsrx.addFile(fs, "notes/b.txt", "text/plain", "two");
        assertThat(run(ConflictStrategy.REPORT, true).success()).isTrue();
        AuthoredDocument a = authored(fs, "orphaned export");
        DocumentStore real = documents;
        AtomicBoolean crashed = crashOnceWrittenFor(fs, a);
        assertThat(run(ConflictStrategy.REPORT, true).success()).isFalse();
        assertThat(crashed).isTrue();
        documents = real;
        VsrxFileId f = withOrigin(fs, a.uuid()).get(0).id();
        user.remove(a.uuid());
        if (changedInVsrx) {
            vsrx.modifyFile(f, "changed by a vsrx user");
        }
        ContentHash held = vsrx.contentHash(f);

        SyncResult r = run(ConflictStrategy.REPORT, true);

        assertThat(r.success()).isTrue();
        assertThat(action(r, f)).isEqualTo(changedInVsrx ? FileAction.CONFLICT : FileAction.DELETED);
        assertThat(vsrx.findFile(f).orElseThrow().deleted()).isEqualTo(!changedInVsrx);
        assertThat(vsrx.contentHash(f)).isEqualTo(held);
        List<com.silknote.sync.core.model.AuditAction> audited = auditActions(a.uuid());
        assertThat(audited).first().isEqualTo(com.silknote.sync.core.model.AuditAction.EXPORT_STARTED);
        if (changedInVsrx) {
            assertThat(audited).doesNotContain(com.silknote.sync.core.model.AuditAction.DELETED_IN_VSRX);
        } else {
            assertThat(audited).containsOnlyOnce(com.silknote.sync.core.model.AuditAction.DELETED_IN_VSRX);
        }
    }

    @Test
    @DisplayName("issue 14 §6 over HTTP/PostgreSQL/Azurite: an incremental run pushes a SQL edit VSRX knows nothing of, found in the change sequence")
    void incrementalRunReadsTheChangeSequence() {
        FilesetId fs = fileset();
        VsrxFileId f = vsrx.addFile(fs, "notes/a.txt", "text/plain", "base");
        clock.advance(Duration.ofHours(1));
        assertThat(run().success()).isTrue();
        long position = documents.loadChangePosition();
        ContentHash edit = store("edited in silknote");
        user.replaceContent(DocumentUuid.forVsrxFile(f), edit, "edited in silknote".length(), "text/plain");

        SyncResult r = run(ConflictStrategy.REPORT, false, SyncRequest.incrementalRun());

        assertThat(r.success()).isTrue();
        assertThat(action(r, f)).isEqualTo(FileAction.UPDATED);
        assertThat(vsrx.contentHash(f)).isEqualTo(edit);
        assertThat(documents.loadChangePosition()).isGreaterThan(position);
        assertThat(auditActions(DocumentUuid.forVsrxFile(f))).contains(com.silknote.sync.core.model.AuditAction.PUSHED);
    }
}
