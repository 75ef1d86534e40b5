package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.AuditAction;
import com.silknote.sync.core.model.AuditEntry;
import com.silknote.sync.core.model.AuditQuery;
import com.silknote.sync.core.model.AuditRecord;
import com.silknote.sync.core.model.AuthoredDocument;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.IdempotencyKey;
import com.silknote.sync.core.model.NewVsrxFile;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxWriteResult;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.testkit.TestHashes;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Row 13 of docs/bidirectional.md with delete propagation on, when the export's link never committed: the export
 * commits what it is about to write ({@code EXPORT_STARTED}) before its VSRX write, so a file whose document a
 * Silknote user then removed is marked deleted only while it holds those bytes. A VSRX user's change of it is a
 * conflict, never a delete (DESIGN rule 5: only a deliberate delete deletes; issue 14: nothing a user wrote is lost).
 * Found by the bi-directional random histories (seeds 2436, 2596, 2606, 2958 of 3,000).
 */
class ExportEvidenceTest {
    private final EngineFixture fx = new EngineFixture();

    private void bidirectional() {
        fx.bidirectional(true);
    }

    private static ContentHash sha256(String text) {
        return TestHashes.sha256(text);
    }

    private ContentHash stored(String text) {
        return fx.stored(text);
    }

    private AuthoredDocument authored(FilesetId fs, String text) {
        return fx.authored(fs, text);
    }

    private List<VsrxFile> filesWithOrigin(FilesetId fs, DocumentUuid origin) {
        return fx.vsrx.listedFiles(fs).stream().filter(f -> f.origin().equals(Optional.of(origin))).toList();
    }

    private List<AuditEntry> audit(DocumentUuid d) {
        return fx.silknote.documents().auditTrail(AuditQuery.byDocument(d), 0, 100).stream()
                .map(AuditRecord::entry).toList();
    }

    /**
     * A fileset with two imported files and a Silknote-created document whose export wrote its file and then died
     * before the link committed; the Silknote user has removed the document since. Returns the written file.
     */
    private VsrxFile exportedThenCrashedThenRemoved(FilesetId fs, AuthoredDocument a) {
        SyncResult first = fx.runCrashingAfterTheFirstCreate();
        assertThat(EngineFixture.fileset(first, fs).outcome()).isEqualTo(FilesetOutcome.FAILED);
        assertThat(filesWithOrigin(fs, a.uuid())).hasSize(1);
        fx.silknote.documents().removeDocumentAsSilknoteUser(a.uuid());
        return filesWithOrigin(fs, a.uuid()).get(0);
    }

    private FilesetId filesetWithTwoFiles() {
        FilesetId fs = fx.linkedFileset("P-1");
        fx.text(fs, "a.txt", "one");
        fx.text(fs, "b.txt", "two");
        return fs;
    }

    @Test
    @DisplayName("row 13: the export commits what it writes before the VSRX write; the link follows it")
    void theEvidenceIsCommittedBeforeTheWrite() {
        bidirectional();
        FilesetId fs = filesetWithTwoFiles();
        AuthoredDocument a = authored(fs, "letter");
        AtomicBoolean evidenceBeforeWrite = new AtomicBoolean();
        fx.target = new BidirectionalScenarioTest.ForwardingTarget(fx.vsrx) {
            @Override
            public VsrxWriteResult createFile(FencingToken t, IdempotencyKey k, NewVsrxFile f, BlobUpload c) {
                evidenceBeforeWrite.set(audit(a.uuid()).stream()
                        .anyMatch(e -> e.action() == AuditAction.EXPORT_STARTED));
                return super.createFile(t, k, f, c);
            }
        };

        assertThat(fx.run().success()).isTrue();

        assertThat(evidenceBeforeWrite).isTrue();
        assertThat(audit(a.uuid())).extracting(AuditEntry::action)
                .containsExactly(AuditAction.EXPORT_STARTED, AuditAction.EXPORTED);
        AuditEntry started = audit(a.uuid()).get(0);
        assertThat(started.afterHash()).contains(a.contentHash());
        assertThat(started.fileId()).isEmpty();
        assertThat(started.filesetId()).contains(fs);
        assertThat(started.detail()).contains("export");
    }

    @Test
    @DisplayName("row 13: a crash after the write, then the document removed: the file still holding the written "
            + "bytes is marked deleted in VSRX")
    void anUnchangedFileOfALostLinkIsMarkedDeleted() {
        bidirectional();
        FilesetId fs = filesetWithTwoFiles();
        AuthoredDocument a = authored(fs, "letter");
        VsrxFile f = exportedThenCrashedThenRemoved(fs, a);

        SyncResult r = fx.run();

        assertThat(r.success()).isTrue();
        assertThat(EngineFixture.action(r, f.id())).isEqualTo(FileAction.DELETED);
        assertThat(EngineFixture.file(r, f.id()).detail()).contains("origin-document-removed");
        assertThat(fx.vsrx.findFile(f.id()).orElseThrow().deleted()).isTrue();
        assertThat(audit(a.uuid())).extracting(AuditEntry::action).contains(AuditAction.DELETED_IN_VSRX);
    }

    @Test
    @DisplayName("row 13: a VSRX user's change of a file whose link was lost is never marked deleted: a conflict, "
            + "reported every run, the user's bytes live in VSRX")
    void aVsrxChangeOfALostLinkIsNeverMarkedDeleted() {
        bidirectional();
        FilesetId fs = filesetWithTwoFiles();
        AuthoredDocument a = authored(fs, "letter");
        VsrxFile f = exportedThenCrashedThenRemoved(fs, a);
        fx.vsrx.modifyFile(f.id(), "letter, corrected in vsrx");

        for (int run = 0; run < 2; run++) {
            SyncResult r = fx.run();
            assertThat(r.success()).isTrue();
            assertThat(EngineFixture.action(r, f.id())).as("run %d", run).isEqualTo(FileAction.CONFLICT);
            assertThat(EngineFixture.file(r, f.id()).detail()).contains("origin-document-removed:changed-in-vsrx");
        }
        assertThat(fx.vsrx.findFile(f.id()).orElseThrow().deleted()).isFalse();
        assertThat(fx.vsrx.contentHash(f.id())).isEqualTo(sha256("letter, corrected in vsrx"));
        assertThat(audit(a.uuid())).extracting(AuditEntry::action).doesNotContain(AuditAction.DELETED_IN_VSRX);
    }

    @Test
    @DisplayName("row 13: a listing that declares the written bytes for a file a VSRX user changed (stale or wrong) "
            + "never decides the delete: the served bytes do")
    void aListedHashNeverDecidesTheDelete() {
        bidirectional();
        FilesetId fs = filesetWithTwoFiles();
        AuthoredDocument a = authored(fs, "letter");
        VsrxFile f = exportedThenCrashedThenRemoved(fs, a);
        fx.vsrx.modifyFile(f.id(), "letter, corrected in vsrx");
        fx.vsrx.setDeclaredSha256(f.id(), a.contentHash());

        SyncResult r = fx.run();

        assertThat(EngineFixture.action(r, f.id())).isEqualTo(FileAction.CONFLICT);
        assertThat(fx.vsrx.findFile(f.id()).orElseThrow().deleted()).isFalse();
    }

    @Test
    @DisplayName("row 11: a listing that declares the document's bytes for a file a VSRX user changed never links the "
            + "document to it as if both held the same bytes")
    void aListedHashNeverDecidesTheLink() {
        bidirectional();
        FilesetId fs = filesetWithTwoFiles();
        AuthoredDocument a = authored(fs, "letter");
        fx.runCrashingAfterTheFirstCreate();
        VsrxFile f = filesWithOrigin(fs, a.uuid()).get(0);
        fx.vsrx.modifyFile(f.id(), "letter, corrected in vsrx");
        fx.vsrx.setDeclaredSha256(f.id(), a.contentHash());

        SyncResult r = fx.run();

        assertThat(EngineFixture.action(r, f.id())).isNotEqualTo(FileAction.METADATA_ONLY);
        fx.silknote.documents().findMapping(f.id()).ifPresent(m -> assertThat(m.contentHash())
                .as("no mapping says the file holds the document's bytes").isEqualTo(fx.vsrx.contentHash(f.id())));
    }

    @Test
    @DisplayName("row 13: an edit after the write refuses the link; removed then, the file holding what was written "
            + "is marked deleted (the evidence is what was written, not what the document held last)")
    void anEditAfterTheWriteThenRemovalDeletesTheWrittenFile() {
        bidirectional();
        FilesetId fs = filesetWithTwoFiles();
        AuthoredDocument a = authored(fs, "letter");
        AtomicBoolean written = new AtomicBoolean();
        fx.target = fx.notingCreates(written);
        ContentHash edit = stored("letter, edited in silknote");
        DocumentStore real = fx.documents;
        AtomicBoolean edited = new AtomicBoolean();
        fx.documents = beforeTheNextCommit(real, written::get, edited,
                () -> fx.silknote.documents().replaceContentAsSilknoteUser(a.uuid(), edit, 26, "text/plain"));

        SyncResult first = fx.run();
        assertThat(edited).isTrue();
        assertThat(first.success()).as("the link of the first version is refused").isFalse();
        fx.documents = real;
        fx.target = fx.vsrx;
        VsrxFile f = filesWithOrigin(fs, a.uuid()).get(0);
        assertThat(fx.vsrx.contentHash(f.id())).isEqualTo(a.contentHash());
        fx.silknote.documents().removeDocumentAsSilknoteUser(a.uuid());

        SyncResult r = fx.run();

        assertThat(EngineFixture.action(r, f.id())).isEqualTo(FileAction.DELETED);
        assertThat(fx.vsrx.findFile(f.id()).orElseThrow().deleted()).isTrue();
    }

    @Test
    @DisplayName("row 15: an edit before the evidence commits refuses the export before any VSRX write; the next run "
            + "exports the edited document once")
    void anEditBeforeTheEvidenceWritesNothing() {
        bidirectional();
        FilesetId fs = filesetWithTwoFiles();
        assertThat(fx.run().success()).isTrue();
        AuthoredDocument a = authored(fs, "letter");
        ContentHash edit = stored("letter, edited in silknote");
        DocumentStore real = fx.documents;
        AtomicBoolean edited = new AtomicBoolean();
        fx.documents = beforeTheNextCommit(real, () -> true, edited,
                () -> fx.silknote.documents().replaceContentAsSilknoteUser(a.uuid(), edit, 26, "text/plain"));

        SyncResult first = fx.run();
        assertThat(edited).isTrue();
        assertThat(first.success()).isFalse();
        assertThat(filesWithOrigin(fs, a.uuid())).as("nothing written from the stale read").isEmpty();

        fx.documents = real;
        assertThat(fx.run().success()).isTrue();
        assertThat(filesWithOrigin(fs, a.uuid())).singleElement()
                .satisfies(f -> assertThat(fx.vsrx.contentHash(f.id())).isEqualTo(edit));
    }

    @Test
    @DisplayName("row 15: an export VSRX refuses every run commits its evidence once, not once per run")
    void aRefusedExportRecordsItsEvidenceOnce() {
        bidirectional();
        FilesetId fs = filesetWithTwoFiles();
        AuthoredDocument a = authored(fs, "letter");
        fx.target = new BidirectionalScenarioTest.ForwardingTarget(fx.vsrx) {
            @Override
            public VsrxWriteResult createFile(FencingToken t, IdempotencyKey k, NewVsrxFile f, BlobUpload c) {
                throw new com.silknote.sync.core.exception.PermanentSyncException("refused by VSRX", 422, null);
            }
        };

        for (int run = 0; run < 3; run++) {
            assertThat(fx.run().success()).isFalse();
        }

        assertThat(audit(a.uuid())).extracting(AuditEntry::action).containsExactly(AuditAction.EXPORT_STARTED);
        fx.target = fx.vsrx;
        assertThat(fx.run().success()).isTrue();
        assertThat(audit(a.uuid())).extracting(AuditEntry::action)
                .containsExactly(AuditAction.EXPORT_STARTED, AuditAction.EXPORTED);
    }

    @Test
    @DisplayName("row 15: a Silknote-created document whose bytes are not in the blob store is reported failed every "
            + "run; nothing is committed or written to VSRX")
    void contentMissingWritesNothing() {
        bidirectional();
        FilesetId fs = filesetWithTwoFiles();
        AuthoredDocument a = new AuthoredDocument(new DocumentUuid(UUID.randomUUID()), EngineFixture.patient("P-1"),
                Optional.of(fs), sha256("never stored"), 12, "text/plain", Optional.of("Brief"), "SILKNOTE",
                "ungrouped", fx.clock.instant());
        fx.silknote.documents().createDocumentAsSilknoteUser(a);
        long writes = fx.vsrx.writes();

        for (int run = 0; run < 2; run++) {
            SyncResult r = fx.run();
            assertThat(EngineFixture.fileset(r, fs).files()).filteredOn(x -> x.action() == FileAction.FAILED)
                    .singleElement().satisfies(x -> assertThat(x.detail()).hasValueSatisfying(
                            d -> assertThat(d).contains("content of a Silknote-created document is missing")));
        }
        assertThat(fx.vsrx.writes()).isEqualTo(writes);
        assertThat(filesWithOrigin(fs, a.uuid())).isEmpty();
        assertThat(audit(a.uuid())).isEmpty();
    }

    @Test
    @DisplayName("row 13: a file with the origin of a document the sync never wrote anything for is never marked "
            + "deleted")
    void aFileWithoutEvidenceIsNeverMarkedDeleted() {
        bidirectional();
        FilesetId fs = filesetWithTwoFiles();
        DocumentUuid unknown = new DocumentUuid(UUID.randomUUID());
        byte[] bytes = "made elsewhere".getBytes(StandardCharsets.UTF_8);
        VsrxFileId f = fx.vsrx.createFile(FencingToken.of(1), IdempotencyKey.create(unknown),
                new NewVsrxFile(fs, "notes/silknote/Brief-x.txt", "text/plain", unknown),
                new BlobUpload(sha256("made elsewhere"), bytes.length, "text/plain",
                        () -> new ByteArrayInputStream(bytes))).file().id();

        SyncResult r = fx.run();

        assertThat(EngineFixture.action(r, f)).isEqualTo(FileAction.CONFLICT);
        assertThat(fx.vsrx.findFile(f).orElseThrow().deleted()).isFalse();
    }

    /** Runs {@code edit} once, before the first unit of work that begins while {@code when} holds. */
    private static DocumentStore beforeTheNextCommit(DocumentStore real, java.util.function.BooleanSupplier when,
            AtomicBoolean done, Runnable edit) {
        return new DelegatingDocumentStore(real) {
            @Override
            public <T> T inUnitOfWork(FencingToken token, Function<DocumentStore.UnitOfWork, T> work) {
                if (when.getAsBoolean() && done.compareAndSet(false, true)) {
                    edit.run();
                }
                return super.inUnitOfWork(token, work);
            }
        };
    }

    @Test
    @DisplayName("row 13: a push to a file the sync created commits what it writes before the VSRX write; a push "
            + "whose commit is lost still lets row 13 delete that file once the document and its mapping are gone")
    void aPushWhoseCommitIsLostIsStillEvidence() {
        // history seed 4120 (6,000 seeds x 150 steps): the next run found both sides equal and converged (row 4b),
        // so no commit said the sync had written those bytes, and row 13 reported a VSRX change nobody made
        bidirectional();
        FilesetId fs = filesetWithTwoFiles();
        AuthoredDocument a = authored(fs, "letter");
        assertThat(fx.run().success()).isTrue();
        VsrxFile f = filesWithOrigin(fs, a.uuid()).get(0);
        ContentHash edit = stored("letter, edited in silknote");
        fx.silknote.documents().silknoteUser().replaceContent(a.uuid(), edit, 26, "text/plain");
        AtomicBoolean evidenceBeforeWrite = new AtomicBoolean();
        AtomicBoolean written = new AtomicBoolean();
        fx.target = new BidirectionalScenarioTest.ForwardingTarget(fx.vsrx) {
            @Override
            public VsrxWriteResult replaceContent(FencingToken t, IdempotencyKey k, VsrxFileId id, String etag,
                    BlobUpload c) {
                evidenceBeforeWrite.set(audit(a.uuid()).stream().anyMatch(e -> e.action() == AuditAction.EXPORT_STARTED
                        && e.afterHash().equals(Optional.of(edit)) && e.detail().equals(Optional.of("push"))));
                VsrxWriteResult r = super.replaceContent(t, k, id, etag, c);
                written.set(true);
                return r;
            }
        };
        DocumentStore real = fx.documents;
        AtomicBoolean crashed = fx.crashBeforeTheNextCommitOnce(written::get);
        fx.run();
        assertThat(crashed).as("the run died after its VSRX write").isTrue();
        assertThat(evidenceBeforeWrite).isTrue();
        fx.documents = real;
        fx.target = fx.vsrx;
        assertThat(fx.vsrx.contentHash(f.id())).isEqualTo(edit);
        assertThat(fx.run().success()).as("the sides agree: converged").isTrue();
        assertThat(audit(a.uuid())).extracting(AuditEntry::action).doesNotContain(AuditAction.PUSHED);

        fx.silknote.documents().removeMappingRow(f.id());
        fx.silknote.documents().removeDocumentAsSilknoteUser(a.uuid());
        SyncResult r = fx.run();

        assertThat(EngineFixture.action(r, f.id())).isEqualTo(FileAction.DELETED);
        assertThat(fx.vsrx.findFile(f.id()).orElseThrow().deleted()).isTrue();
    }
}
