package com.silknote.sync.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.silknote.sync.core.exception.ContentRejectedException;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.SyncException;
import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobPutResult;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.TestHashes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The behaviour every {@link BlobStore} must have. An adapter's test extends this class and supplies
 * {@link #newStore(Clock)} and {@link #rawBytes(ContentHash)}, which reads the backend directly (e.g. the
 * Azure container), bypassing the adapter.
 */
public abstract class BlobStoreContract {

    /** The clock given to the store. */
    protected final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");

    private BlobStore store;

    /** A fresh, empty store (its own container/namespace). Called once per test, lazily. */
    protected abstract BlobStore newStore(Clock clock);

    /** The bytes stored under {@code hash} in the backend of the current test's store, read directly. */
    protected abstract Optional<byte[]> rawBytes(ContentHash hash);

    /** The store of the running test (created on first use). */
    protected final synchronized BlobStore store() {
        if (store == null) {
            store = newStore(clock);
        }
        return store;
    }

    @AfterEach
    void forgetStore() {
        store = null;
    }

    /** An upload of {@code bytes} declaring their true hash and size. */
    protected static BlobUpload upload(byte[] bytes) {
        return new BlobUpload(TestHashes.sha256(bytes), bytes.length, "application/pdf",
                () -> new ByteArrayInputStream(bytes));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] random(long seed, int size) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private byte[] read(ContentHash hash) throws IOException {
        try (InputStream in = store().open(hash)) {
            return in.readAllBytes();
        }
    }

    @Test
    public void putIfAbsentCreatesThenReturnsTheExistingBlob() throws IOException {
        byte[] content = random(1, 70_000);
        BlobUpload up = upload(content);
        BlobPutResult first = store().putIfAbsent(up);
        assertThat(first.created()).isTrue();
        assertThat(first.info().hash()).isEqualTo(up.hash());
        assertThat(first.info().size()).isEqualTo(content.length);
        assertThat(first.info().etag()).isNotBlank();
        assertThat(rawBytes(up.hash())).hasValueSatisfying(b -> assertThat(b).isEqualTo(content));

        BlobPutResult second = store().putIfAbsent(up);
        assertThat(second.created()).isFalse();
        assertThat(second.info().hash()).isEqualTo(up.hash());
        assertThat(second.info().size()).isEqualTo(content.length);
        assertThat(second.info().etag()).isEqualTo(first.info().etag());
        assertThat(store().stat(up.hash())).hasValueSatisfying(i -> {
            assertThat(i.etag()).isEqualTo(first.info().etag());
            assertThat(i.size()).isEqualTo(content.length);
        });
        assertThat(read(up.hash())).isEqualTo(content);
    }

    @Test
    public void putNewIfAbsentCreatesThenReturnsTheExistingBlobUnchanged() throws IOException {
        byte[] content = random(31, 70_000);
        BlobUpload up = upload(content);
        BlobPutResult first = store().putNewIfAbsent(up);
        assertThat(first.created()).isTrue();
        assertThat(first.info().hash()).isEqualTo(up.hash());
        assertThat(first.info().size()).isEqualTo(content.length);

        BlobPutResult second = store().putNewIfAbsent(up);
        assertThat(second.created()).isFalse();
        assertThat(second.info().etag()).isEqualTo(first.info().etag());
        assertThat(store().putIfAbsent(up).info().etag()).isEqualTo(first.info().etag());
        assertThat(store().stat(up.hash())).hasValueSatisfying(i -> assertThat(i.etag()).isEqualTo(first.info().etag()));
        assertThat(read(up.hash())).isEqualTo(content);
    }

    @Test
    public void emptyContentIsABlobToo() throws IOException {
        BlobUpload up = upload(new byte[0]);
        assertThat(store().putIfAbsent(up).created()).isTrue();
        assertThat(store().stat(up.hash()).orElseThrow().size()).isZero();
        assertThat(read(up.hash())).isEmpty();
    }

    @Test
    public void contentNotMatchingTheDeclaredHashIsRefusedAndNothingStored() {
        byte[] content = bytes("the real content");
        ContentHash declared = TestHashes.sha256("something else");
        BlobUpload lying = new BlobUpload(declared, content.length, "text/plain", () -> new ByteArrayInputStream(content));
        Throwable thrown = catchThrowable(() -> store().putIfAbsent(lying));
        assertThat(thrown).isInstanceOf(ContentRejectedException.class);
        assertThat(((ContentRejectedException) thrown).reason()).isEqualTo(SkipReason.CHECKSUM_MISMATCH);
        assertThat(store().stat(declared)).isEmpty();
        assertThat(rawBytes(declared)).isEmpty();
        assertThat(rawBytes(TestHashes.sha256(content))).isEmpty();
    }

    @Test
    public void contentNotMatchingTheDeclaredSizeIsRefusedAndNothingStored() {
        byte[] content = bytes("twenty-one bytes long");
        ContentHash hash = TestHashes.sha256(content);
        for (long declared : new long[] {content.length - 1, content.length + 1}) {
            BlobUpload lying = new BlobUpload(hash, declared, "text/plain", () -> new ByteArrayInputStream(content));
            Throwable thrown = catchThrowable(() -> store().putIfAbsent(lying));
            assertThat(thrown).as("declared %d", declared).isInstanceOf(ContentRejectedException.class);
            assertThat(((ContentRejectedException) thrown).reason()).isEqualTo(SkipReason.SIZE_MISMATCH);
            assertThat(store().stat(hash)).isEmpty();
            assertThat(rawBytes(hash)).isEmpty();
        }
    }

    @Test
    public void aSourceFailingMidStreamLeavesNothing() {
        byte[] content = random(2, 20_000);
        ContentHash hash = TestHashes.sha256(content);
        BlobUpload failing = new BlobUpload(hash, content.length, "application/pdf",
                () -> new SequenceInputStream(new ByteArrayInputStream(content, 0, 5_000), new InputStream() {
                    @Override
                    public int read() throws IOException {
                        throw new IOException("disk gone");
                    }
                }));
        assertThatThrownBy(() -> store().putIfAbsent(failing)).isInstanceOf(SyncException.class);
        assertThat(store().stat(hash)).isEmpty();
        assertThat(rawBytes(hash)).isEmpty();
    }

    @Test
    public void overwriteRewritesWithANewEtag() throws IOException {
        byte[] content = random(3, 5_000);
        BlobUpload up = upload(content);
        BlobInfo first = store().putIfAbsent(up).info();
        BlobInfo second = store().overwrite(up);
        assertThat(second.etag()).isNotEqualTo(first.etag());
        assertThat(second.hash()).isEqualTo(up.hash());
        assertThat(second.size()).isEqualTo(content.length);
        assertThat(store().stat(up.hash()).orElseThrow().etag()).isEqualTo(second.etag());
        assertThat(read(up.hash())).isEqualTo(content);
        BlobInfo third = store().overwrite(up);
        assertThat(third.etag()).isNotEqualTo(second.etag()).isNotEqualTo(first.etag());
    }

    @Test
    public void overwriteCreatesAnAbsentBlob() throws IOException {
        byte[] content = bytes("revived after collection");
        BlobInfo info = store().overwrite(upload(content));
        assertThat(store().stat(info.hash())).isPresent();
        assertThat(read(info.hash())).isEqualTo(content);
    }

    @Test
    public void overwriteWithMismatchedContentNeverStoresWrongBytes() {
        byte[] content = bytes("good bytes");
        BlobUpload good = upload(content);
        store().putIfAbsent(good);
        byte[] other = bytes("evil bytes");
        BlobUpload lying = new BlobUpload(good.hash(), other.length, "text/plain", () -> new ByteArrayInputStream(other));
        assertThatThrownBy(() -> store().overwrite(lying)).isInstanceOf(ContentRejectedException.class);
        assertThat(rawBytes(good.hash())).satisfiesAnyOf(
                b -> assertThat(b).isEmpty(),
                b -> assertThat(b).hasValueSatisfying(v -> assertThat(v).isEqualTo(content)));
    }

    @Test
    public void deleteIfMatchNeedsTheCurrentEtag() {
        BlobUpload up = upload(bytes("to delete"));
        BlobInfo info = store().putIfAbsent(up).info();
        assertThat(store().deleteIfMatch(up.hash(), "\"not-the-etag\"")).isFalse();
        assertThat(store().stat(up.hash())).isPresent();
        assertThat(rawBytes(up.hash())).isPresent();
        assertThat(store().deleteIfMatch(up.hash(), info.etag())).isTrue();
        assertThat(store().stat(up.hash())).isEmpty();
        assertThat(rawBytes(up.hash())).isEmpty();
        assertThat(store().deleteIfMatch(up.hash(), info.etag())).as("already gone").isFalse();
    }

    @Test
    public void conditionalDeleteLosesToAReUpload() throws IOException {
        byte[] content = bytes("referenced again");
        BlobUpload up = upload(content);
        BlobInfo seenByCollector = store().putIfAbsent(up).info();
        BlobInfo reUploaded = store().overwrite(up);
        assertThat(store().deleteIfMatch(up.hash(), seenByCollector.etag())).isFalse();
        assertThat(store().stat(up.hash()).orElseThrow().etag()).isEqualTo(reUploaded.etag());
        assertThat(read(up.hash())).isEqualTo(content);
    }

    @Test
    public void openAndStatOfAnAbsentBlob() {
        ContentHash absent = TestHashes.sha256("absent");
        assertThat(store().stat(absent)).isEmpty();
        assertThatThrownBy(() -> store().open(absent)).isInstanceOf(PermanentSyncException.class);
    }

    @Test
    public void listPagesCoverEveryBlobOnceInNameOrder() {
        List<ContentHash> stored = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            BlobUpload up = upload(bytes("blob number " + i));
            store().putIfAbsent(up);
            stored.add(up.hash());
        }
        List<BlobInfo> seen = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        int pages = 0;
        do {
            Page<BlobInfo> page = store().list(cursor, 3);
            assertThat(page.items().size()).isBetween(page.isLast() ? 0 : 1, 3);
            seen.addAll(page.items());
            cursor = page.nextCursor();
            assertThat(++pages).as("pages").isLessThanOrEqualTo(10);
        } while (cursor.isPresent());
        assertThat(seen).extracting(BlobInfo::hash).containsExactlyElementsOf(stored.stream().sorted().toList());
        assertThat(seen).extracting(i -> i.key().value()).isSorted();
        assertThat(store().list(Optional.empty(), 1000).items()).hasSize(7);
    }

    @Test
    public void listOfAnEmptyStoreIsOneEmptyLastPage() {
        Page<BlobInfo> page = store().list(Optional.empty(), 10);
        assertThat(page.items()).isEmpty();
        assertThat(page.isLast()).isTrue();
    }

    /**
     * N threads upload the same content at once: exactly one creates it, the others get the existing
     * blob, and the content is intact.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {7L, 99L})
    public void concurrentPutIfAbsentOfTheSameContentCreatesOnce(long seed) throws Exception {
        int threads = 6;
        byte[] content = random(seed, 64 * 1024);
        BlobUpload up = upload(content);
        BlobStore shared = store();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<BlobPutResult>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return shared.putIfAbsent(up);
                }));
            }
            start.countDown();
            List<BlobPutResult> done = new ArrayList<>();
            for (Future<BlobPutResult> f : results) {
                done.add(f.get(60, TimeUnit.SECONDS));
            }
            assertThat(done).filteredOn(BlobPutResult::created).hasSize(1);
            assertThat(done).allSatisfy(r -> {
                assertThat(r.info().hash()).isEqualTo(up.hash());
                assertThat(r.info().size()).isEqualTo(content.length);
            });
            String etag = store().stat(up.hash()).orElseThrow().etag();
            assertThat(done.stream().filter(BlobPutResult::created).findFirst().orElseThrow().info().etag())
                    .isEqualTo(etag);
            assertThat(rawBytes(up.hash())).hasValueSatisfying(b -> assertThat(b).isEqualTo(content));
            assertThat(read(up.hash())).isEqualTo(content);
        } finally {
            pool.shutdownNow();
        }
    }
}
