package com.silknote.sync.vsrx.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.silknote.sync.core.exception.MalformedResponseException;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.SyncException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.vsrx.http.CannedHttpClient.Canned;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.vsrx.http.internal.Cursors;
import com.silknote.sync.vsrx.http.internal.EntityTags;
import com.silknote.sync.vsrx.http.internal.PercentCodec;
import com.silknote.sync.vsrx.http.internal.ReprDigest;
import com.silknote.sync.vsrx.http.internal.RetryAfter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Issue 13 (fuzzing), DESIGN §5 and rule 8: the HTTP client's JSON and header parsing under arbitrary server
 * answers. Whatever the server sends, {@link HttpVsrxSource} either returns data that keeps the protocol's
 * promises or throws a {@link SyncException} of the kind the class documents (transient for 408, 429, 5xx and
 * transport failures; permanent for other 4xx; malformed for anything that breaks the protocol), never
 * anything else; and a download that reads to its end has exactly the declared length and SHA-256.
 *
 * <p>The server is {@link CannedHttpClient}: the real client code runs on a canned answer without a network.
 * Committed inputs replay in the test command (regression mode); {@code docs/quality.md} tells how to fuzz.
 */
class HttpVsrxSourceFuzzTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    private static final FilesetId FILESET = FilesetId.of("fs-000001");
    private static final List<Integer> STATUSES = List.of(200, 200, 200, 404, 429, 500, 503, 400, 401, 408, 301, 204);
    private static final List<String> JSON_TYPES = List.of("application/json", "application/json; charset=utf-8",
            "text/html", "application/jsonx", "");

    private static HttpVsrxSource client(Canned canned) {
        return HttpVsrxSource.builder().baseUri(URI.create("http://127.0.0.1:9/api"))
                .token(Secret.of("fuzz-token-0123456789")).httpClient(new CannedHttpClient(canned)).clock(CLOCK)
                .build();
    }

    /**
     * The listing routes. Input: byte 0 picks the route, byte 1 the status, byte 2 the content type, byte 3
     * the page limit and cursor, byte 4 a transport failure or Retry-After; the rest is the body. Committed
     * inputs are five control bytes and a JSON page.
     */
    @FuzzTest(maxDuration = "5m")
    void listing(byte[] input) {
        byte[] head = Arrays.copyOf(input, 5);
        byte[] body = input.length > 5 ? Arrays.copyOfRange(input, 5, input.length) : new byte[0];
        int route = (head[0] & 0xff) % 3;
        int status = STATUSES.get((head[1] & 0xff) % STATUSES.size());
        Map<String, List<String>> headers = new LinkedHashMap<>();
        String type = JSON_TYPES.get((head[2] & 0xff) % JSON_TYPES.size());
        if (!type.isEmpty()) {
            headers.put("Content-Type", List.of(type));
        }
        int limit = 1 + (head[3] & 0x7f) * 8 % PageRequest.MAX_LIMIT;
        PageRequest request = (head[3] & 0x80) == 0 ? PageRequest.first(limit)
                : PageRequest.first(limit).next(Cursors.encode("cursor-1"));
        Optional<IOException> before = Optional.empty();
        switch ((head[4] & 0xff) % 8) {
            case 1 -> headers.put("Retry-After", List.of("120"));
            case 2 -> headers.put("Retry-After", List.of(new String(body, 0, Math.min(body.length, 40),
                    java.nio.charset.StandardCharsets.ISO_8859_1)));
            case 3 -> before = Optional.of(new ConnectException("refused"));
            case 4 -> before = Optional.of(new HttpTimeoutException("timed out"));
            default -> { }
        }
        Optional<IOException> midBody = (head[4] & 0xff) % 8 == 5 ? Optional.of(new IOException("reset"))
                : Optional.empty();
        Canned canned = new Canned(status, headers, chunks(body), before, midBody);
        HttpVsrxSource source = client(canned);
        boolean transportFailed = before.isPresent() || midBody.isPresent();
        try {
            switch (route) {
                case 0 -> checkFilesets(source.listFilesets(request), request);
                case 1 -> checkFiles(source.listFiles(FILESET, request), request);
                default -> source.findFileset(FILESET).ifPresent(fs -> assertThat(fs.id()).isEqualTo(FILESET));
            }
            assertThat(transportFailed).as("data returned although the transport failed").isFalse();
            assertThat(status).as("data returned for a non-200 answer").isIn(200, 404);
            if (status == 200) {
                assertThat(type).as("data returned for a non-JSON answer").startsWith("application/json")
                        .isNotEqualTo("application/jsonx");
            }
        } catch (SyncException e) {
            checkKind(e, status, transportFailed);
        }
    }

    /** The exception kind the class documents for the answer. */
    private static void checkKind(SyncException e, int status, boolean transportFailed) {
        boolean transientStatus = status == 408 || status == 429 || status >= 500 && status <= 599;
        if (e instanceof TransientSyncException t) {
            assertThat(transportFailed || transientStatus).as("transient without a transient cause: %s", e).isTrue();
            t.retryAfter().ifPresent(d -> assertThat(d).isBetween(Duration.ZERO, Duration.ofDays(7)));
        } else if (e instanceof MalformedResponseException) {
            assertThat(transientStatus).as("a transient status reported as malformed: %s", e).isFalse();
        } else if (e instanceof PermanentSyncException) {
            assertThat(status).as("permanent without a 4xx: %s", e).isBetween(400, 499);
            assertThat(transportFailed).isFalse();
        } else {
            fail("unexpected SyncException kind", e);
        }
        assertThat(e.getMessage()).isNotBlank();
    }

    private static void checkFilesets(Page<VsrxFileset> page, PageRequest request) {
        assertThat(page.items().size()).isLessThanOrEqualTo(request.limit());
        checkIncreasing(page.items().stream().map(f -> f.id().value()).toList());
        page.nextCursor().ifPresent(c -> assertThat(Cursors.wellFormed(c)).isTrue());
    }

    private static void checkFiles(Page<VsrxFile> page, PageRequest request) {
        assertThat(page.items().size()).isLessThanOrEqualTo(request.limit());
        checkIncreasing(page.items().stream().map(f -> f.id().value()).toList());
        assertThat(page.items()).allMatch(f -> f.filesetId().equals(FILESET));
        page.nextCursor().ifPresent(c -> assertThat(Cursors.wellFormed(c)).isTrue());
    }

    private static void checkIncreasing(List<String> ids) {
        for (int i = 1; i < ids.size(); i++) {
            assertThat(ids.get(i).compareTo(ids.get(i - 1))).as("ids strictly increasing").isPositive();
        }
    }

    /** The body in a few chunks, so chunk boundaries fall anywhere. */
    private static List<byte[]> chunks(byte[] body) {
        List<byte[]> out = new ArrayList<>();
        int step = Math.max(1, body.length / 3 + 1);
        for (int i = 0; i < body.length; i += step) {
            out.add(Arrays.copyOfRange(body, i, Math.min(body.length, i + step)));
        }
        return out;
    }

    /**
     * A download: the fuzzer picks each of Content-Length, Repr-Digest and ETag as the right value, absent,
     * or its own text; the body and whether it is cut short. A stream that reads to its end without an error
     * has exactly the declared length and SHA-256.
     */
    @FuzzTest(maxDuration = "5m")
    void content(FuzzedDataProvider data) {
        int status = data.pickValue(STATUSES);
        byte[] body = data.consumeBytes(data.consumeInt(0, 512));
        Map<String, List<String>> headers = new LinkedHashMap<>();
        header(data, headers, "Content-Length", Long.toString(body.length));
        header(data, headers, "Repr-Digest", "sha-256=:" + Base64.getEncoder().encodeToString(sha256(body)) + ":");
        header(data, headers, "ETag", "\"etag-1\"");
        Optional<IOException> midBody = data.consumeBoolean() ? Optional.of(new IOException("reset"))
                : Optional.empty();
        Canned canned = new Canned(status, headers, chunks(body), Optional.empty(), midBody);
        FileContent content;
        try {
            content = client(canned).openContent(VsrxFileId.of("file-1"));
        } catch (SyncException e) {
            checkKind(e, status, false);
            return;
        }
        assertThat(status).as("content opened for a non-200 answer").isEqualTo(200);
        byte[] read;
        try (InputStream in = content.stream()) {
            read = readAll(in);
        } catch (IOException | SyncException e) {
            return; // refused while reading: what the class promises for a body that is not as declared
        }
        assertThat(midBody).as("a body cut by the transport read as complete").isEmpty();
        long declared = Long.parseLong(headers.get("Content-Length").get(0).trim());
        assertThat((long) read.length).as("read length equals the declared length").isEqualTo(declared);
        assertThat(content.sha256()).isPresent();
        assertThat(HexFormat.of().formatHex(sha256(read))).as("read bytes match the declared digest")
                .isEqualTo(content.sha256().get().hex());
        assertThat(read).isEqualTo(body);
    }

    /**
     * The header and cursor codecs on their own: parsing any text never throws (but for the documented
     * {@code IllegalArgumentException} of a malformed {@code Repr-Digest}), stays in bounds, and every value
     * the client or server writes reads back as itself.
     */
    @FuzzTest(maxDuration = "5m")
    void headerCodecs(FuzzedDataProvider data) {
        String text = data.consumeString(200);
        String value = data.consumeRemainingAsString();

        boolean wellFormed = java.nio.charset.StandardCharsets.UTF_8.newEncoder().canEncode(value);
        int utf8Length = value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;

        EntityTags.fromHeader(text);
        EntityTags.listed(text, EntityTags.toHeader(value), true);
        if (wellFormed) {
            assertThat(EntityTags.fromHeader(EntityTags.toHeader(value))).contains(value);
        }

        Cursors.decode(text);
        if (wellFormed && utf8Length >= 1 && utf8Length <= 768) {
            String wire = Cursors.encode(value);
            assertThat(Cursors.wellFormed(wire)).isTrue();
            assertThat(Cursors.decode(wire)).contains(value);
        } else if (utf8Length > 768) {
            assertThatThrownBy(() -> Cursors.encode(value)).isInstanceOf(IllegalArgumentException.class);
        }

        Optional<Duration> delay = RetryAfter.parse(Optional.of(text), CLOCK);
        delay.ifPresent(d -> assertThat(d).isBetween(Duration.ZERO, Duration.ofDays(7)));

        try {
            ReprDigest.parse(text);
        } catch (IllegalArgumentException expected) {
            // documented: a sha-256 member that is not 32 bytes of base64
        }
        ContentHash hash = ContentHash.ofBytes(sha256(value.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(ReprDigest.parse(ReprDigest.format(hash))).contains(hash);

        PercentCodec.decode(text);
        if (wellFormed) {
            assertThat(PercentCodec.decode(PercentCodec.encode(value))).contains(value);
        }
    }

    private static void header(FuzzedDataProvider data, Map<String, List<String>> headers, String name,
            String right) {
        switch (data.consumeInt(0, 2)) {
            case 0 -> headers.put(name, List.of(right));
            case 1 -> headers.put(name, List.of(data.consumeString(80)));
            default -> { }
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[7];
        int n;
        while ((n = in.read(buf, 0, buf.length)) >= 0) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
