package com.silknote.sync.vsrx.http;

import static com.silknote.sync.vsrx.http.Responses.call;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.exception.FileGoneException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.port.VsrxSource;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class VsrxHttpHandlerTest {
    static final String TOKEN = "token-aaaaaaaaaaaaaaaaaaaa";
    static final String OLD_TOKEN = "token-bbbbbbbbbbbbbbbbbbbb";
    static final String BEARER = "Bearer " + TOKEN;

    final FixtureVsrxSource data = new FixtureVsrxSource()
            .fileset("fs-1", FixtureVsrxSource.T0)
            .fileset("fs-2", FixtureVsrxSource.T0.plusSeconds(3600))
            .file("fs-1", "f-1", "notes/a.txt", "hello", Optional.of("e1"), false)
            .file("fs-1", "f-2", "notes/b.txt", "world!", Optional.of("has \"quotes\""), false)
            .file("fs-1", "f-3", "notes/../../etc/passwd", "secret", Optional.of("e3"), false)
            .file("fs-1", "f-4", "notes/gone.txt", "bye", Optional.of("e4"), true)
            .file("fs-1", "f-5", "other/c.txt", "outside", Optional.empty(), false)
            .file("fs-1", "f-6", "notes/no-etag.txt", "plain", Optional.empty(), false);

    final VsrxHttpHandler handler = VsrxHttpHandler.builder()
            .source(data)
            .acceptedTokens(List.of(Secret.of(TOKEN), Secret.of(OLD_TOKEN)))
            .clock(Clock.fixed(FixtureVsrxSource.T0, ZoneOffset.UTC))
            .build();

    @ParameterizedTest
    @ValueSource(strings = {"", "Bearer wrong-token-xxxxxxxxxxx", "Basic dXNlcjpwYXNz", "Bearer",
            "token-aaaaaaaaaaaaaaaaaaaa", "Bearer token-aaaaaaaaaaaaaaaaaaa"})
    void badTokensGet401AndTouchNothing(String authorization) {
        var a = authorization.isEmpty() ? call(handler, "GET", "/v1/filesets", null)
                : call(handler, "GET", "/v1/filesets", null, "Authorization", authorization);
        assertThat(a.status()).isEqualTo(401);
        assertThat(a.errorCode()).isEqualTo("unauthorized");
        assertThat(a.headers()).containsEntry("WWW-Authenticate", "Bearer realm=\"vsrx\"");
        assertThat(data.calls).hasValue(0);
    }

    @Test
    void twoAuthorizationHeadersAreRefused() {
        var a = call(handler, "GET", "/v1/filesets", null, "Authorization", BEARER, "Authorization", BEARER);
        assertThat(a.status()).isEqualTo(401);
        assertThat(data.calls).hasValue(0);
    }

    @Test
    void everyAcceptedTokenWorksForRotationAndSchemeIsCaseInsensitive() {
        assertThat(call(handler, "GET", "/v1/filesets", null, "Authorization", "Bearer " + OLD_TOKEN).status())
                .isEqualTo(200);
        assertThat(call(handler, "GET", "/v1/filesets", null, "authorization", "bearer " + TOKEN).status())
                .isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/v1", "/v1/", "/v1/filesets/", "/v2/filesets", "/v1/files/f-1/",
            "/v1/files/f-1/content/", "/v1/filesets/fs-1/files/f-1", "/v1/filesets/fs-1/files/", "/V1/filesets",
            "/v1/files", "/v1/filesets/fs-1/file", "/v1/filesets//files", "/v1/files//content", "//v1/filesets"})
    void unknownRoutesGet404(String path) {
        var a = call(handler, "GET", path, null, "Authorization", BEARER);
        assertThat(a.status()).isEqualTo(404);
        assertThat(a.errorCode()).isEqualTo("not_found");
        assertThat(data.calls).hasValue(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"})
    void wrongMethodsGet405(String method) {
        for (String path : List.of("/v1/filesets", "/v1/filesets/fs-1", "/v1/filesets/fs-1/files",
                "/v1/files/f-1/content")) {
            var a = call(handler, method, path, null, "Authorization", BEARER);
            assertThat(a.status()).as(method + " " + path).isEqualTo(405);
            assertThat(a.errorCode()).isEqualTo("method_not_allowed");
            assertThat(a.headers()).containsEntry("Allow", "GET");
        }
        // The write-only routes of bi-directional sync (issue 14): nothing is allowed without a target.
        for (String path : List.of("/v1/files/f-1", "/v1/fence")) {
            var a = call(handler, method, path, null, "Authorization", BEARER);
            assertThat(a.status()).as(method + " " + path).isEqualTo(405);
            assertThat(a.headers()).containsEntry("Allow", "");
        }
        assertThat(data.calls).hasValue(0);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "limit=0|invalid_limit",
        "limit=1001|invalid_limit",
        "limit=-1|invalid_limit",
        "limit=abc|invalid_limit",
        "limit=|invalid_limit",
        "limit=1.5|invalid_limit",
        "limit=99999999999|invalid_limit",
        "limit=%ZZ|invalid_limit",
        "cursor=|invalid_cursor",
        "cursor=a+b|invalid_cursor",
        "cursor=a%2Fb|invalid_cursor",
        "cursor=x|invalid_cursor",
        "cursor=_w|invalid_cursor",
        "changedSince=yesterday|invalid_changed_since",
        "changedSince=2026-01-01|invalid_changed_since",
        "changedSince=2026-01-01T00:00:00|invalid_changed_since",
        "changedSince=2026-13-01T00:00:00Z|invalid_changed_since",
        "changedSince=|invalid_changed_since",
        "limit=5&limit=6|duplicate_parameter",
        "foo=1|unknown_parameter",
        "LIMIT=5|unknown_parameter",
        "limit|invalid_query",
        "limit=5&&cursor=abc|invalid_query",
        "=5|invalid_query",
        "%ZZ=1|invalid_query"
    })
    void badListingParametersGet400WithTheirCodeAndTouchNothing(String query, String code) {
        for (String path : List.of("/v1/filesets", "/v1/filesets/fs-1/files")) {
            var a = call(handler, "GET", path, query, "Authorization", BEARER);
            assertThat(a.status()).as(path + "?" + query).isEqualTo(400);
            assertThat(a.errorCode()).as(path + "?" + query).isEqualTo(code);
        }
        assertThat(data.calls).hasValue(0);
    }

    @Test
    void aCursorTheDataPortRejectsIs400NotA500() {
        String bad = Base64.getUrlEncoder().withoutPadding().encodeToString("!nope".getBytes(StandardCharsets.UTF_8));
        var a = call(handler, "GET", "/v1/filesets", "cursor=" + bad, "Authorization", BEARER);
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.errorCode()).isEqualTo("invalid_cursor");
    }

    @Test
    void routesWithoutParametersRejectAnyQueryParameter() {
        assertThat(call(handler, "GET", "/v1/filesets/fs-1", "limit=5", "Authorization", BEARER).errorCode())
                .isEqualTo("unknown_parameter");
        assertThat(call(handler, "GET", "/v1/files/f-1/content", "x=1", "Authorization", BEARER).errorCode())
                .isEqualTo("unknown_parameter");
        assertThat(data.calls).hasValue(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/filesets/%20", "/v1/filesets/%ZZ", "/v1/filesets/%00/files", "/v1/files/a%0Ab/content",
            "/v1/filesets/%C3%28", "/v1/filesets/%09/files"})
    void badIdsGet400(String path) {
        var a = call(handler, "GET", path, null, "Authorization", BEARER);
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.errorCode()).isEqualTo("invalid_id");
        assertThat(data.calls).hasValue(0);
    }

    @Test
    void tooLongIdIs400() {
        var a = call(handler, "GET", "/v1/filesets/" + "x".repeat(257), null, "Authorization", BEARER);
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.errorCode()).isEqualTo("invalid_id");
    }

    @Test
    void unknownIdsGet404WithTheirCode() {
        assertThat(call(handler, "GET", "/v1/filesets/nope", null, "Authorization", BEARER).errorCode())
                .isEqualTo("fileset_not_found");
        var files = call(handler, "GET", "/v1/filesets/nope/files", null, "Authorization", BEARER);
        assertThat(files.status()).isEqualTo(404);
        assertThat(files.errorCode()).isEqualTo("fileset_not_found");
        var content = call(handler, "GET", "/v1/files/nope/content", null, "Authorization", BEARER);
        assertThat(content.status()).isEqualTo(404);
        assertThat(content.errorCode()).isEqualTo("file_not_found");
    }

    @Test
    void listsFilesetsWithPagingAndChangedSince() {
        var first = call(handler, "GET", "/v1/filesets", "limit=1", "Authorization", BEARER);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.headers()).containsEntry("Content-Type", "application/json");
        assertThat(first.json().get("items")).hasSize(1);
        assertThat(first.json().get("items").get(0).get("id").asText()).isEqualTo("fs-1");
        String cursor = first.json().get("nextCursor").asText();
        var second = call(handler, "GET", "/v1/filesets", "limit=1&cursor=" + cursor, "Authorization", BEARER);
        assertThat(second.json().get("items").get(0).get("id").asText()).isEqualTo("fs-2");
        assertThat(second.json().get("nextCursor").isNull()).isTrue();

        var changed = call(handler, "GET", "/v1/filesets", "changedSince=2026-01-01T00%3A30%3A00%2B00%3A00",
                "Authorization", BEARER);
        assertThat(changed.json().get("items")).hasSize(1);
        assertThat(changed.json().get("items").get(0).get("id").asText()).isEqualTo("fs-2");
    }

    @Test
    @org.junit.jupiter.api.DisplayName("issue 9.4: listing pages carry VSRX's clock as serverTime")
    void listingPagesCarryTheServerTime() {
        var filesets = call(handler, "GET", "/v1/filesets", "limit=1", "Authorization", BEARER);
        assertThat(filesets.json().get("serverTime").asText()).isEqualTo(FixtureVsrxSource.T0.toString());
        var files = call(handler, "GET", "/v1/filesets/fs-1/files", null, "Authorization", BEARER);
        assertThat(files.json().get("serverTime").asText()).isEqualTo(FixtureVsrxSource.T0.toString());
    }

    @Test
    @org.junit.jupiter.api.DisplayName("issue 9.4: a data port's own server time is passed on")
    void aDataPortsServerTimeIsPassedOn() {
        java.time.Instant vsrxTime = FixtureVsrxSource.T0.minusSeconds(5);
        VsrxSource timed = new VsrxSource() {
            @Override
            public Page<VsrxFileset> listFilesets(PageRequest request) {
                return data.listFilesets(request).withServerTime(vsrxTime);
            }

            @Override
            public Optional<VsrxFileset> findFileset(FilesetId id) {
                return data.findFileset(id);
            }

            @Override
            public Page<VsrxFile> listFiles(FilesetId id, PageRequest request) {
                return data.listFiles(id, request).withServerTime(vsrxTime);
            }

            @Override
            public FileContent openContent(VsrxFileId id) {
                return data.openContent(id);
            }
        };
        VsrxHttpHandler h = VsrxHttpHandler.builder().source(timed).acceptedToken(Secret.of(TOKEN))
                .clock(Clock.fixed(FixtureVsrxSource.T0, ZoneOffset.UTC)).build();
        assertThat(call(h, "GET", "/v1/filesets", null, "Authorization", BEARER).json().get("serverTime").asText())
                .isEqualTo(vsrxTime.toString());
    }

    @Test
    void servesContentWithLengthDigestAndEtag() {
        var a = call(handler, "GET", "/v1/files/f-1/content", null, "Authorization", BEARER);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.text()).isEqualTo("hello");
        assertThat(a.headers()).containsEntry("ETag", "\"e1\"")
                .containsEntry("Repr-Digest", "sha-256=:LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=:")
                .containsEntry("Content-Type", "text/plain")
                .containsEntry("Accept-Ranges", "bytes");
    }

    @Test
    void spoolsContentWhenTheDataPortDeclaresNoLengthOrDigest() {
        data.declareContentMetadata = false;
        var a = call(handler, "GET", "/v1/files/f-2/content", null, "Authorization", BEARER);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.text()).isEqualTo("world!");
        assertThat(a.headers().get("Repr-Digest")).isEqualTo(
                com.silknote.sync.vsrx.http.internal.ReprDigest.format(FixtureVsrxSource.hash("world!".getBytes(StandardCharsets.UTF_8))));
        assertThat(a.headers().get("ETag")).startsWith("\"b64.");
    }

    @Test
    void conditionalRequests() {
        var notModified = call(handler, "GET", "/v1/files/f-1/content", null, "Authorization", BEARER,
                "If-None-Match", "\"zz\", \"e1\"");
        assertThat(notModified.status()).isEqualTo(304);
        assertThat(notModified.body()).isEmpty();
        assertThat(notModified.headers()).containsEntry("ETag", "\"e1\"");

        var failed = call(handler, "GET", "/v1/files/f-1/content", null, "Authorization", BEARER, "If-Match", "\"e0\"");
        assertThat(failed.status()).isEqualTo(412);
        assertThat(failed.errorCode()).isEqualTo("precondition_failed");

        var matched = call(handler, "GET", "/v1/files/f-1/content", null, "Authorization", BEARER, "If-Match", "\"e1\"");
        assertThat(matched.status()).isEqualTo(200);
        assertThat(matched.text()).isEqualTo("hello");

        var noEtag = call(handler, "GET", "/v1/files/f-6/content", null, "Authorization", BEARER, "If-Match", "\"x\"");
        assertThat(noEtag.status()).isEqualTo(412);
        assertThat(noEtag.headers()).doesNotContainKey("ETag");
    }

    @Test
    void byteRanges() {
        var part = call(handler, "GET", "/v1/files/f-1/content", null, "Authorization", BEARER, "Range", "bytes=1-3");
        assertThat(part.status()).isEqualTo(206);
        assertThat(part.text()).isEqualTo("ell");
        assertThat(part.headers()).containsEntry("Content-Range", "bytes 1-3/5");
        var suffix = call(handler, "GET", "/v1/files/f-1/content", null, "Authorization", BEARER, "Range", "bytes=-2");
        assertThat(suffix.text()).isEqualTo("lo");
        var open = call(handler, "GET", "/v1/files/f-1/content", null, "Authorization", BEARER, "Range", "bytes=3-");
        assertThat(open.text()).isEqualTo("lo");
        var beyond = call(handler, "GET", "/v1/files/f-1/content", null, "Authorization", BEARER, "Range", "bytes=5-");
        assertThat(beyond.status()).isEqualTo(416);
        assertThat(beyond.errorCode()).isEqualTo("range_not_satisfiable");
        assertThat(beyond.headers()).containsEntry("Content-Range", "bytes */5");
        var multi = call(handler, "GET", "/v1/files/f-1/content", null, "Authorization", BEARER, "Range", "bytes=0-1,3-4");
        assertThat(multi.status()).isEqualTo(200);
        var staleIfRange = call(handler, "GET", "/v1/files/f-1/content", null, "Authorization", BEARER,
                "Range", "bytes=1-3", "If-Range", "\"old\"");
        assertThat(staleIfRange.status()).isEqualTo(200);
        assertThat(staleIfRange.text()).isEqualTo("hello");
    }

    @Test
    @DisplayName("a file the data port finds gone after the lookup: 404 file_not_found, or 410 file_deleted")
    void aFileGoneAfterTheLookupGetsItsCode() {
        data.contentFailures.put(VsrxFileId.of("f-1"), FileGoneException.deleted());
        var deleted = call(handler, "GET", "/v1/files/f-1/content", null, "Authorization", BEARER);
        assertThat(deleted.status()).isEqualTo(410);
        assertThat(deleted.errorCode()).isEqualTo("file_deleted");
        data.contentFailures.put(VsrxFileId.of("f-1"), FileGoneException.notFound());
        var gone = call(handler, "GET", "/v1/files/f-1/content", null, "Authorization", BEARER);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.errorCode()).isEqualTo("file_not_found");
    }

    @Test
    void deletedFilesAreGone() {
        var a = call(handler, "GET", "/v1/files/f-4/content", null, "Authorization", BEARER);
        assertThat(a.status()).isEqualTo(410);
        assertThat(a.errorCode()).isEqualTo("file_deleted");
    }

    @Test
    void neverServesAFileWhosePathIsNotInsideNotes() {
        for (String id : List.of("f-3", "f-5")) {
            int before = data.calls.get();
            var a = call(handler, "GET", "/v1/files/" + id + "/content", null, "Authorization", BEARER);
            assertThat(a.status()).isEqualTo(403);
            assertThat(a.errorCode()).isEqualTo("path_rejected");
            assertThat(a.text()).doesNotContain("passwd").doesNotContain("secret").doesNotContain("outside");
            // listings were scanned to find the file, but its content was never opened
            assertThat(data.calls.get()).isGreaterThan(before);
        }
    }

    @Test
    void transientDataPortFailureIs503WithRetryAfter() {
        VsrxSource failing = new VsrxSource() {
            @Override
            public Page<VsrxFileset> listFilesets(PageRequest r) {
                throw new TransientSyncException("db busy", Duration.ofSeconds(7), null);
            }

            @Override
            public Optional<VsrxFileset> findFileset(FilesetId id) {
                throw new IllegalStateException("patient P-123 exploded");
            }

            @Override
            public Page<VsrxFile> listFiles(FilesetId f, PageRequest r) {
                throw new UnsupportedOperationException();
            }

            @Override
            public FileContent openContent(VsrxFileId id) {
                throw new UnsupportedOperationException();
            }
        };
        VsrxHttpHandler h = handler.newBuilder().source(failing).fileLookup(id -> Optional.empty()).build();
        var a = call(h, "GET", "/v1/filesets", null, "Authorization", BEARER);
        assertThat(a.status()).isEqualTo(503);
        assertThat(a.errorCode()).isEqualTo("source_unavailable");
        assertThat(a.headers()).containsEntry("Retry-After", "7");
        var b = call(h, "GET", "/v1/filesets/fs-1", null, "Authorization", BEARER);
        assertThat(b.status()).isEqualTo(500);
        assertThat(b.errorCode()).isEqualTo("internal_error");
        assertThat(b.text()).doesNotContain("P-123");
    }
}
