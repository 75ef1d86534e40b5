package com.silknote.sync.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobContainerClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.models.ParallelTransferOptions;
import com.silknote.sync.core.exception.ContentRejectedException;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobKey;
import com.silknote.sync.core.model.BlobPutResult;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.SkipReason;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;

/** Azure-specific behaviour of {@link AzureBlobStore} against a real Azurite. */
class AzureBlobStoreTest {

    private static final int BLOCK = 64 * 1024;

    private final Azurite azurite = Azurite.shared();
    private BlobContainerClient container;
    private AzureBlobStore store;
    private ExecutorService pool;

    @BeforeEach
    void setUp() {
        container = azurite.newContainer();
        store = smallBlocks(container, 4);
        pool = Executors.newFixedThreadPool(8);
    }

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
    }

    private static AzureBlobStore smallBlocks(BlobContainerClient c, int concurrency) {
        return AzureBlobStore.builder().container(c)
                .parallelTransferOptions(new ParallelTransferOptions().setBlockSizeLong((long) BLOCK)
                        .setMaxConcurrency(concurrency).setMaxSingleUploadSizeLong((long) BLOCK))
                .clock(Clock.systemUTC())
                .build();
    }

    /**
     * Issue 12: this run's clients use the transport its surefire execution names, so the suite really runs over
     * both (the SDK's JDK {@code HttpClient} and {@link UrlConnectionAzureHttpClient}).
     */
    @Test
    void theContainerUsesTheTransportOfThisRun() {
        assertThat(Azurite.transport()).isIn("jdk", "urlconnection");
        assertThat(container.getHttpPipeline().getHttpClient().getClass().getSimpleName())
                .isEqualTo(Azurite.transport().equals("urlconnection") ? "UrlConnectionAzureHttpClient" : "JdkHttpClient");
    }

    /** Issue 12: a blob carries its bytes and their MD5, nothing else (no metadata, no content type). */
    @ParameterizedTest(name = "{0} bytes, MD5 carried {1}")
    @CsvSource({"0,false", "1,false", "65536,false", "65537,false", "327697,false",
        "0,true", "1,true", "65536,true", "65537,true", "327697,true"})
    void storesContentUnderItsHashWithItsMd5AndNothingElse(int size, boolean md5Carried) throws Exception {
        byte[] content = Uploads.bytes(size, size);
        BlobPutResult put = store.putIfAbsent(md5Carried ? Uploads.withMd5(content) : Uploads.of(content));

        assertThat(put.created()).isTrue();
        assertThat(put.info().size()).isEqualTo(size);
        ContentHash hash = Uploads.hash(content);
        BlobProperties p = container.getBlobClient(BlobKey.of(hash).value()).getProperties();
        assertThat(p.getETag()).isEqualTo(put.info().etag());
        assertThat(p.getLastModified().toInstant()).isEqualTo(put.info().lastModified());
        assertThat(p.getMetadata()).isEmpty();
        assertThat(p.getContentType()).isIn(null, "application/octet-stream");
        assertThat(p.getContentMd5()).isEqualTo(MessageDigest.getInstance("MD5").digest(content));
        assertThat(Uploads.readAll(store.open(hash))).isEqualTo(content);
        assertThat(store.stat(hash)).contains(put.info());
    }

    /**
     * Issue 12 (content hashed once): an upload carrying the MD5 of its spooling pass is not hashed again, so
     * bytes that changed after hashing must be refused by the service's MD5 check (one request) or by the
     * whole-content SHA-256 of the staged path, and never become visible under the hash.
     */
    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {100, BLOCK, 3 * BLOCK + 5})
    void contentChangedSinceItWasHashedIsRefusedAndNothingBecomesVisible(int size) {
        byte[] hashed = Uploads.bytes(31, size);
        byte[] changed = hashed.clone();
        changed[size / 2] ^= 0x20;
        ContentHash hash = Uploads.hash(hashed);

        for (boolean create : new boolean[] {true, false}) {
            assertThatThrownBy(() -> {
                if (create) {
                    store.putNewIfAbsent(Uploads.changedSinceHashed(hashed, changed));
                } else {
                    store.overwrite(Uploads.changedSinceHashed(hashed, changed));
                }
            }).isInstanceOfSatisfying(ContentRejectedException.class,
                    e -> assertThat(e.reason()).isEqualTo(SkipReason.CHECKSUM_MISMATCH));
            assertThat(store.stat(hash)).isEmpty();
            assertThat(container.getBlobClient(BlobKey.of(hash).value()).exists()).isFalse();
        }
        assertThat(store.list(Optional.empty(), 10).items()).isEmpty();
        assertThat(store.putNewIfAbsent(Uploads.withMd5(hashed)).created()).isTrue();
        assertThat(Uploads.readAll(store.open(hash))).isEqualTo(hashed);
    }

    /**
     * Issue 12 (no per-request header work the raw uploader does not do): the one request of a new small
     * blob carries the raw SDK upload's headers plus only {@code Content-MD5} and {@code If-None-Match}.
     */
    @Test
    void oneRequestPerNewBlobWithTheRawUploadsHeadersPlusTheChecksumAndTheCondition() {
        Map<String, List<String>> requests = new java.util.concurrent.ConcurrentHashMap<>();
        HttpPipelinePolicy recorder = (ctx, next) -> {
            var r = ctx.getHttpRequest();
            String side = r.getUrl().getPath().endsWith("/raw-upload") ? "raw" : "store";
            requests.computeIfAbsent(side, k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                    .add(r.getHttpMethod() + " " + r.getHeaders().stream().map(h -> h.getName().toLowerCase(java.util.Locale.ROOT))
                            .sorted().collect(Collectors.joining(",")));
            return next.process();
        };
        BlobContainerClient recorded = new BlobContainerClientBuilder().httpClient(Azurite.httpClient()).connectionString(azurite.connectionString())
                .containerName(container.getBlobContainerName()).addPolicy(recorder)
                .retryOptions(AzureBlobStore.recommendedRetryOptions(Duration.ofSeconds(30))).buildClient();
        byte[] content = Uploads.bytes(32, 5000);

        recordedStore(recorded).putNewIfAbsent(Uploads.withMd5(content));
        recorded.getBlobClient("raw-upload").uploadWithResponse(new com.azure.storage.blob.options.BlobParallelUploadOptions(
                new java.io.ByteArrayInputStream(content), content.length), Duration.ofSeconds(30), null);

        assertThat(requests.get("store")).hasSize(1);
        assertThat(requests.get("raw")).hasSize(1);
        java.util.Set<String> store = headerNames(requests.get("store").get(0));
        java.util.Set<String> raw = headerNames(requests.get("raw").get(0));
        assertThat(requests.get("store").get(0)).startsWith("PUT ");
        assertThat(store).contains("content-md5", "if-none-match");
        java.util.Set<String> extra = new java.util.TreeSet<>(store);
        extra.removeAll(raw);
        assertThat(extra).containsExactlyInAnyOrder("content-md5", "if-none-match");
    }

    /**
     * The one-request upload bypasses the SDK's blob clients, which add a container client's encryption
     * settings to every request: with a customer-provided key or an encryption scope it must still carry
     * them (patient data written unencrypted under the host's key policy would be a silent downgrade).
     */
    @Test
    void aContainerClientsEncryptionScopeStillAppliesToTheOneRequestUpload() {
        List<String> puts = new java.util.concurrent.CopyOnWriteArrayList<>();
        HttpPipelinePolicy recorder = (ctx, next) -> {
            var r = ctx.getHttpRequest();
            if (r.getHttpMethod().name().equals("PUT")) {
                puts.add(String.valueOf(r.getHeaders().getValue(com.azure.core.http.HttpHeaderName.fromString(
                        "x-ms-encryption-scope"))));
            }
            return next.process();
        };
        BlobContainerClient scoped = new BlobContainerClientBuilder().httpClient(Azurite.httpClient()).connectionString(azurite.connectionString())
                .containerName(container.getBlobContainerName()).encryptionScope("vsrx-test-scope").addPolicy(recorder)
                .retryOptions(AzureBlobStore.recommendedRetryOptions(Duration.ofSeconds(30))).buildClient();

        BlobPutResult put = recordedStore(scoped).putNewIfAbsent(Uploads.withMd5(Uploads.bytes(34, 3000)));

        assertThat(put.created()).isTrue();
        assertThat(puts).hasSize(1).allMatch("vsrx-test-scope"::equals);
    }

    private static java.util.Set<String> headerNames(String recorded) {
        return new java.util.TreeSet<>(List.of(recorded.substring(recorded.indexOf(' ') + 1).split(",")));
    }

    private static AzureBlobStore recordedStore(BlobContainerClient c) {
        return AzureBlobStore.builder().container(c).build();
    }

    /**
     * Block ids keep the length of earlier versions' ids, because the service refuses a block whose id length
     * differs from uncommitted blocks already staged under the name (left by a rejected or interrupted upload).
     */
    @Test
    void uncommittedBlocksOfAnEarlierUploadDoNotBlockANewOne() {
        byte[] content = Uploads.bytes(33, 3 * BLOCK + 9);
        ContentHash hash = Uploads.hash(content);
        byte[] earlierId = new byte[36];
        earlierId[35] = 7;
        container.getBlobClient(BlobKey.of(hash).value()).getBlockBlobClient().stageBlock(
                java.util.Base64.getEncoder().encodeToString(earlierId), BinaryData.fromBytes(new byte[] {1, 2, 3}));

        BlobPutResult put = store.putNewIfAbsent(Uploads.withMd5(content));

        assertThat(put.created()).isTrue();
        assertThat(Uploads.readAll(store.open(hash))).isEqualTo(content);
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {100, 3 * BLOCK + 5})
    void wrongHashIsRejectedAndNothingBecomesVisible(int size) {
        byte[] content = Uploads.bytes(1, size);
        ContentHash claimed = Uploads.hash(Uploads.bytes(2, size));

        assertThatThrownBy(() -> store.putIfAbsent(Uploads.lying(claimed, size, content)))
                .isInstanceOfSatisfying(ContentRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(SkipReason.CHECKSUM_MISMATCH));
        assertThat(store.stat(claimed)).isEmpty();
        assertThat(container.getBlobClient(BlobKey.of(claimed).value()).exists()).isFalse();
        assertThat(store.list(Optional.empty(), 10).items()).isEmpty();
    }

    @ParameterizedTest(name = "declared {0}, streamed {1}")
    @org.junit.jupiter.params.provider.CsvSource({"100,99", "100,101", "300000,299999", "300000,300001",
            "65536,131072"})
    void wrongSizeIsRejected(int declared, int streamed) {
        byte[] content = Uploads.bytes(3, streamed);
        ContentHash hash = Uploads.hash(content);

        assertThatThrownBy(() -> store.putIfAbsent(Uploads.lying(hash, declared, content)))
                .isInstanceOfSatisfying(ContentRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(SkipReason.SIZE_MISMATCH));
        assertThat(store.stat(hash)).isEmpty();
    }

    @Test
    void rejectedOverwriteLeavesTheStoredBlobUntouched() {
        byte[] content = Uploads.bytes(4, 3 * BLOCK);
        BlobInfo stored = store.putIfAbsent(Uploads.of(content)).info();
        byte[] other = Uploads.bytes(5, 3 * BLOCK);

        assertThatThrownBy(() -> store.overwrite(Uploads.lying(stored.hash(), other.length, other)))
                .isInstanceOf(ContentRejectedException.class);
        assertThat(store.stat(stored.hash())).contains(stored);
        assertThat(Uploads.readAll(store.open(stored.hash()))).isEqualTo(content);
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1000, BLOCK, 3 * BLOCK + 5})
    void putNewIfAbsentCreatesWithoutAskingFirstAndAnswersAnExistingBlobUntouched(int size) {
        List<String> methods = java.util.Collections.synchronizedList(new ArrayList<>());
        HttpPipelinePolicy recorder = (ctx, next) -> {
            methods.add(ctx.getHttpRequest().getHttpMethod().name());
            return next.process();
        };
        BlobContainerClient recorded = new BlobContainerClientBuilder().httpClient(Azurite.httpClient()).connectionString(azurite.connectionString())
                .containerName(container.getBlobContainerName()).addPolicy(recorder)
                .retryOptions(AzureBlobStore.recommendedRetryOptions(Duration.ofSeconds(30))).buildClient();
        AzureBlobStore recordedStore = smallBlocks(recorded, 4);
        byte[] content = Uploads.bytes(21, size);

        BlobPutResult first = recordedStore.putNewIfAbsent(Uploads.of(content));

        assertThat(first.created()).isTrue();
        assertThat(methods).doesNotContain("HEAD").allMatch("PUT"::equals);
        if (size <= BLOCK) {
            assertThat(methods).hasSize(1);
        }
        methods.clear();

        BlobPutResult second = recordedStore.putNewIfAbsent(Uploads.of(content));

        assertThat(second.created()).isFalse();
        assertThat(second.info()).isEqualTo(first.info());
        assertThat(methods).contains("HEAD");
        assertThat(store.stat(first.info().hash())).contains(first.info());
        assertThat(Uploads.readAll(store.open(first.info().hash()))).isEqualTo(content);
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {100, 3 * BLOCK + 5})
    void putNewIfAbsentVerifiesBeforeAnythingBecomesVisible(int size) {
        byte[] content = Uploads.bytes(22, size);
        ContentHash claimed = Uploads.hash(Uploads.bytes(23, size));

        assertThatThrownBy(() -> store.putNewIfAbsent(Uploads.lying(claimed, size, content)))
                .isInstanceOfSatisfying(ContentRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(SkipReason.CHECKSUM_MISMATCH));
        assertThat(container.getBlobClient(BlobKey.of(claimed).value()).exists()).isFalse();
        ContentHash real = Uploads.hash(content);
        assertThatThrownBy(() -> store.putNewIfAbsent(Uploads.lying(real, size - 1, content)))
                .isInstanceOfSatisfying(ContentRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(SkipReason.SIZE_MISMATCH));
        assertThat(store.stat(real)).isEmpty();
        assertThat(store.list(Optional.empty(), 10).items()).isEmpty();
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {2000, 6 * BLOCK + 3})
    void concurrentNewCreatorsOfTheSameContentNeverClobber(int size) throws Exception {
        byte[] content = Uploads.bytes(24, size);
        ContentHash hash = Uploads.hash(content);
        int writers = 8;
        CyclicBarrier start = new CyclicBarrier(writers);
        List<Future<BlobPutResult>> results = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            boolean expectNew = i % 2 == 0;
            results.add(pool.submit(() -> {
                start.await();
                return expectNew ? store.putNewIfAbsent(Uploads.of(content)) : store.putIfAbsent(Uploads.of(content));
            }));
        }
        List<BlobPutResult> done = new ArrayList<>();
        for (Future<BlobPutResult> f : results) {
            done.add(f.get());
        }

        assertThat(done.stream().filter(BlobPutResult::created).count()).isEqualTo(1);
        BlobInfo stored = store.stat(hash).orElseThrow();
        assertThat(done).allSatisfy(r -> assertThat(r.info()).isEqualTo(stored));
        assertThat(Uploads.readAll(store.open(hash))).isEqualTo(content);
    }

    @Test
    void secondPutOfSameContentDoesNotWrite() {
        byte[] content = Uploads.bytes(6, 1000);
        BlobInfo first = store.putIfAbsent(Uploads.of(content)).info();
        AtomicInteger opened = new AtomicInteger();
        BlobUpload again = new BlobUpload(first.hash(), content.length, "application/pdf", () -> {
            opened.incrementAndGet();
            return new java.io.ByteArrayInputStream(content);
        });

        BlobPutResult second = store.putIfAbsent(again);

        assertThat(second.created()).isFalse();
        assertThat(second.info()).isEqualTo(first);
        assertThat(opened).hasValue(0);
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {2000, 6 * BLOCK + 3})
    void concurrentCreatorsOfTheSameContentNeverClobber(int size) throws Exception {
        byte[] content = Uploads.bytes(7, size);
        ContentHash hash = Uploads.hash(content);
        int writers = 8;
        CyclicBarrier start = new CyclicBarrier(writers);
        List<Future<BlobPutResult>> results = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            results.add(pool.submit(() -> {
                start.await();
                return store.putIfAbsent(Uploads.of(content));
            }));
        }
        List<BlobPutResult> done = new ArrayList<>();
        for (Future<BlobPutResult> f : results) {
            done.add(f.get());
        }

        assertThat(done.stream().filter(BlobPutResult::created).count()).isEqualTo(1);
        BlobInfo stored = store.stat(hash).orElseThrow();
        assertThat(done).allSatisfy(r -> assertThat(r.info()).isEqualTo(stored));
        assertThat(Uploads.readAll(store.open(hash))).isEqualTo(content);
    }

    @Test
    void concurrentHonestAndLyingWritersNeverStoreWrongBytes() throws Exception {
        byte[] content = Uploads.bytes(8, 4 * BLOCK);
        ContentHash hash = Uploads.hash(content);
        byte[] forged = content.clone();
        forged[forged.length - 1] ^= 1; // same blocks but the last: shares block ids with the honest writer
        CyclicBarrier start = new CyclicBarrier(6);
        List<Future<?>> all = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            boolean honest = i % 2 == 0;
            all.add(pool.submit((Callable<Object>) () -> {
                start.await();
                try {
                    return store.overwrite(honest ? Uploads.of(content) : Uploads.lying(hash, forged.length, forged));
                } catch (ContentRejectedException e) {
                    return e.reason();
                }
            }));
        }
        List<Object> outcomes = new ArrayList<>();
        for (Future<?> f : all) {
            outcomes.add(f.get());
        }

        assertThat(outcomes.stream().filter(o -> o == SkipReason.CHECKSUM_MISMATCH).count()).isEqualTo(3);
        assertThat(Uploads.readAll(store.open(hash))).isEqualTo(content);
    }

    @Test
    void conditionalDeleteLosesToARevivingOverwrite() {
        byte[] content = Uploads.bytes(9, 500);
        BlobInfo seenByCollector = store.putIfAbsent(Uploads.of(content)).info();

        BlobInfo revived = store.overwrite(Uploads.of(content));

        assertThat(revived.etag()).isNotEqualTo(seenByCollector.etag());
        assertThat(store.deleteIfMatch(seenByCollector.hash(), seenByCollector.etag())).isFalse();
        assertThat(store.stat(revived.hash())).contains(revived);
        assertThat(store.deleteIfMatch(revived.hash(), revived.etag())).isTrue();
        assertThat(store.stat(revived.hash())).isEmpty();
        assertThat(store.deleteIfMatch(revived.hash(), revived.etag())).isFalse();
    }

    @Test
    void openOfAMissingBlobIsPermanentNotFound() {
        ContentHash absent = Uploads.hash(Uploads.bytes(10, 10));
        assertThatThrownBy(() -> store.open(absent)).isInstanceOfSatisfying(PermanentSyncException.class,
                e -> assertThat(e.statusCode()).hasValue(404));
    }

    @Test
    void listsOnlyContentBlobsInKeyOrderAcrossPages() {
        List<ContentHash> hashes = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            hashes.add(store.putIfAbsent(Uploads.of(Uploads.bytes(100 + i, 10 + i))).info().hash());
        }
        container.getBlobClient("locks/vsrx-sync").upload(BinaryData.fromBytes(new byte[0]));
        container.getBlobClient("sha256/zz/other").upload(BinaryData.fromBytes(new byte[1]));

        List<ContentHash> listed = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        int pages = 0;
        do {
            Page<BlobInfo> page = store.list(cursor, 3);
            assertThat(page.items()).hasSizeLessThanOrEqualTo(3);
            page.items().forEach(i -> listed.add(i.hash()));
            cursor = page.nextCursor();
            pages++;
        } while (cursor.isPresent());

        assertThat(listed).containsExactlyElementsOf(hashes.stream().sorted().collect(Collectors.toList()));
        assertThat(pages).isGreaterThanOrEqualTo(3);
        assertThat(store.list(Optional.empty(), 1000).items().get(0)).isEqualTo(store.stat(listed.get(0)).orElseThrow());
    }

    @Test
    void stagesBlocksWithBoundedConcurrencyAndVerifiesTheWholeOnCommit() {
        AtomicInteger current = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        AtomicInteger stagedBlocks = new AtomicInteger();
        HttpPipelinePolicy counter = new HttpPipelinePolicy() {
            @Override
            public Mono<HttpResponse> process(HttpPipelineCallContext ctx, HttpPipelineNextPolicy next) {
                boolean stage = ctx.getHttpRequest().getUrl().getQuery() != null
                        && ctx.getHttpRequest().getUrl().getQuery().contains("comp=block&");
                if (!stage) {
                    return next.process();
                }
                return Mono.defer(() -> {
                    stagedBlocks.incrementAndGet();
                    peak.accumulateAndGet(current.incrementAndGet(), Math::max);
                    return next.process();
                }).doOnSuccess(r -> current.decrementAndGet()).doOnError(e -> current.decrementAndGet());
            }
        };
        BlobContainerClient counted = new BlobContainerClientBuilder().httpClient(Azurite.httpClient()).connectionString(azurite.connectionString())
                .containerName(container.getBlobContainerName()).addPolicy(counter)
                .retryOptions(AzureBlobStore.recommendedRetryOptions(Duration.ofSeconds(30))).buildClient();
        AzureBlobStore twoAtATime = smallBlocks(counted, 2);
        byte[] content = Uploads.bytes(11, 20 * BLOCK + 1);

        BlobPutResult put = twoAtATime.putIfAbsent(Uploads.of(content));

        assertThat(put.created()).isTrue();
        assertThat(stagedBlocks).hasValue(21);
        assertThat(peak.get()).isBetween(1, 2);
        assertThat(container.getBlobClient(put.info().key().value()).getBlockBlobClient().listBlocks(
                com.azure.storage.blob.models.BlockListType.COMMITTED).getCommittedBlocks()).hasSize(21);
        assertThat(Uploads.readAll(store.open(put.info().hash()))).isEqualTo(content);
    }

    @Test
    void uncommittedBlocksOfARejectedUploadAreNotListed() {
        byte[] content = Uploads.bytes(12, 3 * BLOCK);
        ContentHash claimed = Uploads.hash(Uploads.bytes(13, 3 * BLOCK));
        assertThatThrownBy(() -> store.putIfAbsent(Uploads.lying(claimed, content.length, content)))
                .isInstanceOf(ContentRejectedException.class);

        List<BlobItem> visible = container.listBlobs(new ListBlobsOptions().setPrefix("sha256/"), null)
                .stream().collect(Collectors.toList());
        assertThat(visible).isEmpty();
        // an honest upload under that name afterwards succeeds and is not polluted by the staged blocks
        assertThat(store.putIfAbsent(Uploads.of(content)).created()).isTrue();
    }
}
