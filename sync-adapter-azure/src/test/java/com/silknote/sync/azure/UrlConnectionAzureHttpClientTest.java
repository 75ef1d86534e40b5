package com.silknote.sync.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;

/**
 * Issue 12: the embedded default's Azure transport, against a local server — headers both ways, error bodies,
 * truncated and silent servers, keep-alive reuse, large streamed bodies, no thread per request. The adapter's
 * whole Azurite suite also runs over it (surefire execution {@code urlconnection}).
 */
class UrlConnectionAzureHttpClientTest {
    private static final long SEED = 20261206L;

    private HttpServer server;
    private final List<Headers> requestHeaders = new CopyOnWriteArrayList<>();
    private final List<byte[]> requestBodies = new CopyOnWriteArrayList<>();
    private final List<Integer> remotePorts = new CopyOnWriteArrayList<>();
    private volatile Consumer<com.sun.net.httpserver.HttpExchange> answer;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final UrlConnectionAzureHttpClient client =
            UrlConnectionAzureHttpClient.builder().readTimeout(Duration.ofSeconds(30)).build();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requestHeaders.add(exchange.getRequestHeaders());
            requestBodies.add(exchange.getRequestBody().readAllBytes());
            remotePorts.add(exchange.getRemoteAddress().getPort());
            try {
                answer.accept(exchange);
            } finally {
                exchange.close();
            }
        });
        server.start(); // handlers run on the server's dispatcher thread: it starts no thread per request
    }

    @AfterEach
    void stop() throws Exception {
        server.stop(0);
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private static Consumer<com.sun.net.httpserver.HttpExchange> respond(int status, byte[] body, String... headers) {
        return exchange -> {
            try {
                for (int i = 0; i < headers.length; i += 2) {
                    exchange.getResponseHeaders().add(headers[i], headers[i + 1]);
                }
                boolean head = exchange.getRequestMethod().equals("HEAD");
                exchange.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
                if (!head && body.length > 0) {
                    exchange.getResponseBody().write(body);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    @Test
    void everyRequestHeaderGoesOutAndEveryResponseHeaderComesBackWithAllValues() throws IOException {
        answer = respond(201, new byte[0], "ETag", "\"0x1\"", "x-ms-multi", "a", "x-ms-multi", "b");
        byte[] body = "hello blob".getBytes(StandardCharsets.UTF_8);
        HttpRequest request = new HttpRequest(HttpMethod.PUT, url("/c/blob?comp=x"));
        request.setHeader(HttpHeaderName.fromString("x-ms-version"), "2025-11-05");
        request.setHeader(HttpHeaderName.CONTENT_LENGTH, Integer.toString(body.length));
        request.setHeader(HttpHeaderName.CONTENT_MD5, "md5==");
        request.setHeader(HttpHeaderName.IF_NONE_MATCH, "*");
        request.getHeaders().add(HttpHeaderName.fromString("x-ms-meta-two"), "one");
        request.getHeaders().add(HttpHeaderName.fromString("x-ms-meta-two"), "two");
        request.setBody(BinaryData.fromBytes(body));

        try (HttpResponse response = client.sendSync(request, Context.NONE)) {
            assertThat(response.getStatusCode()).isEqualTo(201);
            assertThat(response.getHeaderValue(HttpHeaderName.ETAG)).isEqualTo("\"0x1\"");
            assertThat(response.getHeaders().getValues("X-MS-MULTI")).containsExactly("a", "b");
            assertThat(response.getBodyAsByteArray().block()).isEmpty();
        }
        Headers sent = requestHeaders.get(0);
        assertThat(sent.getFirst("x-ms-version")).isEqualTo("2025-11-05");
        assertThat(sent.getFirst("Content-Length")).isEqualTo(Integer.toString(body.length));
        assertThat(sent.get("Content-Length")).hasSize(1);
        assertThat(sent.containsKey("Transfer-Encoding")).isFalse();
        assertThat(sent.getFirst("Content-MD5")).isEqualTo("md5==");
        assertThat(sent.getFirst("If-None-Match")).isEqualTo("*");
        assertThat(sent.get("x-ms-meta-two")).containsExactly("one", "two");
        assertThat(sent.containsKey("Content-Type")).as("a PUT gets no content type the SDK did not sign").isFalse();
        assertThat(requestBodies.get(0)).isEqualTo(body);
    }

    @Test
    void aPostWithoutContentTypeSendsNoFormTypeTheSdkDidNotSign() {
        answer = respond(202, new byte[0]);
        HttpRequest request = new HttpRequest(HttpMethod.POST, url("/c?comp=batch"));
        request.setBody(BinaryData.fromBytes(new byte[] {1, 2, 3}));

        client.sendSync(request, Context.NONE).close();

        assertThat(requestHeaders.get(0).getFirst("Content-Type")).isNullOrEmpty();
        assertThat(requestBodies.get(0)).containsExactly(1, 2, 3);
    }

    @Test
    void anEmptyPutStillDeclaresItsLength() {
        answer = respond(201, new byte[0]);
        HttpRequest request = new HttpRequest(HttpMethod.PUT, url("/c?restype=container"));
        request.setHeader(HttpHeaderName.CONTENT_LENGTH, "0");

        client.sendSync(request, Context.NONE).close();

        assertThat(requestHeaders.get(0).getFirst("Content-Length")).isEqualTo("0");
    }

    @Test
    void methodsTheBlobServiceUsesGoOutAsThemselves() {
        List<String> methods = new CopyOnWriteArrayList<>();
        answer = exchange -> {
            methods.add(exchange.getRequestMethod());
            respond(200, "x".getBytes(StandardCharsets.UTF_8), "Content-Type", "text/plain").accept(exchange);
        };
        for (HttpMethod m : List.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.DELETE, HttpMethod.PUT)) {
            try (HttpResponse r = client.send(new HttpRequest(m, url("/m")), Context.NONE).block()) {
                assertThat(r.getBodyAsString().block()).isEqualTo(m == HttpMethod.HEAD ? "" : "x");
            }
        }
        assertThat(methods).containsExactly("GET", "HEAD", "DELETE", "PUT");
    }

    @Test
    void errorBodiesAreReadFromTheErrorStream() {
        byte[] xml = "<?xml version=\"1.0\"?><Error><Code>BlobAlreadyExists</Code></Error>"
                .getBytes(StandardCharsets.UTF_8);
        answer = respond(409, xml, "x-ms-error-code", "BlobAlreadyExists", "Content-Type", "application/xml");

        try (HttpResponse r = client.sendSync(new HttpRequest(HttpMethod.GET, url("/c/b")), Context.NONE)) {
            assertThat(r.getStatusCode()).isEqualTo(409);
            assertThat(r.getHeaderValue(HttpHeaderName.fromString("x-ms-error-code"))).isEqualTo("BlobAlreadyExists");
            assertThat(r.getBodyAsString().block()).contains("<Code>BlobAlreadyExists</Code>");
        }
        // the SDK asks for small answers read eagerly: the body is then read before the response returns
        Context eager = new Context(UrlConnectionAzureHttpClient.EAGERLY_READ, true);
        try (HttpResponse r = client.sendSync(new HttpRequest(HttpMethod.GET, url("/c/b")), eager)) {
            assertThat(r.getBodyAsBinaryData().toString()).contains("<Code>BlobAlreadyExists</Code>");
        }
    }

    /**
     * The JDK drops the connection of a streamed upload answered 401 or 407 (it cannot resend the body): the
     * status and the error code header still reach the SDK, so the refusal stays a permanent 401, not an I/O
     * error that would be retried.
     */
    @Test
    void anUploadRefusedAsUnauthorizedKeepsItsStatusAndErrorCode() {
        byte[] xml = "<?xml version=\"1.0\"?><Error><Code>InvalidAuthenticationInfo</Code></Error>"
                .getBytes(StandardCharsets.UTF_8);
        for (int status : new int[] {401, 407, 403}) {
            answer = respond(status, xml, "x-ms-error-code", "InvalidAuthenticationInfo",
                    "WWW-Authenticate", "Bearer authorization_uri=https://login.invalid/");
            HttpRequest put = new HttpRequest(HttpMethod.PUT, url("/c/b")).setBody(new byte[100]);
            try (HttpResponse r = client.sendSync(put, Context.NONE)) {
                assertThat(r.getStatusCode()).isEqualTo(status);
                assertThat(r.getHeaderValue(HttpHeaderName.fromString("x-ms-error-code")))
                        .isEqualTo("InvalidAuthenticationInfo");
                assertThat(r.getBodyAsString().block()).isIn("", new String(xml, StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void largeBodiesStreamBothWays() throws Exception {
        int size = 48 << 20;
        byte[] content = new byte[size];
        new SplittableRandom(SEED).nextBytes(content);
        answer = respond(200, content, "Content-Type", "application/octet-stream");

        try (HttpResponse r = client.sendSync(new HttpRequest(HttpMethod.GET, url("/big")), Context.NONE)) {
            assertThat(sha256(r.getBodyAsBinaryData().toStream())).isEqualTo(sha256(content));
        }
        try (HttpResponse r = client.send(new HttpRequest(HttpMethod.GET, url("/big"))).block()) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            long chunks = r.getBody().doOnNext(b -> {
                assertThat(b.remaining()).isLessThanOrEqualTo(UrlConnectionResponse.CHUNK);
                md.update(b);
            }).count().block();
            assertThat(HexFormat.of().formatHex(md.digest())).isEqualTo(sha256(content));
            assertThat(chunks).isGreaterThan(size / UrlConnectionResponse.CHUNK - 1);
        }

        answer = respond(201, new byte[0]);
        HttpRequest streamed = new HttpRequest(HttpMethod.PUT, url("/up"));
        streamed.setHeader(HttpHeaderName.CONTENT_LENGTH, Integer.toString(size));
        streamed.setBody(BinaryData.fromStream(new java.io.ByteArrayInputStream(content), (long) size));
        client.sendSync(streamed, Context.NONE).close();
        HttpRequest flux = new HttpRequest(HttpMethod.PUT, url("/up"));
        flux.setHeader(HttpHeaderName.CONTENT_LENGTH, Integer.toString(size));
        flux.setBody(Flux.range(0, size / (1 << 20)).map(i -> ByteBuffer.wrap(content, i << 20, 1 << 20)));
        client.sendSync(flux, Context.NONE).close();

        assertThat(sha256(requestBodies.get(2))).isEqualTo(sha256(content));
        assertThat(sha256(requestBodies.get(3))).isEqualTo(sha256(content));
    }

    @Test
    void aBodyLongerOrShorterThanItsDeclaredLengthFailsTheRequest() {
        answer = respond(201, new byte[0]);
        // setBody sets Content-Length from the body: the header is set after it, as a lying caller would
        HttpRequest longer = new HttpRequest(HttpMethod.PUT, url("/up"));
        longer.setBody(BinaryData.fromBytes(new byte[4]));
        longer.setHeader(HttpHeaderName.CONTENT_LENGTH, "3");
        HttpRequest shorter = new HttpRequest(HttpMethod.PUT, url("/up"));
        shorter.setBody(BinaryData.fromBytes(new byte[4]));
        shorter.setHeader(HttpHeaderName.CONTENT_LENGTH, "5");

        assertThatThrownBy(() -> client.sendSync(longer, Context.NONE)).isInstanceOf(UncheckedIOException.class);
        assertThatThrownBy(() -> client.sendSync(shorter, Context.NONE)).isInstanceOf(UncheckedIOException.class);
        assertThat(requestBodies).isEmpty();
    }

    @Test
    void aServerThatClosesMidBodyFailsTheReadInsteadOfEndingItShort() throws Exception {
        int port = rawServer(socket -> {
            readRequestHead(socket);
            OutputStream out = socket.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nContent-Type: application/octet-stream\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[1000]);
            out.flush();
            socket.close();
        });
        String url = "http://127.0.0.1:" + port + "/b";

        try (HttpResponse r = client.sendSync(new HttpRequest(HttpMethod.GET, url), Context.NONE)) {
            assertThatThrownBy(() -> r.getBodyAsBinaryData().toStream().readAllBytes()).isInstanceOf(IOException.class);
        }
        try (HttpResponse r = client.sendSync(new HttpRequest(HttpMethod.GET, url), Context.NONE)) {
            assertThatThrownBy(() -> r.getBodyAsByteArray().block()).hasRootCauseInstanceOf(IOException.class);
        }
        try (HttpResponse r = client.sendSync(new HttpRequest(HttpMethod.GET, url), Context.NONE)) {
            assertThatThrownBy(() -> r.getBody().blockLast()).hasRootCauseInstanceOf(IOException.class);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS) // a hang guard, not a measure: the read timeout is 300 ms
    void aSilentServerFailsWithinTheReadTimeout() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        int silentPort = rawServer(socket -> {
            readRequestHead(socket);
            await(done);
        });
        int silentMidBodyPort = rawServer(socket -> {
            readRequestHead(socket);
            socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345"
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            await(done);
        });
        UrlConnectionAzureHttpClient impatient = client.newBuilder().readTimeout(Duration.ofMillis(300)).build();
        try {
            assertThatThrownBy(() -> impatient.sendSync(
                    new HttpRequest(HttpMethod.GET, "http://127.0.0.1:" + silentPort + "/"), Context.NONE))
                    .isInstanceOf(UncheckedIOException.class).hasCauseInstanceOf(SocketTimeoutException.class);
            assertThatThrownBy(() -> impatient.send(
                    new HttpRequest(HttpMethod.GET, "http://127.0.0.1:" + silentPort + "/"), Context.NONE).block())
                    .hasRootCauseInstanceOf(SocketTimeoutException.class);
            try (HttpResponse r = impatient.sendSync(
                    new HttpRequest(HttpMethod.GET, "http://127.0.0.1:" + silentMidBodyPort + "/"), Context.NONE)) {
                assertThatThrownBy(() -> r.getBodyAsBinaryData().toStream().readAllBytes())
                        .isInstanceOf(SocketTimeoutException.class);
            }
        } finally {
            done.countDown();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS) // a hang guard: without the write watch this write blocks for ever
    void aServerThatStopsReadingFailsTheUploadWithinTheReadTimeout() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        int port = rawServer(socket -> await(done)); // accepts, never reads
        UrlConnectionAzureHttpClient impatient = client.newBuilder().readTimeout(Duration.ofMillis(300)).build();
        int size = 64 << 20; // far more than the socket buffers hold
        HttpRequest put = new HttpRequest(HttpMethod.PUT, "http://127.0.0.1:" + port + "/up");
        put.setHeader(HttpHeaderName.CONTENT_LENGTH, Integer.toString(size));
        put.setBody(BinaryData.fromBytes(new byte[size]));
        byte[] mib = new byte[1 << 20];
        HttpRequest fluxPut = new HttpRequest(HttpMethod.PUT, "http://127.0.0.1:" + port + "/up");
        fluxPut.setHeader(HttpHeaderName.CONTENT_LENGTH, Integer.toString(size));
        fluxPut.setBody(Flux.range(0, size / mib.length).map(i -> ByteBuffer.wrap(mib)));
        try {
            assertThatThrownBy(() -> impatient.sendSync(put, Context.NONE))
                    .isInstanceOf(UncheckedIOException.class).hasCauseInstanceOf(SocketTimeoutException.class);
            assertThatThrownBy(() -> impatient.sendSync(fluxPut, Context.NONE))
                    .isInstanceOf(UncheckedIOException.class).hasCauseInstanceOf(SocketTimeoutException.class);
        } finally {
            done.countDown();
        }
    }

    @Test
    void aConnectionIsReusedWhenItsBodyWasReadOrClosedAtItsEnd() {
        byte[] small = "<x/>".getBytes(StandardCharsets.UTF_8);
        // as the Blob service: a GET answers XML, a PUT and a HEAD answer headers only
        answer = exchange -> respond(exchange.getRequestMethod().equals("GET") ? 200 : 201,
                exchange.getRequestMethod().equals("GET") ? small : new byte[0], "Content-Type", "application/xml")
                .accept(exchange);
        for (int i = 0; i < 5; i++) {
            try (HttpResponse r = client.sendSync(new HttpRequest(HttpMethod.GET, url("/k")), Context.NONE)) {
                assertThat(r.getBodyAsByteArray().block()).isEqualTo(small);
            }
            client.sendSync(new HttpRequest(HttpMethod.HEAD, url("/k")), Context.NONE).close();
            client.sendSync(new HttpRequest(HttpMethod.PUT, url("/k")).setBody(small), Context.NONE).close();
        }
        assertThat(remotePorts).hasSize(15);
        assertThat(remotePorts.stream().distinct()).as("one connection for all requests").hasSize(1);

        byte[] large = new byte[4 << 20];
        answer = respond(200, large, "Content-Type", "application/octet-stream");
        client.sendSync(new HttpRequest(HttpMethod.GET, url("/unread")), Context.NONE).close();
        answer = respond(200, small, "Content-Type", "application/xml");
        client.sendSync(new HttpRequest(HttpMethod.GET, url("/k")), Context.NONE).getBodyAsByteArray().block();
        assertThat(remotePorts.get(16)).as("a body closed unread drops its connection")
                .isNotEqualTo(remotePorts.get(15));
    }

    /** The SDK drains a body it said it ignores ({@code azure-ignore-response-body}): it reads as empty. */
    @Test
    void anIgnoredBodyReadsAsEmptyAndKeepsItsConnection() {
        answer = respond(201, new byte[0], "ETag", "\"e\"");
        Context ignore = new Context(UrlConnectionAzureHttpClient.IGNORE_BODY, true);
        for (int i = 0; i < 3; i++) {
            HttpRequest put = new HttpRequest(HttpMethod.PUT, url("/i")).setBody(new byte[10]);
            try (HttpResponse r = client.send(put, ignore).block()) {
                assertThat(r.getBody().count().block()).isZero();
                assertThat(r.getBodyAsByteArray().block()).isEmpty();
            }
        }
        assertThat(remotePorts.stream().distinct()).hasSize(1);
    }

    @Test
    void requestsRunOnTheCallingThreadAndStartNoThreadPerRequest() {
        answer = respond(201, new byte[0], "ETag", "\"e\"");
        client.sendSync(new HttpRequest(HttpMethod.PUT, url("/warm")).setBody(new byte[10]), Context.NONE).close();
        long before = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount();
        Thread caller = Thread.currentThread();
        List<Thread> ranOn = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 100; i++) {
            HttpRequest put = new HttpRequest(HttpMethod.PUT, url("/t" + i)).setBody(new byte[1000]);
            try (HttpResponse r = client.send(put, Context.NONE).doOnNext(x -> ranOn.add(Thread.currentThread()))
                    .block(Duration.ofSeconds(30))) {
                assertThat(r.getStatusCode()).isEqualTo(201);
            }
        }
        long started = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount() - before;
        assertThat(ranOn).hasSize(100).allMatch(t -> t == caller);
        assertThat(started).as("threads started for 100 requests").isLessThan(5);
    }

    @Test
    void patchIsRefusedBeforeAnythingIsSent() {
        answer = respond(200, new byte[0]);
        assertThatThrownBy(() -> client.sendSync(new HttpRequest(HttpMethod.PATCH, url("/p")), Context.NONE))
                .isInstanceOf(UncheckedIOException.class);
        assertThat(requestHeaders).isEmpty();
    }

    @Test
    void timeoutsMustBePositive() {
        assertThatThrownBy(() -> UrlConnectionAzureHttpClient.builder().readTimeout(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UrlConnectionAzureHttpClient.builder().connectTimeout(Duration.ofMillis(-1)).build())
                .isInstanceOf(IllegalArgumentException.class);
        UrlConnectionAzureHttpClient c = UrlConnectionAzureHttpClient.builder()
                .connectTimeout(Duration.ofSeconds(3)).readTimeout(Duration.ofSeconds(7)).build();
        assertThat(c.newBuilder().build().readTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
    }

    // ------------------------------------------------------------------------------------------- helpers

    private interface SocketHandler {
        void handle(Socket socket) throws IOException;
    }

    /** A one-connection-at-a-time server on a raw socket, for answers com.sun.net.httpserver cannot give. */
    private int rawServer(SocketHandler handler) throws IOException {
        ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        ss.setReceiveBufferSize(64 * 1024);
        closeables.add(ss);
        Thread t = new Thread(() -> {
            while (!ss.isClosed()) {
                try (Socket s = ss.accept()) {
                    s.setReceiveBufferSize(64 * 1024);
                    handler.handle(s);
                } catch (IOException e) {
                    // next connection, or closed
                }
            }
        }, "raw-server");
        t.setDaemon(true);
        t.start();
        return ss.getLocalPort();
    }

    private static void readRequestHead(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("request ended early");
            }
            head.write(b);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static String sha256(InputStream in) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) >= 0; ) {
            md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
