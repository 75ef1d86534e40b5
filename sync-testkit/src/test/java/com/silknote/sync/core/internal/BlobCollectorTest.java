package com.silknote.sync.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.exception.LeaseLostException;
import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobPutResult;
import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.RetryPolicy;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.testkit.InMemoryBlobStore;
import com.silknote.sync.testkit.InMemoryDocumentStore;
import com.silknote.sync.testkit.InMemorySyncLock;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.TestHashes;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * DESIGN rule 12 and §4, GC vs. new reference (a referenced blob is never lost; a half-done collection is finished) and
 * rule 10 (a run that lost its lease writes nothing more): the collector on its own, against the in-memory
 * stores, for the paths the engine tests reach only under rare interleavings.
 */
class BlobCollectorTest {
    private static final Duration TTL = Duration.ofMinutes(3);
    private static final FencingToken TOKEN = FencingToken.of(1);

    private final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
    private final InMemoryDocumentStore documents = new InMemoryDocumentStore(clock);
    private final InMemoryBlobStore store = new InMemoryBlobStore(clock);
    private final ContentRegistry registry = new ContentRegistry();
    private final Retrier retrier = new Retrier(RetryPolicy.none(), d -> { }, new Random(1));
    private final FakeLease lease = new FakeLease();
    private final LeaseKeeper keeper = new LeaseKeeper(new InMemorySyncLock(clock), "vsrx-sync", lease, TTL, clock);
    /** Runs once before the next {@code deleteIfMatch} of the blob store, then is cleared. */
    private Runnable beforeDelete = () -> { };

    /** A lease that can be taken over: its next renewal then fails. */
    private static final class FakeLease implements SyncLock.Lease {
        boolean takenOver;

        @Override public FencingToken token() { return TOKEN; }

        @Override
        public void renew(Duration ttl) {
            if (takenOver) {
                throw new LeaseLostException("taken over");
            }
        }

        @Override public void close() { }
    }

    /** The in-memory blob store with a hook before a conditional delete. */
    private final BlobStore blobs = new BlobStore() {
        @Override public BlobPutResult putIfAbsent(BlobUpload upload) { return store.putIfAbsent(upload); }
        @Override public BlobInfo overwrite(BlobUpload upload) { return store.overwrite(upload); }
        @Override public Optional<BlobInfo> stat(ContentHash hash) { return store.stat(hash); }
        @Override public InputStream open(ContentHash hash) { return store.open(hash); }
        @Override public Page<BlobInfo> list(Optional<String> cursor, int limit) { return store.list(cursor, limit); }

        @Override
        public boolean deleteIfMatch(ContentHash hash, String etag) {
            Runnable hook = beforeDelete;
            beforeDelete = () -> { };
            hook.run();
            return store.deleteIfMatch(hash, etag);
        }
    };

    private BlobCollector collector(Duration grace) {
        return new BlobCollector(documents, blobs, registry, clock, grace);
    }

    private static BlobUpload upload(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return new BlobUpload(TestHashes.sha256(text), bytes.length, "text/plain",
                () -> new ByteArrayInputStream(bytes));
    }

    /** Stores the content, references it once and releases it: an unreferenced LIVE row. */
    private ContentHash released(String text) {
        BlobUpload up = upload(text);
        String etag = blobs.putIfAbsent(up).info().etag();
        documents.inUnitOfWork(TOKEN, u -> u.addBlobRef(up.hash(), up.size(), etag));
        documents.inUnitOfWork(TOKEN, u -> u.releaseBlobRef(up.hash()));
        return up.hash();
    }

    /** A row a crashed collection left DELETING (the blob still there). */
    private ContentHash leftDeleting(String text) {
        ContentHash hash = released(text);
        clock.advance(Duration.ofSeconds(1));
        String etag = store.stat(hash).orElseThrow().etag();
        assertThat(documents.markBlobDeleting(TOKEN, hash, etag, clock.instant())).isTrue();
        return hash;
    }

    private Optional<BlobRef.State> state(ContentHash hash) {
        return documents.findBlobRef(hash).map(BlobRef::state);
    }

    @Test
    @DisplayName("DESIGN §4: a collection a crash left half done (row DELETING) is finished at once, grace or not")
    void aRowLeftDeletingIsDueWhateverItsAge() {
        ContentHash hash = leftDeleting("half collected");
        BlobCollector collector = collector(Duration.ofDays(1)); // by age alone nothing would be due

        assertThat(collector.due(documents.findBlobRef(hash).orElseThrow())).isTrue();
        assertThat(collector.collectDue(keeper, retrier, 10)).isEqualTo(1);

        assertThat(documents.findBlobRef(hash)).isEmpty();
        assertThat(store.rawBytes(hash)).isEmpty();
    }

    @Test
    @DisplayName("DESIGN §4: a LIVE row still referenced, or released within the grace period, is not due")
    void aLiveRowIsDueOnlyWhenUnreferencedForTheGracePeriod() {
        ContentHash hash = released("recently released");
        BlobCollector collector = collector(Duration.ofHours(1));
        BlobRef row = documents.findBlobRef(hash).orElseThrow();

        assertThat(collector.due(row)).isFalse();
        clock.advance(Duration.ofHours(1));
        assertThat(collector.due(row)).isTrue();
        BlobRef referenced = new BlobRef(hash, 1, row.size(), BlobRef.State.LIVE, row.blobEtag(), row.updatedAt());
        assertThat(collector.due(referenced)).isFalse();
    }

    @Test
    @DisplayName("DESIGN §4: content this run holds (being uploaded or processed) is not collected: deferred, kept")
    void contentInUseByTheRunIsDeferred() throws InterruptedException {
        ContentHash hash = released("in use");
        clock.advance(Duration.ofHours(2));
        BlobCollector collector = collector(Duration.ofHours(1));
        registry.enter(hash);

        assertThat(collector.collect(keeper, hash)).isEqualTo(BlobCollector.Result.DEFERRED);
        assertThat(store.rawBytes(hash)).isPresent();
        assertThat(state(hash)).contains(BlobRef.State.LIVE);

        registry.leave(hash);
        assertThat(collector.collect(keeper, hash)).isEqualTo(BlobCollector.Result.DONE);
        assertThat(store.rawBytes(hash)).isEmpty();
        assertThat(documents.findBlobRef(hash)).isEmpty();
        assertThat(registry.tryBeginCollect(hash)).as("a finished collection lets the content be used again").isTrue();
    }

    @Test
    @DisplayName("DESIGN §4: content re-uploaded while its collection was half done is kept and its row revived")
    void contentReuploadedDuringACollectionIsRevived() {
        ContentHash hash = leftDeleting("uploaded again");
        clock.advance(Duration.ofSeconds(1));
        String fresh = store.overwrite(upload("uploaded again")).etag(); // a new upload: a new etag

        assertThat(collector(Duration.ofHours(1)).collect(keeper, hash)).isEqualTo(BlobCollector.Result.DONE);

        assertThat(store.rawBytes(hash)).isPresent();
        BlobRef row = documents.findBlobRef(hash).orElseThrow();
        assertThat(row.state()).isEqualTo(BlobRef.State.LIVE);
        assertThat(row.blobEtag()).isPresent();
        assertThat(store.stat(hash).map(BlobInfo::etag)).contains(fresh);
    }

    @Test
    @DisplayName("rule 10: a lease lost before finishing a half-done collection deletes nothing")
    void aLostLeaseStopsThePassBeforeItDeletes() {
        ContentHash hash = leftDeleting("half collected, lease lost");
        clock.advance(TTL.dividedBy(3));
        lease.takenOver = true;

        assertThatThrownBy(() -> collector(Duration.ofHours(1)).collectDue(keeper, retrier, 10))
                .isInstanceOf(LeaseLostException.class);

        assertThat(store.rawBytes(hash)).isPresent();
        assertThat(state(hash)).contains(BlobRef.State.DELETING);
    }

    @Test
    @DisplayName("rule 10: a lease lost before a LIVE row is marked leaves row and blob as they were")
    void aLostLeaseStopsACollectionBeforeItMarks() {
        ContentHash hash = released("live, lease lost");
        clock.advance(Duration.ofHours(2));
        lease.takenOver = true;

        assertThatThrownBy(() -> collector(Duration.ofHours(1)).collect(keeper, hash))
                .isInstanceOf(LeaseLostException.class);

        assertThat(store.rawBytes(hash)).isPresent();
        assertThat(state(hash)).contains(BlobRef.State.LIVE);
    }

    @Test
    @DisplayName("rule 10: a lease lost while the blob is deleted leaves the row DELETING for the next holder")
    void aLeaseLostDuringTheDeleteLeavesTheRowToTheNextHolder() {
        ContentHash hash = released("lease lost mid-collection");
        clock.advance(Duration.ofHours(2));
        beforeDelete = () -> {
            clock.advance(TTL.dividedBy(3));
            lease.takenOver = true;
        };

        assertThatThrownBy(() -> collector(Duration.ofHours(1)).collect(keeper, hash))
                .isInstanceOf(LeaseLostException.class);

        assertThat(store.rawBytes(hash)).isEmpty();
        assertThat(state(hash)).as("finished by the next run's pass").contains(BlobRef.State.DELETING);
    }
}
