package com.silknote.sync.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobContainerClientBuilder;
import com.azure.storage.blob.models.ParallelTransferOptions;
import com.silknote.sync.core.model.BlobKey;
import com.silknote.sync.core.model.ContentHash;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link AzureBlobStore#open} over {@link BlockDownloadStream}, against a real Azurite: one ranged GET per
 * block and nothing else (no property read first), exact content at every size around the block boundaries,
 * skips that do not download what they skip, a response broken inside a block resumed by the SDK without a byte
 * lost or repeated, and a blob that goes away while read fails the read, never ends it early.
 */
class BlockDownloadStreamTest {

    private static final int BLOCK = 1000;

    private final Azurite azurite = Azurite.shared();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private BlobContainerClient container;
    private AzureBlobStore store;

    @BeforeEach
    void setUp() {
        BlobContainerClient plain = azurite.newContainer();
        HttpPipelinePolicy recorder = (ctx, next) -> {
            String range = ctx.getHttpRequest().getHeaders().getValue(
                    com.azure.core.http.HttpHeaderName.fromString("x-ms-range"));
            requests.add(ctx.getHttpRequest().getHttpMethod() + (range == null ? "" : " " + range));
            return next.process();
        };
        container = new BlobContainerClientBuilder().httpClient(Azurite.httpClient())
                .connectionString(azurite.connectionString()).containerName(plain.getBlobContainerName())
                .addPolicy(recorder).retryOptions(AzureBlobStore.recommendedRetryOptions(Duration.ofSeconds(30)))
                .buildClient();
        store = AzureBlobStore.builder().container(container)
                .parallelTransferOptions(new ParallelTransferOptions().setBlockSizeLong((long) BLOCK)
                        .setMaxConcurrency(2).setMaxSingleUploadSizeLong((long) BLOCK))
                .clock(Clock.systemUTC()).build();
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK, 3 * BLOCK + 7, 70_001})
    void readsTheContentWithOneRangedRequestPerBlock(int size) throws IOException {
        byte[] content = Uploads.bytes(size + 1L, size);
        ContentHash hash = store.putIfAbsent(Uploads.of(content)).info().hash();
        requests.clear();

        byte[] read;
        try (InputStream in = store.open(hash)) {
            read = readMixed(in);
            assertThat(in.read()).isEqualTo(-1);
        }

        assertThat(read).isEqualTo(content);
        int blocks = Math.max(1, (size + BLOCK - 1) / BLOCK);
        assertThat(requests).hasSize(blocks).allMatch(r -> r.startsWith("GET bytes="));
        assertThat(requests.get(0)).isEqualTo("GET bytes=0-" + (BLOCK - 1));
    }

    @Test
    void skipsWithinAndOverBlocksWithoutDownloadingThem() throws IOException {
        byte[] content = Uploads.bytes(7, 10 * BLOCK + 123);
        ContentHash hash = store.putIfAbsent(Uploads.of(content)).info().hash();
        requests.clear();

        try (InputStream in = store.open(hash)) {
            assertThat(in.skip(10)).isEqualTo(10);
            assertThat(in.read()).isEqualTo(content[10] & 0xff);
            assertThat(in.skip(6 * BLOCK)).isEqualTo(6 * BLOCK);
            byte[] rest = in.readAllBytes();
            assertThat(rest).isEqualTo(Arrays.copyOfRange(content, 11 + 6 * BLOCK, content.length));
            assertThat(in.skip(5)).isZero();
        }
        // the first block, then from the block the skip landed in to the end: blocks 1..5 never downloaded
        assertThat(requests).hasSize(1 + 5).first().isEqualTo("GET bytes=0-" + (BLOCK - 1));
        assertThat(requests.get(1)).isEqualTo("GET bytes=" + (6 * BLOCK + 11) + "-" + (7 * BLOCK + 10));
    }

    @Test
    void aBlobRemovedWhileReadFailsTheReadInsteadOfEndingIt() throws IOException {
        byte[] content = Uploads.bytes(9, 3 * BLOCK);
        ContentHash hash = store.putIfAbsent(Uploads.of(content)).info().hash();

        try (InputStream in = store.open(hash)) {
            assertThat(in.readNBytes(BLOCK)).isEqualTo(Arrays.copyOf(content, BLOCK));
            container.getBlobClient(BlobKey.of(hash).value()).delete();

            assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessageContaining("status=404");
        }
    }

    @Test
    void aResponseBrokenInsideABlockResumesWithoutLosingOrRepeatingBytes() throws IOException {
        byte[] content = Uploads.bytes(13, 4 * BLOCK + 321);
        ContentHash hash = store.putIfAbsent(Uploads.of(content)).info().hash();
        java.util.concurrent.atomic.AtomicInteger gets = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger broken = new java.util.concurrent.atomic.AtomicInteger();
        HttpPipelinePolicy breaker = (ctx, next) -> next.process().map(r -> {
            boolean ranged = ctx.getHttpRequest().getHttpMethod() == com.azure.core.http.HttpMethod.GET
                    && ctx.getHttpRequest().getHeaders().getValue(
                            com.azure.core.http.HttpHeaderName.fromString("x-ms-range")) != null;
            // the first block's first response and a later block's end after 100 bytes with a connection reset
            // (the SDK waits about 1.5 s before it resumes, so two are enough)
            if (!ranged || r.getStatusCode() / 100 != 2) {
                return r;
            }
            int n = gets.incrementAndGet();
            if (n == 1 || n == 4) {
                broken.incrementAndGet();
                return new BrokenBody(r, 100);
            }
            return r;
        });
        BlobContainerClient flaky = new BlobContainerClientBuilder().httpClient(Azurite.httpClient())
                .connectionString(azurite.connectionString()).containerName(container.getBlobContainerName())
                .addPolicy(breaker).retryOptions(AzureBlobStore.recommendedRetryOptions(Duration.ofSeconds(30)))
                .buildClient();
        AzureBlobStore reader = AzureBlobStore.builder().container(flaky)
                .parallelTransferOptions(new ParallelTransferOptions().setBlockSizeLong((long) BLOCK))
                .clock(Clock.systemUTC()).build();

        byte[] read;
        try (InputStream in = reader.open(hash)) {
            read = in.readAllBytes();
        }

        assertThat(broken).as("responses broken").hasValue(2);
        assertThat(gets.get()).as("each broken response resumed once, every other block read once").isEqualTo(7);
        assertThat(read).isEqualTo(content);
    }

    /** A response whose body fails with a reset after {@code keep} bytes. */
    private static final class BrokenBody extends com.azure.core.http.HttpResponse {
        private final com.azure.core.http.HttpResponse real;
        private final int keep;

        BrokenBody(com.azure.core.http.HttpResponse real, int keep) {
            super(real.getRequest());
            this.real = real;
            this.keep = keep;
        }

        @Override public int getStatusCode() { return real.getStatusCode(); }
        @Override @Deprecated public String getHeaderValue(String name) { return real.getHeaderValue(name); }
        @Override public com.azure.core.http.HttpHeaders getHeaders() { return real.getHeaders(); }
        @Override public reactor.core.publisher.Mono<byte[]> getBodyAsByteArray() {
            return com.azure.core.util.FluxUtil.collectBytesInByteBufferStream(getBody());
        }
        @Override public reactor.core.publisher.Mono<String> getBodyAsString() {
            return getBodyAsByteArray().map(String::new);
        }
        @Override public reactor.core.publisher.Mono<String> getBodyAsString(java.nio.charset.Charset charset) {
            return getBodyAsByteArray().map(b -> new String(b, charset));
        }

        @Override
        public reactor.core.publisher.Flux<java.nio.ByteBuffer> getBody() {
            int[] left = {keep};
            return real.getBody().concatMap(b -> {
                if (left[0] <= 0) {
                    return reactor.core.publisher.Flux.error(new java.io.IOException("connection reset (test)"));
                }
                java.nio.ByteBuffer copy = b.duplicate();
                if (copy.remaining() > left[0]) {
                    copy.limit(copy.position() + left[0]);
                    left[0] = 0;
                    return reactor.core.publisher.Flux.just(copy).concatWith(
                            reactor.core.publisher.Flux.error(new java.io.IOException("connection reset (test)")));
                }
                left[0] -= copy.remaining();
                return reactor.core.publisher.Flux.just(copy);
            });
        }

        @Override
        public void close() {
            real.close();
        }
    }

    @Test
    void aClosedStreamReadsNoMore() throws IOException {
        ContentHash hash = store.putIfAbsent(Uploads.of(Uploads.bytes(11, 2 * BLOCK))).info().hash();
        InputStream in = store.open(hash);
        in.close();
        requests.clear();

        assertThat(in.available()).isZero();
        assertThatThrownBy(in::read).isInstanceOf(IOException.class);
        assertThat(requests).isEmpty();
    }

    /** Reads with single bytes, short and long arrays in turn, so every path of the stream is used. */
    private static byte[] readMixed(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[3 * BLOCK / 2];
        int turn = 0;
        while (true) {
            int n;
            if (turn % 3 == 0) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                out.write(b);
            } else {
                n = in.read(buf, 1, turn % 3 == 1 ? 17 : buf.length - 1);
                if (n < 0) {
                    break;
                }
                out.write(buf, 1, n);
            }
            turn++;
        }
        return out.toByteArray();
    }
}
