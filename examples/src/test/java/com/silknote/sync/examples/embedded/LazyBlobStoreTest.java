package com.silknote.sync.examples.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.exception.ConfigurationException;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.testkit.InMemoryBlobStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Issue 12 item 2: the blob store of the command line is built on first use, once, and only then. */
class LazyBlobStoreTest {
    private static final ContentHash HASH = ContentHash.ofHex("a".repeat(64));

    @Test
    void nothingIsBuiltUntilABlobIsTouchedAndTheContentMd5AnswerNeedsNoStore() {
        AtomicInteger builds = new AtomicInteger();
        LazyBlobStore lazy = new LazyBlobStore(() -> {
            builds.incrementAndGet();
            return new InMemoryBlobStore(java.time.Clock.systemUTC());
        }, true);

        assertThat(lazy.usesContentMd5()).isTrue();
        assertThat(lazy.isBuilt()).isFalse();
        assertThat(builds).hasValue(0);

        assertThat(lazy.stat(HASH)).isEmpty();
        assertThat(lazy.list(Optional.empty(), 10).items()).isEmpty();
        assertThat(builds).hasValue(1);
        assertThat(lazy.isBuilt()).isTrue();
    }

    @Test
    void concurrentFirstUsesBuildOnce() throws Exception {
        AtomicInteger builds = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        LazyBlobStore lazy = new LazyBlobStore(() -> {
            builds.incrementAndGet();
            return new InMemoryBlobStore(java.time.Clock.systemUTC());
        }, false);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Optional<?>>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> {
                    go.await();
                    return lazy.stat(HASH);
                }));
            }
            go.countDown();
            for (Future<Optional<?>> r : results) {
                assertThat(r.get()).isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(builds).hasValue(1);
    }

    @Test
    void aFailedBuildReachesTheCallerAndIsTriedAgainOnTheNextUse() {
        AtomicInteger builds = new AtomicInteger();
        BlobStore lazy = new LazyBlobStore(() -> {
            if (builds.incrementAndGet() == 1) {
                throw new ConfigurationException("Azure Blob Storage container c cannot be reached");
            }
            return new InMemoryBlobStore(java.time.Clock.systemUTC());
        }, true);

        assertThatThrownBy(() -> lazy.stat(HASH)).isInstanceOf(ConfigurationException.class);
        assertThat(lazy.stat(HASH)).isEmpty();
        assertThat(builds).hasValue(2);
    }
}
