package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.SyncConflicts;
import com.silknote.sync.core.model.AuthoredDocument;
import com.silknote.sync.core.model.BidirectionalConfig;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ConflictId;
import com.silknote.sync.core.model.ConflictKind;
import com.silknote.sync.core.model.ConflictRecord;
import com.silknote.sync.core.model.ConflictStatus;
import com.silknote.sync.core.model.ConflictStrategy;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.IdempotencyKey;
import com.silknote.sync.core.model.NewVsrxFile;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.SyncDirection;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.model.VsrxWriteResult;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.testkit.TestHashes;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What a bi-directional run reports, and commits, in the rarer corners of docs/bidirectional.md §3 and §4: a
 * file the sync wrote whose listing declares other bytes than it serves (row 11), a chain of re-created files
 * VSRX deleted one after the other (row 6, §5.3), an operator's Silknote-wins on row 11 whose link commit was
 * lost, an open record of another kind about a file the sync wrote, and a listing that repeats a file whose
 * grouped document a user changed (every listed file is reported once per run).
 */
class BidirectionalReportingTest {
    private final EngineFixture fx = new EngineFixture();

    private void bidirectional(ConflictStrategy strategy) {
        fx.config(c -> c.bidirectional(BidirectionalConfig.builder().direction(SyncDirection.BIDIRECTIONAL)
                .conflictStrategy(strategy).build()));
        fx.target = fx.vsrx;
    }

    private ContentHash stored(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ContentHash h = TestHashes.sha256(text);
        fx.silknote.blobs().putIfAbsent(new BlobUpload(h, bytes.length, "text/plain",
                () -> new ByteArrayInputStream(bytes)));
        return h;
    }

    /** A Silknote-created document of the fileset, not linked to any file yet. */
    private AuthoredDocument authored(FilesetId fs, String text) {
        AuthoredDocument a = new AuthoredDocument(new DocumentUuid(UUID.randomUUID()), EngineFixture.patient("P-1"),
                Optional.of(fs), stored(text), text.length(), "text/plain", Optional.of("Brief"), "SILKNOTE",
                "ungrouped", fx.clock.instant());
        fx.silknote.documents().createDocumentAsSilknoteUser(a);
        return a;
    }

    /** A file an export wrote for {@code origin} whose link did not commit, holding these bytes. */
    private VsrxFileId writtenFor(FilesetId fs, DocumentUuid origin, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return fx.vsrx.createFile(fx.vsrx.highWaterMark().orElse(FencingToken.of(1)), IdempotencyKey.create(origin),
                new NewVsrxFile(fs, "notes/silknote/Brief-" + origin.value().toString().substring(0, 8) + ".txt",
                        "text/plain", origin),
                new BlobUpload(TestHashes.sha256(text), bytes.length, "text/plain",
                        () -> new ByteArrayInputStream(bytes))).file().id();
    }

    private List<FileReport> reports(SyncResult r, VsrxFileId f) {
        return EngineFixture.report(r).filesets().stream().flatMap(x -> x.files().stream())
                .filter(x -> x.fileId().equals(f)).toList();
    }

    private List<ConflictRecord> records() {
        return List.copyOf(fx.silknote.documents().allConflicts().values());
    }

    private long refCount(ContentHash h) {
        return fx.silknote.documents().findBlobRef(h).map(r -> (long) r.refCount()).orElse(0L);
    }

    private List<VsrxFile> filesOf(FilesetId fs, DocumentUuid origin) {
        return fx.vsrx.listedFiles(fs).stream().filter(x -> x.origin().equals(Optional.of(origin))).toList();
    }

    // ---- row 11: the listing declares other bytes than VSRX serves ----------------------------------------------

    @Test
    @DisplayName("issue 14 row 11, DESIGN rule 7: a file the sync wrote whose listing declares a SHA-256 other than "
            + "its bytes' (which equal the document's) is reported CONFLICT linked-with-different-content every run; "
            + "no record, no link, nothing written to VSRX")
    void row11WithAListedDigestOtherThanItsBytesIsReported() {
        bidirectional(ConflictStrategy.SILKNOTE_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        AuthoredDocument a = authored(fs, "written in silknote");
        VsrxFileId f = writtenFor(fs, a.uuid(), "written in silknote");
        fx.vsrx.setDeclaredSha256(f, TestHashes.sha256("what the listing claims"));
        String etag = fx.vsrx.findFile(f).orElseThrow().etag().orElseThrow();
        long writes = fx.vsrx.writes();

        for (int run = 0; run < 2; run++) {
            SyncResult r = fx.run();

            assertThat(EngineFixture.fileset(r, fs).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
            assertThat(reports(r, f)).as("reported once, every run").singleElement().satisfies(x -> {
                assertThat(x.action()).isEqualTo(FileAction.CONFLICT);
                assertThat(x.detail()).contains("linked-with-different-content");
            });
            assertThat(records()).as("the bytes are the document's: nothing to hold").isEmpty();
            assertThat(fx.silknote.documents().findMapping(f)).as("not linked on a listing VSRX contradicts").isEmpty();
            assertThat(fx.silknote.documents().findDocument(a.uuid())).isEmpty();
            assertThat(fx.vsrx.writes()).as("nothing written to VSRX, not even under SILKNOTE_WINS").isEqualTo(writes);
            assertThat(fx.vsrx.findFile(f).orElseThrow().etag()).contains(etag);
            assertThat(filesOf(fs, a.uuid())).as("not exported again").hasSize(1);
        }
    }

    // ---- row 6: a chain of re-created files VSRX deleted in turn ----------------------------------------------

    /** Row 6 SILKNOTE_WINS whose re-creation was written and whose commit was lost (a crash); the new file. */
    private VsrxFile recreatedThenCrashed(FilesetId fs, DocumentUuid d) {
        List<VsrxFileId> before = filesOf(fs, d).stream().map(VsrxFile::id).toList();
        fx.runCrashingAfterTheFirstCreate();
        return filesOf(fs, d).stream().filter(x -> !before.contains(x.id())).findFirst().orElseThrow();
    }

    @Test
    @DisplayName("issue 14 §5.3 row 6 SILKNOTE_WINS: a re-creation is followed through at most 8 re-created files "
            + "VSRX deleted in turn; after the eighth the conflict is reported and no ninth file is written")
    void recreationChainEndsAfterEightDeletedFiles() {
        bidirectional(ConflictStrategy.SILKNOTE_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = fx.text(fs, "befund.txt", "base");
        assertThat(fx.run().success()).isTrue();
        DocumentUuid d = DocumentUuid.forVsrxFile(f);
        ContentHash s = stored("silknote edit");
        fx.silknote.documents().silknoteUser().replaceContent(d, s, "silknote edit".length(), "text/plain");
        fx.vsrx.deleteFile(f);
        for (int hop = 1; hop <= 8; hop++) {
            // each run replays the keys of the chain so far and writes one new file, which VSRX then deletes
            VsrxFile again = recreatedThenCrashed(fs, d);
            assertThat(filesOf(fs, d)).as("re-created file %d", hop).hasSize(hop);
            fx.vsrx.deleteFile(again.id());
        }
        long writes = fx.vsrx.writes();

        SyncResult r = fx.run();

        assertThat(EngineFixture.file(r, f).action()).isEqualTo(FileAction.CONFLICT);
        assertThat(EngineFixture.file(r, f).detail()).contains(ConflictKind.DELETED_IN_VSRX.code());
        assertThat(filesOf(fs, d)).as("no ninth file").hasSize(8).allMatch(VsrxFile::deleted);
        assertThat(fx.vsrx.writes()).isEqualTo(writes);
        assertThat(fx.silknote.documents().findDocument(d).orElseThrow().contentHash()).isEqualTo(s);
        assertThat(records()).singleElement().satisfies(x -> {
            assertThat(x.status()).isEqualTo(ConflictStatus.OPEN);
            assertThat(x.heldHashes()).contains(s);
        });
        assertThat(refCount(s)).isGreaterThanOrEqualTo(1);
    }

    // ---- row 11: an operator's Silknote-wins whose link commit was lost ----------------------------------------

    @Test
    @DisplayName("issue 14 §4 row 11: an operator's SILKNOTE_WINS written to VSRX whose link commit was lost: the next "
            + "run links the document and resolves the record as the operator's (conflict:operator-silknote-wins), "
            + "keeping nothing")
    void row11OperatorSilknoteWinsLinkedAfterACrashKeepsNothing() {
        bidirectional(ConflictStrategy.REPORT);
        fx.config(c -> c.blobGracePeriod(java.time.Duration.ofDays(1)));
        FilesetId fs = fx.linkedFileset("P-1");
        AuthoredDocument a = authored(fs, "silknote version");
        VsrxFileId f = writtenFor(fs, a.uuid(), "vsrx version");
        assertThat(EngineFixture.action(fx.run(), f)).isEqualTo(FileAction.CONFLICT);
        SyncConflicts conflicts = SyncConflicts.builder().documents(fx.silknote.documents()).lock(fx.lock)
                .config(fx.config).clock(fx.clock).build();
        conflicts.decide(records().get(0).id(), ConflictStrategy.SILKNOTE_WINS);
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
        AtomicBoolean crashed = fx.crashBeforeTheNextCommitOnce(written::get);
        assertThat(fx.run().success()).isFalse();
        assertThat(crashed).isTrue();
        fx.documents = real;
        fx.target = fx.vsrx;
        assertThat(fx.vsrx.contentHash(f)).isEqualTo(a.contentHash());

        SyncResult second = fx.run();

        assertThat(EngineFixture.action(second, f)).isEqualTo(FileAction.METADATA_ONLY);
        assertThat(EngineFixture.file(second, f).detail()).contains("linked-silknote-origin");
        assertThat(fx.silknote.documents().findMapping(f).orElseThrow().silknoteDocumentUuid()).isEqualTo(a.uuid());
        assertThat(records()).singleElement().satisfies(x -> {
            assertThat(x.status()).isEqualTo(ConflictStatus.RESOLVED);
            assertThat(x.detail()).contains("conflict:operator-silknote-wins");
            assertThat(x.keptHash()).isEmpty();
        });
        assertThat(refCount(TestHashes.sha256("vsrx version"))).as("an operator's decision keeps nothing").isZero();
        assertThat(refCount(a.contentHash())).as("the mapping's").isEqualTo(1);
    }

    // ---- row 11 beside an open record of another kind --------------------------------------------------------

    @Test
    @DisplayName("issue 14 §4, row 11: an open record of another kind about a file the sync wrote (a ledger row "
            + "written outside the engine) is superseded, and the file, holding the document's bytes, is linked as "
            + "usual; the record is no Silknote-wins intent to apply with the link")
    void openRecordOfAnotherKindDoesNotTakeTheLink() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        AuthoredDocument a = authored(fs, "written in silknote");
        VsrxFileId f = writtenFor(fs, a.uuid(), "written in silknote");
        ConflictKind kind = ConflictKind.CHANGED_ON_BOTH_SIDES;
        ConflictRecord other = new ConflictRecord(ConflictId.derive(f.value(), kind.code(), "elsewhere"), fs,
                Optional.of(f), a.uuid(), kind, ConflictStatus.OPEN, Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(kind.code()), fx.clock.instant(), fx.clock.instant());
        fx.silknote.documents().replaceConflictBehindTheSync(other);

        SyncResult r = fx.run();

        assertThat(EngineFixture.fileset(r, fs).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
        assertThat(reports(r, f)).singleElement().satisfies(x -> {
            assertThat(x.action()).isEqualTo(FileAction.METADATA_ONLY);
            assertThat(x.detail()).contains("linked-silknote-origin");
        });
        assertThat(fx.silknote.documents().findMapping(f).orElseThrow().silknoteDocumentUuid()).isEqualTo(a.uuid());
        assertThat(fx.silknote.documents().allConflicts().get(other.id())).satisfies(x -> {
            assertThat(x.status()).isEqualTo(ConflictStatus.RESOLVED);
            assertThat(x.detail()).contains("superseded");
        });
    }

    /** The VSRX source, whose last page of {@code fs}'s files also lists {@code extra} of that page's items. */
    private VsrxSource lastPageRepeats(FilesetId fs, Function<List<VsrxFile>, List<VsrxFile>> extra) {
        VsrxSource real = fx.vsrx;
        return new VsrxSource() {
            @Override
            public Page<VsrxFileset> listFilesets(PageRequest request) {
                return real.listFilesets(request);
            }

            @Override
            public Optional<VsrxFileset> findFileset(FilesetId id) {
                return real.findFileset(id);
            }

            @Override
            public Page<VsrxFile> listFiles(FilesetId id, PageRequest request) {
                Page<VsrxFile> page = real.listFiles(id, request);
                if (!id.equals(fs) || page.nextCursor().isPresent()) {
                    return page;
                }
                List<VsrxFile> items = new ArrayList<>(page.items());
                items.addAll(extra.apply(page.items()));
                return new Page<>(items, page.nextCursor(), page.serverTime());
            }

            @Override
            public FileContent openContent(VsrxFileId fileId) {
                return real.openContent(fileId);
            }
        };
    }

    // ---- a listing that repeats a file whose grouped document a user changed --------------------------------

    @Test
    @DisplayName("issue 14 §3 scope, DESIGN rule 4: a listing that repeats a file (its later page from a replica "
            + "that has not seen VSRX's change) whose grouped document a user changed reports the file once: the "
            + "pull's conflict for the first occurrence, not also silknote-change-not-pushed:grouped")
    void repeatedListingOfAGroupedChangedDocumentIsReportedOnce() {
        bidirectional(ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = fx.text(fs, "befund.txt", "base");
        assertThat(fx.run().success()).isTrue();
        DocumentUuid d = DocumentUuid.forVsrxFile(f);
        VsrxFile asSynced = fx.vsrx.findFile(f).orElseThrow();
        fx.silknote.documents().silknoteUser().group(d, "grouped");
        ContentHash s = stored("silknote edit of a grouped document");
        fx.silknote.documents().silknoteUser().replaceContent(d, s, "silknote edit of a grouped document".length(),
                "text/plain");
        fx.vsrx.modifyFile(f, "vsrx edit");
        // the last page again lists the file as it was before VSRX's change
        fx.source = lastPageRepeats(fs, page -> List.of(asSynced));
        long writes = fx.vsrx.writes();

        SyncResult r = fx.run();

        assertThat(reports(r, f)).as("one report for the file").singleElement().satisfies(x -> {
            assertThat(x.action()).isEqualTo(FileAction.CONFLICT);
            assertThat(x.detail()).contains("changed-but-user-modified");
        });
        assertThat(fx.vsrx.writes()).as("nothing pushed").isEqualTo(writes);
        assertThat(fx.silknote.documents().findDocument(d).orElseThrow().contentHash()).as("the user's content stays")
                .isEqualTo(s);
    }

    @Test
    @DisplayName("issue 14 §3, DESIGN rules 5 and 10: a listing whose last page is served twice (a repeated id; the "
            + "first occurrence counts, as in the diff) pushes a changed document once, reports each file once and "
            + "completes the fileset; the mass-delete guard counts a removal once")
    void repeatedLastPageIsHandledOncePerFile() {
        fx.config(c -> c.bidirectional(BidirectionalConfig.builder().direction(SyncDirection.BIDIRECTIONAL)
                .deletes(true).build())
                .massDeleteGuard(new com.silknote.sync.core.model.MassDeleteGuard(0.25, 1)));
        fx.target = fx.vsrx;
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId pushed = fx.text(fs, "a.txt", "note a");
        VsrxFileId grouped = fx.text(fs, "b.txt", "note b");
        VsrxFileId removed = fx.text(fs, "c.txt", "note c");
        VsrxFileId kept = fx.text(fs, "d.txt", "note d");
        fx.text(fs, "e.txt", "note e");
        assertThat(fx.run().success()).isTrue();
        ContentHash s = stored("silknote edit a");
        fx.silknote.documents().silknoteUser().replaceContent(DocumentUuid.forVsrxFile(pushed), s,
                "silknote edit a".length(), "text/plain");
        fx.silknote.documents().silknoteUser().group(DocumentUuid.forVsrxFile(grouped), "grouped");
        ContentHash g = stored("silknote edit b");
        fx.silknote.documents().silknoteUser().replaceContent(DocumentUuid.forVsrxFile(grouped), g,
                "silknote edit b".length(), "text/plain");
        fx.silknote.documents().silknoteUser().remove(DocumentUuid.forVsrxFile(removed));
        // pages of two: the last page holds only e.txt; the repeat lists a.txt to d.txt again after it
        fx.source = lastPageRepeats(fs, page -> fx.vsrx.listedFiles(fs).stream()
                .filter(x -> !x.id().equals(page.get(0).id())).toList());
        long writes = fx.vsrx.writes();

        SyncResult r = fx.run();

        assertThat(EngineFixture.fileset(r, fs).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
        assertThat(reports(r, pushed)).singleElement().satisfies(x -> {
            assertThat(x.action()).isEqualTo(FileAction.UPDATED);
            assertThat(x.detail()).contains("pushed-to-vsrx");
        });
        assertThat(reports(r, grouped)).singleElement()
                .satisfies(x -> assertThat(x.detail()).contains("silknote-change-not-pushed:grouped"));
        assertThat(reports(r, removed)).singleElement().satisfies(x -> assertThat(x.action())
                .as("one removal of five documents, under the 25 %% guard").isEqualTo(FileAction.DELETED));
        assertThat(reports(r, kept)).isEmpty();
        assertThat(fx.vsrx.writes() - writes).as("one push, one delete").isEqualTo(2);
        assertThat(fx.vsrx.contentHash(pushed)).isEqualTo(s);
        assertThat(fx.vsrx.findFile(removed).orElseThrow().deleted()).isTrue();
    }
}
