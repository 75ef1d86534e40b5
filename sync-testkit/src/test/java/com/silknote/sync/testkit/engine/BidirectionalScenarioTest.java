package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.AuthoredDocument;
import com.silknote.sync.core.model.BidirectionalConfig;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ConflictKind;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.IdempotencyKey;
import com.silknote.sync.core.model.NewVsrxFile;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncDirection;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxWriteResult;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.VsrxTarget;
import com.silknote.sync.core.VsrxSync;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The scenario table of issue 14 ("Done when") that the engine implements so far, in memory: a Silknote-created
 * document reaches VSRX exactly once (also with the answer lost and with a crash between the write and the
 * commit), the next pull does not import it again, a paused holder cannot write to VSRX after losing the lock,
 * and the default stays one-way.
 */
class BidirectionalScenarioTest {
    private final EngineFixture fx = new EngineFixture();
    private VsrxTarget target = fx.vsrx;

    private EngineFixture bidirectional() {
        return fx.config(c -> c.bidirectional(BidirectionalConfig.builder().direction(SyncDirection.BIDIRECTIONAL)
                .build()));
    }

    private VsrxSync sync() {
        fx.target = target;
        return fx.sync();
    }

    private SyncResult run() {
        return sync().run(com.silknote.sync.core.model.SyncRequest.full());
    }

    /** A document a Silknote user creates for the fileset's patient, its bytes in the blob store. */
    private AuthoredDocument authored(FilesetId fs, String title, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ContentHash hash = sha256(bytes);
        fx.silknote.blobs().putIfAbsent(new BlobUpload(hash, bytes.length, "text/plain",
                () -> new ByteArrayInputStream(bytes)));
        AuthoredDocument a = new AuthoredDocument(new DocumentUuid(UUID.randomUUID()),
                fx.vsrx.findFileset(fs).orElseThrow().silknotePatientUuid().orElseThrow(), Optional.of(fs), hash,
                bytes.length, "text/plain", Optional.of(title), "SILKNOTE", "ungrouped", fx.clock.instant());
        fx.silknote.documents().createDocumentAsSilknoteUser(a);
        return a;
    }

    private List<VsrxFile> filesWithOrigin(FilesetId fs, DocumentUuid origin) {
        return fx.vsrx.listedFiles(fs).stream().filter(f -> f.origin().equals(Optional.of(origin))).toList();
    }

    private void assertLinkedOnce(FilesetId fs, AuthoredDocument a) {
        List<VsrxFile> files = filesWithOrigin(fs, a.uuid());
        assertThat(files).as("exactly one VSRX file for the document").hasSize(1);
        VsrxFile f = files.get(0);
        assertThat(f.path()).startsWith("notes/silknote/").endsWith(".txt");
        assertThat(fx.vsrx.contentHash(f.id())).isEqualTo(a.contentHash());
        SilknoteDocument d = fx.silknote.documents().findDocument(a.uuid()).orElseThrow();
        assertThat(d.clientFileId()).isEqualTo(f.id());
        assertThat(fx.silknote.documents().allAuthoredDocuments()).doesNotContainKey(a.uuid());
        assertThat(fx.silknote.documents().allDocuments().values())
                .filteredOn(x -> x.contentHash().equals(a.contentHash())).as("no imported duplicate").hasSize(1);
        assertThat(fx.silknote.documents().findMapping(f.id()).orElseThrow().etag()).isEqualTo(f.etag());
        assertThat(fx.silknote.documents().findBlobRef(a.contentHash()).orElseThrow().refCount())
                .as("the mapping holds the content's reference").isEqualTo(1);
    }

    @Test
    @DisplayName("issue 14: by default nothing is written to VSRX, even with a target configured")
    void defaultStaysOneWay() {
        FilesetId fs = fx.linkedFileset("P-1");
        fx.text(fs, "a.txt", "from vsrx");
        AuthoredDocument a = authored(fs, "Befund", "written in silknote");

        SyncResult r = run();

        assertThat(r.success()).isTrue();
        assertThat(filesWithOrigin(fs, a.uuid())).isEmpty();
        assertThat(fx.vsrx.listedFiles(fs)).hasSize(1);
        assertThat(fx.silknote.documents().allAuthoredDocuments()).containsKey(a.uuid());
    }

    @Test
    @DisplayName("issue 14: a Silknote-created document appears in VSRX exactly once; the next pull does not duplicate it")
    void silknoteCreatedDocumentIsWrittenOnceAndNotPulledBack() {
        bidirectional();
        FilesetId fs = fx.linkedFileset("P-1");
        VsrxFileId pulled = fx.text(fs, "a.txt", "from vsrx");
        AuthoredDocument a = authored(fs, "Befund/../x", "written in silknote");

        SyncResult first = run();
        assertThat(first.success()).isTrue();
        assertThat(EngineFixture.action(first, pulled)).isEqualTo(FileAction.CREATED);
        VsrxFile exported = filesWithOrigin(fs, a.uuid()).get(0);
        FileReport report = EngineFixture.file(first, exported.id());
        assertThat(report.action()).isEqualTo(FileAction.CREATED);
        assertThat(report.detail()).contains("exported-to-vsrx");
        assertLinkedOnce(fs, a);

        SyncResult second = run();
        assertThat(second.success()).isTrue();
        assertThat(EngineFixture.unchanged(second, exported.id())).isTrue();
        assertLinkedOnce(fs, a);
        assertThat(fx.vsrx.listedFiles(fs)).hasSize(2);
    }

    @Test
    @DisplayName("issue 14: the create's answer is lost; the retry with the same key gets the same file")
    void answerLostIsRetriedWithTheSameKey() {
        bidirectional();
        FilesetId fs = fx.linkedFileset("P-1");
        AuthoredDocument a = authored(fs, "Brief", "letter");
        AtomicInteger calls = new AtomicInteger();
        target = new ForwardingTarget(fx.vsrx) {
            @Override
            public VsrxWriteResult createFile(FencingToken t, IdempotencyKey k, NewVsrxFile f, BlobUpload c) {
                VsrxWriteResult r = super.createFile(t, k, f, c);
                if (calls.incrementAndGet() == 1) {
                    throw new TransientSyncException("answer lost", null);
                }
                return r;
            }
        };

        SyncResult r = run();

        assertThat(r.success()).isTrue();
        assertThat(calls).hasValue(2);
        assertLinkedOnce(fs, a);
    }

    @Test
    @DisplayName("issue 14: a crash after the VSRX write and before the commit; the next run links the file, no second file")
    void crashBetweenWriteAndCommitIsLinkedByTheNextRun() {
        bidirectional();
        FilesetId fs = fx.linkedFileset("P-1");
        AuthoredDocument a = authored(fs, "Brief", "letter");
        AtomicBoolean written = new AtomicBoolean();
        target = new ForwardingTarget(fx.vsrx) {
            @Override
            public VsrxWriteResult createFile(FencingToken t, IdempotencyKey k, NewVsrxFile f, BlobUpload c) {
                VsrxWriteResult r = super.createFile(t, k, f, c);
                written.set(true);
                return r;
            }
        };
        DocumentStore real = fx.documents;
        AtomicBoolean crashed = fx.crashBeforeTheNextCommitOnce(written::get);

        SyncResult first = run();
        assertThat(crashed).isTrue();
        assertThat(EngineFixture.fileset(first, fs).outcome()).isEqualTo(FilesetOutcome.FAILED);
        assertThat(filesWithOrigin(fs, a.uuid())).hasSize(1);
        assertThat(fx.silknote.documents().allAuthoredDocuments()).containsKey(a.uuid());

        fx.documents = real;
        target = fx.vsrx;
        SyncResult second = run();
        assertThat(second.success()).isTrue();
        VsrxFile f = filesWithOrigin(fs, a.uuid()).get(0);
        assertThat(EngineFixture.file(second, f.id()).detail()).contains("linked-silknote-origin");
        assertLinkedOnce(fs, a);
        assertThat(EngineFixture.unchanged(run(), f.id())).isTrue();
    }

    @Test
    @DisplayName("issue 14 row 2 (bi-directional history seed 2): a VSRX edit of an exported file updates its document")
    void vsrxEditOfAnExportedFileUpdatesTheSilknoteDocument() {
        bidirectional();
        FilesetId fs = fx.linkedFileset("P-1");
        AuthoredDocument a = authored(fs, "Brief", "letter");
        assertThat(run().success()).isTrue();
        VsrxFile exported = filesWithOrigin(fs, a.uuid()).get(0);

        fx.vsrx.modifyFile(exported.id(), "letter, corrected in vsrx");
        SyncResult r = run();

        assertThat(r.success()).as("fileset %s: %s", fs, EngineFixture.fileset(r, fs)).isTrue();
        assertThat(EngineFixture.action(r, exported.id())).isEqualTo(FileAction.UPDATED);
        SilknoteDocument d = fx.silknote.documents().findDocument(a.uuid()).orElseThrow();
        assertThat(d.contentHash()).isEqualTo(fx.vsrx.contentHash(exported.id()));
        assertThat(d.clientFileId()).isEqualTo(exported.id());
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(exported.id())))
                .as("no second document for the exported file").isEmpty();
        assertThat(fx.silknote.documents().findBlobRef(a.contentHash()).map(b -> b.refCount()).orElse(0L))
                .as("the old content's reference is released").isZero();
        assertThat(fx.silknote.documents().findBlobRef(d.contentHash()).orElseThrow().refCount()).isEqualTo(1);
        assertThat(EngineFixture.unchanged(run(), exported.id())).isTrue();
    }

    @Test
    @DisplayName("issue 14 §4/§5.3 (bi-directional history seed 81): a create replayed onto a file VSRX deleted "
            + "never links the document, so its newer content is not deleted with the file")
    void replayedCreateOfADeletedFileDoesNotLinkTheDocument() {
        bidirectional();
        FilesetId fs = fx.linkedFileset("P-1");
        AuthoredDocument a = authored(fs, "Brief", "letter");
        AtomicBoolean written = new AtomicBoolean();
        target = new ForwardingTarget(fx.vsrx) {
            @Override
            public VsrxWriteResult createFile(FencingToken t, IdempotencyKey k, NewVsrxFile f, BlobUpload c) {
                VsrxWriteResult r = super.createFile(t, k, f, c);
                written.set(true);
                return r;
            }
        };
        DocumentStore real = fx.documents;
        AtomicBoolean crashed = fx.crashBeforeTheNextCommitOnce(written::get);
        run();
        assertThat(crashed).isTrue();
        fx.documents = real;
        target = fx.vsrx;
        VsrxFile f = filesWithOrigin(fs, a.uuid()).get(0);
        byte[] newer = "letter, rewritten in silknote".getBytes(StandardCharsets.UTF_8);
        ContentHash s = sha256(newer);
        fx.silknote.blobs().putIfAbsent(new BlobUpload(s, newer.length, "text/plain",
                () -> new ByteArrayInputStream(newer)));
        fx.silknote.documents().silknoteUser().replaceContent(a.uuid(), s, newer.length, "text/plain");
        fx.vsrx.deleteFile(f.id());

        SyncResult first = run();
        run();

        assertThat(EngineFixture.report(first).filesets()).flatMap(FilesetReport::files)
                .filteredOn(r -> r.fileId().equals(f.id())).extracting(FileReport::action)
                .as("reported, not linked").contains(FileAction.CONFLICT);
        assertThat(EngineFixture.report(first).filesets()).flatMap(FilesetReport::files)
                .filteredOn(r -> r.fileId().equals(f.id()) && r.action() == FileAction.CONFLICT)
                .extracting(FileReport::detail).as("VSRX serves nothing for it any more")
                .containsOnly(Optional.of(ConflictKind.DELETED_IN_VSRX.code()));

        assertThat(fx.silknote.documents().allAuthoredDocuments().get(a.uuid()))
                .as("the document stays, with the content its user wrote").isNotNull()
                .extracting(AuthoredDocument::contentHash).isEqualTo(s);
        assertThat(fx.silknote.blobs().stat(s)).isPresent();
    }

    @Test
    @DisplayName("issue 14 §3 scope: a grouped Silknote-created document is not exported; reported under its opaque id")
    void groupedSilknoteCreatedDocumentIsReportedNotExported() {
        bidirectional();
        FilesetId fs = fx.linkedFileset("P-1");
        byte[] bytes = "grouped in silknote".getBytes(StandardCharsets.UTF_8);
        ContentHash hash = sha256(bytes);
        fx.silknote.blobs().putIfAbsent(new BlobUpload(hash, bytes.length, "text/plain",
                () -> new ByteArrayInputStream(bytes)));
        AuthoredDocument a = new AuthoredDocument(new DocumentUuid(UUID.randomUUID()), EngineFixture.patient("P-1"),
                Optional.of(fs), hash, bytes.length, "text/plain", Optional.of("Befund"), "SILKNOTE", "grouped",
                fx.clock.instant());
        fx.silknote.documents().createDocumentAsSilknoteUser(a);

        SyncResult r = run();

        assertThat(r.success()).isTrue();
        assertThat(filesWithOrigin(fs, a.uuid())).isEmpty();
        FileReport report = EngineFixture.file(r, VsrxFileId.of("silknote-" + a.uuid().value()));
        assertThat(report.action()).isEqualTo(FileAction.UNCHANGED);
        assertThat(report.detail()).contains("silknote-change-not-pushed:grouped");
    }

    @Test
    @DisplayName("issue 14 §5.2: a title with no usable character is exported as document-<uuid>")
    void titleWithoutUsableCharactersIsExportedAsDocument() {
        bidirectional();
        FilesetId fs = fx.linkedFileset("P-1");
        AuthoredDocument a = authored(fs, "???", "untitled in silknote");

        assertThat(run().success()).isTrue();

        assertThat(filesWithOrigin(fs, a.uuid())).singleElement().satisfies(f -> assertThat(f.path())
                .isEqualTo("notes/silknote/document-" + a.uuid().value().toString().substring(0, 8) + ".txt"));
    }

    @Test
    @DisplayName("issue 14 / DESIGN fencing: a paused holder that lost the lock cannot write to VSRX")
    void pausedHolderCannotWriteToVsrx() {
        bidirectional();
        FilesetId fs = fx.linkedFileset("P-1");
        AuthoredDocument a = authored(fs, "Brief", "letter");
        AtomicBoolean paused = new AtomicBoolean();
        target = new ForwardingTarget(fx.vsrx) {
            @Override
            public VsrxWriteResult createFile(FencingToken t, IdempotencyKey k, NewVsrxFile f, BlobUpload c) {
                if (paused.compareAndSet(false, true)) {
                    // holder A pauses after checking its lease; its lease runs out and holder B runs to the end
                    fx.clock.advance(fx.config.lockTtl().plus(Duration.ofSeconds(1)));
                    fx.target = fx.vsrx;
                    VsrxSync b = fx.sync();
                    assertThat(b.run(com.silknote.sync.core.model.SyncRequest.full()).success()).isTrue();
                }
                return super.createFile(t, k, f, c);
            }
        };

        SyncResult holderA = run();

        assertThat(paused).isTrue();
        assertThat(holderA.success()).isFalse();
        // B resumed A's run (the fileset's pull had committed) and fenced VSRX; A's write was refused
        assertThat(filesWithOrigin(fs, a.uuid())).as("the paused holder wrote nothing to VSRX").isEmpty();
        target = fx.vsrx;
        assertThat(run().success()).isTrue();
        assertLinkedOnce(fs, a);
        // the VSRX side itself refuses the old token (the engine's lease check is not what protects it)
        assertThatThrownBy(() -> fx.vsrx.createFile(FencingToken.of(1), IdempotencyKey.of("create:other"),
                new NewVsrxFile(fs, "notes/silknote/x.txt", "text/plain", new DocumentUuid(UUID.randomUUID())),
                new BlobUpload(a.contentHash(), a.size(), "text/plain",
                        () -> new ByteArrayInputStream("letter".getBytes(StandardCharsets.UTF_8)))))
                .isInstanceOf(StaleFencingTokenException.class);
    }

    private static ContentHash sha256(byte[] bytes) {
        try {
            return ContentHash.ofBytes(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Forwards every call; tests override one. */
    static class ForwardingTarget implements VsrxTarget {
        private final VsrxTarget d;

        ForwardingTarget(VsrxTarget d) {
            this.d = d;
        }

        @Override
        public void fence(FencingToken token) {
            d.fence(token);
        }

        @Override
        public VsrxWriteResult createFile(FencingToken token, IdempotencyKey key, NewVsrxFile file, BlobUpload content) {
            return d.createFile(token, key, file, content);
        }

        @Override
        public VsrxWriteResult replaceContent(FencingToken token, IdempotencyKey key, VsrxFileId fileId,
                String ifMatchEtag, BlobUpload content) {
            return d.replaceContent(token, key, fileId, ifMatchEtag, content);
        }

        @Override
        public VsrxWriteResult markDeleted(FencingToken token, IdempotencyKey key, VsrxFileId fileId,
                String ifMatchEtag) {
            return d.markDeleted(token, key, fileId, ifMatchEtag);
        }
    }
}
