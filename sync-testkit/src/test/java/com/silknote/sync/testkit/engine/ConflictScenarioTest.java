package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.AuditAction;
import com.silknote.sync.core.model.AuditQuery;
import com.silknote.sync.core.model.BidirectionalConfig;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ConflictKind;
import com.silknote.sync.core.model.ConflictRecord;
import com.silknote.sync.core.model.ConflictStatus;
import com.silknote.sync.core.model.ConflictStrategy;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncDirection;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.IdempotencyKey;
import com.silknote.sync.core.model.NewVsrxFile;
import com.silknote.sync.core.model.VsrxWriteResult;
import com.silknote.sync.core.port.DocumentStore;
import java.io.ByteArrayInputStream;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 "Done when": each conflict strategy gives its documented result (docs/bidirectional.md §4) with no
 * bytes lost — every version that does not win stays in the blob store with a ledger reference held by the
 * conflict record, so neither the collector nor the orphan cleanup can remove it. Also the rows around the
 * conflicts: a Silknote-only change is pushed (row 3), the same change on both sides converges (row 4b), and
 * the default one-way direction pushes nothing.
 */
class ConflictScenarioTest {
    /** The fixture of this test; a test that needs a fresh one per case makes another instance. */
    private EngineFixture fx = new EngineFixture();

    private void bidirectional(ConflictStrategy strategy) {
        fx.config(c -> c.bidirectional(BidirectionalConfig.builder().direction(SyncDirection.BIDIRECTIONAL)
                .conflictStrategy(strategy).build()));
        fx.target = fx.vsrx;
    }

    /** A pulled, linked file with base content B; returns its id. */
    private VsrxFileId linked(FilesetId fs, String base) {
        VsrxFileId f = fx.text(fs, "befund.txt", base);
        assertThat(fx.run().success()).isTrue();
        assertThat(fx.silknote.documents().findMapping(f)).isPresent();
        return f;
    }

    private DocumentUuid doc(VsrxFileId f) {
        return DocumentUuid.forVsrxFile(f);
    }

    /** A Silknote user writes new content into the linked document. */
    private ContentHash userEdits(VsrxFileId f, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ContentHash h = sha256(bytes);
        fx.silknote.blobs().putIfAbsent(new BlobUpload(h, bytes.length, "text/plain",
                () -> new ByteArrayInputStream(bytes)));
        fx.silknote.documents().silknoteUser().replaceContent(doc(f), h, bytes.length, "text/plain");
        return h;
    }

    private static ContentHash sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    private static ContentHash sha256(byte[] bytes) {
        try {
            return ContentHash.ofBytes(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** No bytes lost: the content is in the blob store and the ledger holds a reference to it. */
    private void assertKept(ContentHash h) {
        assertThat(fx.silknote.blobs().stat(h)).as("blob %s stored", h.shortHex()).isPresent();
        assertThat(fx.silknote.documents().findBlobRef(h).orElseThrow().refCount())
                .as("blob %s referenced", h.shortHex()).isGreaterThanOrEqualTo(1);
    }

    private List<ConflictRecord> records() {
        return List.copyOf(fx.silknote.documents().allConflicts().values());
    }

    private ConflictRecord onlyRecord() {
        assertThat(records()).hasSize(1);
        return records().get(0);
    }

    private SilknoteDocument document(VsrxFileId f) {
        return fx.silknote.documents().findDocument(doc(f)).orElseThrow();
    }

    private FileReport report(SyncResult r, VsrxFileId f) {
        return EngineFixture.file(r, f);
    }

    @Test
    @DisplayName("issue 14 row 3: a Silknote-only content change replaces the VSRX file's content (If-Match), once")
    void silknoteOnlyChangeIsPushed() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, "base");
        ContentHash s = userEdits(f, "silknote edit");

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertThat(report(r, f).action()).isEqualTo(FileAction.UPDATED);
        assertThat(report(r, f).detail()).contains("pushed-to-vsrx");
        assertThat(fx.vsrx.contentHash(f)).isEqualTo(s);
        VsrxFile now = fx.vsrx.findFile(f).orElseThrow();
        assertThat(fx.silknote.documents().findMapping(f).orElseThrow().etag()).isEqualTo(now.etag());
        assertThat(fx.silknote.documents().findMapping(f).orElseThrow().contentHash()).isEqualTo(s);
        assertKept(s);
        assertThat(records()).isEmpty();

        SyncResult again = fx.run();
        assertThat(EngineFixture.unchanged(again, f)).as("no loop: the push is not pulled back").isTrue();
        assertThat(fx.vsrx.findFile(f).orElseThrow().etag()).isEqualTo(now.etag());
    }

    @Test
    @DisplayName("issue 14 row 4b: the same new bytes on both sides converge without a write")
    void sameChangeOnBothSidesConverges() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, "base");
        fx.vsrx.modifyFile(f, "same edit");
        userEdits(f, "same edit");
        String etag = fx.vsrx.findFile(f).orElseThrow().etag().orElseThrow();

        SyncResult r = fx.run();

        assertThat(report(r, f).action()).isEqualTo(FileAction.METADATA_ONLY);
        assertThat(report(r, f).detail()).contains("same-change-on-both-sides");
        assertThat(fx.vsrx.findFile(f).orElseThrow().etag()).contains(etag);
        assertThat(fx.silknote.documents().findMapping(f).orElseThrow().contentHash()).isEqualTo(sha256("same edit"));
        assertThat(records()).isEmpty();
        assertThat(EngineFixture.unchanged(fx.run(), f)).isTrue();
    }

    @Test
    @DisplayName("issue 14 §4 REPORT (default): both sides stay, an open record keeps both versions, reported every run")
    void reportKeepsBothAndReportsEveryRun() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, "base");
        fx.vsrx.modifyFile(f, "vsrx edit");
        ContentHash s = userEdits(f, "silknote edit");
        ContentHash v = sha256("vsrx edit");

        SyncResult r = fx.run();

        assertThat(report(r, f).action()).isEqualTo(FileAction.CONFLICT);
        assertThat(report(r, f).detail()).contains(ConflictKind.CHANGED_ON_BOTH_SIDES.code());
        assertThat(fx.vsrx.contentHash(f)).isEqualTo(v);
        assertThat(document(f).contentHash()).isEqualTo(s);
        ConflictRecord rec = onlyRecord();
        assertThat(rec.status()).isEqualTo(ConflictStatus.OPEN);
        assertThat(rec.heldHashes()).containsExactlyInAnyOrder(v, s);
        assertKept(v);
        assertKept(s);
        assertKept(sha256("base"));

        SyncResult again = fx.run();
        assertThat(report(again, f).action()).isEqualTo(FileAction.CONFLICT);
        assertThat(onlyRecord()).isEqualTo(rec);
    }

    @Test
    @DisplayName("issue 14 §4 REPORT: a record whose sides no longer conflict is superseded and releases its bytes")
    void revertedConflictIsSuperseded() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, "base");
        fx.vsrx.modifyFile(f, "vsrx edit");
        userEdits(f, "silknote edit");
        fx.run();
        userEdits(f, "base"); // the Silknote user reverts

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertThat(onlyRecord().status()).isEqualTo(ConflictStatus.RESOLVED);
        assertThat(onlyRecord().detail()).contains("superseded");
        assertThat(document(f).contentHash()).as("then pulled as a plain VSRX change").isEqualTo(sha256("vsrx edit"));
    }

    @Test
    @DisplayName("issue 14 §4 VSRX_WINS: the document takes the VSRX bytes; the Silknote bytes are kept by the record")
    void vsrxWins() {
        bidirectional(ConflictStrategy.VSRX_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, "base");
        fx.vsrx.modifyFile(f, "vsrx edit");
        ContentHash s = userEdits(f, "silknote edit");
        ContentHash v = sha256("vsrx edit");

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertThat(report(r, f).action()).isEqualTo(FileAction.UPDATED);
        assertThat(report(r, f).detail()).contains("conflict:vsrx-wins");
        assertThat(document(f).contentHash()).isEqualTo(v);
        assertThat(fx.vsrx.contentHash(f)).isEqualTo(v);
        ConflictRecord rec = onlyRecord();
        assertThat(rec.status()).isEqualTo(ConflictStatus.APPLIED);
        assertThat(rec.keptHash()).contains(s);
        assertKept(s);
        assertKept(v);
        assertThat(EngineFixture.unchanged(fx.run(), f)).isTrue();
        assertKept(s);
    }

    @Test
    @DisplayName("issue 14 §3 scope (bi-directional history seeds 20, 23): a grouped document's change is reported not pushed")
    void groupedDocumentsChangeIsReportedNotPushed() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, "base");
        fx.silknote.documents().silknoteUser().group(doc(f), "grouped");
        ContentHash s = userEdits(f, "silknote edit of a grouped document");
        long writes = fx.vsrx.writes();

        for (int run = 0; run < 2; run++) {
            SyncResult r = fx.run();

            assertThat(r.success()).isTrue();
            assertThat(report(r, f).action()).isEqualTo(FileAction.UNCHANGED);
            assertThat(report(r, f).detail()).as("looked at again and reported every run")
                    .contains("silknote-change-not-pushed:grouped");
            assertThat(fx.vsrx.writes()).as("nothing written to VSRX").isEqualTo(writes);
            assertThat(document(f).contentHash()).as("the user's content stays").isEqualTo(s);
        }
    }

    @Test
    @DisplayName("DESIGN rule 6 (bi-directional history seed 31): a push and a Silknote-wins decision make no "
            + "blob-store call inside their unit of work")
    void noBlobStoreCallInsideAUnitOfWork() {
        bidirectional(ConflictStrategy.SILKNOTE_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId pushed = linked(fs, "base");
        VsrxFileId decided = fx.text(fs, "brief.txt", "base 2");
        assertThat(fx.run().success()).isTrue();
        userEdits(pushed, "silknote edit");
        fx.vsrx.modifyFile(decided, "vsrx edit 2");
        byte[] bytes = "silknote edit 2".getBytes(StandardCharsets.UTF_8);
        ContentHash h = sha256(bytes);
        fx.silknote.blobs().putIfAbsent(new BlobUpload(h, bytes.length, "text/plain",
                () -> new ByteArrayInputStream(bytes)));
        fx.silknote.documents().silknoteUser().replaceContent(doc(decided), h, bytes.length, "text/plain");
        ThreadLocal<Boolean> inUnit = ThreadLocal.withInitial(() -> false);
        List<String> inside = new java.util.concurrent.CopyOnWriteArrayList<>();
        DocumentStore real = fx.documents;
        fx.documents = new DelegatingDocumentStore(real) {
            @Override
            public <T> T inUnitOfWork(FencingToken token, Function<UnitOfWork, T> work) {
                inUnit.set(true);
                try {
                    return super.inUnitOfWork(token, work);
                } finally {
                    inUnit.set(false);
                }
            }
        };
        fx.blobs = com.silknote.sync.testkit.fault.Interception.around(com.silknote.sync.core.port.BlobStore.class,
                fx.silknote.blobs(), (method, call) -> {
                    if (inUnit.get()) {
                        inside.add(method);
                    }
                    return call.proceed();
                });

        SyncResult r = fx.run();

        assertThat(report(r, pushed).detail()).contains("pushed-to-vsrx");
        assertThat(report(r, decided).detail()).contains("conflict:silknote-wins");
        assertThat(inside).as("blob-store calls made inside a unit of work").isEmpty();
    }

    @Test
    @DisplayName("issue 14 §4 SILKNOTE_WINS: the Silknote bytes replace the VSRX file's; the VSRX bytes are kept")
    void silknoteWins() {
        bidirectional(ConflictStrategy.SILKNOTE_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, "base");
        fx.vsrx.modifyFile(f, "vsrx edit");
        ContentHash s = userEdits(f, "silknote edit");
        ContentHash v = sha256("vsrx edit");

        SyncResult r = fx.run();

        assertThat(report(r, f).action()).isEqualTo(FileAction.UPDATED);
        assertThat(report(r, f).detail()).contains("conflict:silknote-wins");
        assertThat(fx.vsrx.contentHash(f)).isEqualTo(s);
        assertThat(document(f).contentHash()).isEqualTo(s);
        ConflictRecord rec = onlyRecord();
        assertThat(rec.status()).isEqualTo(ConflictStatus.APPLIED);
        assertThat(rec.keptHash()).contains(v);
        assertKept(v);
        assertKept(s);
        assertThat(EngineFixture.unchanged(fx.run(), f)).as("no loop").isTrue();
    }

    @Test
    @DisplayName("issue 14 §4/rule 10 SILKNOTE_WINS (bi-directional history seed 96): a user edit refuses the commit "
            + "after the replace; the VSRX user's bytes the sync overwrote are still kept")
    void silknoteWinsEditBeforeTheCommitLosesNothing() {
        bidirectional(ConflictStrategy.SILKNOTE_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, "base");
        fx.vsrx.modifyFile(f, "vsrx edit");
        userEdits(f, "silknote edit");
        ContentHash v = sha256("vsrx edit");
        AtomicBoolean written = new AtomicBoolean();
        fx.target = new BidirectionalScenarioTest.ForwardingTarget(fx.vsrx) {
            @Override
            public VsrxWriteResult replaceContent(FencingToken t, IdempotencyKey k, VsrxFileId id, String etag,
                    BlobUpload c) {
                VsrxWriteResult r = super.replaceContent(t, k, id, etag, c);
                written.set(true);
                return r;
            }
        };
        DocumentStore real = fx.documents;
        AtomicBoolean edited = new AtomicBoolean();
        fx.documents = new DelegatingDocumentStore(real) {
            @Override
            public <T> T inUnitOfWork(FencingToken token, Function<UnitOfWork, T> work) {
                if (written.get() && edited.compareAndSet(false, true)) {
                    userEdits(f, "silknote edit between the replace and the commit");
                }
                return super.inUnitOfWork(token, work);
            }
        };

        SyncResult first = fx.run();
        assertThat(edited).isTrue();
        assertThat(first.success()).as("the commit planned before the edit is refused").isFalse();
        assertKept(v);

        fx.documents = real;
        fx.target = fx.vsrx;
        SyncResult second = fx.run();

        assertThat(report(second, f).detail()).contains("conflict:silknote-wins");
        assertThat(fx.vsrx.contentHash(f)).isEqualTo(sha256("silknote edit between the replace and the commit"));
        assertThat(records()).as("a record still holds the VSRX user's version")
                .anySatisfy(rec -> assertThat(rec.heldHashes()).contains(v));
        assertKept(v);
    }

    @Test
    @DisplayName("issue 14 §4/§5.3 SILKNOTE_WINS: crash after the replace, before the commit; the VSRX bytes are still kept")
    void silknoteWinsCrashAfterTheWriteLosesNothing() {
        bidirectional(ConflictStrategy.SILKNOTE_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, "base");
        fx.vsrx.modifyFile(f, "vsrx edit");
        ContentHash s = userEdits(f, "silknote edit");
        ContentHash v = sha256("vsrx edit");
        AtomicBoolean written = new AtomicBoolean();
        AtomicInteger replaces = new AtomicInteger();
        fx.target = new BidirectionalScenarioTest.ForwardingTarget(fx.vsrx) {
            @Override
            public VsrxWriteResult replaceContent(FencingToken t, IdempotencyKey k, VsrxFileId id, String etag,
                    BlobUpload c) {
                VsrxWriteResult r = super.replaceContent(t, k, id, etag, c);
                replaces.incrementAndGet();
                written.set(true);
                return r;
            }
        };
        DocumentStore real = fx.documents;
        AtomicBoolean crashed = fx.crashBeforeTheNextCommitOnce(written::get);

        SyncResult first = fx.run();
        assertThat(crashed).isTrue();
        assertThat(first.success()).isFalse();
        assertThat(fx.vsrx.contentHash(f)).isEqualTo(s);
        assertKept(v);

        fx.documents = real;
        SyncResult second = fx.run();
        assertThat(second.success()).isTrue();
        assertThat(replaces).as("no second write").hasValue(1);
        assertThat(report(second, f).detail()).contains("conflict:silknote-wins");
        ConflictRecord rec = onlyRecord();
        assertThat(rec.status()).isEqualTo(ConflictStatus.APPLIED);
        assertThat(rec.keptHash()).contains(v);
        assertKept(v);
        assertThat(fx.silknote.documents().findMapping(f).orElseThrow().contentHash()).isEqualTo(s);
        assertThat(EngineFixture.unchanged(fx.run(), f)).isTrue();
    }

    @Test
    @DisplayName("issue 14 §4 NEWER_WINS: the later modification wins, either way; the loser is kept")
    void newerWins() {
        bidirectional(ConflictStrategy.NEWER_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId silknoteLater = fx.text(fs, "a.txt", "base a");
        VsrxFileId vsrxLater = fx.text(fs, "b.txt", "base b");
        fx.run();
        fx.clock.advance(Duration.ofMinutes(1));
        fx.vsrx.modifyFile(silknoteLater, "vsrx a");
        ContentHash sb = userEdits(vsrxLater, "silknote b");
        fx.clock.advance(Duration.ofMinutes(1));
        ContentHash sa = userEdits(silknoteLater, "silknote a");
        fx.vsrx.modifyFile(vsrxLater, "vsrx b");

        SyncResult r = fx.run();

        assertThat(report(r, silknoteLater).detail()).contains("conflict:newer-wins");
        assertThat(fx.vsrx.contentHash(silknoteLater)).isEqualTo(sa);
        assertKept(sha256("vsrx a"));
        assertThat(report(r, vsrxLater).detail()).contains("conflict:newer-wins");
        assertThat(document(vsrxLater).contentHash()).isEqualTo(sha256("vsrx b"));
        assertKept(sb);
        assertThat(records()).hasSize(2).allMatch(c -> c.status() == ConflictStatus.APPLIED);
    }

    @Test
    @DisplayName("issue 14 §4 NEWER_WINS: equal times are reported, nothing applied")
    void newerWinsWithEqualTimesReports() {
        bidirectional(ConflictStrategy.NEWER_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, "base");
        fx.clock.advance(Duration.ofMinutes(1));
        fx.vsrx.modifyFile(f, "vsrx edit");
        userEdits(f, "silknote edit");

        SyncResult r = fx.run();

        assertThat(report(r, f).action()).isEqualTo(FileAction.CONFLICT);
        assertThat(onlyRecord().status()).isEqualTo(ConflictStatus.OPEN);
    }

    @Test
    @DisplayName("issue 14 §4 KEEP_BOTH: VSRX's version in the document, Silknote's as a conflict copy in both systems")
    void keepBoth() {
        bidirectional(ConflictStrategy.KEEP_BOTH);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, "base");
        fx.vsrx.modifyFile(f, "vsrx edit");
        ContentHash s = userEdits(f, "silknote edit");
        ContentHash v = sha256("vsrx edit");

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertThat(report(r, f).detail()).contains("conflict:keep-both");
        assertThat(document(f).contentHash()).isEqualTo(v);
        assertThat(fx.vsrx.contentHash(f)).isEqualTo(v);
        DocumentUuid copy = DocumentUuid.conflictCopy(doc(f), s);
        List<VsrxFile> copies = fx.vsrx.listedFiles(fs).stream()
                .filter(x -> x.origin().equals(Optional.of(copy))).toList();
        assertThat(copies).as("the copy exported once").hasSize(1);
        assertThat(copies.get(0).path()).startsWith("notes/silknote/befund (Silknote conflict copy ");
        assertThat(fx.vsrx.contentHash(copies.get(0).id())).isEqualTo(s);
        assertThat(fx.silknote.documents().findDocument(copy).orElseThrow().contentHash()).isEqualTo(s);
        assertThat(onlyRecord().keptHash()).contains(s);
        assertKept(s);

        SyncResult again = fx.run();
        assertThat(again.success()).isTrue();
        assertThat(fx.vsrx.listedFiles(fs)).hasSize(2);
        assertThat(fx.silknote.documents().allDocuments()).hasSize(2);
    }

    @Test
    @DisplayName("issue 14 row 6 REPORT: deleted in VSRX, changed in Silknote: nothing deleted, Silknote bytes held")
    void deletedInVsrxChangedInSilknoteIsReported() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, "base");
        ContentHash s = userEdits(f, "silknote edit");
        fx.vsrx.deleteFile(f);

        SyncResult r = fx.run();

        assertThat(report(r, f).action()).isEqualTo(FileAction.CONFLICT);
        assertThat(report(r, f).detail()).contains(ConflictKind.DELETED_IN_VSRX.code());
        assertThat(document(f).contentHash()).isEqualTo(s);
        assertThat(onlyRecord().heldHashes()).containsExactly(s);
        assertKept(s);
    }

    @Test
    @DisplayName("issue 14 row 6 VSRX_WINS: the deletion stands; the Silknote bytes are kept by the record")
    void deletedInVsrxVsrxWins() {
        bidirectional(ConflictStrategy.VSRX_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, "base");
        ContentHash s = userEdits(f, "silknote edit");
        fx.vsrx.deleteFile(f);

        SyncResult r = fx.run();

        assertThat(report(r, f).action()).isEqualTo(FileAction.DELETED);
        assertThat(fx.silknote.documents().findDocument(doc(f))).isEmpty();
        assertThat(onlyRecord().keptHash()).contains(s);
        assertKept(s);
    }

    @Test
    @DisplayName("issue 14 §5.3 row 6 SILKNOTE_WINS (bi-directional history seeds 448, 762, 851): after a crash "
            + "between the re-creation and its commit the document changes again or VSRX deletes the new file; "
            + "the next run writes the newest content once and links the document to it")
    void replayedRecreationCatchesUpWithTheDocument() {
        for (boolean deleteTheNewFile : new boolean[] {false, true}) {
            ConflictScenarioTest t = new ConflictScenarioTest();
            EngineFixture fresh = t.fx;
            t.bidirectional(ConflictStrategy.SILKNOTE_WINS);
            FilesetId fs = fresh.linkedFileset("P-1");
            VsrxFileId f = t.linked(fs, "base");
            t.userEdits(f, "silknote edit");
            fresh.vsrx.deleteFile(f);
            fresh.runCrashingAfterTheFirstCreate();
            VsrxFile first = fresh.vsrx.listedFiles(fs).stream()
                    .filter(x -> x.origin().equals(Optional.of(t.doc(f))) && !x.deleted()).findFirst().orElseThrow();
            ContentHash newest = t.userEdits(f, "silknote edit after the crash");
            if (deleteTheNewFile) {
                fresh.vsrx.deleteFile(first.id());
            }

            assertThat(fresh.run().success()).isTrue();

            List<VsrxFile> live = fresh.vsrx.listedFiles(fs).stream()
                    .filter(x -> x.origin().equals(Optional.of(t.doc(f))) && !x.deleted()).toList();
            assertThat(live).as("one live file for the document (new file deleted: %s)", deleteTheNewFile).hasSize(1);
            assertThat(fresh.vsrx.contentHash(live.get(0).id())).isEqualTo(newest);
            assertThat(t.document(f).clientFileId()).isEqualTo(live.get(0).id());
            assertThat(fresh.run().success()).isTrue();
            assertThat(t.document(f).contentHash()).isEqualTo(newest);
        }
    }

    @Test
    @DisplayName("issue 14 §5.3 row 6 SILKNOTE_WINS (bi-directional history seed 851): a re-creation replayed onto "
            + "a file VSRX deleted since never links the document, so its newer content is not deleted with it")
    void replayedRecreationOfADeletedFileLosesNothing() {
        bidirectional(ConflictStrategy.SILKNOTE_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, "base");
        userEdits(f, "silknote edit");
        fx.vsrx.deleteFile(f);
        AtomicBoolean written = new AtomicBoolean();
        fx.target = new BidirectionalScenarioTest.ForwardingTarget(fx.vsrx) {
            @Override
            public VsrxWriteResult createFile(FencingToken t, IdempotencyKey k, NewVsrxFile nf, BlobUpload c) {
                VsrxWriteResult r = super.createFile(t, k, nf, c);
                written.set(true);
                return r;
            }
        };
        DocumentStore real = fx.documents;
        AtomicBoolean crashed = fx.crashBeforeTheNextCommitOnce(written::get);
        fx.run();
        assertThat(crashed).isTrue();
        fx.documents = real;
        fx.target = fx.vsrx;
        VsrxFile again = fx.vsrx.listedFiles(fs).stream()
                .filter(x -> x.origin().equals(Optional.of(doc(f))) && !x.deleted()).findFirst().orElseThrow();
        ContentHash newer = userEdits(f, "silknote edit after the crash");
        fx.vsrx.deleteFile(again.id());

        fx.run();
        fx.run();

        boolean current = fx.silknote.documents().findDocument(doc(f)).map(d -> d.contentHash().equals(newer))
                .orElse(false);
        boolean held = records().stream().anyMatch(r -> r.heldHashes().contains(newer));
        assertThat(current || held).as("the user's newer content is current or held by a conflict record").isTrue();
        assertKept(newer);
    }

    /**
     * Row 6 under {@code strategy} with delete propagation: the re-creation's file is written, the run dies before
     * the link commits, and a VSRX user changes that new file before the next run. Returns the new file.
     */
    private VsrxFile recreationChangedInVsrx(ConflictStrategy strategy, FilesetId fs, VsrxFileId f) {
        fx.config(c -> c.bidirectional(BidirectionalConfig.builder().direction(SyncDirection.BIDIRECTIONAL)
                .deletes(true).conflictStrategy(strategy).build()));
        userEdits(f, "silknote edit");
        fx.vsrx.deleteFile(f);
        VsrxFile again = recreatedThenCrashed(fs, f);
        fx.vsrx.modifyFile(again.id(), "a VSRX user's edit of the re-created file");
        return again;
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(value = ConflictStrategy.class, names = {"SILKNOTE_WINS", "KEEP_BOTH"})
    @DisplayName("issue 14 §5.3 row 6 (bi-directional history seed 762): a VSRX user's edit of a re-created file whose "
            + "link did not commit is that file's change, pulled next run; never a conflict no one can decide, never deleted")
    void aVsrxEditOfAReplayedRecreationIsPulled(ConflictStrategy strategy) {
        bidirectional(strategy);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, "base");
        VsrxFile again = recreationChangedInVsrx(strategy, fs, f);
        ContentHash vsrxEdit = fx.vsrx.contentHash(again.id());

        SyncResult linkedRun = fx.run();

        assertThat(linkedRun.success()).isTrue();
        assertThat(EngineFixture.action(linkedRun, again.id())).isEqualTo(FileAction.CREATED);
        assertThat(document(f).clientFileId()).as("linked to the re-created file").isEqualTo(again.id());
        assertThat(onlyRecord().status()).isEqualTo(ConflictStatus.APPLIED);

        SyncResult pulled = fx.run();

        assertThat(EngineFixture.action(pulled, again.id())).isEqualTo(FileAction.UPDATED);
        assertThat(document(f).contentHash()).as("the VSRX user's version is the document's").isEqualTo(vsrxEdit);
        assertThat(fx.vsrx.findFile(again.id()).orElseThrow().deleted()).isFalse();
        assertThat(fx.vsrx.contentHash(again.id())).isEqualTo(vsrxEdit);
        assertThat(records()).allSatisfy(r -> assertThat(r.status()).isNotEqualTo(ConflictStatus.OPEN));
        SyncResult quiet = fx.run();
        assertThat(EngineFixture.unchanged(quiet, again.id())).isTrue();
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(value = ConflictStrategy.class,
            names = {"SILKNOTE_WINS", "KEEP_BOTH", "NEWER_WINS"})
    @DisplayName("§5.3 row 6 (bi-directional history seed 4240): a re-created file VSRX changed after a crash while the "
            + "document changed too is linked as written, so the next run decides a changed-on-both-sides conflict; "
            + "never a record no strategy or operator can decide, no version lost")
    void aRecreationChangedOnBothSidesIsDecided(ConflictStrategy strategy) {
        bidirectional(strategy);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, "base");
        ContentHash written = userEdits(f, "silknote edit");
        fx.vsrx.deleteFile(f);
        VsrxFile again = recreatedThenCrashed(fs, f);
        assertThat(fx.vsrx.contentHash(again.id())).isEqualTo(written);
        fx.clock.advance(Duration.ofMinutes(1));
        fx.vsrx.modifyFile(again.id(), "a VSRX user's edit of the re-created file");
        ContentHash vsrxEdit = fx.vsrx.contentHash(again.id());
        fx.clock.advance(Duration.ofMinutes(1));
        ContentHash silknoteEdit = userEdits(f, "a later silknote edit");

        SyncResult linkedRun = fx.run();

        assertThat(linkedRun.success()).isTrue();
        assertThat(document(f).clientFileId()).as("linked to the re-created file").isEqualTo(again.id());
        assertThat(document(f).contentHash()).as("the document keeps its edit").isEqualTo(silknoteEdit);
        assertThat(fx.silknote.documents().findMapping(again.id()).orElseThrow().contentHash())
                .as("the base is what the re-creation wrote").isEqualTo(written);
        for (int run = 0; run < 3; run++) {
            assertThat(fx.run().success()).isTrue();
        }
        assertThat(records()).as("no record stays open").noneMatch(r -> r.status() == ConflictStatus.OPEN);
        assertThat(fx.vsrx.findFile(again.id()).orElseThrow().deleted()).isFalse();
        for (ContentHash h : List.of(vsrxEdit, silknoteEdit)) {
            boolean current = document(f).contentHash().equals(h) || fx.vsrx.contentHash(again.id()).equals(h)
                    || fx.silknote.documents().allDocuments().values().stream().anyMatch(d -> d.contentHash().equals(h));
            boolean held = records().stream().anyMatch(r -> r.heldHashes().contains(h));
            assertThat(current || held).as("version %s is current or held", h.shortHex()).isTrue();
            assertKept(h);
        }
        assertThat(fx.vsrx.contentHash(again.id())).as("both sides agree")
                .isEqualTo(document(f).contentHash());
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "changed in VSRX: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    @DisplayName("row 6 then row 13: a re-creation whose link was lost and whose document a Silknote user removed is "
            + "marked deleted only while it holds what the re-creation wrote; a VSRX user's change of it stays, a conflict")
    void aRecreationOfARemovedDocumentIsDeletedOnlyUnchanged(boolean changedInVsrx) {
        fx.config(c -> c.bidirectional(BidirectionalConfig.builder().direction(SyncDirection.BIDIRECTIONAL)
                .deletes(true).conflictStrategy(ConflictStrategy.SILKNOTE_WINS).build()));
        fx.target = fx.vsrx;
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, "base");
        userEdits(f, "silknote edit");
        fx.vsrx.deleteFile(f);
        VsrxFile again = recreatedThenCrashed(fs, f);
        assertThat(fx.silknote.documents().auditTrail(AuditQuery.byDocument(doc(f)), 0, 100))
                .extracting(r -> r.entry().action()).contains(AuditAction.EXPORT_STARTED);
        if (changedInVsrx) {
            fx.vsrx.modifyFile(again.id(), "a VSRX user's edit of the re-created file");
        }
        ContentHash held = fx.vsrx.contentHash(again.id());
        fx.silknote.documents().removeDocumentAsSilknoteUser(doc(f));

        SyncResult r = fx.run();

        assertThat(EngineFixture.action(r, again.id()))
                .isEqualTo(changedInVsrx ? FileAction.CONFLICT : FileAction.DELETED);
        assertThat(fx.vsrx.findFile(again.id()).orElseThrow().deleted()).isEqualTo(!changedInVsrx);
        assertThat(fx.vsrx.contentHash(again.id())).isEqualTo(held);
    }

    @Test
    @DisplayName("issue 14 row 6 SILKNOTE_WINS: written again as a new VSRX file with the document's origin, once")
    void deletedInVsrxSilknoteWins() {
        bidirectional(ConflictStrategy.SILKNOTE_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, "base");
        ContentHash s = userEdits(f, "silknote edit");
        fx.vsrx.deleteFile(f);

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        List<VsrxFile> again = fx.vsrx.listedFiles(fs).stream()
                .filter(x -> x.origin().equals(Optional.of(doc(f)))).toList();
        assertThat(again).hasSize(1);
        assertThat(fx.vsrx.contentHash(again.get(0).id())).isEqualTo(s);
        assertThat(document(f).clientFileId()).isEqualTo(again.get(0).id());
        assertThat(onlyRecord().status()).isEqualTo(ConflictStatus.APPLIED);
        assertKept(s);

        SyncResult next = fx.run();
        assertThat(next.success()).isTrue();
        assertThat(EngineFixture.unchanged(next, again.get(0).id())).isTrue();
        assertThat(fx.silknote.documents().allDocuments()).hasSize(1);
    }

    @Test
    @DisplayName("issue 14: one-way (default) never pushes a Silknote content change")
    void oneWayPushesNothing() {
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, "base");
        userEdits(f, "silknote edit");
        fx.target = fx.vsrx;

        fx.run();

        assertThat(fx.vsrx.contentHash(f)).isEqualTo(sha256("base"));
        assertThat(records()).isEmpty();
    }

    // ---- files without an ETag, row 6 under the other strategies, missing Silknote content ------------------

    /** Row 4c on a linked file VSRX lists without an ETag (it cannot be replaced conditionally). */
    private VsrxFileId changedOnBothSidesWithoutEtag(ConflictStrategy strategy) {
        bidirectional(strategy);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = fx.vsrx.addFileWithoutEtag(fs, "notes/befund.txt", "text/plain",
                "base".getBytes(StandardCharsets.UTF_8));
        assertThat(fx.run().success()).isTrue();
        fx.vsrx.modifyFile(f, "vsrx edit");
        userEdits(f, "silknote edit");
        assertThat(fx.vsrx.findFile(f).orElseThrow().etag()).isEmpty();
        return f;
    }

    @Test
    @DisplayName("issue 14 §4 row 4c SILKNOTE_WINS on a file without ETag: reported, VSRX not written, both kept")
    void silknoteWinsWithoutEtagIsReported() {
        VsrxFileId f = changedOnBothSidesWithoutEtag(ConflictStrategy.SILKNOTE_WINS);

        SyncResult r = fx.run();

        assertThat(report(r, f).action()).isEqualTo(FileAction.CONFLICT);
        assertThat(fx.vsrx.contentHash(f)).isEqualTo(sha256("vsrx edit"));
        assertThat(onlyRecord().status()).isEqualTo(ConflictStatus.OPEN);
    }

    @Test
    @DisplayName("issue 14 §4 row 4c KEEP_BOTH on a file without ETag: reported (no copy), both kept")
    void keepBothWithoutEtagIsReported() {
        VsrxFileId f = changedOnBothSidesWithoutEtag(ConflictStrategy.KEEP_BOTH);

        SyncResult r = fx.run();

        assertThat(report(r, f).action()).isEqualTo(FileAction.CONFLICT);
        assertThat(document(f).contentHash()).isEqualTo(sha256("silknote edit"));
        assertThat(onlyRecord().status()).isEqualTo(ConflictStatus.OPEN);
    }

    @Test
    @DisplayName("issue 14 §4 row 4c VSRX_WINS on a file without ETag: decided (nothing is written to VSRX)")
    void vsrxWinsWithoutEtagIsDecided() {
        VsrxFileId f = changedOnBothSidesWithoutEtag(ConflictStrategy.VSRX_WINS);

        SyncResult r = fx.run();

        assertThat(report(r, f).action()).isEqualTo(FileAction.UPDATED);
        assertThat(document(f).contentHash()).isEqualTo(sha256("vsrx edit"));
        assertThat(onlyRecord().status()).isEqualTo(ConflictStatus.APPLIED);
    }

    private void deletedInVsrxWrittenAgain(ConflictStrategy strategy) {
        bidirectional(strategy);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, "base");
        ContentHash s = userEdits(f, "silknote edit");
        fx.vsrx.deleteFile(f);

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertThat(document(f).clientFileId()).as("linked to the file written again").isNotEqualTo(f);
        assertThat(report(r, document(f).clientFileId()).action()).isEqualTo(FileAction.CREATED);
        assertThat(fx.vsrx.contentHash(document(f).clientFileId())).isEqualTo(s);
        assertThat(fx.silknote.documents().auditTrail(com.silknote.sync.core.model.AuditQuery.byDocument(doc(f)), 0,
                100)).filteredOn(x -> x.entry().action() == com.silknote.sync.core.model.AuditAction.CONFLICT_DECIDED)
                .singleElement().satisfies(x -> {
                    assertThat(x.entry().beforeHash()).as("VSRX had no version: the base").contains(sha256("base"));
                    assertThat(x.entry().afterHash()).contains(s);
                });
    }

    @Test
    @DisplayName("issue 14 §4 row 6 KEEP_BOTH: the document is written again (nothing to copy: VSRX has no version)")
    void deletedInVsrxKeepBothWritesTheDocumentAgain() {
        deletedInVsrxWrittenAgain(ConflictStrategy.KEEP_BOTH);
    }

    @Test
    @DisplayName("issue 14 §4 row 6 NEWER_WINS: against a deletion Silknote wins; the document is written again")
    void deletedInVsrxNewerWinsWritesTheDocumentAgain() {
        deletedInVsrxWrittenAgain(ConflictStrategy.NEWER_WINS);
    }

    @Test
    @DisplayName("issue 14 §4 row 4c: the Silknote content missing from the blob store fails the file "
            + "(IllegalStateException), no record")
    void missingSilknoteContentFailsTheFile() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, "base");
        fx.vsrx.modifyFile(f, "vsrx edit");
        byte[] lost = "never stored".getBytes(StandardCharsets.UTF_8);
        fx.silknote.documents().silknoteUser().replaceContent(doc(f), sha256(lost), lost.length, "text/plain");

        SyncResult r = fx.run();

        assertThat(report(r, f).action()).isEqualTo(FileAction.FAILED);
        assertThat(report(r, f).detail()).contains("IllegalStateException");
        assertThat(records()).isEmpty();
    }

    /** Row 6 SILKNOTE_WINS whose re-creation was written to VSRX and whose commit was lost (a crash); the new file. */
    private VsrxFile recreatedThenCrashed(FilesetId fs, VsrxFileId f) {
        fx.runCrashingAfterTheFirstCreate();
        return fx.vsrx.listedFiles(fs).stream().filter(x -> x.origin().equals(Optional.of(doc(f))) && !x.deleted())
                .findFirst().orElseThrow();
    }

    private List<FileReport> reports(SyncResult r, VsrxFileId f) {
        return EngineFixture.report(r).filesets().stream().flatMap(x -> x.files().stream())
                .filter(x -> x.fileId().equals(f)).toList();
    }

    @Test
    @DisplayName("issue 14 §5.3 row 6 SILKNOTE_WINS: a re-creation replayed after a crash whose file still serves the "
            + "document's bytes is linked and reported created, not as a duplicate of the linked document")
    void replayedRecreationStillServingTheDocumentIsLinked() {
        bidirectional(ConflictStrategy.SILKNOTE_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, "base");
        ContentHash s = userEdits(f, "silknote edit");
        fx.vsrx.deleteFile(f);
        VsrxFile again = recreatedThenCrashed(fs, f);

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertThat(reports(r, again.id())).extracting(FileReport::action).containsExactly(FileAction.CREATED);
        assertThat(document(f).clientFileId()).isEqualTo(again.id());
        assertThat(fx.vsrx.contentHash(again.id())).isEqualTo(s);
        assertThat(fx.vsrx.listedFiles(fs).stream().filter(x -> !x.deleted())).hasSize(1);
    }

    @Test
    @DisplayName("issue 14 §5.3 row 6 SILKNOTE_WINS (bi-directional history seeds 30216, 30923): a re-creation replayed"
            + " after a crash onto a file VSRX lists but does not serve (its store lost the bytes) waits: nothing is"
            + " written beside it, the fileset completes, FILE_NOT_SERVED is raised; once served, it is linked")
    void replayedRecreationWhoseFileIsNotServedWaits() {
        bidirectional(ConflictStrategy.SILKNOTE_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, "base");
        ContentHash s = userEdits(f, "silknote edit");
        fx.vsrx.deleteFile(f);
        VsrxFile again = recreatedThenCrashed(fs, f);
        AtomicBoolean lost = new AtomicBoolean(true);
        fx.source = new com.silknote.sync.testkit.ForwardingVsrxSource(fx.vsrx) {
            @Override
            public com.silknote.sync.core.model.FileContent openContent(VsrxFileId id) {
                if (id.equals(again.id()) && lost.get()) {
                    throw com.silknote.sync.core.exception.FileGoneException.notFound();
                }
                return super.openContent(id);
            }
        };

        for (int run = 1; run <= 2; run++) {
            SyncResult r = fx.run();

            assertThat(r.success()).as("run %d: %s", run, EngineFixture.report(r).filesets()).isTrue();
            assertThat(reports(r, again.id())).as("run %d", run).singleElement().satisfies(x -> {
                assertThat(x.action()).isEqualTo(FileAction.SKIPPED);
                assertThat(x.detail()).contains("listed-but-not-served");
            });
            assertThat(EngineFixture.report(r).alerts()).as("run %d", run)
                    .filteredOn(a -> a.kind() == com.silknote.sync.core.model.Alert.Kind.FILE_NOT_SERVED)
                    .singleElement().satisfies(a -> assertThat(a.message()).startsWith("fileset " + fs + ":"));
            assertThat(fx.vsrx.listedFiles(fs).stream().filter(x -> !x.deleted())).as("nothing written beside it")
                    .extracting(VsrxFile::id).containsExactly(again.id());
            assertThat(document(f).contentHash()).as("the user's version is kept").isEqualTo(s);
        }

        lost.set(false);
        SyncResult served = fx.run();

        assertThat(served.success()).isTrue();
        assertThat(EngineFixture.report(served).alerts()).noneMatch(
                a -> a.kind() == com.silknote.sync.core.model.Alert.Kind.FILE_NOT_SERVED);
        assertThat(document(f).clientFileId()).isEqualTo(again.id());
        assertThat(fx.vsrx.contentHash(again.id())).isEqualTo(s);
        assertThat(fx.vsrx.listedFiles(fs).stream().filter(x -> !x.deleted())).hasSize(1);
    }

    @Test
    @DisplayName("issue 14 §5.3 row 6 reported, then SILKNOTE_WINS: the re-created file VSRX changed after a crash is "
            + "not overwritten; the document is linked to it as written, and the VSRX change pulled next run")
    void replayedRecreationChangedInVsrxIsLinkedThenPulled() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, "base");
        ContentHash s = userEdits(f, "silknote edit");
        fx.vsrx.deleteFile(f);
        assertThat(report(fx.run(), f).action()).isEqualTo(FileAction.CONFLICT);
        ConflictRecord reported = onlyRecord();
        bidirectional(ConflictStrategy.SILKNOTE_WINS);
        VsrxFile again = recreatedThenCrashed(fs, f);
        fx.vsrx.modifyFile(again.id(), "vsrx change of the new file");

        SyncResult r = fx.run();

        assertThat(EngineFixture.action(r, again.id())).isEqualTo(FileAction.CREATED);
        assertThat(onlyRecord().id()).isEqualTo(reported.id());
        assertThat(onlyRecord().status()).isEqualTo(ConflictStatus.APPLIED);
        assertThat(fx.vsrx.contentHash(again.id())).as("not overwritten").isEqualTo(sha256("vsrx change of the new file"));
        assertThat(document(f).clientFileId()).isEqualTo(again.id());
        assertThat(document(f).contentHash()).as("until the next run pulls the change").isEqualTo(s);
        assertThat(fx.silknote.documents().findMapping(again.id()).orElseThrow().contentHash())
                .as("the base is what the re-creation wrote").isEqualTo(s);

        SyncResult next = fx.run();

        assertThat(EngineFixture.action(next, again.id())).isEqualTo(FileAction.UPDATED);
        assertThat(document(f).contentHash()).isEqualTo(sha256("vsrx change of the new file"));
    }

    @Test
    @DisplayName("issue 14 §5.3 row 6 reported, SILKNOTE_WINS, a crash, then both sides change again (history seed "
            + "4240): linked as written, and the next run decides the changed-on-both-sides conflict for Silknote, "
            + "the VSRX change held; the older record superseded (it was reported anew for ever before)")
    void replayedRecreationChangedOnBothSidesIsDecidedNext() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, "base");
        userEdits(f, "silknote edit");
        fx.vsrx.deleteFile(f);
        fx.run();
        ConflictRecord reported = onlyRecord();
        bidirectional(ConflictStrategy.SILKNOTE_WINS);
        VsrxFile again = recreatedThenCrashed(fs, f);
        fx.vsrx.modifyFile(again.id(), "vsrx change of the new file");
        ContentHash vsrxChange = fx.vsrx.contentHash(again.id());
        ContentHash newer = userEdits(f, "silknote edit after the crash");

        SyncResult r = fx.run();

        assertThat(EngineFixture.action(r, again.id())).isEqualTo(FileAction.CREATED);
        assertThat(fx.silknote.documents().allConflicts().get(reported.id()).status())
                .isNotEqualTo(ConflictStatus.OPEN);
        assertThat(document(f).clientFileId()).isEqualTo(again.id());
        assertThat(document(f).contentHash()).isEqualTo(newer);

        SyncResult next = fx.run();

        assertThat(EngineFixture.action(next, again.id())).isEqualTo(FileAction.UPDATED);
        assertThat(fx.vsrx.contentHash(again.id())).isEqualTo(newer);
        assertThat(records()).noneMatch(x -> x.status() == ConflictStatus.OPEN);
        assertThat(records()).anyMatch(x -> x.heldHashes().contains(vsrxChange));
        assertKept(newer);
        assertKept(vsrxChange);
        assertThat(EngineFixture.unchanged(fx.run(), again.id())).isTrue();
    }

    /** A pulled, linked file whose name starts with a dot (no extension). */
    private VsrxFileId linkedDotFile(FilesetId fs) {
        VsrxFileId f = fx.text(fs, ".befund", "base");
        assertThat(fx.run().success()).isTrue();
        assertThat(fx.silknote.documents().findMapping(f)).isPresent();
        return f;
    }

    @Test
    @DisplayName("issue 14 §4 row 6 SILKNOTE_WINS: a document whose file name starts with a dot is written again under "
            + "that name as its title")
    void recreatedDotFileKeepsItsName() {
        bidirectional(ConflictStrategy.SILKNOTE_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linkedDotFile(fs);
        userEdits(f, "silknote edit");
        fx.vsrx.deleteFile(f);

        assertThat(fx.run().success()).isTrue();

        VsrxFileId again = document(f).clientFileId();
        assertThat(again).isNotEqualTo(f);
        assertThat(fx.vsrx.findFile(again).orElseThrow().path()).contains("/befund-").doesNotContain("document-");
    }

    @Test
    @DisplayName("issue 14 §4 KEEP_BOTH: the conflict copy of a document whose file name starts with a dot is titled "
            + "with that name")
    void conflictCopyOfADotFileKeepsItsName() {
        bidirectional(ConflictStrategy.KEEP_BOTH);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linkedDotFile(fs);
        fx.vsrx.modifyFile(f, "vsrx edit");
        ContentHash s = userEdits(f, "silknote edit");

        assertThat(fx.run().success()).isTrue();

        DocumentUuid copy = DocumentUuid.conflictCopy(doc(f), s);
        java.util.Optional<String> title = java.util.Optional.ofNullable(
                fx.silknote.documents().allAuthoredDocuments().get(copy)).flatMap(a -> a.title());
        if (title.isEmpty()) { // exported and linked already: its file carries the title
            title = fx.silknote.documents().findDocument(copy).map(d -> fx.vsrx.findFile(d.clientFileId())
                    .orElseThrow().path());
        }
        assertThat(title).hasValueSatisfying(t -> assertThat(t).contains("befund (Silknote conflict copy"));
    }

    /**
     * KEEP_BOTH decides a second conflict of the file whose losing Silknote content is the one the first decision
     * already copied (same copy id): the copy is not created twice.
     */
    private VsrxFileId keepBothTwiceWithTheSameLoser(boolean creates) {
        fx.config(c -> c.bidirectional(BidirectionalConfig.builder().direction(SyncDirection.BIDIRECTIONAL)
                .creates(creates).conflictStrategy(ConflictStrategy.KEEP_BOTH).build()));
        fx.target = fx.vsrx;
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = linked(fs, "base");
        fx.vsrx.modifyFile(f, "vsrx edit 1");
        userEdits(f, "silknote edit");
        assertThat(fx.run().success()).isTrue();
        fx.vsrx.modifyFile(f, "vsrx edit 2");
        userEdits(f, "silknote edit");
        return f;
    }

    @Test
    @DisplayName("issue 14 §4 KEEP_BOTH twice with the same losing content, the copy exported: decided, one copy")
    void keepBothAgainAfterTheCopyWasExported() {
        VsrxFileId f = keepBothTwiceWithTheSameLoser(true);
        DocumentUuid copy = DocumentUuid.conflictCopy(doc(f), sha256("silknote edit"));
        assertThat(fx.silknote.documents().findDocument(copy)).as("exported and linked").isPresent();

        SyncResult r = fx.run();

        assertThat(report(r, f).action()).isEqualTo(FileAction.UPDATED);
        assertThat(document(f).contentHash()).isEqualTo(sha256("vsrx edit 2"));
        assertThat(fx.silknote.documents().findDocument(copy)).isPresent();
    }

    @Test
    @DisplayName("issue 14 §4 KEEP_BOTH twice with the same losing content, the copy not exported (creates off): "
            + "decided, one copy")
    void keepBothAgainBeforeTheCopyWasExported() {
        VsrxFileId f = keepBothTwiceWithTheSameLoser(false);
        DocumentUuid copy = DocumentUuid.conflictCopy(doc(f), sha256("silknote edit"));
        assertThat(fx.silknote.documents().allAuthoredDocuments()).containsKey(copy);

        SyncResult r = fx.run();

        assertThat(report(r, f).action()).isEqualTo(FileAction.UPDATED);
        assertThat(document(f).contentHash()).isEqualTo(sha256("vsrx edit 2"));
        assertThat(fx.silknote.documents().allAuthoredDocuments()).containsKey(copy);
    }
}
