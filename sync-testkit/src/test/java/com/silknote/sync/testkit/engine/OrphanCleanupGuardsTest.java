package com.silknote.sync.testkit.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.OrphanCleanup;
import com.silknote.sync.core.model.AuditAction;
import com.silknote.sync.core.model.AuditQuery;
import com.silknote.sync.core.model.AuditRecord;
import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobPutResult;
import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.CleanupReport;
import com.silknote.sync.core.model.CleanupRequest;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.OperationStatus;
import com.silknote.sync.core.model.OrphanClass;
import com.silknote.sync.core.model.OutboxEntry;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.testkit.TestHashes;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.PermanentSkip;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.VectorEntry;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.testkit.fault.Fault;
import com.silknote.sync.testkit.fault.FaultPlan;
import com.silknote.sync.testkit.fault.FaultyVsrxSource;
import com.silknote.sync.testkit.fault.Operation;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * DESIGN rule 14, rule 12 and §4 (GC vs. new reference), issue 11: the guards of the orphan cleanup on what it
 * releases, deletes and audits — each case one small world on the in-memory stores.
 */
class OrphanCleanupGuardsTest {
    private static final Duration GRACE = Duration.ofHours(1);

    private final EngineFixture fx = new EngineFixture();

    OrphanCleanupGuardsTest() {
        fx.config(c -> c.blobGracePeriod(GRACE));
    }

    private OrphanCleanup cleanup() {
        return OrphanCleanup.builder().documents(fx.documents).blobs(fx.blobs).vectors(fx.vectors).lock(fx.lock)
                .config(fx.config).clock(fx.clock).sleeper(fx.clock).random(new SplittableRandom(11))
                .source(fx.vsrx).build();
    }

    private void aged() {
        fx.clock.advance(GRACE.plusMinutes(1));
    }

    private ContentHash hashOf(VsrxFileId file) {
        return fx.silknote.documents().findMapping(file).orElseThrow().contentHash();
    }

    private long count(ContentHash h) {
        return fx.silknote.documents().findBlobRef(h).orElseThrow().refCount();
    }

    private List<OutboxEntry> pending(ContentHash h, OutboxEntry.Action action) {
        return fx.silknote.documents().allPendingOutbox().stream()
                .filter(e -> e.contentHash().equals(h) && e.action() == action).toList();
    }

    private List<AuditRecord> audit(CleanupReport r, AuditAction action) {
        return fx.silknote.documents().auditTrail(AuditQuery.byRun(r.runId()), 0, 1000).stream()
                .filter(a -> a.entry().action() == action).toList();
    }

    /** A zero-reference row for content only a VSRX-deleted file held; returns its hash. */
    private ContentHash zeroRow(String content) {
        FilesetId fs = fx.linkedFileset("P-ZERO");
        VsrxFileId f = fx.text(fs, "zero.txt", content);
        assertThat(fx.run().success()).isTrue();
        ContentHash h = hashOf(f);
        fx.vsrx.deleteFile(f);
        assertThat(fx.run().success()).isTrue();
        assertThat(count(h)).isZero();
        assertThat(fx.silknote.blobs().rawBytes(h)).as("kept for the grace period").isPresent();
        return h;
    }

    @Test
    @DisplayName("rule 12 / rule 14: a removed document's reference is released once; shared content stays, unshared is queued for collection")
    void aRemovedDocumentReleasesItsReferenceAndQueuesOnlyUnsharedContent() {
        FilesetId dropped = fx.linkedFileset("P-DROPPED");
        FilesetId kept = fx.linkedFileset("P-KEPT");
        VsrxFileId shared = fx.text(dropped, "shared.txt", "content both patients' files hold");
        fx.text(kept, "same.txt", "content both patients' files hold");
        VsrxFileId own = fx.text(dropped, "own.txt", "content only the dropped fileset holds");
        assertThat(fx.run().success()).isTrue();
        ContentHash sharedHash = hashOf(shared);
        ContentHash ownHash = hashOf(own);
        assertThat(count(sharedHash)).isEqualTo(2);
        fx.vsrx.unlinkPatient(dropped);
        fx.silknote.documents().removeFilesetAsSilknoteUser(dropped);
        aged();

        CleanupReport done = cleanup().run(CleanupRequest.removing());

        assertThat(done.status()).isEqualTo(OperationStatus.COMPLETED);
        assertThat(done.removed(OrphanClass.DOCUMENT_WITHOUT_FILESET).count()).isEqualTo(2);
        assertThat(fx.silknote.documents().documents(dropped)).isEmpty();
        assertThat(count(sharedHash)).as("the kept file's reference stays").isEqualTo(1);
        assertThat(count(ownHash)).isZero();
        assertThat(pending(sharedHash, OutboxEntry.Action.COLLECT_BLOB)).as("still referenced: not collected").isEmpty();
        assertThat(pending(ownHash, OutboxEntry.Action.COLLECT_BLOB)).as("unreferenced now: queued").hasSize(1);
        assertThat(pending(ownHash, OutboxEntry.Action.PURGE_VECTORS)).hasSize(1);
        assertThat(fx.silknote.blobs().rawBytes(sharedHash)).isPresent();
        assertThat(done.notes()).noneMatch(n -> n.contains("run repair"));
        assertThat(audit(done, AuditAction.CLEANUP_DOCUMENT)).hasSize(2)
                .allMatch(a -> a.entry().detail().orElse("").equals("no-fileset-record"));
        fx.silknote.assertInvariants();
    }

    @Test
    @DisplayName("rule 10 / rule 12: a count below its references is released only as far as it goes, and repair is advised")
    void aCountBelowItsReferencesIsReleasedOnlyAsFarAsItGoes() {
        FilesetId dropped = fx.linkedFileset("P-DROPPED");
        VsrxFileId a = fx.text(dropped, "a.txt", "the same content twice");
        fx.text(dropped, "b.txt", "the same content twice");
        assertThat(fx.run().success()).isTrue();
        ContentHash h = hashOf(a);
        BlobRef row = fx.silknote.documents().findBlobRef(h).orElseThrow();
        assertThat(row.refCount()).isEqualTo(2);
        fx.silknote.documents().replaceBlobRefBehindTheSync(h, Optional.of(new BlobRef(h, 1, row.size(), row.state(),
                row.blobEtag(), row.updatedAt())));
        fx.vsrx.unlinkPatient(dropped);
        fx.silknote.documents().removeFilesetAsSilknoteUser(dropped);
        aged();

        CleanupReport done = cleanup().run(CleanupRequest.removing());

        assertThat(done.removed(OrphanClass.DOCUMENT_WITHOUT_FILESET).count()).isEqualTo(2);
        assertThat(count(h)).as("released once, never below zero").isZero();
        assertThat(pending(h, OutboxEntry.Action.COLLECT_BLOB)).hasSize(1);
        assertThat(done.notes()).anyMatch(n -> n.contains(h.hex()) && n.contains("run repair"));
        fx.silknote.assertInvariants();
    }

    @Test
    @DisplayName("rule 10 / rule 12: the cleanup asks the store to release no more references than the row counts; the rest is the repair's")
    void theCleanupReleasesNoMoreThanTheRowCounts() {
        FilesetId dropped = fx.linkedFileset("P-DROPPED");
        VsrxFileId a = fx.text(dropped, "a.txt", "the same content three times");
        fx.text(dropped, "b.txt", "the same content three times");
        fx.text(dropped, "c.txt", "the same content three times");
        assertThat(fx.run().success()).isTrue();
        ContentHash h = hashOf(a);
        BlobRef row = fx.silknote.documents().findBlobRef(h).orElseThrow();
        assertThat(row.refCount()).isEqualTo(3);
        fx.silknote.documents().replaceBlobRefBehindTheSync(h, Optional.of(new BlobRef(h, 1, row.size(), row.state(),
                row.blobEtag(), row.updatedAt())));
        fx.vsrx.unlinkPatient(dropped);
        fx.silknote.documents().removeFilesetAsSilknoteUser(dropped);
        aged();
        List<ContentHash> released = new java.util.ArrayList<>();
        fx.documents = countingReleases(fx.documents, released);

        CleanupReport done = cleanup().run(CleanupRequest.removing());

        assertThat(done.removed(OrphanClass.DOCUMENT_WITHOUT_FILESET).count()).isEqualTo(3);
        assertThat(released).as("one release for the one reference the row counts, none on a row at zero")
                .containsExactly(h);
        assertThat(count(h)).isZero();
        assertThat(done.notes()).anyMatch(n -> n.contains(h.hex()) && n.contains("run repair"));
        fx.silknote.assertInvariants();
    }

    /** {@code store}, adding to {@code into} the hash of every {@code releaseBlobRef} its units of work are asked. */
    private static DocumentStore countingReleases(DocumentStore store, List<ContentHash> into) {
        return new DelegatingDocumentStore(store) {
            @Override
            public <T> T inUnitOfWork(FencingToken token, Function<DocumentStore.UnitOfWork, T> work) {
                return super.inUnitOfWork(token, uow -> work.apply((DocumentStore.UnitOfWork) java.lang.reflect.Proxy
                        .newProxyInstance(DocumentStore.UnitOfWork.class.getClassLoader(),
                                new Class<?>[] {DocumentStore.UnitOfWork.class}, (proxy, method, args) -> {
                                    if (method.getName().equals("releaseBlobRef")) {
                                        into.add((ContentHash) args[0]);
                                    }
                                    try {
                                        return method.invoke(uow, args);
                                    } catch (java.lang.reflect.InvocationTargetException e) {
                                        throw e.getCause();
                                    }
                                })));
            }
        };
    }

    @Test
    @DisplayName("rule 10: a document changed between the cleanup's read and its commit is not removed; the batch is skipped and noted")
    void aDocumentChangedAfterTheReadIsNotRemoved() {
        FilesetId dropped = fx.linkedFileset("P-DROPPED");
        VsrxFileId f = fx.text(dropped, "a.txt", "a document a user groups meanwhile");
        assertThat(fx.run().success()).isTrue();
        ContentHash h = hashOf(f);
        fx.vsrx.unlinkPatient(dropped);
        fx.silknote.documents().removeFilesetAsSilknoteUser(dropped);
        aged();
        DocumentUuid doc = DocumentUuid.forVsrxFile(f);
        fx.documents = new DelegatingDocumentStore(fx.documents) {
            private boolean edited;

            @Override
            public <T> T inUnitOfWork(FencingToken token, Function<DocumentStore.UnitOfWork, T> work) {
                if (!edited) {
                    edited = true;
                    fx.silknote.documents().editDocumentAsSilknoteUser(doc, d -> new SilknoteDocument(d.uuid(),
                            d.patientUuid(), d.filesetId(), d.clientFileId(), d.contentHash(), d.size(),
                            d.mimeType(), d.metadata(), fx.clock.instant()));
                }
                return super.inUnitOfWork(token, work);
            }
        };

        CleanupReport done = cleanup().run(CleanupRequest.removing());

        assertThat(done.status()).isEqualTo(OperationStatus.COMPLETED);
        assertThat(done.found(OrphanClass.DOCUMENT_WITHOUT_FILESET).count()).isEqualTo(1);
        assertThat(done.removed(OrphanClass.DOCUMENT_WITHOUT_FILESET).count()).isZero();
        assertThat(done.items()).filteredOn(i -> i.orphanClass() == OrphanClass.DOCUMENT_WITHOUT_FILESET)
                .extracting(CleanupReport.Item::removed).containsExactly(false);
        assertThat(done.notes()).anyMatch(n -> n.startsWith("documents without fileset: skipped"));
        assertThat(fx.silknote.documents().findDocument(doc)).isPresent();
        assertThat(count(h)).isEqualTo(1);
        assertThat(audit(done, AuditAction.CLEANUP_DOCUMENT)).isEmpty();
    }

    @Test
    @DisplayName("rule 14 / §4: a row a stopped collection left DELETING is finished: blob deleted, row removed, audited")
    void aRowAStoppedCollectionLeftDeletingIsFinished() {
        ContentHash h = zeroRow("collected by a run that stopped midway");
        BlobRef row = fx.silknote.documents().findBlobRef(h).orElseThrow();
        String etag = fx.silknote.blobs().stat(h).orElseThrow().etag();
        fx.silknote.documents().replaceBlobRefBehindTheSync(h, Optional.of(new BlobRef(h, 0, row.size(),
                BlobRef.State.DELETING, Optional.of(etag), fx.clock.instant())));
        aged();

        CleanupReport done = cleanup().run(CleanupRequest.removing());

        assertThat(done.removed(OrphanClass.UNREFERENCED_BLOB)).isEqualTo(new CleanupReport.Tally(1, row.size()));
        assertThat(done.items()).filteredOn(i -> i.id().equals(h.hex())).extracting(CleanupReport.Item::removed)
                .containsExactly(true);
        assertThat(fx.silknote.blobs().rawBytes(h)).isEmpty();
        assertThat(fx.silknote.documents().findBlobRef(h)).isEmpty();
        assertThat(audit(done, AuditAction.CLEANUP_BLOB)).singleElement()
                .satisfies(a -> assertThat(a.entry().detail()).contains("stopped-collection"));
        fx.silknote.assertInvariants();
    }

    @Test
    @DisplayName("§4: a blob written again after a stopped collection marked its row keeps its bytes and its row is revived")
    void aBlobWrittenAgainAfterAStoppedCollectionIsKept() {
        ContentHash h = zeroRow("written again after the collection stopped");
        BlobRef row = fx.silknote.documents().findBlobRef(h).orElseThrow();
        fx.silknote.documents().replaceBlobRefBehindTheSync(h, Optional.of(new BlobRef(h, 0, row.size(),
                BlobRef.State.DELETING, Optional.of("etag-of-the-deleted-upload"), fx.clock.instant())));
        aged();

        CleanupReport done = cleanup().run(CleanupRequest.removing());

        assertThat(done.found(OrphanClass.UNREFERENCED_BLOB).count()).isEqualTo(1);
        assertThat(done.removed(OrphanClass.UNREFERENCED_BLOB).count()).isZero();
        assertThat(fx.silknote.blobs().rawBytes(h)).isPresent();
        assertThat(fx.silknote.documents().findBlobRef(h)).get().extracting(BlobRef::state)
                .isEqualTo(BlobRef.State.LIVE);
        assertThat(audit(done, AuditAction.CLEANUP_BLOB)).isEmpty();
    }

    @Test
    @DisplayName("§4: a blob a sync uploads again between the mark and the delete stays, and its row is revived")
    void aBlobUploadedAgainBetweenMarkAndDeleteStays() {
        ContentHash h = zeroRow("uploaded again by a sync on another host");
        byte[] bytes = fx.silknote.blobs().rawBytes(h).orElseThrow();
        aged();
        BlobStore real = fx.blobs;
        fx.blobs = new ForwardingBlobStore(real) {
            @Override
            public boolean deleteIfMatch(ContentHash hash, String etag) {
                real.overwrite(new BlobUpload(hash, bytes.length, "text/plain", () -> new ByteArrayInputStream(bytes)));
                return super.deleteIfMatch(hash, etag);
            }
        };

        CleanupReport done = cleanup().run(CleanupRequest.removing());

        assertThat(done.found(OrphanClass.UNREFERENCED_BLOB).count()).isEqualTo(1);
        assertThat(done.removed()).doesNotContainKey(OrphanClass.UNREFERENCED_BLOB);
        assertThat(fx.silknote.blobs().rawBytes(h)).contains(bytes);
        assertThat(fx.silknote.documents().findBlobRef(h)).get().extracting(BlobRef::state)
                .isEqualTo(BlobRef.State.LIVE);
        assertThat(audit(done, AuditAction.CLEANUP_BLOB)).isEmpty();
    }

    @Test
    @DisplayName("rule 14: an uploaded blob without a row is adopted and collected, audited as an uncommitted upload")
    void anUncommittedUploadIsCollected() {
        byte[] lost = "uploaded by a run that stopped before its commit".getBytes(StandardCharsets.UTF_8);
        ContentHash h = TestHashes.sha256(lost);
        fx.silknote.blobs().putIfAbsent(new BlobUpload(h, lost.length, "text/plain",
                () -> new ByteArrayInputStream(lost)));
        aged();

        CleanupReport done = cleanup().run(CleanupRequest.removing());

        assertThat(done.removed(OrphanClass.UNCOMMITTED_BLOB)).isEqualTo(new CleanupReport.Tally(1, lost.length));
        assertThat(fx.silknote.blobs().rawBytes(h)).isEmpty();
        assertThat(fx.silknote.documents().findBlobRef(h)).isEmpty();
        assertThat(audit(done, AuditAction.CLEANUP_BLOB)).singleElement()
                .satisfies(a -> assertThat(a.entry().detail()).contains("uncommitted-upload"));
    }

    @Test
    @DisplayName("rule 12 / §4: a zero-reference row is collected and audited as unreferenced; a row counting references nobody holds is left to repair")
    void aRowCountingAboveItsReferencesIsLeftToRepair() {
        ContentHash collected = zeroRow("nobody references this any more");
        FilesetId other = fx.linkedFileset("P-OTHER");
        VsrxFileId f = fx.text(other, "miscounted.txt", "a count the repair has to fix");
        assertThat(fx.run().success()).isTrue();
        ContentHash miscounted = hashOf(f);
        fx.vsrx.deleteFile(f);
        assertThat(fx.run().success()).isTrue();
        BlobRef row = fx.silknote.documents().findBlobRef(miscounted).orElseThrow();
        fx.silknote.documents().replaceBlobRefBehindTheSync(miscounted, Optional.of(new BlobRef(miscounted, 1,
                row.size(), BlobRef.State.LIVE, row.blobEtag(), row.updatedAt())));
        aged();

        CleanupReport dry = cleanup().run(CleanupRequest.dryRunOnly());
        assertThat(dry.found(OrphanClass.UNREFERENCED_BLOB).count()).isEqualTo(1);
        assertThat(dry.items()).extracting(CleanupReport.Item::id).contains(collected.hex())
                .doesNotContain(miscounted.hex());
        CleanupReport done = cleanup().run(CleanupRequest.removing());

        assertThat(done.removed(OrphanClass.UNREFERENCED_BLOB).count()).isEqualTo(1);
        assertThat(fx.silknote.blobs().rawBytes(collected)).isEmpty();
        assertThat(fx.silknote.blobs().rawBytes(miscounted)).isPresent();
        assertThat(count(miscounted)).isEqualTo(1);
        assertThat(audit(done, AuditAction.CLEANUP_BLOB)).singleElement()
                .satisfies(a -> assertThat(a.entry().detail()).contains("unreferenced"));
    }

    /** Writes to the ledger as a holder of the lock would (fenced with a fresh token). */
    private void write(java.util.function.Consumer<DocumentStore.UnitOfWork> work) {
        try (var lease = fx.silknote.lock().newHolder("host-test").tryAcquire(SyncConfig.LOCK_NAME,
                Duration.ofMinutes(1)).orElseThrow()) {
            fx.silknote.documents().inUnitOfWork(lease.token(), uow -> {
                work.accept(uow);
                return null;
            });
        }
    }

    private PermanentSkip skip(FilesetId fs, VsrxFileId file) {
        return new PermanentSkip(file, fs, "v1", SkipReason.TOO_LARGE, fx.clock.instant());
    }

    /** VSRX serving one file per page, whatever limit is asked for. */
    private static VsrxSource onePerPage(VsrxSource d) {
        return new VsrxSource() {
            @Override
            public Page<VsrxFileset> listFilesets(PageRequest request) {
                return d.listFilesets(request);
            }

            @Override
            public Optional<VsrxFileset> findFileset(FilesetId id) {
                return d.findFileset(id);
            }

            @Override
            public Page<VsrxFile> listFiles(FilesetId filesetId, PageRequest request) {
                return d.listFiles(filesetId, new PageRequest(request.cursor(), 1, request.changedSince()));
            }

            @Override
            public FileContent openContent(VsrxFileId fileId) {
                return d.openContent(fileId);
            }
        };
    }

    /** A listener keeping "examined/found" of each progress event of {@code phase}. */
    private static com.silknote.sync.core.port.OperationListener progressOf(String phase, List<String> into) {
        return new com.silknote.sync.core.port.OperationListener() {
            @Override
            public void progress(com.silknote.sync.core.model.RunId runId, String p, long examined, long found) {
                if (p.equals(phase)) {
                    into.add(examined + "/" + found);
                }
            }
        };
    }

    @Test
    @DisplayName("rule 14: a skip of a file VSRX still lists on a later page stays; one it no longer lists goes, in a dry run counted only")
    void skipsAreForgottenOnlyForFilesVsrxNoLongerListsOverEveryPage() {
        FilesetId fs = fx.linkedFileset("P-SKIPS");
        fx.text(fs, "a.txt", "first listed file");
        fx.text(fs, "b.txt", "second listed file");
        VsrxFileId listedSkip = fx.text(fs, "c.txt", "listed, skipped once");
        VsrxFileId gone = fx.text(fs, "d.txt", "no longer listed");
        assertThat(fx.run().success()).isTrue();
        fx.vsrx.removeFromListing(gone);
        write(u -> {
            u.rememberSkip(skip(fs, listedSkip));
            u.rememberSkip(skip(fs, gone));
        });
        aged();
        OrphanCleanup paged = cleanup().newBuilder().source(onePerPage(fx.vsrx)).build();

        CleanupReport dry = paged.run(CleanupRequest.dryRunOnly());
        assertThat(dry.status()).isEqualTo(OperationStatus.COMPLETED);
        assertThat(dry.found(OrphanClass.SKIP_OF_UNLISTED_FILE).count()).isEqualTo(1);
        assertThat(fx.silknote.documents().allSkips()).containsKeys(listedSkip, gone);

        List<String> progress = new java.util.ArrayList<>();
        CleanupReport done = paged.newBuilder().listener(progressOf("skips", progress)).build()
                .run(CleanupRequest.removing());
        assertThat(done.removed(OrphanClass.SKIP_OF_UNLISTED_FILE).count()).isEqualTo(1);
        assertThat(progress).as("two skips examined, one found").containsExactly("2/1");
        assertThat(done.items()).filteredOn(i -> i.orphanClass() == OrphanClass.SKIP_OF_UNLISTED_FILE)
                .extracting(CleanupReport.Item::id, CleanupReport.Item::removed)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(gone.value(), true));
        assertThat(fx.silknote.documents().allSkips()).containsKey(listedSkip).doesNotContainKey(gone);
        assertThat(audit(done, AuditAction.CLEANUP_SKIP)).singleElement().satisfies(a -> {
            assertThat(a.entry().fileId()).contains(gone);
            assertThat(a.entry().filesetId()).contains(fs);
            assertThat(a.entry().detail()).contains("TOO_LARGE");
        });
    }

    @Test
    @DisplayName("rule 10: a lease lost while VSRX's listing of a fileset is paged stops the cleanup after that page, before it asks for the next")
    void aLeaseLostBetweenListingPagesStopsBeforeTheNextPage() {
        FilesetId fs = fx.linkedFileset("P-SKIPS");
        fx.text(fs, "a.txt", "first listed file");
        fx.text(fs, "b.txt", "second listed file");
        VsrxFileId gone = fx.text(fs, "c.txt", "no longer listed");
        assertThat(fx.run().success()).isTrue();
        fx.vsrx.removeFromListing(gone);
        write(u -> u.rememberSkip(skip(fs, gone)));
        aged();
        VsrxSource paged = onePerPage(fx.vsrx);
        List<PageRequest> asked = new java.util.ArrayList<>();
        VsrxSource losing = new VsrxSource() {
            @Override
            public Page<VsrxFileset> listFilesets(PageRequest request) {
                return paged.listFilesets(request);
            }

            @Override
            public Optional<VsrxFileset> findFileset(FilesetId id) {
                return paged.findFileset(id);
            }

            @Override
            public Page<VsrxFile> listFiles(FilesetId filesetId, PageRequest request) {
                asked.add(request);
                if (asked.size() == 1) {
                    loseTheLease(true);
                }
                return paged.listFiles(filesetId, request);
            }

            @Override
            public FileContent openContent(VsrxFileId fileId) {
                return paged.openContent(fileId);
            }
        };

        CleanupReport done = cleanup().newBuilder().source(losing).build().run(CleanupRequest.removing());

        assertThat(done.status()).isEqualTo(OperationStatus.FAILED);
        assertThat(done.error()).contains("lease lost: LeaseLostException");
        assertThat(asked).as("the lease checkpoint after the first page stops the listing").hasSize(1);
        assertThat(fx.silknote.documents().allSkips()).containsKey(gone);
    }

    @Test
    @DisplayName("rule 14: the skips of a fileset VSRX no longer knows (404) go; a listing VSRX refuses otherwise keeps them, noted")
    void skipsOfAFilesetVsrxNoLongerKnowsGoOtherFailuresKeepThem() {
        FilesetId removed = fx.linkedFileset("P-REMOVED");
        VsrxFileId a = fx.text(removed, "a.txt", "in a fileset VSRX removes");
        FilesetId refused = fx.linkedFileset("P-REFUSED");
        VsrxFileId b = fx.text(refused, "b.txt", "in a fileset VSRX refuses to list");
        assertThat(fx.run().success()).isTrue();
        write(u -> {
            u.rememberSkip(skip(removed, a));
            u.rememberSkip(skip(refused, b));
        });
        fx.vsrx.removeFileset(removed);
        aged();
        FaultPlan plan = FaultPlan.none();
        plan.on(Operation.LIST_FILES).key(refused).always().thenFail(Fault.status(403));
        OrphanCleanup cleanup = cleanup().newBuilder().source(new FaultyVsrxSource(fx.vsrx, plan)).build();

        CleanupReport done = cleanup.run(CleanupRequest.removing());

        assertThat(done.status()).isEqualTo(OperationStatus.COMPLETED);
        assertThat(fx.silknote.documents().allSkips()).containsKey(b).doesNotContainKey(a);
        assertThat(done.removed(OrphanClass.SKIP_OF_UNLISTED_FILE).count()).isEqualTo(1);
        assertThat(done.notes()).anyMatch(n -> n.startsWith("skips of fileset " + refused + " not looked at"));
    }

    @Test
    @DisplayName("rule 14: pending processing of a gone document is removed; its pending purge and collection stay, parked rows of it go")
    void pendingProcessingOfAGoneDocumentIsRemovedItsOtherWorkStays() {
        DocumentUuid doc = new DocumentUuid(java.util.UUID.fromString("0f0f0f0f-0000-4000-8000-0000000000bb"));
        ContentHash h = TestHashes.sha256("content of a document that is gone".getBytes(StandardCharsets.UTF_8));
        FilesetId fs = fx.linkedFileset("P-OUTBOX");
        VsrxFileId kept = fx.text(fs, "kept.txt", "a document that exists");
        assertThat(fx.run().success()).isTrue();
        DocumentUuid existing = DocumentUuid.forVsrxFile(kept);
        java.time.Instant now = fx.clock.instant();
        write(u -> {
            u.enqueue(OutboxEntry.pending(doc, OutboxEntry.Action.PROCESS, h, now));
            u.enqueue(OutboxEntry.pending(doc, OutboxEntry.Action.PURGE_VECTORS, h, now));
            u.enqueue(OutboxEntry.pending(doc, OutboxEntry.Action.COLLECT_BLOB, h, now));
            u.enqueue(OutboxEntry.pending(existing, OutboxEntry.Action.PROCESS, hashOf(kept), now));
        });
        aged();
        DocumentUuid young = new DocumentUuid(java.util.UUID.fromString("0f0f0f0f-0000-4000-8000-0000000000aa"));
        write(u -> u.enqueue(OutboxEntry.pending(young, OutboxEntry.Action.PROCESS, h, fx.clock.instant())));

        List<String> progress = new java.util.ArrayList<>();
        CleanupReport done = cleanup().newBuilder().listener(new com.silknote.sync.core.port.OperationListener() {
            @Override
            public void progress(com.silknote.sync.core.model.RunId runId, String phase, long examined, long found) {
                if (phase.equals("outbox")) {
                    progress.add(examined + "/" + found);
                }
            }
        }).build().run(CleanupRequest.removing());

        assertThat(done.removed(OrphanClass.OUTBOX_OF_MISSING_DOCUMENT).count()).isEqualTo(1);
        assertThat(done.found(OrphanClass.OUTBOX_OF_MISSING_DOCUMENT).count()).isEqualTo(1);
        assertThat(progress).as("five pending rows examined, one found").containsExactly("5/1");
        assertThat(done.tooYoung()).containsEntry(OrphanClass.OUTBOX_OF_MISSING_DOCUMENT, 1L);
        assertThat(fx.silknote.documents().allPendingOutbox()).extracting(OutboxEntry::document, OutboxEntry::action)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(doc, OutboxEntry.Action.PURGE_VECTORS),
                        org.assertj.core.groups.Tuple.tuple(doc, OutboxEntry.Action.COLLECT_BLOB),
                        org.assertj.core.groups.Tuple.tuple(young, OutboxEntry.Action.PROCESS),
                        org.assertj.core.groups.Tuple.tuple(existing, OutboxEntry.Action.PROCESS));
        assertThat(audit(done, AuditAction.CLEANUP_OUTBOX)).singleElement().satisfies(a -> {
            assertThat(a.entry().document()).contains(doc);
            assertThat(a.entry().beforeHash()).contains(h);
            assertThat(a.entry().detail()).contains("PROCESS");
        });
    }

    @Test
    @DisplayName("rule 14: vector entries of a document written back before the purge stay")
    void vectorsOfADocumentWrittenBackBeforeThePurgeStay() {
        FilesetId fs = fx.linkedFileset("P-VECTORS");
        VsrxFileId f = fx.text(fs, "a.txt", "a document removed, then written back");
        VsrxFileId g = fx.text(fs, "b.txt", "a document removed for good");
        assertThat(fx.run().success()).isTrue();
        DocumentUuid back = DocumentUuid.forVsrxFile(f);
        DocumentUuid gone = DocumentUuid.forVsrxFile(g);
        assertThat(fx.silknote.vectors().all()).containsKeys(back, gone);
        int goneEntries = fx.silknote.vectors().entries(gone).size();
        assertThat(goneEntries).isPositive();
        SilknoteDocument saved = fx.silknote.documents().findDocument(back).orElseThrow();
        fx.silknote.documents().removeDocumentAsSilknoteUser(back);
        fx.silknote.documents().removeDocumentAsSilknoteUser(gone);
        aged();
        int[] calls = {0};
        fx.documents = new DelegatingDocumentStore(fx.documents) {
            @Override
            public java.util.Set<DocumentUuid> existingDocuments(java.util.Collection<DocumentUuid> uuids) {
                if (uuids.contains(back) && ++calls[0] == 2) {
                    // between the vector listing and the purge the document is written again
                    fx.silknote.documents().inUnitOfWork(fx.silknote.documents().highWaterMark().orElseThrow(),
                            u -> {
                                u.upsertDocument(saved);
                                return null;
                            });
                }
                return super.existingDocuments(uuids);
            }
        };

        CleanupReport done = cleanup().run(CleanupRequest.removing());

        assertThat(done.found(OrphanClass.VECTORS_WITHOUT_DOCUMENT).count()).isEqualTo(2);
        assertThat(done.removed(OrphanClass.VECTORS_WITHOUT_DOCUMENT).count()).isEqualTo(1);
        assertThat(fx.silknote.vectors().all()).containsKey(back).doesNotContainKey(gone);
        assertThat(audit(done, AuditAction.CLEANUP_VECTORS)).singleElement().satisfies(a -> {
            assertThat(a.entry().document()).contains(gone);
            assertThat(a.entry().detail()).contains("entries:" + goneEntries);
        });
    }

    @Test
    @DisplayName("issue 11: the report lists at most MAX_ITEMS orphans, says it was cut, and counts them all")
    void theReportListsAtMostMaxItemsAndCountsThemAll() {
        int n = CleanupReport.MAX_ITEMS + 1;
        try (var lease = fx.silknote.lock().newHolder("host-v").tryAcquire(SyncConfig.LOCK_NAME, Duration.ofMinutes(1))
                .orElseThrow()) {
            for (int i = 0; i < n; i++) {
                DocumentUuid u = new DocumentUuid(new java.util.UUID(0x0f0f0f0f00004000L, 0x8000000000000000L + i));
                fx.silknote.vectors().replace(lease.token(), u, List.of(new VectorEntry(u, 0,
                        TestHashes.sha256(new byte[] {1}), new float[] {1f})));
            }
        }

        CleanupReport dry = cleanup().run(CleanupRequest.dryRunOnly());

        assertThat(dry.found(OrphanClass.VECTORS_WITHOUT_DOCUMENT).count()).isEqualTo(n);
        assertThat(dry.items()).hasSize(CleanupReport.MAX_ITEMS);
        assertThat(dry.itemsTruncated()).isTrue();
    }

    /** The lease of the running cleanup expires now; with {@code renewDue} its next checkpoint tries to renew. */
    private void loseTheLease(boolean renewDue) {
        fx.silknote.lock().forceExpiry(SyncConfig.LOCK_NAME);
        if (renewDue) {
            fx.clock.advance(fx.config.lockTtl().dividedBy(3).plusSeconds(1));
        }
    }

    /** A fileset Silknote dropped, with one document; returns the document's file. */
    private VsrxFileId droppedDocument(String patient) {
        FilesetId fs = fx.linkedFileset(patient);
        VsrxFileId f = fx.text(fs, "a.txt", "the document of " + patient);
        assertThat(fx.run().success()).isTrue();
        fx.vsrx.unlinkPatient(fs);
        fx.silknote.documents().removeFilesetAsSilknoteUser(fs);
        return f;
    }

    @Test
    @DisplayName("rule 10: a lease lost before a commit stops the cleanup before it writes (FAILED, nothing removed)")
    void aLeaseLostBeforeACommitStopsBeforeTheWrite() {
        VsrxFileId f = droppedDocument("P-DROPPED");
        aged();
        fx.documents = new DelegatingDocumentStore(fx.documents) {
            @Override
            public java.util.Map<VsrxFileId, com.silknote.sync.core.model.SyncMapping> findMappings(
                    java.util.Collection<VsrxFileId> ids) {
                loseTheLease(false);
                return super.findMappings(ids);
            }
        };

        CleanupReport done = cleanup().run(CleanupRequest.removing());

        assertThat(done.status()).isEqualTo(OperationStatus.FAILED);
        assertThat(done.error()).contains("lease lost: LeaseLostException");
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(f))).isPresent();
        assertThat(done.removed()).isEmpty();
    }

    @Test
    @DisplayName("rule 10 / §4: a lease lost between marking a blob and deleting it leaves the blob (FAILED)")
    void aLeaseLostBeforeTheBlobDeleteLeavesTheBlob() {
        ContentHash h = zeroRow("marked, then the lease is lost");
        aged();
        fx.documents = new DelegatingDocumentStore(fx.documents) {
            @Override
            public java.util.Map<ContentHash, BlobRef> findBlobRefs(java.util.Collection<ContentHash> hashes) {
                loseTheLease(true);
                return super.findBlobRefs(hashes);
            }
        };

        CleanupReport done = cleanup().run(CleanupRequest.removing());

        assertThat(done.status()).isEqualTo(OperationStatus.FAILED);
        assertThat(fx.silknote.blobs().rawBytes(h)).isPresent();
    }

    @Test
    @DisplayName("rule 10: a lease lost before a vector purge leaves the vectors (FAILED)")
    void aLeaseLostBeforeAVectorPurgeLeavesTheVectors() {
        DocumentUuid stray = new DocumentUuid(java.util.UUID.fromString("0f0f0f0f-0000-4000-8000-0000000000cc"));
        try (var lease = fx.silknote.lock().newHolder("host-v").tryAcquire(SyncConfig.LOCK_NAME, Duration.ofMinutes(1))
                .orElseThrow()) {
            fx.silknote.vectors().replace(lease.token(), stray, List.of(new VectorEntry(stray, 0,
                    TestHashes.sha256(new byte[] {2}), new float[] {1f})));
        }
        com.silknote.sync.core.port.VectorStore real = fx.vectors;
        fx.vectors = new com.silknote.sync.core.port.VectorStore() {
            @Override
            public void replace(FencingToken token, DocumentUuid document, List<VectorEntry> entries) {
                real.replace(token, document, entries);
            }

            @Override
            public void fence(FencingToken token) {
                real.fence(token);
            }

            @Override
            public int deleteByDocument(FencingToken token, DocumentUuid document) {
                return real.deleteByDocument(token, document);
            }

            @Override
            public List<VectorEntry> entries(DocumentUuid document) {
                return real.entries(document);
            }

            @Override
            public Page<DocumentUuid> documents(Optional<String> cursor, int limit) {
                Page<DocumentUuid> page = real.documents(cursor, limit);
                loseTheLease(true);
                return page;
            }
        };

        CleanupReport done = cleanup().run(CleanupRequest.removing());

        assertThat(done.status()).isEqualTo(OperationStatus.FAILED);
        assertThat(fx.silknote.vectors().all()).containsKey(stray);
    }

    @Test
    @DisplayName("issue 11: a backend failure ends the cleanup with a FAILED report naming the failure, not an exception")
    void aBackendFailureEndsWithAFailedReport() {
        droppedDocument("P-DROPPED");
        aged();
        fx.documents = new DelegatingDocumentStore(fx.documents) {
            @Override
            public Page<com.silknote.sync.core.model.SyncMapping> mappingsWithoutDocument(Optional<String> cursor,
                    int limit) {
                throw new com.silknote.sync.core.exception.PermanentSyncException("ledger refused", 403, null);
            }
        };

        CleanupReport done = cleanup().run(CleanupRequest.removing());

        assertThat(done.status()).isEqualTo(OperationStatus.FAILED);
        assertThat(done.error()).contains("PermanentSyncException: ledger refused");
        assertThat(done.removed(OrphanClass.DOCUMENT_WITHOUT_FILESET).count()).as("committed before stays").isEqualTo(1);
    }

    @Test
    @DisplayName("rule 10: a fileset record written again between the read and the commit keeps its documents")
    void aFilesetRecordWrittenAgainKeepsItsDocuments() {
        FilesetId fs = fx.linkedFileset("P-BACK");
        VsrxFileId f = fx.text(fs, "a.txt", "a document whose fileset record comes back");
        assertThat(fx.run().success()).isTrue();
        var record = fx.silknote.documents().findFileset(fs).orElseThrow();
        fx.silknote.documents().removeFilesetAsSilknoteUser(fs);
        fx.vsrx.unlinkPatient(fs); // else VSRX's listing alone keeps them (documentsOfAFilesetVsrxStillListsLinkedAreKept)
        aged();
        fx.documents = new DelegatingDocumentStore(fx.documents) {
            private boolean written;

            @Override
            public <T> T inUnitOfWork(FencingToken token, Function<DocumentStore.UnitOfWork, T> work) {
                if (!written) {
                    written = true;
                    fx.silknote.documents().inUnitOfWork(token, u -> {
                        u.upsertFileset(record);
                        return null;
                    });
                }
                return super.inUnitOfWork(token, work);
            }
        };

        CleanupReport done = cleanup().run(CleanupRequest.removing());

        assertThat(done.removed(OrphanClass.DOCUMENT_WITHOUT_FILESET).count()).isZero();
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(f))).isPresent();
        assertThat(done.notes()).anyMatch(n -> n.startsWith("documents without fileset: skipped"));
    }

    @Test
    @DisplayName("rule 10 / rule 14: a mapping whose document is written back before the commit stays; a removed one releases and purges")
    void aMappingWhoseDocumentComesBackStays() {
        FilesetId fs = fx.linkedFileset("P-MAPPINGS");
        VsrxFileId back = fx.text(fs, "back.txt", "a document written back");
        VsrxFileId gone = fx.text(fs, "gone.txt", "a document removed for good");
        assertThat(fx.run().success()).isTrue();
        ContentHash goneHash = hashOf(gone);
        SilknoteDocument saved = fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(back)).orElseThrow();
        fx.silknote.documents().removeDocumentAsSilknoteUser(DocumentUuid.forVsrxFile(back));
        fx.silknote.documents().removeDocumentAsSilknoteUser(DocumentUuid.forVsrxFile(gone));
        aged();
        CleanupReport first = cleanup().newBuilder().documents(new DelegatingDocumentStore(fx.documents) {
            private boolean written;

            @Override
            public <T> T inUnitOfWork(FencingToken token, Function<DocumentStore.UnitOfWork, T> work) {
                if (!written) {
                    written = true;
                    fx.silknote.documents().inUnitOfWork(token, u -> {
                        u.upsertDocument(saved);
                        return null;
                    });
                }
                return super.inUnitOfWork(token, work);
            }
        }).build().run(CleanupRequest.removing());

        assertThat(first.found(OrphanClass.MAPPING_WITHOUT_DOCUMENT).count()).isEqualTo(2);
        assertThat(first.removed(OrphanClass.MAPPING_WITHOUT_DOCUMENT).count()).isZero();
        assertThat(fx.silknote.documents().findMapping(back)).isPresent();
        assertThat(fx.silknote.documents().findMapping(gone)).as("the whole batch waits").isPresent();

        List<String> progress = new java.util.ArrayList<>();
        CleanupReport second = cleanup().newBuilder().listener(progressOf("mappings", progress)).build()
                .run(CleanupRequest.removing());
        assertThat(progress).as("one mapping without its document examined and found").containsExactly("1/1");

        assertThat(second.removed(OrphanClass.MAPPING_WITHOUT_DOCUMENT).count()).isEqualTo(1);
        assertThat(fx.silknote.documents().findMapping(back)).isPresent();
        assertThat(fx.silknote.documents().findMapping(gone)).isEmpty();
        assertThat(count(goneHash)).isZero();
        assertThat(pending(goneHash, OutboxEntry.Action.PURGE_VECTORS)).hasSize(1);
        assertThat(pending(goneHash, OutboxEntry.Action.COLLECT_BLOB)).hasSize(1);
        assertThat(audit(second, AuditAction.CLEANUP_MAPPING)).singleElement().satisfies(a -> {
            assertThat(a.entry().fileId()).contains(gone);
            assertThat(a.entry().detail()).contains("document-removed-in-silknote");
        });
    }

    @Test
    @DisplayName("issue 9.3 / rule 12: a removed document releases the reference its mapping holds, not its own edited content's")
    void aRemovedDocumentReleasesItsMappingsHash() {
        FilesetId fs = fx.linkedFileset("P-EDITED");
        VsrxFileId f = fx.text(fs, "a.txt", "the content VSRX served");
        assertThat(fx.run().success()).isTrue();
        ContentHash mapped = hashOf(f);
        byte[] edited = "a Silknote user's edit".getBytes(StandardCharsets.UTF_8);
        ContentHash editedHash = TestHashes.sha256(edited);
        fx.silknote.blobs().putIfAbsent(new BlobUpload(editedHash, edited.length, "text/plain",
                () -> new ByteArrayInputStream(edited)));
        fx.silknote.documents().replaceContentAsSilknoteUser(DocumentUuid.forVsrxFile(f), editedHash, edited.length,
                "text/plain");
        fx.vsrx.unlinkPatient(fs);
        fx.silknote.documents().removeFilesetAsSilknoteUser(fs);
        aged();

        CleanupReport done = cleanup().run(CleanupRequest.removing());

        assertThat(done.removed(OrphanClass.DOCUMENT_WITHOUT_FILESET).count()).isEqualTo(1);
        assertThat(count(mapped)).isZero();
        assertThat(pending(mapped, OutboxEntry.Action.COLLECT_BLOB)).hasSize(1);
        assertThat(audit(done, AuditAction.CLEANUP_DOCUMENT)).singleElement()
                .satisfies(a -> assertThat(a.entry().beforeHash()).contains(mapped));
    }

    @Test
    @DisplayName("rule 14 / §4: more blobs than one batch are all collected once; a dry run of them collects none")
    void moreBlobsThanOneBatchAreAllCollectedOnce() {
        int n = 150;
        List<ContentHash> hashes = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] b = ("uncommitted upload " + i).getBytes(StandardCharsets.UTF_8);
            ContentHash h = TestHashes.sha256(b);
            hashes.add(h);
            fx.silknote.blobs().putIfAbsent(new BlobUpload(h, b.length, "text/plain", () -> new ByteArrayInputStream(b)));
        }
        aged();

        CleanupReport dry = cleanup().run(CleanupRequest.dryRunOnly());
        assertThat(dry.found(OrphanClass.UNCOMMITTED_BLOB).count()).isEqualTo(n);
        assertThat(fx.silknote.blobs().size()).isEqualTo(n);
        assertThat(fx.silknote.documents().allBlobRefs()).isEmpty();

        CleanupReport done = cleanup().run(CleanupRequest.removing());
        assertThat(done.found(OrphanClass.UNCOMMITTED_BLOB).count()).isEqualTo(n);
        assertThat(done.removed(OrphanClass.UNCOMMITTED_BLOB).count()).isEqualTo(n);
        assertThat(fx.silknote.blobs().size()).isZero();
        assertThat(fx.silknote.documents().allBlobRefs()).isEmpty();
        assertThat(audit(done, AuditAction.CLEANUP_BLOB)).hasSize(n);
    }

    @Test
    @DisplayName("§4: a row a sync revives between the blob delete and the row removal stays and is not reported removed")
    void aRowRevivedAfterTheDeleteIsNotReportedRemoved() {
        ContentHash h = zeroRow("revived by a sync right after the delete");
        byte[] bytes = fx.silknote.blobs().rawBytes(h).orElseThrow();
        aged();
        BlobStore real = fx.blobs;
        fx.blobs = new ForwardingBlobStore(real) {
            @Override
            public boolean deleteIfMatch(ContentHash hash, String etag) {
                boolean deleted = super.deleteIfMatch(hash, etag);
                // a sync referencing the DELETING row uploads the content again and revives the row
                BlobInfo again = real.overwrite(new BlobUpload(hash, bytes.length, "text/plain",
                        () -> new ByteArrayInputStream(bytes)));
                fx.silknote.documents().reviveBlobRef(fx.silknote.documents().highWaterMark().orElseThrow(), hash,
                        etag);
                return deleted;
            }
        };

        CleanupReport done = cleanup().run(CleanupRequest.removing());

        assertThat(done.found(OrphanClass.UNREFERENCED_BLOB).count()).isEqualTo(1);
        assertThat(done.removed()).doesNotContainKey(OrphanClass.UNREFERENCED_BLOB);
        assertThat(done.items()).filteredOn(i -> i.id().equals(h.hex())).extracting(CleanupReport.Item::removed)
                .containsExactly(false);
        assertThat(fx.silknote.documents().findBlobRef(h)).isPresent();
        assertThat(fx.silknote.blobs().rawBytes(h)).contains(bytes);
    }

    @Test
    @DisplayName("issue 11: the listener hears the operation, each phase in order, and progress with what was examined")
    void theListenerHearsEveryPhaseAndTheProgress() {
        int n = 501;
        for (int i = 0; i < n; i++) {
            byte[] b = ("a stray upload " + i).getBytes(StandardCharsets.UTF_8);
            fx.silknote.blobs().putIfAbsent(new BlobUpload(TestHashes.sha256(b), b.length, "text/plain",
                    () -> new ByteArrayInputStream(b)));
        }
        droppedDocument("P-DROPPED");
        aged();
        List<String> heard = new java.util.ArrayList<>();
        com.silknote.sync.core.port.OperationListener listener = new com.silknote.sync.core.port.OperationListener() {
            @Override
            public void operationStarted(com.silknote.sync.core.model.RunId runId, String operation, boolean dryRun) {
                heard.add("started " + operation + " " + dryRun);
            }

            @Override
            public void phaseStarted(com.silknote.sync.core.model.RunId runId, String phase) {
                heard.add("phase " + phase);
            }

            @Override
            public void progress(com.silknote.sync.core.model.RunId runId, String phase, long examined, long found) {
                heard.add("progress " + phase + " " + examined + " " + found);
            }

            @Override
            public void operationFinished(com.silknote.sync.core.model.RunId runId, String operation) {
                heard.add("finished " + operation);
            }
        };

        CleanupReport dry = cleanup().newBuilder().listener(listener).build().run(CleanupRequest.dryRunOnly());

        assertThat(dry.status()).isEqualTo(OperationStatus.COMPLETED);
        // 502 hashes: the dropped document's (referenced) and the 501 uploads; one progress every 500 and at the end
        assertThat(heard).containsSubsequence("started cleanup true", "phase documents", "progress documents 1 1",
                "phase mappings", "progress mappings 0 1", "phase outbox", "phase vectors", "progress vectors 1 1",
                "phase blobs", "progress blobs 500 500", "progress blobs 502 502", "phase skips", "finished cleanup");
        assertThat(heard).filteredOn(e -> e.startsWith("progress blobs")).hasSize(2);
    }

    @Test
    @DisplayName("issue 14 / rule 14: documents an unresolved conflict record is about are kept, noted once")
    void documentsAnOpenConflictIsAboutAreKept() {
        FilesetId fs = fx.linkedFileset("P-CONFLICTS");
        VsrxFileId byDocument = fx.text(fs, "a.txt", "a conflict names this document");
        VsrxFileId byFile = fx.text(fs, "b.txt", "a conflict names this file");
        VsrxFileId free = fx.text(fs, "c.txt", "no conflict about this one");
        assertThat(fx.run().success()).isTrue();
        java.time.Instant now = fx.clock.instant();
        var first = new com.silknote.sync.core.model.ConflictRecord(
                com.silknote.sync.core.model.ConflictId.derive("cleanup", "1"), fs, Optional.empty(),
                DocumentUuid.forVsrxFile(byDocument), com.silknote.sync.core.model.ConflictKind.CHANGED_ON_BOTH_SIDES,
                com.silknote.sync.core.model.ConflictStatus.OPEN, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), now, now);
        var second = new com.silknote.sync.core.model.ConflictRecord(
                com.silknote.sync.core.model.ConflictId.derive("cleanup", "2"), fs, Optional.of(byFile),
                new DocumentUuid(java.util.UUID.fromString("0f0f0f0f-0000-4000-8000-0000000000dd")),
                com.silknote.sync.core.model.ConflictKind.CHANGED_ON_BOTH_SIDES,
                com.silknote.sync.core.model.ConflictStatus.OPEN, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), now, now);
        write(u -> {
            u.upsertConflict(first);
            u.upsertConflict(second);
        });
        fx.vsrx.unlinkPatient(fs);
        fx.silknote.documents().removeFilesetAsSilknoteUser(fs);
        aged();

        CleanupReport done = cleanup().run(CleanupRequest.removing());

        assertThat(done.removed(OrphanClass.DOCUMENT_WITHOUT_FILESET).count()).isEqualTo(1);
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(byDocument))).isPresent();
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(byFile))).isPresent();
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(free))).isEmpty();
        assertThat(done.notes()).filteredOn(n -> n.contains("unresolved conflict record")).singleElement()
                .satisfies(n -> assertThat(n).endsWith("first: conflict " + first.id().value()));
    }

    @Test
    @DisplayName("issue 11: an operation gives the lock back when it ends, completed or failed, so the next run need not wait for its ttl")
    void theLockIsGivenBackWhenTheOperationEnds() {
        droppedDocument("P-DROPPED");
        aged();

        CleanupReport done = cleanup().run(CleanupRequest.removing());

        assertThat(done.status()).isEqualTo(OperationStatus.COMPLETED);
        assertThat(fx.silknote.lock().inspect(SyncConfig.LOCK_NAME)).as("released after a completed cleanup").isEmpty();

        fx.documents = new DelegatingDocumentStore(fx.documents) {
            @Override
            public Page<SilknoteDocument> documentsWithoutFileset(Optional<String> cursor, int limit) {
                throw new com.silknote.sync.core.exception.PermanentSyncException("ledger refused", 403, null);
            }
        };
        CleanupReport failed = cleanup().run(CleanupRequest.removing());

        assertThat(failed.status()).isEqualTo(OperationStatus.FAILED);
        assertThat(fx.silknote.lock().inspect(SyncConfig.LOCK_NAME)).as("released after a failed cleanup").isEmpty();
    }

    @Test
    @DisplayName("rule 10: a cleanup fences the store before it reads, so a paused older holder's later write is refused even when the cleanup wrote nothing")
    void theCleanupFencesTheStoreBeforeItReads() {
        var paused = fx.silknote.lock().newHolder("host-paused").tryAcquire(SyncConfig.LOCK_NAME, Duration.ofMinutes(1))
                .orElseThrow();
        fx.silknote.lock().forceExpiry(SyncConfig.LOCK_NAME);

        CleanupReport done = cleanup().run(CleanupRequest.removing());

        assertThat(done.status()).isEqualTo(OperationStatus.COMPLETED);
        assertThat(done.found()).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> fx.silknote.documents().inUnitOfWork(paused.token(),
                u -> null)).isInstanceOf(com.silknote.sync.core.exception.StaleFencingTokenException.class);
    }

    /** Forwards every call to another blob store; tests override single methods. */
    private static class ForwardingBlobStore implements BlobStore {
        private final BlobStore d;

        ForwardingBlobStore(BlobStore d) {
            this.d = d;
        }

        @Override
        public BlobPutResult putIfAbsent(BlobUpload upload) {
            return d.putIfAbsent(upload);
        }

        @Override
        public BlobInfo overwrite(BlobUpload upload) {
            return d.overwrite(upload);
        }

        @Override
        public Optional<BlobInfo> stat(ContentHash hash) {
            return d.stat(hash);
        }

        @Override
        public InputStream open(ContentHash hash) {
            return d.open(hash);
        }

        @Override
        public boolean deleteIfMatch(ContentHash hash, String etag) {
            return d.deleteIfMatch(hash, etag);
        }

        @Override
        public Page<BlobInfo> list(Optional<String> cursor, int limit) {
            return d.list(cursor, limit);
        }
    }
}
