package com.silknote.sync.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.VectorEntry;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.TestHashes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The behaviour every {@link VectorStore} must have. An adapter's test extends this class and supplies
 * {@link #newStore(Clock)}. "uuid order" of {@link VectorStore#documents} is the order of the uuids'
 * canonical lower-case text, which is the unsigned byte order databases use.
 */
public abstract class VectorStoreContract {

    /** The clock given to the store. */
    protected final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");

    private VectorStore store;
    private static final FencingToken T1 = FencingToken.of(1);

    /** A fresh, empty store (its own namespace). Called once per test, lazily. */
    protected abstract VectorStore newStore(Clock clock);

    /** The store of the running test (created on first use). */
    protected final synchronized VectorStore store() {
        if (store == null) {
            store = newStore(clock);
        }
        return store;
    }

    @AfterEach
    void forgetStore() {
        store = null;
    }

    private static DocumentUuid doc(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        return new DocumentUuid(new UUID(r.nextLong(), r.nextLong()));
    }

    private static List<VectorEntry> entries(DocumentUuid d, ContentHash h, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<VectorEntry> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] v = new float[16];
            for (int j = 0; j < v.length; j++) {
                v[j] = (float) (r.nextDouble() * 2 - 1);
            }
            out.add(new VectorEntry(d, i, h, v));
        }
        return out;
    }

    @Test
    public void replaceStoresEntriesReadBackByOrdinal() {
        DocumentUuid d = doc(1);
        ContentHash h = TestHashes.sha256("one");
        List<VectorEntry> e = entries(d, h, 4, 1);
        List<VectorEntry> shuffled = List.of(e.get(2), e.get(0), e.get(3), e.get(1));
        store().replace(T1, d, shuffled);
        assertThat(store().entries(d)).containsExactlyElementsOf(e);
        assertThat(store().entries(doc(2))).isEmpty();
    }

    @Test
    public void replaceReplacesEverything() {
        DocumentUuid d = doc(1);
        store().replace(T1, d, entries(d, TestHashes.sha256("v1"), 5, 1));
        List<VectorEntry> second = entries(d, TestHashes.sha256("v2"), 2, 2);
        store().replace(T1, d, second);
        assertThat(store().entries(d)).containsExactlyElementsOf(second);
        store().replace(T1, d, List.of());
        assertThat(store().entries(d)).isEmpty();
        assertThat(store().documents(Optional.empty(), 10).items()).doesNotContain(d);
    }

    @Test
    public void replaceRefusesEntriesOfAnotherDocument() {
        DocumentUuid d = doc(1);
        List<VectorEntry> foreign = entries(doc(2), TestHashes.sha256("x"), 1, 1);
        store().replace(T1, d, entries(d, TestHashes.sha256("kept"), 1, 3));
        assertThatThrownBy(() -> store().replace(T1, d, foreign)).isInstanceOf(IllegalArgumentException.class);
        assertThat(store().entries(d)).hasSize(1);
        assertThat(store().entries(doc(2))).isEmpty();
    }

    @Test
    public void deleteByDocumentCountsWhatItRemoved() {
        DocumentUuid d = doc(1);
        DocumentUuid other = doc(2);
        store().replace(T1, d, entries(d, TestHashes.sha256("a"), 3, 1));
        store().replace(T1, other, entries(other, TestHashes.sha256("b"), 2, 2));
        assertThat(store().deleteByDocument(T1, d)).isEqualTo(3);
        assertThat(store().entries(d)).isEmpty();
        assertThat(store().entries(other)).hasSize(2);
        assertThat(store().deleteByDocument(T1, d)).isZero();
        assertThat(store().deleteByDocument(T1, doc(3))).isZero();
    }

    @Test
    @DisplayName("§2.6 post-commit work: deleteByDocuments clears the entries of every given document and no other;"
            + " an older token clears none (rule 10)")
    public void deleteByDocumentsClearsEachGivenDocument() {
        DocumentUuid a = doc(1);
        DocumentUuid b = doc(2);
        DocumentUuid other = doc(3);
        store().replace(T1, a, entries(a, TestHashes.sha256("a"), 3, 1));
        store().replace(T1, b, entries(b, TestHashes.sha256("b"), 2, 2));
        store().replace(FencingToken.of(2), other, entries(other, TestHashes.sha256("c"), 4, 3));

        assertThatThrownBy(() -> store().deleteByDocuments(T1, List.of(a, b)))
                .isInstanceOf(StaleFencingTokenException.class);
        assertThat(store().entries(a)).hasSize(3);
        assertThat(store().entries(b)).hasSize(2);

        assertThat(store().deleteByDocuments(FencingToken.of(2), List.of(b, a, doc(4)))).isEqualTo(5);
        assertThat(store().entries(a)).isEmpty();
        assertThat(store().entries(b)).isEmpty();
        assertThat(store().entries(other)).hasSize(4);
        assertThat(store().deleteByDocuments(FencingToken.of(2), List.of())).isZero();
    }

    @Test
    @DisplayName("the check's read: the content hashes each document's entries were computed from, absent without"
            + " entries")
    public void contentHashesNameWhatEachDocumentsEntriesWereComputedFrom() {
        DocumentUuid a = doc(1);
        DocumentUuid b = doc(2);
        DocumentUuid none = doc(3);
        ContentHash ha = TestHashes.sha256("a");
        ContentHash older = TestHashes.sha256("b, older");
        ContentHash newer = TestHashes.sha256("b, newer");
        store().replace(T1, a, entries(a, ha, 3, 1));
        List<VectorEntry> mixed = new ArrayList<>(entries(b, newer, 2, 2));
        mixed.add(new VectorEntry(b, 2, older, new float[] {0.5f}));
        mixed.add(new VectorEntry(b, 3, older, new float[] {0.25f}));
        store().replace(T1, b, mixed);

        Map<DocumentUuid, Set<ContentHash>> hashes = store().contentHashes(List.of(b, none, a));

        assertThat(hashes).containsOnlyKeys(a, b);
        assertThat(hashes.get(a)).containsExactly(ha);
        assertThat(hashes.get(b)).containsExactlyInAnyOrder(older, newer);
        assertThat(store().contentHashes(List.of())).isEmpty();
        assertThat(store().contentHashes(List.of(none))).isEmpty();
    }

    @Test
    public void documentPagesCoverEveryDocumentOnceInUuidOrder() {
        List<DocumentUuid> docs = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            DocumentUuid d = doc(100 + i);
            docs.add(d);
            store().replace(T1, d, entries(d, TestHashes.sha256("c" + i), 1 + i % 3, i));
        }
        List<DocumentUuid> seen = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        int pages = 0;
        do {
            Page<DocumentUuid> page = store().documents(cursor, 4);
            assertThat(page.items().size()).isLessThanOrEqualTo(4);
            seen.addAll(page.items());
            cursor = page.nextCursor();
            assertThat(++pages).isLessThanOrEqualTo(10);
        } while (cursor.isPresent());
        assertThat(seen).containsExactlyElementsOf(
                docs.stream().sorted(Comparator.comparing(DocumentUuid::toString)).toList());
    }

    @Test
    @DisplayName("rule 10: a writer with an older token than the store's mark changes nothing")
    public void anOlderTokenIsRefusedAndChangesNothing() {
        DocumentUuid d = doc(1);
        List<VectorEntry> newer = entries(d, TestHashes.sha256("newer"), 2, 1);
        store().replace(FencingToken.of(5), d, newer);
        FencingToken stale = FencingToken.of(4);

        assertThatThrownBy(() -> store().deleteByDocument(stale, d)).isInstanceOf(StaleFencingTokenException.class);
        assertThatThrownBy(() -> store().replace(stale, d, entries(d, TestHashes.sha256("older"), 3, 2)))
                .isInstanceOf(StaleFencingTokenException.class);
        assertThat(store().entries(d)).containsExactlyElementsOf(newer);
        assertThatThrownBy(() -> store().fence(stale)).isInstanceOf(StaleFencingTokenException.class);
    }

    @Test
    @DisplayName("rule 10: fence raises the mark before the new holder writes anything")
    public void fenceRaisesTheMarkAndRefusesOlderWriters() {
        DocumentUuid d = doc(1);
        store().replace(FencingToken.of(2), d, entries(d, TestHashes.sha256("two"), 1, 1));
        store().fence(FencingToken.of(3));
        store().fence(FencingToken.of(3));

        assertThatThrownBy(() -> store().deleteByDocument(FencingToken.of(2), d))
                .isInstanceOf(StaleFencingTokenException.class);
        assertThat(store().entries(d)).hasSize(1);
        assertThat(store().deleteByDocument(FencingToken.of(3), d)).isEqualTo(1);
    }

    /**
     * Writers replace the entries of a few shared documents concurrently: afterwards each document holds
     * exactly one writer's complete set, never a mix.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {5L, 77L})
    public void concurrentReplacesNeverMixEntrySets(long seed) throws Exception {
        int threads = 4;
        int rounds = 30;
        List<DocumentUuid> docs = List.of(doc(seed), doc(seed + 1), doc(seed + 2));
        VectorStore shared = store();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    start.await();
                    SplittableRandom r = new SplittableRandom(seed * 100 + thread);
                    for (int i = 0; i < rounds; i++) {
                        DocumentUuid d = docs.get(r.nextInt(docs.size()));
                        ContentHash writer = TestHashes.sha256("writer-" + thread + "-" + i);
                        if (r.nextInt(5) == 0) {
                            shared.deleteByDocument(T1, d);
                        } else {
                            shared.replace(T1, d, entries(d, writer, 1 + r.nextInt(4), i));
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : results) {
                f.get(60, TimeUnit.SECONDS);
            }
            for (DocumentUuid d : docs) {
                List<VectorEntry> got = shared.entries(d);
                assertThat(got).extracting(VectorEntry::contentHash).as("one writer's set").hasSizeLessThanOrEqualTo(4)
                        .containsOnly(got.isEmpty() ? new ContentHash[0] : new ContentHash[] {got.get(0).contentHash()});
                for (int i = 0; i < got.size(); i++) {
                    assertThat(got.get(i).ordinal()).isEqualTo(i);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
