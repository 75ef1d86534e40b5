package com.silknote.sync.vsrx.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.silknote.sync.core.exception.MalformedResponseException;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.Secret;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HttpVsrxSourceTest {
    static final String TOKEN = "token-aaaaaaaaaaaaaaaaaaaa";
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    static final String FS1 = "{\"id\":\"fs-1\",\"patientId\":\"P1\",\"silknotePatientUuid\":null,"
            + "\"previousPatientIds\":[],\"updatedAt\":\"2026-01-01T00:00:00Z\"}";
    static final String FS2 = FS1.replace("fs-1", "fs-2");
    static final String FILE1 = "{\"id\":\"f-1\",\"filesetId\":\"fs-1\",\"path\":\"notes/a.txt\",\"size\":5,"
            + "\"mimeType\":\"text/plain\",\"modifiedAt\":\"2026-01-01T00:00:00Z\",\"etag\":\"e1\",\"sha256\":null,"
            + "\"deleted\":false}";

    final StubServer stub;
    final HttpVsrxSource source;
    final CountDownLatch release = new CountDownLatch(1);

    HttpVsrxSourceTest() throws IOException {
        stub = new StubServer();
        source = HttpVsrxSource.builder()
                .baseUri(stub.baseUri())
                .token(Secret.of(TOKEN))
                .connectTimeout(Duration.ofSeconds(2))
                .requestTimeout(Duration.ofSeconds(10))
                .readTimeout(Duration.ofMillis(300))
                .maxJsonBytes(4096)
                .clock(Clock.fixed(NOW, ZoneOffset.UTC))
                .build();
    }

    @AfterEach
    void stop() {
        release.countDown();
        stub.close();
    }

    static String page(String items, String next) {
        return "{\"items\":[" + items + "],\"nextCursor\":" + (next == null ? "null" : "\"" + next + "\"") + "}";
    }

    @Test
    void readsAPageAndSendsTheBearerToken() {
        stub.script(ex -> StubServer.json(ex, page(FS1 + "," + FS2, "abc")));
        var p = source.listFilesets(PageRequest.first(2).changedSince(Instant.parse("2026-01-01T00:00:00Z")));
        assertThat(p.items()).extracting(f -> f.id().value()).containsExactly("fs-1", "fs-2");
        assertThat(p.nextCursor()).contains("abc");
        assertThat(stub.authorizations).containsOnly("Bearer " + TOKEN);
        assertThat(stub.requests.get(0)).isEqualTo("GET /v1/filesets?limit=2&changedSince=2026-01-01T00%3A00%3A00Z");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "not json|not json at all|body is not valid JSON",
        "empty body| |body is empty",
        "array instead of object|[]|page is not a JSON object",
        "trailing garbage|{\"items\":[],\"nextCursor\":null} x|body is not valid JSON",
        "duplicate key|{\"items\":[],\"items\":[],\"nextCursor\":null}|body is not valid JSON",
        "no items|{\"nextCursor\":null}|page lacks field 'items'",
        "no nextCursor|{\"items\":[]}|page lacks field 'nextCursor'",
        "items not array|{\"items\":{},\"nextCursor\":null}|page field 'items' is not an array",
        "cursor not string|{\"items\":[],\"nextCursor\":5}|page field 'nextCursor' is not a string",
        "cursor malformed|{\"items\":[],\"nextCursor\":\"a/b\"}|nextCursor is malformed",
        "missing id|{\"items\":[{\"patientId\":\"P\",\"previousPatientIds\":[],\"updatedAt\":\"2026-01-01T00:00:00Z\"}],\"nextCursor\":null}|fileset lacks field 'id'",
        "missing patientId|{\"items\":[{\"id\":\"fs-1\",\"previousPatientIds\":[],\"updatedAt\":\"2026-01-01T00:00:00Z\"}],\"nextCursor\":null}|fileset lacks field 'patientId'",
        "id wrong type|{\"items\":[{\"id\":7,\"patientId\":\"P\",\"previousPatientIds\":[],\"updatedAt\":\"2026-01-01T00:00:00Z\"}],\"nextCursor\":null}|fileset field 'id' is not a string",
        "blank id|{\"items\":[{\"id\":\" \",\"patientId\":\"P\",\"previousPatientIds\":[],\"updatedAt\":\"2026-01-01T00:00:00Z\"}],\"nextCursor\":null}|fileset field 'id' has an invalid value",
        "bad date|{\"items\":[{\"id\":\"fs-1\",\"patientId\":\"P\",\"previousPatientIds\":[],\"updatedAt\":\"yesterday\"}],\"nextCursor\":null}|fileset field 'updatedAt' is not an ISO-8601 date-time",
        "history not array|{\"items\":[{\"id\":\"fs-1\",\"patientId\":\"P\",\"previousPatientIds\":\"P0\",\"updatedAt\":\"2026-01-01T00:00:00Z\"}],\"nextCursor\":null}|fileset field 'previousPatientIds' is not an array",
        "bad uuid|{\"items\":[{\"id\":\"fs-1\",\"patientId\":\"P\",\"silknotePatientUuid\":\"nope\",\"previousPatientIds\":[],\"updatedAt\":\"2026-01-01T00:00:00Z\"}],\"nextCursor\":null}|fileset field 'silknotePatientUuid' has an invalid value",
    })
    void malformedListingsAreMalformedResponses(String name, String body, String message) {
        stub.script(ex -> StubServer.json(ex, body == null ? "" : body));
        assertThatThrownBy(() -> source.listFilesets(PageRequest.first(10)))
                .isInstanceOf(MalformedResponseException.class)
                .hasMessageContaining(message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "size as string|\"size\":5|\"size\":\"5\"|file field 'size' is not an integer",
        "size negative|\"size\":5|\"size\":-1|file field 'size' is negative",
        "size fractional|\"size\":5|\"size\":5.5|file field 'size' is not an integer",
        "size fraction in exponent|\"size\":5|\"size\":2.9705e3|file field 'size' is not an integer",
        "size out of range|\"size\":5|\"size\":1e19|file field 'size' is not an integer",
        "size huge|\"size\":5|\"size\":99999999999999999999999|file field 'size' is not an integer",
        "size negative fraction|\"size\":5|\"size\":-1.0|file field 'size' is negative",
        "deleted as string|\"deleted\":false|\"deleted\":\"false\"|file field 'deleted' is not a boolean",
        "no deleted|,\"deleted\":false|''|file lacks field 'deleted'",
        "no path|\"path\":\"notes/a.txt\",|''|file lacks field 'path'",
        "bad sha|\"sha256\":null|\"sha256\":\"xyz\"|file field 'sha256' has an invalid value",
        "etag number|\"etag\":\"e1\"|\"etag\":1|file field 'etag' is not a string",
        "other fileset|\"filesetId\":\"fs-1\"|\"filesetId\":\"fs-9\"|listing holds a file of another fileset",
    })
    void malformedFileListingsAreMalformedResponses(String name, String from, String to, String message) {
        String file = FILE1.replace(from, to);
        stub.script(ex -> StubServer.json(ex, page(file, null)));
        assertThatThrownBy(() -> source.listFiles(FilesetId.of("fs-1"), PageRequest.first(10)))
                .isInstanceOf(MalformedResponseException.class)
                .hasMessageContaining(message);
    }

    @ParameterizedTest(name = "size written as {0}")
    @CsvSource({"2970.0", "2.97e3", "2.97E+3", "2970", "29700e-1"})
    @org.junit.jupiter.api.DisplayName("issue 9.7: an integral JSON number with a fraction or exponent is an integer")
    void integralNumbersWithAFractionOrExponentAreIntegers(String written) {
        String file = FILE1.replace("\"size\":5", "\"size\":" + written);
        stub.script(ex -> StubServer.json(ex, page(file, null)));
        assertThat(source.listFiles(FilesetId.of("fs-1"), PageRequest.first(10)).items())
                .singleElement().satisfies(f -> assertThat(f.size()).isEqualTo(2970));
    }

    @Test
    @org.junit.jupiter.api.DisplayName("issue 9.4: a page's serverTime is read; a page without one has none")
    void serverTimeOfAPageIsRead() {
        stub.script(ex -> StubServer.json(ex, "{\"items\":[" + FS1 + "],\"nextCursor\":null,"
                + "\"serverTime\":\"2026-01-01T00:00:05.123Z\"}"));
        assertThat(source.listFilesets(PageRequest.first(10)).serverTime())
                .contains(Instant.parse("2026-01-01T00:00:05.123Z"));
        stub.script(ex -> StubServer.json(ex, page(FS1, null)));
        assertThat(source.listFilesets(PageRequest.first(10)).serverTime()).isEmpty();
        stub.script(ex -> StubServer.json(ex, "{\"items\":[],\"nextCursor\":null,\"serverTime\":\"soon\"}"));
        assertThatThrownBy(() -> source.listFilesets(PageRequest.first(10)))
                .isInstanceOf(MalformedResponseException.class).hasMessageContaining("serverTime");
    }

    @Test
    void htmlOn200IsMalformed() {
        stub.script(ex -> StubServer.send(ex, 200, "text/html", "<html><body>Login</body></html>"));
        assertThatThrownBy(() -> source.listFilesets(PageRequest.first(10)))
                .isInstanceOf(MalformedResponseException.class)
                .hasMessage("listFilesets: response is not application/json");
    }

    @Test
    void html502PageIsTransient() {
        stub.script(ex -> StubServer.send(ex, 502, "text/html", "<html><h1>502 Bad Gateway</h1></html>"));
        var e = catchThrowableOfType(TransientSyncException.class, () -> source.listFilesets(PageRequest.first(10)));
        assertThat(e).hasMessage("listFilesets failed: HTTP 502");
        assertThat(e.retryAfter()).isEmpty();
    }

    /**
     * A body cut short by a closed connection is a typed error, never data. Which one depends on when the JDK
     * client sees the close: after it handed the body to the reader, it is malformed ("body truncated"); before
     * (headers and the short body in one read), the client fails the exchange itself, which it cannot tell
     * from a reset, so it is a transient transport failure. Both fail the call; neither yields a page.
     */
    @Test
    void truncatedJsonBodyIsATypedFailure() throws IOException {
        String body = page(FS1, null);
        try (RawServer raw = new RawServer("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                + (body.length() + 100) + "\r\n\r\n" + body)) {
            HttpVsrxSource s = source.newBuilder().baseUri(raw.baseUri()).build();
            Throwable e = catchThrowable(() -> s.listFilesets(PageRequest.first(10)));
            assertThat(e).isInstanceOfAny(MalformedResponseException.class, TransientSyncException.class);
            if (e instanceof MalformedResponseException) {
                assertThat(e).hasMessage("listFilesets: body truncated or unreadable");
            } else {
                assertThat(e).hasMessage("listFilesets: I/O failure (IOException)");
            }
        }
    }

    @Test
    void oversizedJsonBodyIsMalformed() {
        stub.script(ex -> StubServer.json(ex, page(FS1, null) + " ".repeat(5000)));
        assertThatThrownBy(() -> source.listFilesets(PageRequest.first(10)))
                .isInstanceOf(MalformedResponseException.class)
                .hasMessage("listFilesets: body larger than 4096 bytes");
    }

    @Test
    void pageBiggerThanLimitIsMalformed() {
        stub.script(ex -> StubServer.json(ex, page(FS1 + "," + FS2, null)));
        assertThatThrownBy(() -> source.listFilesets(PageRequest.first(1)))
                .isInstanceOf(MalformedResponseException.class)
                .hasMessage("listFilesets: page holds 2 items, more than the limit 1");
    }

    @Test
    void duplicateIdsInAPageAreMalformed() {
        stub.script(ex -> StubServer.json(ex, page(FS1 + "," + FS1, null)));
        assertThatThrownBy(() -> source.listFilesets(PageRequest.first(10)))
                .isInstanceOf(MalformedResponseException.class)
                .hasMessage("listFilesets: page ids are duplicated or out of order");
    }

    @Test
    void aCursorPointingAtItselfIsALoop() {
        stub.script(ex -> StubServer.json(ex, page(FS1, "abc")));
        var first = source.listFilesets(PageRequest.first(10));
        assertThatThrownBy(() -> source.listFilesets(PageRequest.first(10).next(first.nextCursor().orElseThrow())))
                .isInstanceOf(MalformedResponseException.class)
                .hasMessage("listFilesets: cursor loop");
    }

    @Test
    void aPageRepeatingEarlierIdsIsALoop() {
        stub.script(ex -> StubServer.json(ex, ex.getRequestURI().getQuery().contains("cursor=c1")
                ? page(FS1, "c2") : page(FS1 + "," + FS2, "c1")));
        var first = source.listFilesets(PageRequest.first(10));
        assertThatThrownBy(() -> source.listFilesets(PageRequest.first(10).next(first.nextCursor().orElseThrow())))
                .isInstanceOf(MalformedResponseException.class)
                .hasMessage("listFilesets: page repeats ids of an earlier page (cursor loop or duplicates)");
    }

    @Test
    void emptyPagesCyclingBetweenCursorsAreALoop() {
        stub.script(ex -> {
            String q = ex.getRequestURI().getQuery();
            StubServer.json(ex, q.contains("cursor=c1") ? page("", "c2") : q.contains("cursor=c2") ? page("", "c1")
                    : page(FS1, "c1"));
        });
        PageRequest r = PageRequest.first(10);
        var p1 = source.listFilesets(r);
        var p2 = source.listFilesets(r.next(p1.nextCursor().orElseThrow()));
        assertThatThrownBy(() -> source.listFilesets(r.next(p2.nextCursor().orElseThrow())))
                .isInstanceOf(MalformedResponseException.class)
                .hasMessage("listFilesets: cursor loop");
    }

    @Test
    void status429WithRetryAfterSecondsIsTransient() {
        stub.script(ex -> {
            ex.getResponseHeaders().set("Retry-After", "7");
            StubServer.send(ex, 429, "application/json", "{\"error\":{\"code\":\"rate_limited\",\"message\":\"slow down\"}}");
        });
        var e = catchThrowableOfType(TransientSyncException.class, () -> source.listFilesets(PageRequest.first(10)));
        assertThat(e).hasMessage("listFilesets failed: HTTP 429 rate_limited");
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
    }

    @Test
    void status503WithRetryAfterDateIsTransientRelativeToTheClock() {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(120).atZone(ZoneOffset.UTC));
        stub.script(ex -> {
            ex.getResponseHeaders().set("Retry-After", date);
            StubServer.send(ex, 503, "text/plain", "busy");
        });
        var e = catchThrowableOfType(TransientSyncException.class, () -> source.findFileset(FilesetId.of("fs-1")));
        assertThat(e).hasMessage("findFileset failed: HTTP 503");
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(120));
    }

    @ParameterizedTest
    @CsvSource({"401", "403", "404", "400", "410"})
    void clientErrorsArePermanentWithStatus(int status) {
        stub.script(ex -> StubServer.send(ex, status, "application/json", "{\"error\":{\"code\":\"nope\",\"message\":\"x\"}}"));
        var e = catchThrowableOfType(PermanentSyncException.class, () -> source.listFilesets(PageRequest.first(10)));
        assertThat(e).isNotInstanceOf(MalformedResponseException.class)
                .hasMessage("listFilesets refused: HTTP " + status + " nope");
        assertThat(e.statusCode()).hasValue(status);
    }

    @Test
    void redirectsAreNotFollowed() {
        stub.script(ex -> {
            ex.getResponseHeaders().set("Location", "http://elsewhere.invalid/");
            StubServer.send(ex, 302, null, "");
        });
        var e = catchThrowableOfType(MalformedResponseException.class, () -> source.listFilesets(PageRequest.first(10)));
        assertThat(e).hasMessage("listFilesets: unexpected HTTP status 302");
        assertThat(stub.requests).hasSize(1);
    }

    @Test
    void findFilesetMapsNotFoundCodeToEmptyButOther404sToPermanent() {
        stub.script(ex -> StubServer.send(ex, 404, "application/json",
                "{\"error\":{\"code\":\"fileset_not_found\",\"message\":\"no such fileset\"}}"));
        assertThat(source.findFileset(FilesetId.of("fs-1"))).isEmpty();
        stub.script(ex -> StubServer.send(ex, 404, "text/html", "<html>Not Found</html>"));
        var e = catchThrowableOfType(PermanentSyncException.class, () -> source.findFileset(FilesetId.of("fs-1")));
        assertThat(e.statusCode()).hasValue(404);
    }

    @Test
    void findFilesetRejectsAnAnswerAboutAnotherFileset() {
        stub.script(ex -> StubServer.json(ex, FS2));
        assertThatThrownBy(() -> source.findFileset(FilesetId.of("fs-1")))
                .isInstanceOf(MalformedResponseException.class)
                .hasMessage("findFileset: response describes another fileset");
    }

    @Test
    void idsAreEscapedInThePath() {
        stub.script(ex -> StubServer.json(ex, FS1.replace("\"fs-1\"", "\"fs/1 ä?\"")));
        assertThat(source.findFileset(FilesetId.of("fs/1 ä?"))).isPresent();
        assertThat(stub.requests.get(0)).isEqualTo("GET /v1/filesets/fs%2F1%20%C3%A4%3F");
    }

    @Test
    void connectionRefusedIsTransient() throws IOException {
        URI dead;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            dead = URI.create("http://127.0.0.1:" + s.getLocalPort());
        }
        HttpVsrxSource s = source.newBuilder().baseUri(dead).build();
        assertThatThrownBy(() -> s.listFilesets(PageRequest.first(10)))
                .isInstanceOf(TransientSyncException.class)
                .hasMessageStartingWith("listFilesets");
    }

    /** Holds a stub exchange until the test releases it (at most 10 s), as a server that stops answering. */
    private void awaitRelease() {
        try {
            release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aServerThatNeverAnswersTimesOut() {
        stub.script(ex -> awaitRelease());
        HttpVsrxSource impatient = source.newBuilder().requestTimeout(Duration.ofMillis(300)).build();
        assertThatThrownBy(() -> impatient.listFilesets(PageRequest.first(10)))
                .isInstanceOf(TransientSyncException.class)
                .hasMessage("listFilesets timed out");
    }

    @Test
    void configRejectsBadSettings() {
        assertThatThrownBy(() -> HttpVsrxSource.builder().baseUri(URI.create("ftp://x")).token(Secret.of(TOKEN)).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpVsrxSource.builder().baseUri(URI.create("http://x")).token(Secret.of("short")).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpVsrxSource.builder().baseUri(URI.create("http://x?q=1")).token(Secret.of(TOKEN)).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpVsrxSource.builder().token(Secret.of(TOKEN)).build())
                .isInstanceOf(IllegalStateException.class);
        assertThat(HttpVsrxSourceConfig.of(URI.create("http://x"), Secret.of(TOKEN)).toString()).doesNotContain(TOKEN);
    }
}
