package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.action;
import static com.silknote.sync.testkit.engine.EngineFixture.file;
import static com.silknote.sync.testkit.engine.EngineFixture.fileset;
import static org.assertj.core.api.Assertions.assertThat;


import com.silknote.sync.core.exception.BlobBeingCollectedException;
import com.silknote.sync.core.model.AuditAction;
import com.silknote.sync.core.model.AuditRecord;
import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobPutResult;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.PatientFilesetRecord;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VectorEntry;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentProcessor;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.testkit.TestHashes;
import com.silknote.sync.testkit.fault.Fault;
import com.silknote.sync.testkit.fault.FaultPlan;
import com.silknote.sync.testkit.fault.FaultyVsrxSource;
import com.silknote.sync.testkit.fault.Operation;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What one fileset's unit of work writes, and what its report says when it cannot commit: the per-fileset
 * transaction (DESIGN rule 6), remembered skips (rule 7), dedup and reference counts (rule 12), the mass-delete
 * guard (rule 5), change detection (rule 3) and failure reasons safe to log (common rules, issue 9).
 */
class FilesetCommitTest {
    private final EngineFixture fx = new EngineFixture();

    private List<AuditRecord> audit(VsrxFileId id, AuditAction action) {
        return fx.silknote.documents().allAudit().stream()
                .filter(r -> r.entry().fileId().equals(Optional.of(id)) && r.entry().action() == action).toList();
    }

    private Instant recordWrittenAt(FilesetId fs) {
        return fx.silknote.documents().findFileset(fs).orElseThrow().lastSyncedAt();
    }

    // ---------------------------------------------------------------- failure reports

    @Test
    @DisplayName("rule 6, issue 9: a commit that fails on a foreign exception reports its class only, and every planned write FAILED")
    void aForeignFailureAtCommitReportsEveryPlannedWriteFailedWithTheExceptionClassOnly() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId updated = fx.text(fs, "a.txt", "first version");
        VsrxFileId renamed = fx.text(fs, "b.txt", "a letter");
        VsrxFileId deleted = fx.text(fs, "c.txt", "a referral");
        fx.text(fs, "d.txt", "a lab result");
        fx.text(fs, "e.txt", "a discharge note");
        fx.run();
        fx.vsrx.modifyFile(updated, "second version");
        fx.vsrx.renameFile(renamed, "notes/b-renamed.txt");
        fx.vsrx.deleteFile(deleted);
        VsrxFileId created = fx.text(fs, "f.txt", "a new note");
        AtomicBoolean downloaded = new AtomicBoolean();
        fx.vsrx.onOpen(updated, () -> downloaded.set(true));
        AtomicBoolean crashed = fx.crashBeforeTheNextCommitOnce(downloaded::get);

        SyncResult result = fx.run();

        assertThat(crashed).isTrue();
        assertThat(fileset(result, fs).outcome()).isEqualTo(FilesetOutcome.FAILED);
        // the message of an exception from outside the library may carry a path: the class name only
        assertThat(fileset(result, fs).failureReason()).contains("IllegalStateException");
        for (VsrxFileId id : List.of(updated, renamed, deleted, created)) {
            FileReport r = file(result, id);
            assertThat(r.action()).as("nothing of file %s was committed", id).isEqualTo(FileAction.FAILED);
            assertThat(r.detail()).as("detail of %s", id).contains("IllegalStateException");
        }
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(deleted))).isPresent();
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(created))).isEmpty();
        fx.silknote.assertInvariants();
    }

    @Test
    @DisplayName("rule 5: a tripped mass-delete guard reports every planned file FAILED with the guard as detail, and its limit")
    void aTrippedMassDeleteGuardReportsEveryPlannedFileFailed() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a");
        VsrxFileId b = fx.text(fs, "b.txt", "b");
        VsrxFileId c = fx.text(fs, "c.txt", "c");
        fx.text(fs, "d.txt", "d");
        fx.run();
        fx.vsrx.deleteFile(a);
        fx.vsrx.deleteFile(b);
        fx.vsrx.deleteFile(c);
        VsrxFileId e = fx.text(fs, "e.txt", "new file");

        SyncResult result = fx.run();

        assertThat(fileset(result, fs).outcome()).isEqualTo(FilesetOutcome.MASS_DELETE_BLOCKED);
        assertThat(fileset(result, fs).failureReason().orElseThrow()).contains("3 of 4").contains("limit 50%")
                .contains("from 3 deletes");
        for (VsrxFileId id : List.of(a, b, c, e)) {
            assertThat(action(result, id)).as("file %s is not reported as done", id).isEqualTo(FileAction.FAILED);
            assertThat(file(result, id).detail()).contains("mass-delete-guard");
        }
    }

    @Test
    @DisplayName("rule 9: a failed fileset is in the saved state at once, so a crash later in the run still retries it")
    void aFailedFilesetIsSavedAsFailedBeforeTheRunGoesOn() {
        fx.config(c -> c.filesetConcurrency(1));
        FilesetId guarded = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(guarded, "a.txt", "a");
        VsrxFileId b = fx.text(guarded, "b.txt", "b");
        VsrxFileId c = fx.text(guarded, "c.txt", "c");
        fx.text(guarded, "d.txt", "d");
        FilesetId later = fx.linkedFileset("P2");
        fx.text(later, "x.txt", "first version");
        fx.run();
        fx.vsrx.deleteFile(a);
        fx.vsrx.deleteFile(b);
        fx.vsrx.deleteFile(c);
        VsrxFileId y = fx.text(later, "y.txt", "a new letter");
        AtomicBoolean downloaded = new AtomicBoolean();
        fx.vsrx.onOpen(y, () -> downloaded.set(true));
        fx.documents = new DelegatingDocumentStore(fx.documents) {
            @Override
            public <T> T inUnitOfWork(FencingToken token, Function<DocumentStore.UnitOfWork, T> work) {
                if (downloaded.get()) {
                    throw new ProcessDied();
                }
                return super.inUnitOfWork(token, work);
            }
        };

        try {
            fx.run();
        } catch (ProcessDied expected) {
            // the process died at the second fileset's commit
        }

        assertThat(downloaded).isTrue();
        assertThat(fx.silknote.documents().loadState().partialSyncState().failedFilesets()).containsExactly(guarded);
    }

    @Test
    @DisplayName("rule 10: a run that lost its lock while its commit failed saves no failure state over the new holder's")
    void aRunThatLostItsLockSavesNoFailureState() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "first version");
        fx.run();
        var stateBefore = fx.silknote.documents().loadState();
        fx.vsrx.modifyFile(a, "second version");
        AtomicBoolean downloaded = new AtomicBoolean();
        fx.vsrx.onOpen(a, () -> downloaded.set(true));
        AtomicBoolean takenOver = new AtomicBoolean();
        fx.documents = new DelegatingDocumentStore(fx.documents) {
            @Override
            public <T> T inUnitOfWork(FencingToken token, Function<DocumentStore.UnitOfWork, T> work) {
                if (downloaded.get() && takenOver.compareAndSet(false, true)) {
                    // the commit fails while the lease runs out and another host takes the lock (not written yet)
                    fx.clock.advance(fx.config.lockTtl().plusSeconds(1));
                    fx.silknote.lock().forceExpiry(SyncConfig.LOCK_NAME);
                    assertThat(fx.silknote.lock().newHolder("other").tryAcquire(SyncConfig.LOCK_NAME,
                            fx.config.lockTtl())).isPresent();
                    throw new IllegalStateException("commit failed");
                }
                return super.inUnitOfWork(token, work);
            }
        };

        SyncResult result = fx.run();

        assertThat(takenOver).isTrue();
        assertThat(result.success()).isFalse();
        assertThat(fx.silknote.documents().loadState()).as("no write after the lock was lost").isEqualTo(stateBefore);
    }

    /** A process dying: an {@link Error}, which the engine does not handle. */
    private static final class ProcessDied extends Error {
        private static final long serialVersionUID = 1L;
    }

    @Test
    @DisplayName("rule 7: a truncated stream is skipped as TRUNCATED with its own detail, and not remembered")
    void aTruncatedStreamIsSkippedWithItsDetail() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a letter long enough to be cut short");
        fx.source = new FaultyVsrxSource(fx.vsrx,
                FaultPlan.none().on(Operation.OPEN_CONTENT).key(a).times(100).thenFail(Fault.truncated(4)));

        SyncResult result = fx.run();

        assertThat(file(result, a).skipReason()).contains(SkipReason.TRUNCATED);
        assertThat(file(result, a).detail()).contains("stream-ended-early");
        assertThat(fx.silknote.documents().allSkips()).isEmpty();
    }

    @Test
    @DisplayName("issue 9 item 3, issue 11: a document whose new version is skipped still follows a relinked fileset, audited")
    void aSkippedDocumentFollowsItsRelinkedFilesetAndIsAudited() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "first version");
        fx.run();
        fx.vsrx.linkPatient(fs, EngineFixture.patient("P2"));
        fx.vsrx.modifyFile(a, "");

        SyncResult result = fx.run();

        assertThat(action(result, a)).isEqualTo(FileAction.SKIPPED);
        var doc = fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(a)).orElseThrow();
        assertThat(doc.patientUuid()).isEqualTo(EngineFixture.patient("P2"));
        assertThat(doc.contentHash()).isEqualTo(TestHashes.sha256("first version"));
        assertThat(audit(a, AuditAction.METADATA_ONLY)).hasSize(1);
        fx.silknote.assertInvariants();
    }

    @Test
    @DisplayName("rule 5, issue 12: without processing, new content costs no vector call; a replaced version's entries go")
    void withoutProcessingOnlyReplacedContentPurgesVectors() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "first version");
        fx.run();
        DocumentUuid doc = DocumentUuid.forVsrxFile(a);
        assertThat(fx.silknote.vectors().entries(doc)).isNotEmpty();
        AtomicInteger vectorDeletes = new AtomicInteger();
        fx.processor = DocumentProcessor.NONE;
        fx.vectors = new ForwardingVectorStore(fx.silknote.vectors()) {
            @Override
            public int deleteByDocument(FencingToken token, DocumentUuid d) {
                vectorDeletes.incrementAndGet();
                return super.deleteByDocument(token, d);
            }
        };
        fx.text(fs, "b.txt", "a new letter");

        fx.run();

        assertThat(vectorDeletes).as("a new document without processing has no vectors to purge").hasValue(0);
        fx.vsrx.modifyFile(a, "second version");

        fx.run();

        assertThat(vectorDeletes).hasValue(1);
        assertThat(fx.silknote.vectors().entries(doc)).isEmpty();
    }

    // ---------------------------------------------------------------- nothing to write

    @Test
    @DisplayName("rule 7, issue 12: a run that finds nothing to change commits nothing (remembered skip, deleted file never synced)")
    void aRunWithNothingToChangeWritesNothing() {
        FilesetId fs = fx.linkedFileset("P1");
        fx.text(fs, "a.txt", "a letter");
        VsrxFileId empty = fx.text(fs, "empty.txt", "");
        VsrxFileId gone = fx.text(fs, "gone.txt", "deleted before it was synced");
        fx.vsrx.deleteFile(gone);
        fx.run();
        assertThat(fx.silknote.documents().allSkips()).containsOnlyKeys(empty);
        Instant written = recordWrittenAt(fs);
        int auditRows = fx.silknote.documents().allAudit().size();
        fx.clock.advance(Duration.ofHours(1));

        SyncResult again = fx.run();

        assertThat(again.success()).isTrue();
        assertThat(file(again, empty).skipReason()).contains(SkipReason.REMEMBERED_SKIP);
        assertThat(recordWrittenAt(fs)).as("the fileset's record is not rewritten").isEqualTo(written);
        assertThat(fx.silknote.documents().allAudit()).hasSize(auditRows);
    }

    // ---------------------------------------------------------------- remembered skips

    @Test
    @DisplayName("rule 7: the remembered skip of a file never synced is forgotten once the file is deleted")
    void theSkipOfAFileNeverSyncedIsForgottenWhenItIsDeleted() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId empty = fx.text(fs, "empty.txt", "");
        fx.run();
        assertThat(fx.silknote.documents().allSkips()).containsOnlyKeys(empty);
        fx.vsrx.deleteFile(empty);

        fx.run();

        assertThat(fx.silknote.documents().allSkips()).isEmpty();
    }

    @Test
    @DisplayName("rules 4, 7: a skipped new version leaves its document untouched and unaudited; deleting the file forgets the skip")
    void aSkippedNewVersionLeavesTheDocumentAndItsDeleteForgetsTheSkip() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "first version");
        fx.text(fs, "b.txt", "another letter");
        fx.text(fs, "c.txt", "a third letter");
        fx.run();
        var before = fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(a)).orElseThrow();
        fx.vsrx.modifyFile(a, "");
        fx.clock.advance(Duration.ofMinutes(5));

        SyncResult skipped = fx.run();

        assertThat(action(skipped, a)).isEqualTo(FileAction.SKIPPED);
        assertThat(fx.silknote.documents().allSkips()).containsOnlyKeys(a);
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(a))).contains(before);
        assertThat(audit(a, AuditAction.METADATA_ONLY)).as("no metadata change of an unmoved document").isEmpty();

        fx.vsrx.deleteFile(a);
        SyncResult deleted = fx.run();

        assertThat(action(deleted, a)).isEqualTo(FileAction.DELETED);
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(a))).isEmpty();
        assertThat(fx.silknote.documents().allSkips()).isEmpty();
        fx.silknote.assertInvariants();
    }

    @Test
    @DisplayName("rules 4, 7: a file back to the content of its document is a metadata-only update that forgets the skip")
    void aFileBackToItsSyncedContentForgetsTheSkip() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "first version");
        fx.run();
        fx.vsrx.modifyFile(a, "");
        fx.run();
        assertThat(fx.silknote.documents().allSkips()).containsOnlyKeys(a);
        fx.vsrx.modifyFile(a, "first version");

        SyncResult back = fx.run();

        assertThat(action(back, a)).isEqualTo(FileAction.METADATA_ONLY);
        assertThat(fx.silknote.documents().allSkips()).isEmpty();
        fx.silknote.assertInvariants();
    }

    @Test
    @DisplayName("rules 3, 7: a file changed to bad content between listing and download is remembered as the version downloaded")
    void aVersionChangedBeforeItsDownloadIsRememberedAsDownloaded() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId x = fx.text(fs, "x.txt", "a letter");
        fx.vsrx.beforeOpen(x, () -> fx.vsrx.modifyFile(x, ""));

        SyncResult first = fx.run();

        assertThat(file(first, x).skipReason()).contains(SkipReason.EMPTY);
        long downloads = fx.vsrx.downloads(x);

        SyncResult second = fx.run();

        assertThat(file(second, x).skipReason()).contains(SkipReason.REMEMBERED_SKIP);
        assertThat(fx.vsrx.downloads(x)).as("the bad version is not downloaded again").isEqualTo(downloads);
    }

    // ---------------------------------------------------------------- change detection after metadata-only

    @Test
    @DisplayName("rule 3: a rename is a metadata-only update without download, and the next run downloads nothing")
    void aRenamedFileIsNotDownloadedAgain() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a letter");
        fx.run();
        fx.vsrx.renameFile(a, "notes/renamed.txt");
        long downloads = fx.vsrx.downloads(a);

        SyncResult renamed = fx.run();
        SyncResult next = fx.run();

        assertThat(action(renamed, a)).isEqualTo(FileAction.METADATA_ONLY);
        assertThat(EngineFixture.unchanged(next, a)).isTrue();
        assertThat(fx.vsrx.downloads(a)).isEqualTo(downloads);
        SyncMapping mapping = fx.silknote.documents().findMapping(a).orElseThrow();
        assertThat(mapping.size()).isEqualTo("a letter".length());
        assertThat(mapping.etag()).as("rule 2: the mapping keeps the file's ETag").isPresent()
                .isEqualTo(fx.vsrx.findFile(a).orElseThrow().etag());
    }

    // ---------------------------------------------------------------- dedup and collection races

    @Test
    @DisplayName("rule 12: content found stored, then collected by another process before the commit, is stored again")
    void contentCollectedBetweenTheExistenceCheckAndTheCommitIsRestored() {
        FilesetId fs = fx.linkedFileset("P1");
        fx.text(fs, "a.txt", "shared letter");
        fx.run();
        ContentHash h = TestHashes.sha256("shared letter");
        AtomicBoolean collected = new AtomicBoolean();
        fx.blobs = new ForwardingBlobStore(fx.silknote.blobs()) {
            @Override
            public BlobPutResult putNewIfAbsent(BlobUpload upload) {
                BlobPutResult r = super.putNewIfAbsent(upload);
                if (!r.created() && upload.hash().equals(h) && collected.compareAndSet(false, true)) {
                    // another process's collector deletes it right after the existence check
                    assertThat(fx.silknote.blobs().deleteIfMatch(h, r.info().etag())).isTrue();
                }
                return r;
            }
        };
        VsrxFileId b = fx.text(fs, "b.txt", "shared letter");

        SyncResult result = fx.run();

        assertThat(collected).isTrue();
        assertThat(action(result, b)).isEqualTo(FileAction.CREATED);
        assertThat(fx.silknote.blobs().rawBytes(h)).as("restored after the commit").isPresent();
        fx.silknote.assertInvariants();
    }

    @Test
    @DisplayName("rule 12: an update to content found stored, then collected before the commit, stores it again")
    void anUpdateToContentCollectedBeforeTheCommitRestoresIt() {
        FilesetId fs = fx.linkedFileset("P1");
        fx.text(fs, "a.txt", "shared letter");
        VsrxFileId b = fx.text(fs, "b.txt", "first version");
        fx.run();
        ContentHash h = TestHashes.sha256("shared letter");
        AtomicBoolean collected = new AtomicBoolean();
        fx.blobs = new ForwardingBlobStore(fx.silknote.blobs()) {
            @Override
            public BlobPutResult putNewIfAbsent(BlobUpload upload) {
                BlobPutResult r = super.putNewIfAbsent(upload);
                if (!r.created() && upload.hash().equals(h) && collected.compareAndSet(false, true)) {
                    assertThat(fx.silknote.blobs().deleteIfMatch(h, r.info().etag())).isTrue();
                }
                return r;
            }
        };
        fx.vsrx.modifyFile(b, "shared letter");

        SyncResult result = fx.run();

        assertThat(collected).isTrue();
        assertThat(action(result, b)).isEqualTo(FileAction.UPDATED);
        assertThat(fx.silknote.blobs().rawBytes(h)).as("restored after the commit").isPresent();
        fx.silknote.assertInvariants();
    }

    // ---------------------------------------------------------------- commit expectations and fencing

    @Test
    @DisplayName("rule 10: a fileset record created by another run between plan and commit refuses the commit")
    void aFilesetRecordChangedSinceThePlanRefusesTheCommit() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a letter");
        fx.run();
        VsrxFileId b = fx.text(fs, "b.txt", "another letter");
        // the plan reads the record as it was before another run wrote it: not there yet
        fx.documents = new DelegatingDocumentStore(fx.documents) {
            @Override
            public Optional<PatientFilesetRecord> findFileset(FilesetId id) {
                return Optional.empty();
            }
        };

        SyncResult result = fx.run();

        assertThat(fileset(result, fs).outcome()).isEqualTo(FilesetOutcome.FAILED);
        assertThat(action(result, b)).isEqualTo(FileAction.FAILED);
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(b))).isEmpty();
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(a))).isPresent();
    }

    @Test
    @DisplayName("rule 10: a run whose lock another holder took after the last download commits nothing")
    void aLeaseTakenOverBeforeTheCommitStopsTheRunWithoutItsCommit() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a letter");
        AtomicBoolean takenOver = new AtomicBoolean();
        fx.blobs = new ForwardingBlobStore(fx.silknote.blobs()) {
            @Override
            public BlobPutResult putNewIfAbsent(BlobUpload upload) {
                BlobPutResult r = super.putNewIfAbsent(upload);
                if (takenOver.compareAndSet(false, true)) {
                    // after the last checkpoint of the download: the lease runs out, another holder takes the lock
                    fx.clock.advance(fx.config.lockTtl().plusSeconds(1));
                    fx.silknote.lock().forceExpiry(SyncConfig.LOCK_NAME);
                    assertThat(fx.silknote.lock().newHolder("other").tryAcquire(SyncConfig.LOCK_NAME,
                            fx.config.lockTtl())).isPresent();
                }
                return r;
            }
        };

        SyncResult result = fx.run();

        assertThat(takenOver).isTrue();
        assertThat(result.success()).isFalse();
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(a))).as("no stale commit")
                .isEmpty();
        assertThat(fx.silknote.documents().findMapping(a)).isEmpty();
    }

    @Test
    @DisplayName("rule 10: a listing longer than the lock's ttl renews the lease between its pages")
    void aLongListingRenewsTheLeaseBetweenPages() {
        FilesetId fs = fx.linkedFileset("P1");
        for (int i = 0; i < 8; i++) {
            fx.text(fs, "f" + i + ".txt", "letter " + i);
        }
        Duration page = fx.config.lockTtl().multipliedBy(6).dividedBy(10);
        List<Boolean> otherHolderGotIt = Collections.synchronizedList(new ArrayList<>());
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
                // each page takes 60 % of the ttl; another host tries to take the lock meanwhile
                fx.clock.advance(page);
                otherHolderGotIt.add(fx.silknote.lock().newHolder("other")
                        .tryAcquire(SyncConfig.LOCK_NAME, fx.config.lockTtl()).isPresent());
                return real.listFiles(id, request);
            }

            @Override
            public FileContent openContent(VsrxFileId fileId) {
                return real.openContent(fileId);
            }
        };

        SyncResult result = fx.run();

        assertThat(otherHolderGotIt).hasSizeGreaterThan(3).containsOnly(false);
        assertThat(result.success()).isTrue();
        assertThat(fileset(result, fs).files()).extracting(FileReport::action).containsOnly(FileAction.CREATED);
    }

    @Test
    @DisplayName("rule 12: content a failed fileset was about to reference is free for the collector again in the same run")
    void aFailedFilesetLeavesTheContentItWasAboutToReference() {
        fx.config(c -> c.filesetConcurrency(1));
        FilesetId first = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(first, "a.txt", "a letter");
        FilesetId second = fx.linkedFileset("P2");
        VsrxFileId b = fx.text(second, "b.txt", "shared content");
        fx.run();
        ContentHash shared = TestHashes.sha256("shared content");
        // the first fileset downloads the shared content and fails at its commit; the second then deletes the
        // only document that references it, and the content is collected in this run
        fx.vsrx.modifyFile(a, "shared content");
        fx.vsrx.deleteFile(b);
        AtomicBoolean downloaded = new AtomicBoolean();
        fx.vsrx.onOpen(a, () -> downloaded.set(true));
        AtomicBoolean crashed = fx.crashBeforeTheNextCommitOnce(downloaded::get);

        SyncResult result = fx.run();

        assertThat(crashed).isTrue();
        assertThat(fileset(result, first).outcome()).isEqualTo(FilesetOutcome.FAILED);
        assertThat(action(result, b)).isEqualTo(FileAction.DELETED);
        assertThat(fx.silknote.documents().findBlobRef(shared)).as("the unreferenced row is collected").isEmpty();
        assertThat(fx.silknote.blobs().rawBytes(shared)).isEmpty();
        fx.silknote.assertInvariants();
    }

    @Test
    @DisplayName("rule 12: content the collector keeps deleting is uploaded again three times, its own bytes only, then the fileset fails")
    void aBlobBeingCollectedIsUploadedAgainThreeTimesThenTheFilesetFails() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId p = fx.text(fs, "p.txt", "first content");
        VsrxFileId q = fx.text(fs, "q.txt", "second content");
        ContentHash collecting = TestHashes.sha256("second content");
        List<ContentHash> overwritten = Collections.synchronizedList(new ArrayList<>());
        fx.blobs = new ForwardingBlobStore(fx.silknote.blobs()) {
            @Override
            public BlobInfo overwrite(BlobUpload upload) {
                overwritten.add(upload.hash());
                return super.overwrite(upload);
            }
        };
        AtomicInteger refusals = new AtomicInteger();
        fx.documents = new DelegatingDocumentStore(fx.documents) {
            @Override
            public <T> T inUnitOfWork(FencingToken token, Function<DocumentStore.UnitOfWork, T> work) {
                // the first four commits find the content being collected (the first attempt and three revivals)
                if (refusals.getAndIncrement() < 4) {
                    throw new BlobBeingCollectedException(collecting);
                }
                return super.inUnitOfWork(token, work);
            }
        };

        SyncResult result = fx.run();

        assertThat(fileset(result, fs).outcome()).isEqualTo(FilesetOutcome.FAILED);
        assertThat(fileset(result, fs).failureReason().orElseThrow()).startsWith("BlobBeingCollectedException: ");
        assertThat(overwritten).containsExactly(collecting, collecting, collecting);
        assertThat(action(result, p)).isEqualTo(FileAction.FAILED);
        assertThat(action(result, q)).isEqualTo(FileAction.FAILED);
    }

    /** Forwards every call; tests override single methods. */
    private static class ForwardingVectorStore implements VectorStore {
        private final VectorStore d;

        ForwardingVectorStore(VectorStore d) {
            this.d = d;
        }

        @Override public void fence(FencingToken token) { d.fence(token); }
        @Override public void replace(FencingToken token, DocumentUuid document, List<VectorEntry> entries) {
            d.replace(token, document, entries);
        }
        @Override public int deleteByDocument(FencingToken token, DocumentUuid document) {
            return d.deleteByDocument(token, document);
        }
        @Override public List<VectorEntry> entries(DocumentUuid document) { return d.entries(document); }
        @Override public Page<DocumentUuid> documents(Optional<String> cursor, int limit) {
            return d.documents(cursor, limit);
        }
    }

    /** Forwards every call; tests override single methods. */
    private static class ForwardingBlobStore implements BlobStore {
        private final BlobStore d;

        ForwardingBlobStore(BlobStore d) {
            this.d = d;
        }

        @Override public boolean usesContentMd5() { return d.usesContentMd5(); }
        @Override public BlobPutResult putIfAbsent(BlobUpload upload) { return d.putIfAbsent(upload); }
        @Override public BlobPutResult putNewIfAbsent(BlobUpload upload) { return d.putNewIfAbsent(upload); }
        @Override public BlobInfo overwrite(BlobUpload upload) { return d.overwrite(upload); }
        @Override public Optional<BlobInfo> stat(ContentHash hash) { return d.stat(hash); }
        @Override public InputStream open(ContentHash hash) { return d.open(hash); }
        @Override public boolean deleteIfMatch(ContentHash hash, String etag) { return d.deleteIfMatch(hash, etag); }
        @Override public Page<BlobInfo> list(Optional<String> cursor, int limit) { return d.list(cursor, limit); }
    }
}
