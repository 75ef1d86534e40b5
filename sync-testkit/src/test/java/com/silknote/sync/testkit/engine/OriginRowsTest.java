package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.AuditAction;
import com.silknote.sync.core.model.AuthoredDocument;
import com.silknote.sync.core.model.ConflictKind;
import com.silknote.sync.core.model.ConflictRecord;
import com.silknote.sync.core.model.ConflictStatus;
import com.silknote.sync.core.model.ConflictStrategy;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.AuditQuery;
import com.silknote.sync.core.model.AuditRecord;
import com.silknote.sync.core.model.BidirectionalConfig;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.IdempotencyKey;
import com.silknote.sync.core.model.NewVsrxFile;
import com.silknote.sync.core.model.SyncDirection;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 scenario table, row 13: a VSRX file with a Silknote origin whose document no longer exists in
 * Silknote is never imported; with delete propagation on it is marked deleted in VSRX under the mass-delete guard,
 * while it holds bytes the sync wrote for that document (ExportEvidenceTest plays the lost-link cases), with it
 * off it is reported {@code VANISHED origin-document-removed} and left alone.
 */
class OriginRowsTest {
    private final EngineFixture fx = new EngineFixture();

    private void bidirectional(boolean deletes) {
        bidirectional(deletes, ConflictStrategy.REPORT);
    }

    private void bidirectional(boolean deletes, ConflictStrategy strategy) {
        fx.config(c -> c.bidirectional(BidirectionalConfig.builder().direction(SyncDirection.BIDIRECTIONAL)
                .deletes(deletes).conflictStrategy(strategy).build()));
        fx.target = fx.vsrx;
    }

    private ContentHash stored(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ContentHash h = sha256(bytes);
        fx.silknote.blobs().putIfAbsent(new BlobUpload(h, bytes.length, "text/plain",
                () -> new ByteArrayInputStream(bytes)));
        return h;
    }

    /**
     * Row 11 with different bytes: a Silknote-created document not linked yet, and a file written for it whose
     * bytes differ (the document was edited between the export's write and its lost commit).
     */
    private AuthoredDocument unlinkedWithOtherBytes(FilesetId fs, VsrxFileId[] file) {
        ContentHash s = stored("silknote version");
        AuthoredDocument a = new AuthoredDocument(new DocumentUuid(UUID.randomUUID()), EngineFixture.patient("P-1"),
                Optional.of(fs), s, "silknote version".length(), "text/plain", Optional.of("Brief"), "SILKNOTE",
                "ungrouped", fx.clock.instant());
        fx.silknote.documents().createDocumentAsSilknoteUser(a);
        byte[] v = "vsrx version".getBytes(StandardCharsets.UTF_8);
        file[0] = fx.vsrx.createFile(FencingToken.of(1), IdempotencyKey.create(a.uuid()),
                new NewVsrxFile(fs, "notes/silknote/Brief-" + a.uuid().value().toString().substring(0, 8) + ".txt",
                        "text/plain", a.uuid()),
                new BlobUpload(sha256(v), v.length, "text/plain", () -> new ByteArrayInputStream(v))).file().id();
        return a;
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

    private static final ContentHash S = sha256("silknote version".getBytes(StandardCharsets.UTF_8));
    private static final ContentHash V = sha256("vsrx version".getBytes(StandardCharsets.UTF_8));

    @Test
    @DisplayName("issue 14 row 11, REPORT: different bytes open a conflict record holding both versions, reported every run")
    void row11ReportHoldsBoth() {
        bidirectional(false, ConflictStrategy.REPORT);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId[] f = new VsrxFileId[1];
        AuthoredDocument a = unlinkedWithOtherBytes(fs, f);

        SyncResult r = fx.run();

        assertThat(EngineFixture.action(r, f[0])).isEqualTo(FileAction.CONFLICT);
        assertThat(EngineFixture.file(r, f[0]).detail()).contains("linked-with-different-content");
        assertThat(records()).singleElement().satisfies(rec -> {
            assertThat(rec.status()).isEqualTo(ConflictStatus.OPEN);
            assertThat(rec.kind()).isEqualTo(ConflictKind.LINKED_WITH_DIFFERENT_CONTENT);
            assertThat(rec.heldHashes()).containsExactlyInAnyOrder(S, V);
        });
        assertKept(S);
        assertKept(V);
        assertThat(fx.silknote.documents().allAuthoredDocuments()).containsKey(a.uuid());
        assertThat(fx.vsrx.listedFiles(fs)).as("not exported again").hasSize(1);

        SyncResult again = fx.run();
        assertThat(EngineFixture.action(again, f[0])).isEqualTo(FileAction.CONFLICT);
        assertThat(records()).hasSize(1);
        assertThat(fx.silknote.documents().findBlobRef(V).orElseThrow().refCount()).isEqualTo(1);
    }

    @Test
    @DisplayName("issue 14 row 11, VSRX_WINS: the document is linked with the VSRX version; the Silknote version is held")
    void row11VsrxWins() {
        bidirectional(false, ConflictStrategy.VSRX_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId[] f = new VsrxFileId[1];
        AuthoredDocument a = unlinkedWithOtherBytes(fs, f);

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertThat(EngineFixture.file(r, f[0]).detail()).contains("conflict:vsrx-wins");
        SilknoteDocument d = fx.silknote.documents().findDocument(a.uuid()).orElseThrow();
        assertThat(d.clientFileId()).isEqualTo(f[0]);
        assertThat(d.contentHash()).isEqualTo(V);
        assertThat(records()).singleElement().satisfies(rec -> {
            assertThat(rec.status()).isEqualTo(ConflictStatus.APPLIED);
            assertThat(rec.heldHashes()).containsExactly(S);
        });
        assertKept(S);
        assertKept(V);
        assertThat(fx.vsrx.contentHash(f[0])).isEqualTo(V);
        assertThat(EngineFixture.unchanged(fx.run(), f[0])).as("settled").isTrue();
    }

    @Test
    @DisplayName("issue 14 row 11, SILKNOTE_WINS: the Silknote version is written to the file; the VSRX version is held")
    void row11SilknoteWins() {
        bidirectional(false, ConflictStrategy.SILKNOTE_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId[] f = new VsrxFileId[1];
        AuthoredDocument a = unlinkedWithOtherBytes(fs, f);

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertThat(EngineFixture.file(r, f[0]).detail()).contains("conflict:silknote-wins");
        assertThat(fx.vsrx.contentHash(f[0])).isEqualTo(S);
        SilknoteDocument d = fx.silknote.documents().findDocument(a.uuid()).orElseThrow();
        assertThat(d.clientFileId()).isEqualTo(f[0]);
        assertThat(d.contentHash()).isEqualTo(S);
        VsrxFile now = fx.vsrx.findFile(f[0]).orElseThrow();
        assertThat(fx.silknote.documents().findMapping(f[0]).orElseThrow().etag()).isEqualTo(now.etag());
        assertThat(records()).singleElement().satisfies(rec -> {
            assertThat(rec.status()).isEqualTo(ConflictStatus.APPLIED);
            assertThat(rec.heldHashes()).containsExactly(V);
        });
        assertKept(S);
        assertKept(V);
        assertThat(EngineFixture.unchanged(fx.run(), f[0])).as("settled").isTrue();
    }

    @Test
    @DisplayName("issue 14 row 11, KEEP_BOTH: the VSRX version in the document, the Silknote version a conflict copy exported once")
    void row11KeepBoth() {
        bidirectional(false, ConflictStrategy.KEEP_BOTH);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId[] f = new VsrxFileId[1];
        AuthoredDocument a = unlinkedWithOtherBytes(fs, f);

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertThat(fx.silknote.documents().findDocument(a.uuid()).orElseThrow().contentHash()).isEqualTo(V);
        DocumentUuid copy = DocumentUuid.conflictCopy(a.uuid(), S);
        assertThat(fx.vsrx.listedFiles(fs)).filteredOn(x -> x.origin().equals(Optional.of(copy))).singleElement()
                .satisfies(x -> assertThat(fx.vsrx.contentHash(x.id())).isEqualTo(S));
        assertKept(S);
        assertKept(V);
        fx.run();
        assertThat(fx.vsrx.listedFiles(fs)).hasSize(2);
    }

    private static ContentHash sha256(byte[] bytes) {
        try {
            return ContentHash.ofBytes(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A file an earlier export wrote for a document that Silknote no longer has, its link lost. */
    private VsrxFileId writtenForARemovedDocument(FilesetId fs, int n) {
        DocumentUuid gone = new DocumentUuid(UUID.nameUUIDFromBytes(("gone-" + n).getBytes(StandardCharsets.UTF_8)));
        return fx.writtenByALostExport(fs, gone, "exported " + n, "Brief-" + n + ".txt");
    }

    @Test
    @DisplayName("issue 14 row 13, deletes on: the file of a removed document is marked deleted in VSRX, audited, once")
    void deletesOnMarksTheFileDeleted() {
        bidirectional(true);
        FilesetId fs = fx.linkedFileset("P-1");
        fx.text(fs, "a.txt", "one");
        fx.text(fs, "b.txt", "two");
        VsrxFileId f = writtenForARemovedDocument(fs, 1);

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertThat(EngineFixture.action(r, f)).isEqualTo(FileAction.DELETED);
        assertThat(EngineFixture.file(r, f).detail()).contains("origin-document-removed");
        assertThat(fx.vsrx.findFile(f).orElseThrow().deleted()).isTrue();
        assertThat(fx.silknote.documents().allDocuments().values()).noneMatch(d -> d.clientFileId().equals(f));
        assertThat(fx.silknote.documents().auditTrail(AuditQuery.byFileset(fs), 0, 100))
                .extracting(AuditRecord::entry)
                .filteredOn(e -> e.action() == AuditAction.DELETED_IN_VSRX).singleElement()
                .satisfies(e -> assertThat(e.fileId()).contains(f));

        SyncResult again = fx.run();
        assertThat(again.success()).isTrue();
        assertThat(fx.silknote.documents().allDocuments().values()).noneMatch(d -> d.clientFileId().equals(f));
    }

    @Test
    @DisplayName("issue 14 rows 12/13, deletes on: a second file with the origin of a document linked to another file "
            + "is a duplicate, reported CONFLICT and never marked deleted")
    void duplicateOfALinkedDocumentIsNeverDeleted() {
        bidirectional(true);
        FilesetId fs = fx.linkedFileset("P-1");
        fx.text(fs, "a.txt", "one");
        fx.text(fs, "b.txt", "two");
        fx.text(fs, "c.txt", "three");
        ContentHash s = stored("exported once");
        AuthoredDocument a = new AuthoredDocument(new DocumentUuid(UUID.randomUUID()), EngineFixture.patient("P-1"),
                Optional.of(fs), s, "exported once".length(), "text/plain", Optional.of("Brief"), "SILKNOTE",
                "ungrouped", fx.clock.instant());
        fx.silknote.documents().createDocumentAsSilknoteUser(a);
        assertThat(fx.run().success()).isTrue();
        assertThat(fx.silknote.documents().findDocument(a.uuid())).as("exported and linked").isPresent();
        byte[] copy = "a copy made in vsrx".getBytes(StandardCharsets.UTF_8);
        VsrxFileId dup = fx.vsrx.createFile(fx.vsrx.highWaterMark().orElse(FencingToken.of(1)),
                IdempotencyKey.of("create:copy-in-vsrx"), new NewVsrxFile(fs, "notes/silknote/Brief-copy.txt",
                        "text/plain", a.uuid()),
                new BlobUpload(sha256(copy), copy.length, "text/plain", () -> new ByteArrayInputStream(copy)))
                .file().id();

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertThat(EngineFixture.action(r, dup)).isEqualTo(FileAction.CONFLICT);
        assertThat(EngineFixture.file(r, dup).detail()).contains("duplicate-of-linked-document");
        assertThat(fx.vsrx.findFile(dup).orElseThrow().deleted()).as("the patient's file stays").isFalse();
    }

    @Test
    @DisplayName("issue 14 row 13, deletes off: reported VANISHED origin-document-removed, nothing written")
    void deletesOffReportsOnly() {
        bidirectional(false);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId f = writtenForARemovedDocument(fs, 1);

        SyncResult r = fx.run();

        assertThat(EngineFixture.action(r, f)).isEqualTo(FileAction.VANISHED);
        assertThat(EngineFixture.file(r, f).detail()).contains("origin-document-removed");
        assertThat(fx.vsrx.findFile(f).orElseThrow().deleted()).isFalse();
    }

    @Test
    @DisplayName("issue 14 row 13 + DESIGN rule 5: too many such files trip the mass-delete guard; nothing is deleted")
    void theGuardCountsThem() {
        bidirectional(true);
        FilesetId fs = fx.linkedFileset("P-1");
        fx.text(fs, "a.txt", "one");
        VsrxFileId f1 = writtenForARemovedDocument(fs, 1);
        VsrxFileId f2 = writtenForARemovedDocument(fs, 2);
        VsrxFileId f3 = writtenForARemovedDocument(fs, 3);

        SyncResult r = fx.run();

        assertThat(EngineFixture.fileset(r, fs).outcome()).isEqualTo(FilesetOutcome.MASS_DELETE_BLOCKED);
        for (VsrxFileId f : new VsrxFileId[] {f1, f2, f3}) {
            assertThat(fx.vsrx.findFile(f).orElseThrow().deleted()).as("%s", f).isFalse();
        }
    }

    @Test
    @DisplayName("issue 14 row 11, SILKNOTE_WINS: a crash after the VSRX write and before the link; the next run links and applies, no bytes lost")
    void row11SilknoteWinsCrashBeforeTheLink() {
        bidirectional(false, ConflictStrategy.SILKNOTE_WINS);
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId[] f = new VsrxFileId[1];
        AuthoredDocument a = unlinkedWithOtherBytes(fs, f);
        java.util.concurrent.atomic.AtomicBoolean written = new java.util.concurrent.atomic.AtomicBoolean();
        fx.target = new BidirectionalScenarioTest.ForwardingTarget(fx.vsrx) {
            @Override
            public com.silknote.sync.core.model.VsrxWriteResult replaceContent(FencingToken t, IdempotencyKey k,
                    VsrxFileId id, String ifMatch, BlobUpload c) {
                com.silknote.sync.core.model.VsrxWriteResult r = super.replaceContent(t, k, id, ifMatch, c);
                written.set(true);
                return r;
            }
        };
        com.silknote.sync.core.port.DocumentStore real = fx.documents;
        java.util.concurrent.atomic.AtomicBoolean crashed = new java.util.concurrent.atomic.AtomicBoolean();
        fx.documents = new DelegatingDocumentStore(real) {
            @Override
            public <T> T inUnitOfWork(FencingToken token, java.util.function.Function<UnitOfWork, T> work) {
                if (written.get() && crashed.compareAndSet(false, true)) {
                    throw new IllegalStateException("process died before the commit");
                }
                return super.inUnitOfWork(token, work);
            }
        };

        fx.run();
        assertThat(crashed).isTrue();
        assertThat(fx.vsrx.contentHash(f[0])).isEqualTo(S);
        assertThat(records()).singleElement().satisfies(rec -> {
            assertThat(rec.status()).as("the intent committed before the write").isEqualTo(ConflictStatus.OPEN);
            assertThat(rec.heldHashes()).containsExactlyInAnyOrder(S, V);
        });
        assertKept(V);

        fx.documents = real;
        fx.target = fx.vsrx;
        SyncResult next = fx.run();
        assertThat(next.success()).isTrue();
        assertThat(fx.silknote.documents().findDocument(a.uuid()).orElseThrow().clientFileId()).isEqualTo(f[0]);
        assertThat(records()).singleElement().satisfies(rec -> {
            assertThat(rec.status()).isEqualTo(ConflictStatus.APPLIED);
            assertThat(rec.heldHashes()).containsExactly(V);
        });
        assertKept(V);
        assertKept(S);
        assertThat(fx.vsrx.listedFiles(fs)).hasSize(1);
    }
}
