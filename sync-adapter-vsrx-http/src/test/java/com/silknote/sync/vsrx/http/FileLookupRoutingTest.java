package com.silknote.sync.vsrx.http;

import static com.silknote.sync.vsrx.http.Responses.call;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.port.VsrxSource;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 (the VSRX side serves at least as fast as the sync consumes): a content request finds its file
 * through the {@link VsrxFileLookup} (O(1)), never by walking the listings, and a listing page costs one
 * listing call. Counted per port method.
 */
class FileLookupRoutingTest {
    private static final int FILES = 50;
    private static final String BEARER = "Bearer token-aaaaaaaaaaaaaaaaaaaa";

    private final FixtureVsrxSource data = new FixtureVsrxSource().fileset("fs-1", FixtureVsrxSource.T0)
            .fileset("fs-2", FixtureVsrxSource.T0).fileset("fs-empty", FixtureVsrxSource.T0);
    private final Counting counting = new Counting(data);

    FileLookupRoutingTest() {
        for (int i = 0; i < FILES; i++) {
            data.file(i % 2 == 0 ? "fs-1" : "fs-2", "f-" + i, "notes/" + i + ".txt", "content " + i,
                    Optional.of("e" + i), false);
        }
    }

    private VsrxHttpHandler.Builder handler(VsrxSource source) {
        return VsrxHttpHandler.builder().source(source).acceptedToken(Secret.of("token-aaaaaaaaaaaaaaaaaaaa"))
                .clock(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
    }

    private void downloadEveryFile(VsrxHttpHandler h) {
        for (int i = 0; i < FILES; i++) {
            var a = call(h, "GET", "/v1/files/f-" + i + "/content", null, "Authorization", BEARER);
            assertThat(a.status()).isEqualTo(200);
            assertThat(new String(a.body(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("content " + i);
        }
    }

    @Test
    void contentRequestsAskTheLookupAndNeverTheListings() {
        AtomicInteger lookups = new AtomicInteger();
        Map<VsrxFileId, VsrxFile> index = new ConcurrentHashMap<>();
        data.files.values().forEach(m -> index.putAll(m));
        VsrxHttpHandler h = handler(counting).fileLookup(id -> {
            lookups.incrementAndGet();
            return Optional.ofNullable(index.get(id));
        }).build();

        downloadEveryFile(h);

        assertThat(lookups).hasValue(FILES);
        assertThat(counting.listings()).isZero();
        assertThat(counting.openContent).hasValue(FILES);
    }

    @Test
    void aSourceThatIsItsOwnLookupIsUsedAsOne() {
        AtomicInteger lookups = new AtomicInteger();
        class IndexedSource extends Counting implements VsrxFileLookup {
            IndexedSource() {
                super(data);
            }

            @Override
            public Optional<VsrxFile> findFile(VsrxFileId id) {
                lookups.incrementAndGet();
                return data.files.values().stream().map(m -> m.get(id)).filter(f -> f != null).findFirst();
            }
        }
        IndexedSource source = new IndexedSource();

        downloadEveryFile(handler(source).build());

        assertThat(lookups).hasValue(FILES);
        assertThat(source.listings()).isZero();
    }

    /** The fallback for sources without a lookup: correct, but it walks the listings for every request. */
    @Test
    void withoutALookupEveryContentRequestWalksTheListings() {
        downloadEveryFile(handler(counting).build());

        assertThat(counting.listFiles.get()).isGreaterThanOrEqualTo(FILES);
    }

    @Test
    void aListingPageCostsOneListingCallAndAnEmptyOneAlsoAFilesetLookup() {
        VsrxHttpHandler h = handler(counting).build();

        var page = call(h, "GET", "/v1/filesets/fs-1/files", "limit=10", "Authorization", BEARER);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.json().path("items").size()).isEqualTo(10);
        assertThat(counting.listFiles).hasValue(1);
        assertThat(counting.findFileset).hasValue(0);

        var empty = call(h, "GET", "/v1/filesets/fs-empty/files", null, "Authorization", BEARER);
        assertThat(empty.status()).isEqualTo(200);
        assertThat(empty.json().path("items").size()).isZero();
        var unknown = call(h, "GET", "/v1/filesets/fs-none/files", null, "Authorization", BEARER);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errorCode()).isEqualTo("fileset_not_found");
    }

    /** Counts the calls of each port method and delegates. */
    static class Counting implements VsrxSource {
        final VsrxSource delegate;
        final AtomicInteger listFilesets = new AtomicInteger();
        final AtomicInteger listFiles = new AtomicInteger();
        final AtomicInteger findFileset = new AtomicInteger();
        final AtomicInteger openContent = new AtomicInteger();

        Counting(VsrxSource delegate) {
            this.delegate = delegate;
        }

        int listings() {
            return listFilesets.get() + listFiles.get() + findFileset.get();
        }

        @Override
        public Page<VsrxFileset> listFilesets(PageRequest request) {
            listFilesets.incrementAndGet();
            return delegate.listFilesets(request);
        }

        @Override
        public Optional<VsrxFileset> findFileset(FilesetId id) {
            findFileset.incrementAndGet();
            return delegate.findFileset(id);
        }

        @Override
        public Page<VsrxFile> listFiles(FilesetId filesetId, PageRequest request) {
            listFiles.incrementAndGet();
            return delegate.listFiles(filesetId, request);
        }

        @Override
        public FileContent openContent(VsrxFileId fileId) {
            openContent.incrementAndGet();
            return delegate.openContent(fileId);
        }
    }
}
