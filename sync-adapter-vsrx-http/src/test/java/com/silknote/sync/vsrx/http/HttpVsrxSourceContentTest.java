package com.silknote.sync.vsrx.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.silknote.sync.core.exception.ContentRejectedException;
import com.silknote.sync.core.exception.FileGoneException;
import com.silknote.sync.core.exception.MalformedResponseException;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.vsrx.http.internal.ReprDigest;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 12 (a second transport for content downloads) and issue 13 (bad input gives a typed error, never a hang
 * or wrong data): every content case runs over both transports of {@link HttpVsrxSource}, the host's
 * {@link HttpClient} and the {@code HttpURLConnection} used when the source builds its own client, and must
 * give the same result a caller can observe.
 */
class HttpVsrxSourceContentTest {
    static final String TOKEN = HttpVsrxSourceTest.TOKEN;
    static final Instant NOW = HttpVsrxSourceTest.NOW;

    @Nested
    @DisplayName("over a host's HttpClient")
    class OverHttpClient extends ContentCases {
        OverHttpClient() throws IOException { }

        @Override
        HttpVsrxSource.Builder transport(HttpVsrxSource.Builder b) {
            return b.httpClient(HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                    .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build());
        }

        @Test
        @DisplayName("issue 12: a host's client carries the content requests too")
        void contentGoesThroughTheHostsClient() throws IOException {
            stub.script(ex -> content(ex, bytes("hello"), "hello", null));
            try (FileContent c = source.openContent(VsrxFileId.of("f-1"))) {
                c.stream().readAllBytes();
            }
            assertThat(stub.userAgents).singleElement().asString().startsWith("Java-http-client/");
        }
    }

    @Nested
    @DisplayName("over HttpURLConnection (the source's own client)")
    class OverUrlConnection extends ContentCases {
        OverUrlConnection() throws IOException { }

        @Override
        HttpVsrxSource.Builder transport(HttpVsrxSource.Builder b) {
            return b;
        }

        @Test
        @DisplayName("issue 12: a source that builds its own client reads contents over HttpURLConnection, listings not")
        void contentGoesThroughUrlConnectionAndListingsThroughTheClient() throws IOException {
            stub.script(ex -> content(ex, bytes("hello"), "hello", null));
            try (FileContent c = source.openContent(VsrxFileId.of("f-1"))) {
                c.stream().readAllBytes();
            }
            try (FileContent c = source.newBuilder().readTimeout(Duration.ofSeconds(5)).build()
                    .openContent(VsrxFileId.of("f-1"))) {
                c.stream().readAllBytes();
            }
            stub.script(ex -> StubServer.json(ex, HttpVsrxSourceTest.page("", null)));
            source.listFilesets(PageRequest.first(10));
            assertThat(stub.userAgents).hasSize(3);
            assertThat(stub.userAgents.subList(0, 2)).allSatisfy(a -> assertThat(a).startsWith("Java/"));
            assertThat(stub.userAgents.get(2)).startsWith("Java-http-client/");
        }

        @Test
        @DisplayName("issue 12: a body read to the end, or closed with its small rest already received, keeps its connection")
        void smallRemaindersAreDrainedForKeepAlive() throws Exception {
            byte[] body = new byte[4000];
            CountDownLatch written = new CountDownLatch(1);
            stub.script(ex -> {
                content(ex, body, null, null, FixtureVsrxSource.hash(body));
                written.countDown();
            });
            try (FileContent c = source.openContent(VsrxFileId.of("f-1"))) {
                assertThat(c.stream().readAllBytes()).hasSize(body.length);
            }
            FileContent partly = source.openContent(VsrxFileId.of("f-1"));
            assertThat(written.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(partly.stream().readNBytes(10)).hasSize(10);
            partly.close();
            try (FileContent c = source.openContent(VsrxFileId.of("f-1"))) {
                assertThat(c.stream().readAllBytes()).hasSize(body.length);
            }
            assertThat(stub.clientPorts).as("one connection for the three downloads").hasSize(3)
                    .containsOnly(stub.clientPorts.get(0));
        }
    }

    /** The cases both transports must pass alike. */
    abstract class ContentCases {
        final StubServer stub = new StubServer();
        final CountDownLatch release = new CountDownLatch(1);
        final HttpVsrxSource source;

        ContentCases() throws IOException {
            source = transport(HttpVsrxSource.builder()
                    .baseUri(stub.baseUri())
                    .token(Secret.of(TOKEN))
                    .connectTimeout(Duration.ofSeconds(2))
                    .requestTimeout(Duration.ofSeconds(10))
                    .readTimeout(Duration.ofMillis(300))
                    .maxJsonBytes(4096)
                    .clock(Clock.fixed(NOW, ZoneOffset.UTC)))
                    .build();
        }

        /** The builder with this case's transport chosen. */
        abstract HttpVsrxSource.Builder transport(HttpVsrxSource.Builder b);

        @AfterEach
        void stop() {
            release.countDown();
            stub.close();
        }

        /** Holds a stub exchange until the test releases it (at most 10 s), as a server that stops answering. */
        void awaitRelease() {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Test
        void streamsContentAndVerifiesIt() throws IOException {
            stub.script(ex -> content(ex, bytes("hello"), "hello", "\"e1\""));
            try (FileContent c = source.openContent(VsrxFileId.of("f-1"))) {
                assertThat(c.etag()).contains("e1");
                assertThat(c.contentLength()).hasValue(5);
                assertThat(c.sha256()).contains(FixtureVsrxSource.hash(bytes("hello")));
                assertThat(new String(c.stream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
            }
            assertThat(stub.requests).containsExactly("GET /v1/files/f-1/content");
            assertThat(stub.authorizations).containsExactly("Bearer " + TOKEN);
        }

        @Test
        @DisplayName("a header sent twice is read by its first value, as the JDK client's firstValue")
        void repeatedHeadersAreReadByTheirFirstValue() throws IOException {
            stub.script(ex -> {
                ex.getResponseHeaders().add("ETag", "\"first\"");
                ex.getResponseHeaders().add("ETag", "W/\"second\"");
                content(ex, bytes("hello"), "hello", null);
            });
            try (FileContent c = source.openContent(VsrxFileId.of("f-1"))) {
                assertThat(c.etag()).contains("first");
            }
        }

        @Test
        void emptyContentIsContent() throws IOException {
            stub.script(ex -> {
                ex.getResponseHeaders().set("Repr-Digest", ReprDigest.format(FixtureVsrxSource.hash(new byte[0])));
                ex.getResponseHeaders().set("Content-Length", "0");
                ex.sendResponseHeaders(200, -1);
            });
            try (FileContent c = source.openContent(VsrxFileId.of("f-1"))) {
                assertThat(c.contentLength()).hasValue(0);
                assertThat(c.stream().readAllBytes()).isEmpty();
            }
        }

        @Test
        void wrongDigestFailsAtEndOfStream() {
            stub.script(ex -> content(ex, bytes("hellO"), "hello", "\"e1\""));
            FileContent c = source.openContent(VsrxFileId.of("f-1"));
            var e = catchThrowableOfType(ContentRejectedException.class, () -> c.stream().readAllBytes());
            assertThat(e).hasMessage("content does not match its declared SHA-256");
            assertThat(e.reason()).isEqualTo(SkipReason.CHECKSUM_MISMATCH);
            c.close();
        }

        @Test
        @DisplayName("issue 13: a body cut short by the server's close is a transient I/O failure, never a skip")
        void truncatedContentFailsWhileReading() throws IOException {
            String digest = ReprDigest.format(FixtureVsrxSource.hash(bytes("0123456789")));
            try (RawServer raw = new RawServer("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n"
                    + "Repr-Digest: " + digest + "\r\n\r\n01234")) {
                HttpVsrxSource s = source.newBuilder().baseUri(raw.baseUri()).readTimeout(Duration.ofSeconds(20))
                        .build();
                FileContent c = s.openContent(VsrxFileId.of("f-1"));
                var e = catchThrowableOfType(IOException.class, () -> c.stream().readAllBytes());
                assertThat(e).isNotInstanceOf(ContentRejectedException.class)
                        .hasMessage("content stream failed after 5 of 10 bytes")
                        .hasCauseInstanceOf(MalformedResponseException.class)
                        .hasRootCauseInstanceOf(java.io.EOFException.class);
                c.close();
            }
        }

        @Test
        @DisplayName("issue 13: a connection reset in the middle of a body is a transient I/O failure")
        void resetMidBodyFailsWhileReading() throws Exception {
            byte[] all = new byte[1 << 20];
            // the reset waits until the client has the headers: a reset that overtakes them fails openContent itself
            java.util.concurrent.CountDownLatch opened = new java.util.concurrent.CountDownLatch(1);
            try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
                Thread t = new Thread(() -> {
                    try (Socket s = server.accept()) {
                        readHead(s.getInputStream());
                        OutputStream out = s.getOutputStream();
                        out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + all.length + "\r\nRepr-Digest: "
                                + ReprDigest.format(FixtureVsrxSource.hash(all)) + "\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                        out.write(all, 0, 1000);
                        out.flush();
                        opened.await();
                        s.setSoLinger(true, 0); // close with RST
                    } catch (IOException e) {
                        // the client went away
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                t.setDaemon(true);
                t.start();
                HttpVsrxSource s = source.newBuilder().baseUri(URI.create("http://127.0.0.1:" + server.getLocalPort()))
                        .readTimeout(Duration.ofSeconds(20)).build();
                FileContent c;
                try {
                    c = s.openContent(VsrxFileId.of("f-1"));
                } finally {
                    opened.countDown();
                }
                var e = catchThrowableOfType(IOException.class, () -> c.stream().readAllBytes());
                assertThat(e).isNotInstanceOf(ContentRejectedException.class)
                        .hasMessageStartingWith("content stream failed after ")
                        .hasCauseInstanceOf(MalformedResponseException.class);
                c.close();
            }
        }

        @Test
        void aStalledDownloadFailsAfterTheReadTimeout() {
            stub.script(ex -> {
                ex.getResponseHeaders().set("Repr-Digest",
                        ReprDigest.format(FixtureVsrxSource.hash(bytes("0123456789"))));
                ex.sendResponseHeaders(200, 10);
                OutputStream os = ex.getResponseBody();
                os.write(bytes("01234"));
                os.flush();
                awaitRelease();
            });
            FileContent c = source.openContent(VsrxFileId.of("f-1"));
            InputStream in = c.stream();
            var e = catchThrowableOfType(IOException.class, in::readAllBytes);
            assertThat(e).hasMessageStartingWith("content stream failed after 5 of 10 bytes")
                    .hasRootCauseInstanceOf(java.net.http.HttpTimeoutException.class);
            c.close();
        }

        @Test
        void contentWhoseHeadersNeverArriveTimesOut() {
            // the content request is sent blocking (no thread per download): its own timeout still bounds the
            // wait for the headers, as for the listings (issue 13, bad input: a typed error, never a hang)
            stub.script(ex -> awaitRelease());
            HttpVsrxSource impatient = source.newBuilder().requestTimeout(Duration.ofMillis(300))
                    .readTimeout(Duration.ofSeconds(20)).build();
            assertThatThrownBy(() -> impatient.openContent(new VsrxFileId("f-1")))
                    .isInstanceOf(TransientSyncException.class)
                    .hasMessage("openContent timed out");
        }

        @Test
        @DisplayName("issue 13: headers trickling in byte by byte are still bounded by the request timeout")
        void headersTricklingInAreBoundedByTheRequestTimeout() throws Exception {
            try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
                Thread t = new Thread(() -> {
                    try (Socket s = server.accept()) {
                        readHead(s.getInputStream());
                        OutputStream out = s.getOutputStream();
                        for (byte b : bytes("HTTP/1.1 200 OK\r\nX-Slow: " + "x".repeat(200))) {
                            out.write(b);
                            out.flush();
                            if (release.await(100, TimeUnit.MILLISECONDS)) {
                                return;
                            }
                        }
                    } catch (IOException | InterruptedException e) {
                        // the client went away
                    }
                });
                t.setDaemon(true);
                t.start();
                HttpVsrxSource impatient = source.newBuilder()
                        .baseUri(URI.create("http://127.0.0.1:" + server.getLocalPort()))
                        .requestTimeout(Duration.ofMillis(600)).readTimeout(Duration.ofSeconds(20)).build();
                assertThatThrownBy(() -> impatient.openContent(new VsrxFileId("f-1")))
                        .isInstanceOf(TransientSyncException.class)
                        .hasMessage("openContent timed out");
            }
        }

        @Test
        void contentRequestInterruptedIsTransientAndKeepsTheInterrupt() throws Exception {
            CountDownLatch arrived = new CountDownLatch(1);
            stub.script(ex -> {
                arrived.countDown();
                awaitRelease();
            });
            HttpVsrxSource patient = source.newBuilder().readTimeout(Duration.ofSeconds(20)).build();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicBoolean interruptKept = new AtomicBoolean();
            Thread t = new Thread(() -> {
                try {
                    patient.openContent(new VsrxFileId("f-1"));
                } catch (Throwable e) {
                    thrown.set(e);
                    interruptKept.set(Thread.currentThread().isInterrupted());
                }
            });
            t.start();
            assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();
            t.interrupt();
            t.join(10_000);
            assertThat(thrown.get()).isInstanceOf(TransientSyncException.class).hasMessage("openContent interrupted");
            assertThat(interruptKept.get()).as("the interrupt is kept for the caller").isTrue();
        }

        @Test
        @DisplayName("an interrupt while the body is read fails the read with InterruptedIOException and is kept")
        void bodyReadInterruptedFailsAndKeepsTheInterrupt() throws Exception {
            stub.script(ex -> {
                ex.getResponseHeaders().set("Repr-Digest",
                        ReprDigest.format(FixtureVsrxSource.hash(bytes("0123456789"))));
                ex.sendResponseHeaders(200, 10);
                OutputStream os = ex.getResponseBody();
                os.write(bytes("01234"));
                os.flush();
                awaitRelease();
            });
            HttpVsrxSource patient = source.newBuilder().readTimeout(Duration.ofSeconds(2)).build();
            FileContent c = patient.openContent(VsrxFileId.of("f-1"));
            assertThat(c.stream().readNBytes(5)).hasSize(5);
            Thread.currentThread().interrupt();
            try {
                Throwable e = catchThrowable(() -> c.stream().read(new byte[10]));
                assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept for the caller").isTrue();
                assertThat(e).isInstanceOf(IOException.class).isNotInstanceOf(ContentRejectedException.class)
                        .hasRootCauseInstanceOf(InterruptedIOException.class);
            } finally {
                Thread.interrupted();
                c.close();
            }
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
            "no digest|-|\"e1\"|openContent: no Repr-Digest sha-256",
            "bad digest|sha-256=:AAAA:|\"e1\"|openContent: invalid Repr-Digest",
            "weak etag|ok|W/\"e1\"|openContent: ETag is not a strong entity tag",
            "unquoted etag|ok|e1|openContent: ETag is not a strong entity tag",
        })
        void contentWithBadHeadersIsMalformed(String name, String digest, String etag, String message) {
            stub.script(ex -> {
                if (digest.equals("ok")) {
                    ex.getResponseHeaders().set("Repr-Digest", ReprDigest.format(FixtureVsrxSource.hash(bytes("hello"))));
                } else if (!digest.equals("-")) {
                    ex.getResponseHeaders().set("Repr-Digest", digest);
                }
                content(ex, bytes("hello"), null, etag);
            });
            assertThatThrownBy(() -> source.openContent(VsrxFileId.of("f-1")))
                    .isInstanceOf(MalformedResponseException.class)
                    .hasMessage(message);
        }

        @Test
        void contentWithoutContentLengthIsMalformed() {
            stub.script(ex -> {
                ex.getResponseHeaders().set("Repr-Digest", ReprDigest.format(FixtureVsrxSource.hash(bytes("hello"))));
                ex.sendResponseHeaders(200, 0); // chunked
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(bytes("hello"));
                }
            });
            assertThatThrownBy(() -> source.openContent(VsrxFileId.of("f-1")))
                    .isInstanceOf(MalformedResponseException.class)
                    .hasMessage("openContent: no valid Content-Length");
        }

        @ParameterizedTest(name = "HTTP {0}")
        @CsvSource({"404", "410", "403", "401", "400"})
        void contentClientErrorsArePermanentWithStatus(int status) {
            stub.script(ex -> StubServer.send(ex, status, "application/json", "{\"error\":{\"code\":\"nope\",\"message\":\"y\"}}"));
            var e = catchThrowableOfType(PermanentSyncException.class, () -> source.openContent(VsrxFileId.of("f-1")));
            assertThat(e).isNotInstanceOf(MalformedResponseException.class)
                    .hasMessage("openContent refused: HTTP " + status + " nope");
            assertThat(e.statusCode()).hasValue(status);
            assertThat(e).as("only the protocol's own codes say a file is gone").isNotInstanceOf(FileGoneException.class);
        }

        @ParameterizedTest(name = "HTTP {0} {1}")
        @CsvSource({"404, file_not_found, false", "410, file_deleted, true"})
        @DisplayName("a file the server says is gone (404 file_not_found, 410 file_deleted) is a FileGoneException")
        void contentOfAGoneFileIsFileGone(int status, String code, boolean deleted) {
            stub.script(ex -> StubServer.send(ex, status, "application/json",
                    "{\"error\":{\"code\":\"" + code + "\",\"message\":\"y\"}}"));
            var e = catchThrowableOfType(FileGoneException.class, () -> source.openContent(VsrxFileId.of("f-1")));
            assertThat(e).hasMessage("openContent refused: HTTP " + status + " " + code);
            assertThat(e.statusCode()).hasValue(status);
            assertThat(e.markedDeleted()).isEqualTo(deleted);
        }

        @ParameterizedTest(name = "HTTP {0} {1}")
        @CsvSource({"404, not_found", "404, file_deleted", "410, file_not_found", "404, fileset_not_found",
                "403, file_not_found"})
        @DisplayName("a wrong route's 404, or a code on the wrong status, is not taken for a gone file")
        void otherRefusalsAreNotFileGone(int status, String code) {
            stub.script(ex -> StubServer.send(ex, status, "application/json",
                    "{\"error\":{\"code\":\"" + code + "\",\"message\":\"y\"}}"));
            var e = catchThrowableOfType(PermanentSyncException.class, () -> source.openContent(VsrxFileId.of("f-1")));
            assertThat(e).isNotInstanceOf(FileGoneException.class).hasMessage("openContent refused: HTTP " + status
                    + " " + code);
        }

        @Test
        @DisplayName("a 404 page without the protocol's JSON (a proxy, a load balancer) is not a gone file")
        void aNotFoundPageIsNotFileGone() {
            stub.script(ex -> StubServer.send(ex, 404, "text/html", "<html>Not Found</html>"));
            var e = catchThrowableOfType(PermanentSyncException.class, () -> source.openContent(VsrxFileId.of("f-1")));
            assertThat(e).isNotInstanceOf(FileGoneException.class);
            assertThat(e.statusCode()).hasValue(404);
        }

        @ParameterizedTest(name = "HTTP {0}")
        @CsvSource({"500", "502", "503", "408"})
        void contentServerErrorsAreTransient(int status) {
            stub.script(ex -> StubServer.send(ex, status, "text/html", "<html>down</html>"));
            var e = catchThrowableOfType(TransientSyncException.class, () -> source.openContent(VsrxFileId.of("f-1")));
            assertThat(e).hasMessage("openContent failed: HTTP " + status);
            assertThat(e.retryAfter()).isEmpty();
        }

        @Test
        void status429WithRetryAfterSecondsIsTransient() {
            stub.script(ex -> {
                ex.getResponseHeaders().set("Retry-After", "7");
                StubServer.send(ex, 429, "application/json", "{\"error\":{\"code\":\"rate_limited\",\"message\":\"slow\"}}");
            });
            var e = catchThrowableOfType(TransientSyncException.class, () -> source.openContent(VsrxFileId.of("f-1")));
            assertThat(e).hasMessage("openContent failed: HTTP 429 rate_limited");
            assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
        }

        @Test
        void status503WithRetryAfterDateIsTransientRelativeToTheClock() {
            String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(120).atZone(ZoneOffset.UTC));
            stub.script(ex -> {
                ex.getResponseHeaders().set("Retry-After", date);
                StubServer.send(ex, 503, "text/plain", "");
            });
            var e = catchThrowableOfType(TransientSyncException.class, () -> source.openContent(VsrxFileId.of("f-1")));
            assertThat(e).hasMessage("openContent failed: HTTP 503");
            assertThat(e.retryAfter()).contains(Duration.ofSeconds(120));
        }

        @Test
        void redirectsAreNotFollowed() {
            stub.script(ex -> {
                ex.getResponseHeaders().set("Location", "/v1/files/f-2/content");
                StubServer.send(ex, 302, null, "");
            });
            var e = catchThrowableOfType(MalformedResponseException.class, () -> source.openContent(VsrxFileId.of("f-1")));
            assertThat(e).hasMessage("openContent: unexpected HTTP status 302");
            assertThat(stub.requests).hasSize(1);
        }

        @Test
        void connectionRefusedIsTransient() throws IOException {
            URI dead;
            try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                dead = URI.create("http://127.0.0.1:" + s.getLocalPort());
            }
            HttpVsrxSource s = source.newBuilder().baseUri(dead).build();
            assertThatThrownBy(() -> s.openContent(VsrxFileId.of("f-1")))
                    .isInstanceOf(TransientSyncException.class)
                    .hasMessage("openContent: connection failed");
        }

        @Test
        @DisplayName("no file id or name in any message of a failure's chain (log safety)")
        void failuresNameNoFile() throws IOException {
            VsrxFileId id = VsrxFileId.of("Jane Doe scan.pdf");
            String encoded = "Jane%20Doe%20scan.pdf";
            for (int status : new int[] {404, 500, 302}) {
                stub.script(ex -> StubServer.send(ex, status, "text/plain", "no"));
                assertNamesNoFile(catchThrowable(() -> source.openContent(id)), id.value(), encoded);
            }
            URI dead;
            try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                dead = URI.create("http://127.0.0.1:" + s.getLocalPort());
            }
            assertNamesNoFile(catchThrowable(() -> source.newBuilder().baseUri(dead).build().openContent(id)),
                    id.value(), encoded);
            stub.script(ex -> awaitRelease());
            assertNamesNoFile(catchThrowable(() -> source.newBuilder().requestTimeout(Duration.ofMillis(200)).build()
                    .openContent(id)), id.value(), encoded);
        }

        private void assertNamesNoFile(Throwable e, String... names) {
            assertThat(e).isNotNull();
            for (Throwable c = e; c != null; c = c.getCause()) {
                for (String n : names) {
                    assertThat(String.valueOf(c.getMessage())).doesNotContain(n);
                }
            }
        }

        @Test
        @DisplayName("closing a partly read body releases its connection: the server sees it closed")
        void closingAPartlyReadBodyClosesTheConnection() throws Exception {
            CountDownLatch clientGone = new CountDownLatch(1);
            byte[] chunk = new byte[64 * 1024];
            long declared = 64L << 20;
            try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
                Thread t = new Thread(() -> {
                    try (Socket s = server.accept()) {
                        readHead(s.getInputStream());
                        OutputStream out = s.getOutputStream();
                        out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + declared + "\r\nRepr-Digest: "
                                + ReprDigest.format(FixtureVsrxSource.hash(chunk)) + "\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                        for (long sent = 0; sent < declared; sent += chunk.length) {
                            out.write(chunk);
                        }
                    } catch (IOException e) {
                        clientGone.countDown();
                    }
                });
                t.setDaemon(true);
                t.start();
                HttpVsrxSource s = source.newBuilder().baseUri(URI.create("http://127.0.0.1:" + server.getLocalPort()))
                        .readTimeout(Duration.ofSeconds(20)).build();
                FileContent c = s.openContent(VsrxFileId.of("f-1"));
                assertThat(c.stream().readNBytes(1000)).hasSize(1000);
                c.close();
                assertThat(clientGone.await(10, TimeUnit.SECONDS)).as("the server's writes fail: the connection is closed")
                        .isTrue();
            }
        }

        @Test
        @DisplayName("after a body read to the end and closed, and after a failed one, the next download works")
        void downloadsFollowOneAnother() throws IOException {
            stub.script(ex -> content(ex, bytes("hello"), "hello", null));
            for (int i = 0; i < 3; i++) {
                try (FileContent c = source.openContent(VsrxFileId.of("f-1"))) {
                    assertThat(c.stream().readAllBytes()).hasSize(5);
                }
            }
            stub.script(ex -> StubServer.send(ex, 404, "application/json", "{\"error\":{\"code\":\"gone\",\"message\":\"y\"}}"));
            assertThatThrownBy(() -> source.openContent(VsrxFileId.of("f-1"))).isInstanceOf(PermanentSyncException.class);
            stub.script(ex -> content(ex, bytes("again"), "again", null));
            try (FileContent c = source.openContent(VsrxFileId.of("f-1"))) {
                assertThat(c.stream().readAllBytes()).isEqualTo(bytes("again"));
            }
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static void content(com.sun.net.httpserver.HttpExchange ex, byte[] bytes, String digestOf, String etag)
            throws IOException {
        content(ex, bytes, digestOf, etag, null);
    }

    static void content(com.sun.net.httpserver.HttpExchange ex, byte[] bytes, String digestOf, String etag,
            com.silknote.sync.core.model.ContentHash digest) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/plain");
        if (digestOf != null) {
            ex.getResponseHeaders().set("Repr-Digest", ReprDigest.format(FixtureVsrxSource.hash(bytes(digestOf))));
        } else if (digest != null) {
            ex.getResponseHeaders().set("Repr-Digest", ReprDigest.format(digest));
        }
        if (etag != null) {
            ex.getResponseHeaders().set("ETag", etag);
        }
        ex.sendResponseHeaders(200, bytes.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(bytes);
        }
    }

    static void readHead(InputStream in) throws IOException {
        int state = 0;
        while (state < 4) {
            int c = in.read();
            if (c < 0) {
                return;
            }
            state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
    }
}
