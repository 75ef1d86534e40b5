package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.AuditAction;
import com.silknote.sync.core.model.AuditQuery;
import com.silknote.sync.core.model.AuditRecord;
import com.silknote.sync.core.model.AuthoredDocument;
import com.silknote.sync.core.model.BidirectionalConfig;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.IdempotencyKey;
import com.silknote.sync.core.model.NewVsrxFile;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SyncDirection;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.core.port.SyncListener;
import com.silknote.sync.testkit.TestHashes;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The Silknote side of a fileset (docs/bidirectional.md, issue 14 rows 11–13): files the sync wrote for
 * Silknote-created documents are linked, reported or (row 13, deletes on) marked deleted — counted by the
 * mass-delete guard only when their document is really gone (DESIGN rule 5), committed only while the ledger rows
 * are as read (DESIGN rule 10: a row changed behind the sync refuses the commit), and a failure of this side fails
 * the fileset, which the next run retries (rule 9).
 */
class SilknoteSideGuardsTest {
    private final EngineFixture fx = new EngineFixture();

    private void bidirectional(boolean deletes) {
        fx.config(c -> c.bidirectional(BidirectionalConfig.builder().direction(SyncDirection.BIDIRECTIONAL)
                .deletes(deletes).build()));
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

    /** A file an export wrote for {@code origin} with these bytes, its link lost (a crash, or a copy made in VSRX). */
    private VsrxFileId writtenFor(FilesetId fs, DocumentUuid origin, String text, String name) {
        return fx.writtenByALostExport(fs, origin, text, name);
    }

    private List<AuditRecord> audit(FilesetId fs, AuditAction action) {
        return fx.silknote.documents().auditTrail(AuditQuery.byFileset(fs), 0, 100).stream()
                .filter(r -> r.entry().action() == action).toList();
    }

    // ---------------------------------------------------------------- one-way runs

    @Test
    @DisplayName("issue 14 row 11, one-way: a file written for an unlinked document with other bytes is a reported conflict, no failure")
    void oneWayRow11WithOtherBytesIsReported() {
        FilesetId fs = fx.linkedFileset("P-1");
        AuthoredDocument a = authored(fs, "silknote version");
        VsrxFileId f = writtenFor(fs, a.uuid(), "vsrx version", "Brief.txt");

        SyncResult r = fx.run();

        assertThat(EngineFixture.fileset(r, fs).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
        assertThat(EngineFixture.action(r, f)).isEqualTo(FileAction.CONFLICT);
        assertThat(EngineFixture.file(r, f).detail()).contains("linked-with-different-content");
        assertThat(fx.silknote.documents().findDocument(a.uuid())).as("not imported, not linked").isEmpty();
        assertThat(fx.silknote.documents().findMapping(f)).isEmpty();
    }

    @Test
    @DisplayName("issue 14 row 11, §5.2: a file written for an unlinked document, listed without SHA-256, is compared by its bytes and linked")
    void anOriginFileListedWithoutDigestIsComparedByItsBytes() {
        bidirectional(false);
        FilesetId fs = fx.linkedFileset("P-1");
        AuthoredDocument a = authored(fs, "written in silknote");
        VsrxFileId f = writtenFor(fs, a.uuid(), "written in silknote", "Brief.txt");
        VsrxSource real = fx.vsrx;
        fx.source = new VsrxSource() {
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
                // a VSRX that lists no digest: the sync has to read the bytes
                return new Page<>(page.items().stream().map(x -> new VsrxFile(x.id(), x.filesetId(), x.path(),
                        x.size(), x.mimeType(), x.modifiedAt(), x.etag(), Optional.empty(), x.deleted(), x.origin()))
                        .toList(), page.nextCursor(), page.serverTime());
            }

            @Override
            public FileContent openContent(VsrxFileId fileId) {
                return real.openContent(fileId);
            }
        };
        fx.vsrx.resetCounters();

        SyncResult r = fx.run();

        assertThat(fx.vsrx.downloads(f)).as("its bytes read to compare").isPositive();
        assertThat(EngineFixture.action(r, f)).isEqualTo(FileAction.METADATA_ONLY);
        assertThat(EngineFixture.file(r, f).detail()).contains("linked-silknote-origin");
        assertThat(fx.silknote.documents().findMapping(f).orElseThrow().silknoteDocumentUuid()).isEqualTo(a.uuid());
    }

    @Test
    @DisplayName("issue 14 row 11, REPORT: a file written for an unlinked document with other bytes is reported once, a conflict")
    void row11WithOtherBytesIsReportedOnce() {
        bidirectional(false);
        FilesetId fs = fx.linkedFileset("P-1");
        AuthoredDocument a = authored(fs, "silknote version");
        VsrxFileId f = writtenFor(fs, a.uuid(), "vsrx version", "Brief.txt");

        SyncResult r = fx.run();

        assertThat(EngineFixture.fileset(r, fs).files()).filteredOn(x -> x.fileId().equals(f)).singleElement()
                .satisfies(x -> {
                    assertThat(x.action()).isEqualTo(FileAction.CONFLICT);
                    assertThat(x.detail()).contains("linked-with-different-content");
                });
        assertThat(fx.silknote.documents().allConflicts()).hasSize(1);
    }

    // ---------------------------------------------------------------- the mass-delete guard (rule 5)

    @Test
    @DisplayName("rule 5, row 13: files of Silknote-created documents still there are not counted as deletes; they are linked")
    void filesOfUnlinkedDocumentsDoNotTripTheGuard() {
        bidirectional(true);
        FilesetId fs = fx.linkedFileset("P-1");
        List<VsrxFileId> files = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            AuthoredDocument a = authored(fs, "letter " + i);
            files.add(writtenFor(fs, a.uuid(), "letter " + i, "Brief-" + i + ".txt"));
        }

        SyncResult r = fx.run();

        assertThat(EngineFixture.fileset(r, fs).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
        for (VsrxFileId f : files) {
            assertThat(EngineFixture.action(r, f)).isEqualTo(FileAction.METADATA_ONLY);
            assertThat(EngineFixture.file(r, f).detail()).contains("linked-silknote-origin");
            assertThat(fx.vsrx.findFile(f).orElseThrow().deleted()).isFalse();
        }
    }

    @Test
    @DisplayName("rule 5, rows 12/13: copies of linked documents are not counted as deletes; reported as duplicates")
    void duplicatesOfLinkedDocumentsDoNotTripTheGuard() {
        bidirectional(true);
        FilesetId fs = fx.linkedFileset("P-1");
        List<AuthoredDocument> docs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            docs.add(authored(fs, "letter " + i));
        }
        assertThat(fx.run().success()).isTrue();
        docs.forEach(a -> assertThat(fx.silknote.documents().findDocument(a.uuid())).isPresent());
        List<VsrxFileId> copies = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            copies.add(writtenFor(fs, docs.get(i % 3).uuid(), "copy " + i, "copy-" + i + ".txt"));
        }

        SyncResult r = fx.run();

        assertThat(EngineFixture.fileset(r, fs).outcome()).isEqualTo(FilesetOutcome.COMPLETED);
        for (VsrxFileId f : copies) {
            assertThat(EngineFixture.action(r, f)).isEqualTo(FileAction.CONFLICT);
            assertThat(EngineFixture.file(r, f).detail()).contains("duplicate-of-linked-document");
            assertThat(fx.vsrx.findFile(f).orElseThrow().deleted()).isFalse();
        }
    }

    // ---------------------------------------------------------------- failures of the Silknote side (rule 9)

    @Test
    @DisplayName("rule 9, issue 9: a document whose content is missing from the blob store fails its link, and the fileset, saved for a retry")
    void aMissingBlobFailsTheLinkAndTheFileset() {
        bidirectional(false);
        FilesetId fs = fx.linkedFileset("P-1");
        fx.text(fs, "a.txt", "a letter");
        AuthoredDocument a = authored(fs, "written in silknote");
        VsrxFileId f = writtenFor(fs, a.uuid(), "written in silknote", "Brief.txt");
        String etag = fx.silknote.blobs().stat(a.contentHash()).orElseThrow().etag();
        assertThat(fx.silknote.blobs().deleteIfMatch(a.contentHash(), etag)).isTrue();
        List<FileReport> heard = Collections.synchronizedList(new ArrayList<>());
        fx.listener = new SyncListener() {
            @Override
            public void fileFinished(RunId runId, FilesetId filesetId, FileReport file) {
                heard.add(file);
            }
        };

        SyncResult r = fx.run();

        assertThat(EngineFixture.fileset(r, fs).outcome()).isEqualTo(FilesetOutcome.FAILED);
        assertThat(EngineFixture.fileset(r, fs).failureReason()).contains("silknote-side-failed");
        assertThat(EngineFixture.action(r, f)).isEqualTo(FileAction.FAILED);
        // the class and the library's own safe message (one from outside the library may carry a path)
        assertThat(EngineFixture.file(r, f).detail()).hasValueSatisfying(d -> assertThat(d)
                .startsWith("PermanentSyncException").contains("content of a Silknote-created document is missing"));
        assertThat(fx.silknote.documents().findDocument(a.uuid())).isEmpty();
        assertThat(fx.silknote.documents().loadState().partialSyncState().failedFilesets()).containsExactly(fs);
        // the listener hears every file of the report, the Silknote side's too
        assertThat(heard).containsExactlyInAnyOrderElementsOf(EngineFixture.fileset(r, fs).files());
    }

    // ---------------------------------------------------------------- rows changed behind the sync (rule 10)

    /** A mapping for {@code file} written by someone else between the sync's plan and its commit. */
    private void mappingWrittenBehindTheSync(DocumentStore store, FencingToken token, FilesetId fs, VsrxFileId file) {
        VsrxFile listed = fx.vsrx.findFile(file).orElseThrow();
        DocumentUuid other = new DocumentUuid(UUID.nameUUIDFromBytes("other".getBytes(StandardCharsets.UTF_8)));
        store.inUnitOfWork(token, uow -> {
            uow.upsertMapping(new SyncMapping(file, other, file, fs, listed.etag(), listed.modifiedAt(),
                    listed.size(), fx.vsrx.contentHash(file), fx.clock.instant()));
            return null;
        });
    }

    @Test
    @DisplayName("rule 10, issue 14 §5.2: a link whose file got a mapping behind the sync after the plan is refused")
    void aLinkIsConditionalOnTheFileStillHavingNoMapping() {
        bidirectional(false);
        FilesetId fs = fx.linkedFileset("P-1");
        fx.text(fs, "a.txt", "a letter");
        AuthoredDocument a = authored(fs, "written in silknote");
        VsrxFileId f = writtenFor(fs, a.uuid(), "written in silknote", "Brief.txt");
        AtomicBoolean linking = new AtomicBoolean();
        AtomicBoolean changed = new AtomicBoolean();
        fx.documents = new DelegatingDocumentStore(fx.documents) {
            @Override
            public Map<DocumentUuid, AuthoredDocument> findAuthoredDocuments(Collection<DocumentUuid> uuids) {
                linking.set(true); // the link reads the document, then commits
                return super.findAuthoredDocuments(uuids);
            }

            @Override
            public <T> T inUnitOfWork(FencingToken token, Function<DocumentStore.UnitOfWork, T> work) {
                if (linking.get() && changed.compareAndSet(false, true)) {
                    mappingWrittenBehindTheSync(delegate(), token, fs, f);
                }
                return super.inUnitOfWork(token, work);
            }
        };

        SyncResult r = fx.run();

        assertThat(changed).isTrue();
        assertThat(EngineFixture.action(r, f)).isEqualTo(FileAction.FAILED);
        assertThat(fx.silknote.documents().findDocument(a.uuid())).as("not linked over the other mapping").isEmpty();
        assertThat(fx.silknote.documents().findMapping(f).orElseThrow().silknoteDocumentUuid())
                .isNotEqualTo(a.uuid());
        assertThat(audit(fs, AuditAction.LINKED)).isEmpty();
    }

    /** A file an earlier export wrote for a document that Silknote no longer has. */
    private VsrxFileId writtenForARemovedDocument(FilesetId fs, DocumentUuid gone) {
        return writtenFor(fs, gone, "exported once", "Brief-gone.txt");
    }

    @Test
    @DisplayName("rule 10, row 13: a removed document restored in Silknote before the delete's commit refuses the commit")
    void anOrphanedOriginDeleteIsConditionalOnTheDocumentStillGone() {
        bidirectional(true);
        FilesetId fs = fx.linkedFileset("P-1");
        fx.text(fs, "a.txt", "one");
        fx.text(fs, "b.txt", "two");
        fx.run();
        DocumentUuid gone = new DocumentUuid(UUID.randomUUID());
        VsrxFileId f = writtenForARemovedDocument(fs, gone);
        AtomicBoolean restored = new AtomicBoolean();
        fx.documents = new DelegatingDocumentStore(fx.documents) {
            @Override
            public <T> T inUnitOfWork(FencingToken token, Function<DocumentStore.UnitOfWork, T> work) {
                if (fx.vsrx.findFile(f).orElseThrow().deleted() && restored.compareAndSet(false, true)) {
                    // a Silknote user restores the document from the bin while the sync marks its file deleted
                    fx.silknote.documents().createDocumentAsSilknoteUser(new AuthoredDocument(gone,
                            EngineFixture.patient("P-1"), Optional.of(fs), stored("exported once"),
                            "exported once".length(), "text/plain", Optional.of("Brief"), "SILKNOTE", "ungrouped",
                            fx.clock.instant()));
                }
                return super.inUnitOfWork(token, work);
            }
        };

        SyncResult r = fx.run();

        assertThat(restored).isTrue();
        assertThat(EngineFixture.action(r, f)).isEqualTo(FileAction.FAILED);
        assertThat(audit(fs, AuditAction.DELETED_IN_VSRX)).as("no audit of a delete the ledger refused").isEmpty();
    }

    @Test
    @DisplayName("rule 10, row 13: a file that got a mapping behind the sync before the delete's commit refuses the commit")
    void anOrphanedOriginDeleteIsConditionalOnTheFileStillUnmapped() {
        bidirectional(true);
        FilesetId fs = fx.linkedFileset("P-1");
        fx.text(fs, "a.txt", "one");
        fx.text(fs, "b.txt", "two");
        fx.run();
        VsrxFileId f = writtenForARemovedDocument(fs, new DocumentUuid(UUID.randomUUID()));
        AtomicBoolean changed = new AtomicBoolean();
        fx.documents = new DelegatingDocumentStore(fx.documents) {
            @Override
            public <T> T inUnitOfWork(FencingToken token, Function<DocumentStore.UnitOfWork, T> work) {
                if (fx.vsrx.findFile(f).orElseThrow().deleted() && changed.compareAndSet(false, true)) {
                    mappingWrittenBehindTheSync(delegate(), token, fs, f);
                }
                return super.inUnitOfWork(token, work);
            }
        };

        SyncResult r = fx.run();

        assertThat(changed).isTrue();
        assertThat(EngineFixture.action(r, f)).isEqualTo(FileAction.FAILED);
        assertThat(audit(fs, AuditAction.DELETED_IN_VSRX)).isEmpty();
    }
}
