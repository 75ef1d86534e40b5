package com.silknote.sync.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobContainerClientBuilder;
import com.azure.storage.blob.models.ParallelTransferOptions;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.ContentHash;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Error translation against a local stub that answers like a throttled, failing or silent storage
 * account. Also shows that with {@link AzureBlobStore#recommendedRetryOptions} the SDK tries once.
 */
class AzureErrorMappingTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private interface Answer {
        void answer(HttpExchange exchange) throws IOException;
    }

    private HttpServer server;
    private volatile Answer answer;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private BlobContainerClient container;

    @BeforeEach
    void startStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawQuery());
            exchange.getRequestBody().readAllBytes();
            answer.answer(exchange);
            exchange.close();
        });
        server.start();
        container = new BlobContainerClientBuilder().httpClient(Azurite.httpClient())
                .connectionString(Azurite.connectionString(server.getAddress().getPort()))
                .containerName("stub")
                .retryOptions(AzureBlobStore.recommendedRetryOptions(Duration.ofSeconds(10)))
                .buildClient();
    }

    @AfterEach
    void stopStub() {
        release.countDown();
        server.stop(0);
    }

    private AzureBlobStore store() {
        return AzureBlobStore.builder().container(container).clock(Clock.fixed(NOW, ZoneOffset.UTC))
                .operationTimeout(Duration.ofSeconds(60)).build();
    }

    private static ContentHash someHash() {
        return Uploads.hash(new byte[] {1, 2, 3});
    }

    private static Answer error(int status, String code, String... headers) {
        return exchange -> {
            for (int i = 0; i < headers.length; i += 2) {
                exchange.getResponseHeaders().add(headers[i], headers[i + 1]);
            }
            exchange.getResponseHeaders().add("x-ms-error-code", code);
            if (exchange.getRequestMethod().equals("HEAD")) {
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            byte[] body = ("<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>" + code
                    + "</Code><Message>stub</Message></Error>").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/xml");
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        };
    }

    @Test
    void serverBusyIsTransientWithRetryAfterSecondsAndTriedOnce() {
        answer = error(503, "ServerBusy", "Retry-After", "7");

        assertThatThrownBy(() -> store().stat(someHash()))
                .isInstanceOfSatisfying(TransientSyncException.class, e -> {
                    assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
                    assertThat(e.getMessage()).contains("503").contains("ServerBusy")
                            .doesNotContain("127.0.0.1").doesNotContain("sha256/");
                });
        assertThat(requests).hasSize(1);
    }

    @Test
    void internalErrorWithMillisecondHintIsTransient() {
        answer = error(500, "OperationTimedOut", "x-ms-retry-after-ms", "1500");

        assertThatThrownBy(() -> store().deleteIfMatch(someHash(), "\"0x1\""))
                .isInstanceOfSatisfying(TransientSyncException.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofMillis(1500)));
        assertThat(requests).hasSize(1);
    }

    @Test
    void tooManyRequestsWithAnHttpDateIsTransient() {
        String at = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(NOW.plusSeconds(30),
                ZoneOffset.UTC));
        answer = error(429, "TooManyRequests", "Retry-After", at);

        assertThatThrownBy(() -> store().list(java.util.Optional.empty(), 10))
                .isInstanceOfSatisfying(TransientSyncException.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(30)));
    }

    @Test
    void authenticationFailureIsPermanentWithStatus() {
        answer = error(403, "AuthenticationFailed");

        assertThatThrownBy(() -> store().open(someHash()))
                .isInstanceOfSatisfying(PermanentSyncException.class, e -> {
                    assertThat(e.statusCode()).hasValue(403);
                    assertThat(e.getMessage()).contains("authentication").doesNotContain("sha256/");
                });
        assertThat(requests).hasSize(1);
    }

    /** A refused upload stays a permanent 401 on every transport (the JDK drops a streamed upload's 401 body). */
    @Test
    void anUploadRefusedAsUnauthorizedIsPermanentWithStatus() {
        answer = error(401, "InvalidAuthenticationInfo", "WWW-Authenticate", "Bearer authorization_uri=https://login.invalid/");

        assertThatThrownBy(() -> store().putNewIfAbsent(Uploads.withMd5(new byte[] {1, 2, 3})))
                .isInstanceOfSatisfying(PermanentSyncException.class, e -> {
                    assertThat(e.statusCode()).hasValue(401);
                    assertThat(e.getMessage()).contains("authentication");
                });
        assertThat(requests).hasSize(1);
    }

    @Test
    void otherClientErrorsArePermanent() {
        answer = error(400, "InvalidHeaderValue");

        assertThatThrownBy(() -> store().stat(someHash()))
                .isInstanceOfSatisfying(PermanentSyncException.class,
                        e -> assertThat(e.statusCode()).hasValue(400));
    }

    @Test
    void throttledBlockStagingFailsTheUploadAsTransient() {
        answer = exchange -> {
            if (exchange.getRequestMethod().equals("HEAD")) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                error(503, "ServerBusy", "Retry-After", "3").answer(exchange);
            }
        };
        byte[] content = new byte[300_000];
        new SplittableRandom(1).nextBytes(content);
        AzureBlobStore blocks = store().newBuilder()
                .parallelTransferOptions(new ParallelTransferOptions().setBlockSizeLong(65_536L)
                        .setMaxConcurrency(2).setMaxSingleUploadSizeLong(65_536L))
                .build();

        assertThatThrownBy(() -> blocks.putIfAbsent(Uploads.of(content)))
                .isInstanceOfSatisfying(TransientSyncException.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(3)));
        assertThat(requests).noneMatch(r -> r.contains("comp=blocklist"));
    }

    @Test
    void aSilentServerTimesOutAsTransient() {
        answer = exchange -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        AzureBlobStore impatient = store().newBuilder().operationTimeout(Duration.ofMillis(300)).build();

        assertThatThrownBy(() -> impatient.stat(someHash()))
                .isInstanceOfSatisfying(TransientSyncException.class,
                        e -> assertThat(e.getMessage()).contains("timed out"));
    }

    @Test
    void aRefusedConnectionIsTransient() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        BlobContainerClient nowhere = new BlobContainerClientBuilder().httpClient(Azurite.httpClient())
                .connectionString(Azurite.connectionString(closedPort)).containerName("stub")
                .retryOptions(AzureBlobStore.recommendedRetryOptions(Duration.ofSeconds(10))).buildClient();
        AzureBlobStore store = AzureBlobStore.builder().container(nowhere).build();

        assertThatThrownBy(() -> store.stat(someHash())).isInstanceOf(TransientSyncException.class);
    }

    @Test
    void lockOperationsTranslateThrottlingToo() {
        answer = error(503, "ServerBusy", "Retry-After", "2");
        AzureBlobLeaseLock lock = AzureBlobLeaseLock.builder().container(container)
                .clock(Clock.fixed(NOW, ZoneOffset.UTC)).random(new SplittableRandom(5)).build();

        assertThatThrownBy(() -> lock.tryAcquire("vsrx-sync", Duration.ofMinutes(5)))
                .isInstanceOfSatisfying(TransientSyncException.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(2)));
        assertThatThrownBy(() -> lock.inspect("vsrx-sync")).isInstanceOf(TransientSyncException.class);
    }
}
