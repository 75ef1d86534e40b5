package com.silknote.sync.testkit.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.exception.ClaimLostException;
import com.silknote.sync.core.exception.LeaseLostException;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.DocumentMetadata;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.InMemoryBlobStore;
import com.silknote.sync.testkit.InMemoryDocumentProcessor;
import com.silknote.sync.testkit.InMemoryDocumentStore;
import com.silknote.sync.testkit.InMemoryFilesetClaims;
import com.silknote.sync.testkit.InMemorySyncLock;
import com.silknote.sync.testkit.InMemoryVectorStore;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.TestHashes;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What the fakes add beyond their contracts. */
class InMemorySilknoteFakesTest {
    private static final FencingToken TOKEN = FencingToken.of(1);
    private final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");

    private static BlobUpload upload(byte[] bytes) {
        return new BlobUpload(TestHashes.sha256(bytes), bytes.length, "application/octet-stream",
                () -> new ByteArrayInputStream(bytes));
    }

    private SilknoteDocument doc(byte[] content) {
        VsrxFileId f = VsrxFileId.of("file-1");
        return new SilknoteDocument(DocumentUuid.forVsrxFile(f), PatientUuid.of("7d444840-9dc0-11d1-b245-5ffdce74fad2"),
                FilesetId.of("fs-1"), f, TestHashes.sha256(content), content.length, "text/plain",
                DocumentMetadata.synced(f, "notes/a.txt", List.of(PatientId.of("P"))), clock.instant());
    }

    @Test
    void processorIsDeterministicIdempotentAndCounts() {
        var blobs = new InMemoryBlobStore(clock);
        var vectors = new InMemoryVectorStore();
        var processor = new InMemoryDocumentProcessor(blobs, vectors);
        byte[] content = new byte[600];
        content[599] = 7;
        blobs.putIfAbsent(upload(content));
        SilknoteDocument d = doc(content);
        processor.process(d, TOKEN);
        var first = vectors.entries(d.uuid());
        processor.process(d, TOKEN);
        assertThat(vectors.entries(d.uuid())).isEqualTo(first).hasSize(3);
        assertThat(first).isEqualTo(InMemoryDocumentProcessor.expectedEntries(d.uuid(), content));
        assertThat(processor.processCount(d.uuid())).isEqualTo(2);
        assertThat(processor.totalProcessCalls()).isEqualTo(2);
        assertThat(InMemoryDocumentProcessor.expectedEntries(d.uuid(), new byte[0])).hasSize(1);
    }

    @Test
    void processorRefusesMissingOrForeignBlobs() {
        var blobs = new InMemoryBlobStore(clock);
        var processor = new InMemoryDocumentProcessor(blobs, new InMemoryVectorStore());
        byte[] content = {1, 2, 3};
        assertThatThrownBy(() -> processor.process(doc(content), TOKEN)).isInstanceOf(PermanentSyncException.class);
        blobs.putIfAbsent(upload(content));
        blobs.corrupt(TestHashes.sha256(content), new byte[] {9});
        assertThatThrownBy(() -> processor.process(doc(content), TOKEN)).isInstanceOf(PermanentSyncException.class);
    }

    @Test
    void blobStoreCountsWrites() {
        var blobs = new InMemoryBlobStore(clock);
        blobs.putIfAbsent(upload(new byte[] {1}));
        blobs.putIfAbsent(upload(new byte[] {1}));
        blobs.overwrite(upload(new byte[] {1}));
        blobs.putIfAbsent(upload(new byte[] {2, 3}));
        assertThat(blobs.writes()).isEqualTo(3);
        assertThat(blobs.bytesWritten()).isEqualTo(4);
        assertThat(blobs.size()).isEqualTo(2);
        assertThat(blobs.all()).hasSize(2);
    }

    @Test
    void lockExpiresByTheInjectedClock() {
        var lock = new InMemorySyncLock(clock, "a");
        var other = lock.newHolder("b");
        var lease = lock.tryAcquire("vsrx-sync", Duration.ofMinutes(5)).orElseThrow();
        assertThat(lock.inspect("vsrx-sync").orElseThrow().holder()).isEqualTo("a");
        clock.advance(Duration.ofMinutes(4));
        lease.renew(Duration.ofMinutes(5));
        clock.advance(Duration.ofMinutes(4));
        assertThat(other.tryAcquire("vsrx-sync", Duration.ofMinutes(5))).isEmpty();
        clock.advance(Duration.ofMinutes(1));
        var taken = other.tryAcquire("vsrx-sync", Duration.ofMinutes(5)).orElseThrow();
        assertThat(taken.token()).isEqualTo(FencingToken.of(2));
        assertThat(lock.inspect("vsrx-sync").orElseThrow().holder()).isEqualTo("b");
        assertThat(lock.lastToken("vsrx-sync")).contains(FencingToken.of(2));
        assertThatThrownBy(() -> lease.renew(Duration.ofMinutes(5))).isInstanceOf(LeaseLostException.class);
    }

    @Test
    void documentStoreExposesItsHighWaterMark() {
        var store = new InMemoryDocumentStore(clock);
        assertThat(store.highWaterMark()).isEmpty();
        store.inUnitOfWork(FencingToken.of(4), u -> null);
        assertThat(store.highWaterMark()).contains(FencingToken.of(4));
        assertThatThrownBy(() -> store.inUnitOfWork(FencingToken.of(3), u -> null))
                .isInstanceOf(StaleFencingTokenException.class);
        assertThat(store.commits()).isEqualTo(1);
    }

    @Test
    void aUnitOfWorkCannotBeUsedAfterItEnded() {
        var store = new InMemoryDocumentStore(clock);
        var escaped = store.inUnitOfWork(FencingToken.of(1), u -> u);
        assertThatThrownBy(() -> escaped.forgetSkip(VsrxFileId.of("f"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void userEditsKeepTheDocumentsKeys() {
        var store = new InMemoryDocumentStore(clock);
        SilknoteDocument d = doc(new byte[] {1});
        store.inUnitOfWork(FencingToken.of(1), u -> {
            u.upsertDocument(d);
            return null;
        });
        var grouped = store.editDocumentAsSilknoteUser(d.uuid(), x -> new SilknoteDocument(x.uuid(), x.patientUuid(),
                x.filesetId(), x.clientFileId(), x.contentHash(), x.size(), x.mimeType(),
                new DocumentMetadata(x.clientFileId(), "notes/a.txt", DocumentMetadata.SOURCE_SYSTEM, "grouped",
                        x.metadata().patientIdHistory()), x.updatedAt()));
        assertThat(store.findDocument(d.uuid())).contains(grouped);
        assertThat(grouped.metadata().untouchedBySilknoteUser()).isFalse();
    }

    @Test
    @DisplayName("issue 11 scale-out: in-memory claims expire by the injected clock; a stale holder cannot finish")
    void claimsReportTheirStatusAndExpireByTheClock() {
        var store = new InMemoryDocumentStore(clock);
        var claims = store.filesetClaims();
        RunId run = RunId.of("r");
        FilesetId fs = FilesetId.of("fs-1");
        claims.open(run, FencingToken.of(1));
        claims.offer(run, List.of(fs));
        assertThat(claims.status(run, fs)).contains(InMemoryFilesetClaims.Status.OPEN);
        var first = claims.claimNext(run, "w", Duration.ofMinutes(1)).orElseThrow();
        assertThat(claims.status(run, fs)).contains(InMemoryFilesetClaims.Status.CLAIMED);
        assertThat(claims.worker(run, fs)).contains("w");
        clock.advance(Duration.ofSeconds(59));
        assertThat(claims.claimNext(run, "w2", Duration.ofMinutes(1))).as("not expired yet").isEmpty();
        clock.advance(Duration.ofSeconds(1));
        var second = claims.claimNext(run, "w2", Duration.ofMinutes(1)).orElseThrow();
        assertThat(second.fileset()).isEqualTo(fs);
        var report = new FilesetReport(fs, FilesetOutcome.FAILED, Optional.of("x"), List.of(), Duration.ZERO, 0, 0);
        assertThatThrownBy(() -> store.recordFilesetReport(FencingToken.of(1), run, report, Optional.of(first)))
                .as("stale worker's completion is refused").isInstanceOf(ClaimLostException.class);
        assertThat(claims.status(run, fs)).contains(InMemoryFilesetClaims.Status.CLAIMED);
        store.recordFilesetReport(FencingToken.of(1), run, report, Optional.of(second));
        assertThat(claims.status(run, fs)).contains(InMemoryFilesetClaims.Status.FAILED);
    }
}
