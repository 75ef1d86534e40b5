package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.action;
import static com.silknote.sync.testkit.engine.EngineFixture.fileset;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.testkit.ForwardingVsrxSource;
import java.io.FilterInputStream;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What a fileset does when its downloads fail or its lease is lost while files download: the lease checks
 * before every download and every blob write (DESIGN rule 10), which of several failures the fileset reports
 * (a lost lease wins and stops the run; else the first failing file in plan order), the resume state when
 * saving a failure fails (rule 9), and the source's streams closed after use (the {@code FileContent} port
 * contract).
 */
class FileDownloadFailuresTest {
    private static final int MIB = 1024 * 1024;
    private final EngineFixture fx = new EngineFixture();

    /** The fixture's VSRX, with a hook on each content opened and on each listing page. */
    private class ScriptedSource extends ForwardingVsrxSource {
        final AtomicInteger opens = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();
        Function<Integer, RuntimeException> failOpen = n -> null;
        Runnable afterOpen = () -> { };
        Runnable onListFiles = () -> { };

        ScriptedSource() {
            super(fx.vsrx);
        }

        @Override
        public Page<VsrxFile> listFiles(FilesetId id, PageRequest request) {
            Page<VsrxFile> page = super.listFiles(id, request);
            onListFiles.run();
            return page;
        }

        @Override
        public FileContent openContent(VsrxFileId fileId) {
            RuntimeException failure = failOpen.apply(opens.incrementAndGet());
            if (failure != null) {
                throw failure;
            }
            FileContent c = super.openContent(fileId);
            afterOpen.run();
            return new FileContent(new FilterInputStream(c.stream()) {
                @Override
                public void close() throws IOException {
                    closes.incrementAndGet();
                    super.close();
                }
            }, c.etag(), c.contentLength(), c.sha256());
        }
    }

    private ScriptedSource scripted() {
        ScriptedSource s = new ScriptedSource();
        fx.source = s;
        return s;
    }

    /** The lease runs out and another host takes the lock (its first write is still to come). */
    private void anotherHostTakesTheLock() {
        fx.clock.advance(fx.config.lockTtl().plusSeconds(1));
        fx.silknote.lock().forceExpiry(SyncConfig.LOCK_NAME);
        assertThat(fx.silknote.lock().newHolder("other").tryAcquire(SyncConfig.LOCK_NAME, fx.config.lockTtl()))
                .isPresent();
    }

    private boolean stored(VsrxFileId file) {
        return fx.silknote.blobs().stat(fx.vsrx.contentHash(file)).isPresent();
    }

    // ---------------------------------------------------------------- the lease around downloads

    @Test
    @DisplayName("rule 10: a lock taken over while a file downloads: no blob is written for it, nothing committed")
    void aLockTakenOverDuringADownloadWritesNoBlob() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a letter");
        ScriptedSource source = scripted();
        AtomicBoolean takenOver = new AtomicBoolean();
        source.afterOpen = () -> {
            if (takenOver.compareAndSet(false, true)) {
                anotherHostTakesTheLock();
            }
        };

        SyncResult result = fx.run();

        assertThat(takenOver).isTrue();
        assertThat(result.success()).isFalse();
        assertThat(stored(a)).as("no blob written after the lease was lost").isFalse();
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(a))).isEmpty();
    }

    @Test
    @DisplayName("rule 10: a lock taken over after the listing: no file is downloaded any more")
    void aLockTakenOverAfterTheListingDownloadsNothing() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a letter");
        ScriptedSource source = scripted();
        AtomicBoolean takenOver = new AtomicBoolean();
        source.onListFiles = () -> {
            if (takenOver.compareAndSet(false, true)) {
                anotherHostTakesTheLock();
            }
        };

        SyncResult result = fx.run();

        assertThat(takenOver).isTrue();
        assertThat(result.success()).isFalse();
        assertThat(source.opens).as("no download after the lease was lost").hasValue(0);
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(a))).isEmpty();
    }

    @Test
    @DisplayName("rule 10: a long download checks the lease while it streams: a lock lost meanwhile stops it within 4 MiB")
    void aLongDownloadChecksTheLeaseWhileItStreams() {
        FilesetId fs = fx.linkedFileset("P1");
        byte[] big = new byte[6 * MIB];
        java.util.Arrays.fill(big, (byte) 'x');
        VsrxFileId a = fx.vsrx.addFile(fs, "notes/big.txt", "text/plain", big);
        AtomicBoolean takenOver = new AtomicBoolean();
        fx.vsrx.onOpen(a, () -> {
            takenOver.set(true);
            anotherHostTakesTheLock();
        });

        SyncResult result = fx.run();

        assertThat(takenOver).isTrue();
        assertThat(result.success()).isFalse();
        // the download stops at the first checkpoint after the loss, every 4 MiB streamed
        assertThat(fx.vsrx.bytesServed()).isGreaterThan(MIB).isLessThanOrEqualTo(4L * MIB);
        assertThat(stored(a)).isFalse();
    }

    @Test
    @DisplayName("rule 10: a run whose lease is found lost while it saves a fileset's failure fails as lease lost")
    void aLeaseLostWhileSavingAFailureFailsTheRun() {
        FilesetId fs = fx.linkedFileset("P1");
        fx.text(fs, "a.txt", "a letter");
        fx.run();
        fx.text(fs, "b.txt", "another letter");
        ScriptedSource source = scripted();
        source.failOpen = n -> {
            anotherHostTakesTheLock();
            return new IllegalStateException("disk gone");
        };

        SyncResult result = fx.run();

        assertThat(result.status()).isEqualTo(SyncResult.Status.FAILED);
        assertThat(result.error()).hasValueSatisfying(e -> assertThat(e).contains("lease lost"));
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(fx.vsrx.listedFiles(fs).get(1).id())))
                .isEmpty();
    }

    // ---------------------------------------------------------------- which failure the fileset reports

    @Test
    @DisplayName("rules 6, 10: of two failing downloads the lost lease wins: the run stops and says so")
    void aLostLeaseWinsOverAnEarlierFileFailure() {
        fx.config(c -> c.fileConcurrency(1));
        FilesetId fs = fx.linkedFileset("P1");
        fx.text(fs, "a.txt", "a letter");
        fx.run();
        VsrxFileId b = fx.text(fs, "b.txt", "another letter");
        VsrxFileId c = fx.text(fs, "c.txt", "a third letter");
        ScriptedSource source = scripted();
        // downloads run one after the other in plan order: the first fails, the lease is lost during the second
        source.failOpen = n -> n == 1 ? new IllegalStateException("disk gone") : null;
        source.afterOpen = this::anotherHostTakesTheLock;

        SyncResult result = fx.run();

        assertThat(source.opens).hasValue(2);
        assertThat(result.success()).isFalse();
        assertThat(fileset(result, fs).failureReason().orElseThrow()).startsWith("lease lost");
        assertThat(stored(b) || stored(c)).as("no blob written after the lease was lost").isFalse();
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(b))).isEmpty();
        assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(c))).isEmpty();
    }

    @Test
    @DisplayName("rule 6, issue 9: of two failing downloads the fileset reports the first in plan order, nothing committed")
    void theFirstFailingDownloadIsTheFilesetsReason() {
        fx.config(c -> c.fileConcurrency(1));
        FilesetId fs = fx.linkedFileset("P1");
        fx.text(fs, "a.txt", "a letter");
        fx.run();
        VsrxFileId b = fx.text(fs, "b.txt", "another letter");
        VsrxFileId c = fx.text(fs, "c.txt", "a third letter");
        VsrxFileId d = fx.text(fs, "d.txt", "a fourth letter");
        ScriptedSource source = scripted();
        source.failOpen = n -> switch (n) {
            case 1 -> new IllegalStateException("disk gone");
            case 2 -> new IllegalArgumentException("bad request");
            default -> null;
        };

        SyncResult result = fx.run();

        assertThat(source.opens).hasValue(3);
        assertThat(fileset(result, fs).outcome()).isEqualTo(FilesetOutcome.FAILED);
        assertThat(fileset(result, fs).failureReason()).contains("IllegalStateException");
        for (VsrxFileId id : List.of(b, c, d)) {
            assertThat(action(result, id)).as("file %s", id).isEqualTo(FileAction.FAILED);
            assertThat(fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(id))).isEmpty();
        }
        assertThat(fx.silknote.documents().loadState().partialSyncState().failedFilesets()).containsExactly(fs);
    }

    // ---------------------------------------------------------------- resume state and streams

    @Test
    @DisplayName("rule 9: when saving a fileset's failure fails, the run's final state still lists it failed")
    void aFailureWhoseSavingFailedIsStillInTheFinalState() {
        FilesetId fs = fx.linkedFileset("P1");
        fx.text(fs, "a.txt", "a letter");
        FilesetId other = fx.linkedFileset("P2");
        fx.text(other, "x.txt", "a note");
        fx.run();
        fx.text(fs, "b.txt", "another letter");
        ScriptedSource source = scripted();
        AtomicBoolean failed = new AtomicBoolean();
        source.failOpen = n -> {
            failed.set(true);
            return new IllegalStateException("disk gone");
        };
        AtomicBoolean saveFailed = new AtomicBoolean();
        fx.documents = new DelegatingDocumentStore(fx.documents) {
            @Override
            public <T> T inUnitOfWork(FencingToken token, Function<DocumentStore.UnitOfWork, T> work) {
                // the first unit of work after the download failed is the one saving the failure
                if (failed.get() && saveFailed.compareAndSet(false, true)) {
                    throw new IllegalStateException("connection reset");
                }
                return super.inUnitOfWork(token, work);
            }
        };

        SyncResult result = fx.run();

        assertThat(saveFailed).isTrue();
        assertThat(fileset(result, fs).outcome()).isEqualTo(FilesetOutcome.FAILED);
        assertThat(fx.silknote.documents().loadState().partialSyncState().failedFilesets())
                .as("the next run retries the fileset").containsExactly(fs);
    }

    @Test
    @DisplayName("FileContent contract: every stream the source opened is closed, downloaded, skipped or failed")
    void everyOpenedStreamIsClosed() {
        FilesetId fs = fx.linkedFileset("P1");
        fx.text(fs, "a.txt", "a letter");
        VsrxFileId empty = fx.vsrx.addFile(fs, "notes/empty.txt", "text/plain", new byte[0]);
        VsrxFileId wrongSize = fx.text(fs, "c.txt", "a third letter");
        fx.vsrx.setDeclaredSize(wrongSize, 3);
        ScriptedSource source = scripted();

        SyncResult result = fx.run();

        assertThat(action(result, empty)).isEqualTo(FileAction.SKIPPED);
        assertThat(action(result, wrongSize)).isEqualTo(FileAction.SKIPPED);
        assertThat(source.opens).hasValue(3);
        assertThat(source.closes).as("streams closed").hasValue(3);
    }
}
