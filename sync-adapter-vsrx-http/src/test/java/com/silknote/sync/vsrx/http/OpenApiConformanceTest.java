package com.silknote.sync.vsrx.http;

import static com.silknote.sync.vsrx.http.Responses.call;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.vsrx.http.internal.WebhookSignatures;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document shipped in the module against the real handler: every documented route exists
 * and answers with the documented statuses, headers and body shapes; the handler has no route the
 * document does not list; every error code it sends is named in the documented response.
 */
class OpenApiConformanceTest {
    static final String TOKEN = "token-aaaaaaaaaaaaaaaaaaaa";
    static final String BEARER = "Bearer " + TOKEN;
    static final List<String> ALL_METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE");

    final JsonNode doc = load();
    final FixtureVsrxSource data = new FixtureVsrxSource()
            .fileset("fs-1", FixtureVsrxSource.T0)
            .fileset("fs-2", FixtureVsrxSource.T0)
            .file("fs-1", "f-1", "notes/a.txt", "hello", Optional.of("e1"), false)
            .file("fs-1", "f-2", "notes/b.txt", "world", Optional.empty(), false)
            .file("fs-1", "f-3", "elsewhere/c.txt", "c", Optional.of("e3"), false)
            .file("fs-1", "f-4", "notes/d.txt", "d", Optional.of("e4"), true);
    final VsrxHttpHandler handler = VsrxHttpHandler.builder().source(data).acceptedToken(Secret.of(TOKEN))
            .clock(Clock.fixed(FixtureVsrxSource.T0, ZoneOffset.UTC)).build();
    /** A server that accepts writes (issue 14), on the in-memory VSRX. */
    final com.silknote.sync.testkit.TestClock clock = com.silknote.sync.testkit.TestClock.at("2026-01-01T00:00:00Z");
    final com.silknote.sync.testkit.InMemoryVsrxSource vsrx = new com.silknote.sync.testkit.InMemoryVsrxSource(clock);
    final VsrxHttpHandler writer = VsrxHttpHandler.builder().source(vsrx).target(vsrx).fileLookup(vsrx::findFile)
            .acceptedToken(Secret.of(TOKEN)).maxUploadBytes(64).clock(clock).build();

    static JsonNode load() {
        try (InputStream in = VsrxHttpHandler.class.getResourceAsStream("openapi.json")) {
            assertThat(in).as("openapi.json on the classpath next to VsrxHttpHandler").isNotNull();
            return Responses.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void documentIsOpenApi31WithTheV1Routes() {
        assertThat(doc.get("openapi").asText()).isEqualTo("3.1.0");
        assertThat(doc.get("info").get("version").asText()).isEqualTo("1");
        assertThat(doc.get("security").get(0).has("bearer")).isTrue();
    }

    @Test
    void documentedRoutesAreExactlyTheHandlersRoutes() {
        Set<String> documented = new TreeSet<>();
        doc.get("paths").fields().forEachRemaining(e -> e.getValue().fieldNames()
                .forEachRemaining(m -> documented.add(m.toUpperCase() + " " + e.getKey())));
        Set<String> served = new TreeSet<>();
        for (Route r : Route.values()) {
            served.add(r.method() + " " + r.template());
        }
        assertThat(documented).isEqualTo(served);
        for (Route r : Route.values()) {
            JsonNode path = doc.get("paths").get(r.template());
            Set<String> query = new TreeSet<>();
            Set<String> pathParams = new TreeSet<>();
            for (JsonNode p : path.get(r.method().toLowerCase()).get("parameters")) {
                JsonNode param = resolve(p);
                if (param.get("in").asText().equals("query")) {
                    query.add(param.get("name").asText());
                } else if (param.get("in").asText().equals("path")) {
                    pathParams.add(param.get("name").asText());
                }
            }
            assertThat(query).as("query parameters of %s", r.template()).isEqualTo(new TreeSet<>(r.parameters()));
            Set<String> templated = new TreeSet<>();
            var m = Pattern.compile("\\{([A-Za-z]+)}").matcher(r.template());
            while (m.find()) {
                templated.add(m.group(1));
            }
            assertThat(pathParams).as("path parameters of %s", r.template()).isEqualTo(templated);
        }
    }

    @Test
    void noUndocumentedRoutesOrMethodsAnswer() {
        List<String> probes = List.of("/", "/v1", "/v1/", "/v1/filesets/", "/v1/files", "/v1/files/",
                "/v1/filesets/fs-1/files/f-1", "/v1/filesets/fs-1/files/f-1/content", "/v2/filesets", "/openapi.json",
                "/v1/openapi.json", "/health", "/v1/filesets/fs-1/content", "/v1/files/f-1/metadata",
                "/v1/fence/x", "/v1/files/f-1/content/x", "/v1/fences");
        for (VsrxHttpHandler h : List.of(handler, writer)) {
            for (String p : probes) {
                for (String method : ALL_METHODS) {
                    var a = call(h, method, p, null, "Authorization", BEARER);
                    assertThat(a.status()).as(method + " " + p).isEqualTo(404);
                    assertThat(a.errorCode()).isEqualTo("not_found");
                }
            }
        }
        for (Route r : Route.values()) {
            String p = concrete(r);
            Set<String> served = new TreeSet<>();
            Set<String> readOnly = new TreeSet<>();
            for (Route same : Route.values()) {
                if (same.template().equals(r.template())) {
                    served.add(same.method());
                    if (!same.write()) {
                        readOnly.add(same.method());
                    }
                }
            }
            for (String method : ALL_METHODS) {
                if (!served.contains(method)) {
                    var a = call(writer, method, p, null, "Authorization", BEARER);
                    assertThat(a.status()).as(method + " " + p).isEqualTo(405);
                    assertThat(Set.of(a.headers().get("Allow").split(", "))).isEqualTo(served);
                    conforms(r, method, a);
                }
                if (!readOnly.contains(method)) {
                    // a server without a VsrxTarget serves no write (issue 14): 405, Allow lists its GETs only
                    var a = call(handler, method, p, null, "Authorization", BEARER);
                    assertThat(a.status()).as("read-only " + method + " " + p).isEqualTo(405);
                    assertThat(a.headers().get("Allow")).isEqualTo(String.join(", ", readOnly));
                    conforms(r, method, a);
                }
            }
        }
    }

    @Test
    void everyRouteAnswersWithItsDocumentedShapes() {
        // 200s
        conforms(Route.LIST_FILESETS, call(handler, "GET", "/v1/filesets", "limit=1", "Authorization", BEARER));
        conforms(Route.LIST_FILESETS, call(handler, "GET", "/v1/filesets", null, "Authorization", BEARER));
        conforms(Route.GET_FILESET, call(handler, "GET", "/v1/filesets/fs-1", null, "Authorization", BEARER));
        conforms(Route.LIST_FILES, call(handler, "GET", "/v1/filesets/fs-1/files", "limit=2&changedSince=2020-01-01T00%3A00%3A00Z",
                "Authorization", BEARER));
        conforms(Route.FILE_CONTENT, call(handler, "GET", "/v1/files/f-1/content", null, "Authorization", BEARER));
        conforms(Route.FILE_CONTENT, call(handler, "GET", "/v1/files/f-2/content", null, "Authorization", BEARER));
        conforms(Route.FILE_CONTENT, call(handler, "GET", "/v1/files/f-1/content", null, "Authorization", BEARER,
                "Range", "bytes=1-2"));
        conforms(Route.FILE_CONTENT, call(handler, "GET", "/v1/files/f-1/content", null, "Authorization", BEARER,
                "If-None-Match", "\"e1\""));
        // errors
        for (Route r : Route.values()) {
            if (r.write()) {
                continue;
            }
            conforms(r, call(handler, "GET", concrete(r), null));
            conforms(r, call(handler, "GET", concrete(r), null, "Authorization", "Bearer nope-nope-nope-nope"));
        }
        conforms(Route.LIST_FILESETS, call(handler, "GET", "/v1/filesets", "limit=0", "Authorization", BEARER));
        conforms(Route.LIST_FILESETS, call(handler, "GET", "/v1/filesets", "cursor=%%%", "Authorization", BEARER));
        conforms(Route.LIST_FILESETS, call(handler, "GET", "/v1/filesets", "changedSince=x", "Authorization", BEARER));
        conforms(Route.LIST_FILESETS, call(handler, "GET", "/v1/filesets", "q=1", "Authorization", BEARER));
        conforms(Route.LIST_FILESETS, call(handler, "GET", "/v1/filesets", "limit=1&limit=2", "Authorization", BEARER));
        conforms(Route.LIST_FILESETS, call(handler, "GET", "/v1/filesets", "limit", "Authorization", BEARER));
        conforms(Route.GET_FILESET, call(handler, "GET", "/v1/filesets/nope", null, "Authorization", BEARER));
        conforms(Route.GET_FILESET, call(handler, "GET", "/v1/filesets/%00", null, "Authorization", BEARER));
        conforms(Route.LIST_FILES, call(handler, "GET", "/v1/filesets/nope/files", null, "Authorization", BEARER));
        conforms(Route.FILE_CONTENT, call(handler, "GET", "/v1/files/nope/content", null, "Authorization", BEARER));
        conforms(Route.FILE_CONTENT, call(handler, "GET", "/v1/files/f-3/content", null, "Authorization", BEARER));
        conforms(Route.FILE_CONTENT, call(handler, "GET", "/v1/files/f-4/content", null, "Authorization", BEARER));
        conforms(Route.FILE_CONTENT, call(handler, "GET", "/v1/files/f-1/content", null, "Authorization", BEARER,
                "If-Match", "\"zz\""));
        conforms(Route.FILE_CONTENT, call(handler, "GET", "/v1/files/f-1/content", null, "Authorization", BEARER,
                "Range", "bytes=9-"));
    }

    // ---- writes (issue 14)

    private static final String DOC = "6b3f0c1e-9f7a-5d2c-8e41-5a1c0f9b7d23";

    private static String digest(byte[] body) {
        return com.silknote.sync.vsrx.http.internal.ReprDigest.format(com.silknote.sync.testkit.TestHashes.sha256(body));
    }

    /** Headers of a create, minus the ones named in {@code without}, with {@code extra} (name, value...) on top. */
    private String[] createHeaders(byte[] body, String key, long token, Set<String> without, String... extra) {
        List<String> h = new ArrayList<>(List.of("Authorization", BEARER, WriteEndpoint.FENCING_TOKEN, Long.toString(token),
                WriteEndpoint.IDEMPOTENCY_KEY, key, WriteEndpoint.FILE_PATH, "notes/silknote/Brief%20%C3%BC.txt",
                WriteEndpoint.ORIGIN, "silknote:" + DOC, "Content-Type", "text/plain",
                "Content-Length", Integer.toString(body.length), "Repr-Digest", digest(body)));
        for (String w : without) {
            int i = h.indexOf(w);
            h.remove(i + 1);
            h.remove(i);
        }
        for (int i = 0; i < extra.length; i += 2) {
            int at = h.indexOf(extra[i]);
            if (at >= 0) {
                h.set(at + 1, extra[i + 1]);
            } else {
                h.add(extra[i]);
                h.add(extra[i + 1]);
            }
        }
        return h.toArray(new String[0]);
    }

    private Responses.Answer create(byte[] body, String key, long token, Set<String> without, String... extra) {
        return Responses.send(writer, "POST", "/v1/filesets/" + fs + "/files", body,
                createHeaders(body, key, token, without, extra));
    }

    private final com.silknote.sync.core.model.FilesetId fs = vsrx.addFileset(
            com.silknote.sync.core.model.PatientId.of("P-1"),
            com.silknote.sync.core.model.PatientUuid.of("7d444840-9dc0-11d1-b245-5ffdce74fad2"));

    @Test
    void writeRoutesAnswerWithTheirDocumentedShapes() {
        byte[] body = "Grüße".getBytes(StandardCharsets.UTF_8);
        var created = create(body, "create:k1", 5, Set.of());
        assertThat(created.status()).isEqualTo(201);
        conforms(Route.CREATE_FILE, created);
        assertThat(created.json().get("origin").asText()).isEqualTo("silknote:" + DOC);
        var replay = create(body, "create:k1", 5, Set.of());
        assertThat(replay.status()).isEqualTo(200);
        assertThat(replay.headers()).containsEntry("Idempotent-Replayed", "true");
        conforms(Route.CREATE_FILE, replay);
        String id = created.json().get("id").asText();
        String etag = "\"" + created.json().get("etag").asText() + "\"";
        byte[] v2 = "v2".getBytes(StandardCharsets.UTF_8);
        String[] put = {"Authorization", BEARER, WriteEndpoint.FENCING_TOKEN, "5", WriteEndpoint.IDEMPOTENCY_KEY, "replace:1",
                "If-Match", etag, "Content-Type", "text/plain", "Content-Length", "2", "Repr-Digest", digest(v2)};
        var replaced = Responses.send(writer, "PUT", "/v1/files/" + id + "/content", v2, put);
        assertThat(replaced.status()).isEqualTo(200);
        conforms(Route.REPLACE_CONTENT, replaced);
        var replayedPut = Responses.send(writer, "PUT", "/v1/files/" + id + "/content", v2, put);
        assertThat(replayedPut.headers()).containsEntry("Idempotent-Replayed", "true");
        conforms(Route.REPLACE_CONTENT, replayedPut);
        // a stale If-Match (the first ETag) with a new key
        put[5] = "replace:2";
        conforms(Route.REPLACE_CONTENT, Responses.send(writer, "PUT", "/v1/files/" + id + "/content", v2, put));
        String etag2 = "\"" + replaced.json().get("etag").asText() + "\"";
        String[] del = {"Authorization", BEARER, WriteEndpoint.FENCING_TOKEN, "5", WriteEndpoint.IDEMPOTENCY_KEY, "delete:1",
                "If-Match", etag2};
        var deleted = call(writer, "DELETE", "/v1/files/" + id, null, del);
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().get("deleted").asBoolean()).isTrue();
        conforms(Route.DELETE_FILE, deleted);
        del[5] = "delete:2";
        var gone = call(writer, "DELETE", "/v1/files/" + id, null, del);
        assertThat(gone.errorCode()).isEqualTo("file_deleted");
        conforms(Route.DELETE_FILE, gone);
        put[5] = "replace:3";
        put[7] = etag2;
        conforms(Route.REPLACE_CONTENT, Responses.send(writer, "PUT", "/v1/files/" + id + "/content", v2, put));
        var fenced = call(writer, "POST", "/v1/fence", null, "Authorization", BEARER, WriteEndpoint.FENCING_TOKEN, "9");
        assertThat(fenced.status()).isEqualTo(204);
        conforms(Route.FENCE, fenced);
    }

    @Test
    void everyWriteRefusalHasADocumentedStatusAndCode() {
        byte[] body = "x".getBytes(StandardCharsets.UTF_8);
        Set<String> codes = new TreeSet<>();
        java.util.function.BiConsumer<Route, Responses.Answer> on = (r, a) -> {
            conforms(r, a);
            codes.add(a.errorCode());
        };
        java.util.function.Consumer<Responses.Answer> check = a -> on.accept(Route.CREATE_FILE, a);
        check.accept(create(body, "k", 5, Set.of(WriteEndpoint.FENCING_TOKEN)));
        check.accept(create(body, "k", 5, Set.of(), WriteEndpoint.FENCING_TOKEN, "-1"));
        check.accept(create(body, "k", 5, Set.of(WriteEndpoint.IDEMPOTENCY_KEY)));
        check.accept(create(body, "k", 5, Set.of(), WriteEndpoint.IDEMPOTENCY_KEY, "spaces are not allowed"));
        check.accept(create(body, "k", 5, Set.of(WriteEndpoint.FILE_PATH)));
        check.accept(create(body, "k", 5, Set.of(), WriteEndpoint.FILE_PATH, "%ZZ"));
        check.accept(create(body, "k", 5, Set.of(), WriteEndpoint.FILE_PATH, "notes%2F..%2Fx.txt"));
        check.accept(create(body, "k", 5, Set.of(), WriteEndpoint.FILE_PATH, "elsewhere%2Fx.txt"));
        check.accept(create(body, "k", 5, Set.of(WriteEndpoint.ORIGIN)));
        check.accept(create(body, "k", 5, Set.of(), WriteEndpoint.ORIGIN, "vsrx:123"));
        check.accept(create(body, "k", 5, Set.of("Content-Type")));
        check.accept(create(body, "k", 5, Set.of("Content-Length")));
        check.accept(create(new byte[65], "k", 5, Set.of()));
        check.accept(create(body, "k", 5, Set.of("Repr-Digest")));
        check.accept(create(body, "k", 5, Set.of(), "Repr-Digest", "sha-256=:AAAA:"));
        check.accept(create(body, "k", 5, Set.of(), "Repr-Digest", digest("y".getBytes(StandardCharsets.UTF_8))));
        check.accept(create(body, "k", 5, Set.of(), "Content-Length", "2"));
        check.accept(Responses.send(writer, "POST", "/v1/filesets/nope/files", body, createHeaders(body, "k", 5, Set.of())));
        check.accept(Responses.send(writer, "POST", "/v1/filesets/%00/files", body, createHeaders(body, "k", 5, Set.of())));
        assertThat(create(body, "k", 7, Set.of()).status()).isEqualTo(201);
        check.accept(create(body, "k", 6, Set.of()));
        check.accept(create(body, "k2", 7, Set.of()));
        vsrx.addFile(fs, "notes/taken.txt", "text/plain", "t");
        check.accept(create(body, "k3", 7, Set.of(), WriteEndpoint.FILE_PATH, "notes%2Ftaken.txt"));
        String id = vsrx.listedFiles(fs).get(0).id().value();
        on.accept(Route.REPLACE_CONTENT, Responses.send(writer, "PUT", "/v1/files/" + id + "/content", body, "Authorization", BEARER,
                WriteEndpoint.FENCING_TOKEN, "7", WriteEndpoint.IDEMPOTENCY_KEY, "k", "Content-Type", "text/plain",
                "Content-Length", "1", "Repr-Digest", digest(body), "If-Match", "\"x\""));
        on.accept(Route.REPLACE_CONTENT, Responses.send(writer, "PUT", "/v1/files/" + id + "/content", body, "Authorization", BEARER,
                WriteEndpoint.FENCING_TOKEN, "7", WriteEndpoint.IDEMPOTENCY_KEY, "k9", "Content-Type", "text/plain",
                "Content-Length", "1", "Repr-Digest", digest(body)));
        on.accept(Route.DELETE_FILE, call(writer, "DELETE", "/v1/files/nope", null, "Authorization", BEARER,
                WriteEndpoint.FENCING_TOKEN, "7", WriteEndpoint.IDEMPOTENCY_KEY, "k8", "If-Match", "\"x\""));
        on.accept(Route.DELETE_FILE, call(writer, "DELETE", "/v1/files/" + id, null, "Authorization", BEARER,
                WriteEndpoint.FENCING_TOKEN, "7", WriteEndpoint.IDEMPOTENCY_KEY, "k7", "If-Match", "\"x\""));
        on.accept(Route.FENCE, call(writer, "POST", "/v1/fence", "limit=1", "Authorization", BEARER, WriteEndpoint.FENCING_TOKEN, "7"));
        on.accept(Route.FENCE, call(writer, "POST", "/v1/fence", null, "Authorization", BEARER, WriteEndpoint.FENCING_TOKEN, "6"));
        on.accept(Route.FENCE, call(writer, "POST", "/v1/fence", null, "Authorization", "Bearer nope-nope-nope-nope"));
        assertThat(codes).as("every write refusal").containsExactlyInAnyOrder("invalid_fencing_token",
                "invalid_idempotency_key", "invalid_file_path", "path_rejected", "invalid_origin",
                "unsupported_media_type", "length_required", "payload_too_large", "invalid_digest", "digest_mismatch",
                "incomplete_body", "fileset_not_found", "invalid_id", "stale_fencing_token", "idempotency_key_reused",
                "path_taken", "precondition_failed", "precondition_required", "file_not_found", "unknown_parameter",
                "unauthorized");
    }

    @Test
    void everyDocumentedRequiredHeaderOfAWriteIsOneTheHandlerRequires() {
        byte[] body = "x".getBytes(StandardCharsets.UTF_8);
        JsonNode params = doc.get("paths").get(Route.CREATE_FILE.template()).get("post").get("parameters");
        int n = 0;
        for (JsonNode p : params) {
            JsonNode param = resolve(p);
            if (!param.get("in").asText().equals("header")) {
                continue;
            }
            assertThat(param.get("required").asBoolean()).as(param.get("name").asText()).isTrue();
            var a = create(body, "key-" + n++, 5, Set.of(param.get("name").asText()));
            assertThat(a.status()).as("create without %s", param.get("name").asText()).isBetween(400, 499);
            conforms(Route.CREATE_FILE, a);
        }
        assertThat(n).isEqualTo(7);
    }

    @Test
    void webhookAnswersMatchTheDocumentedWebhook() throws IOException {
        JsonNode op = doc.get("webhooks").get("vsrxEvent").get("post");
        Secret secret = Secret.of("webhook-secret-0123456789abcdef-xyz");
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        WebhookReceiver receiver = WebhookReceiver.builder().secrets(List.of(secret))
                .clock(Clock.fixed(now, ZoneOffset.UTC)).trigger((id, e) -> { }).build();
        byte[] body = WebhookEvent.fileEvent("evt_1", WebhookEventType.FILE_UPDATED, now,
                com.silknote.sync.core.model.FilesetId.of("fs-1"), com.silknote.sync.core.model.VsrxFileId.of("f-1")).toJson();
        validate(Responses.MAPPER.readTree(new String(body, StandardCharsets.UTF_8)),
                resolve(op.get("requestBody").get("content").get("application/json").get("schema")), "$event");
        String ts = Long.toString(now.getEpochSecond());
        Map<String, List<String>> good = Map.of("Content-Type", List.of("application/json"),
                WebhookReceiver.TIMESTAMP_HEADER, List.of(ts),
                WebhookReceiver.SIGNATURE_HEADER, List.of(WebhookSignatures.header(List.of(secret), ts, body)));
        for (WebhookResponse r : List.of(receiver.receive(good, body), receiver.receive(good, body),
                receiver.receive(Map.of("Content-Type", List.of("text/plain")), body),
                receiver.receive(Map.of("Content-Type", List.of("application/json")), body),
                receiver.receive(good, "{}".getBytes(StandardCharsets.UTF_8)))) {
            var a = Responses.read(r.toServerResponse());
            JsonNode documented = op.get("responses").get(Integer.toString(a.status()));
            assertThat(documented).as("status %d documented for the webhook", a.status()).isNotNull();
            validate(a.json(), resolve(documented.get("content").get("application/json").get("schema")), "$");
            if (a.status() >= 400) {
                assertThat(documented.get("description").asText()).contains(a.errorCode());
            }
        }
    }

    // ---- helpers ----

    static String concrete(Route r) {
        return r.template().replace("{filesetId}", "fs-1").replace("{fileId}", "f-1");
    }

    void conforms(Route route, Responses.Answer a) {
        conforms(route, route.method(), a);
    }

    /** The answer to {@code method} on the route's template; a method the template does not serve is any of its 405s. */
    void conforms(Route route, String method, Responses.Answer a) {
        JsonNode path = doc.get("paths").get(route.template());
        JsonNode op = path.get(method.toLowerCase());
        if (op == null) {
            assertThat(a.status()).as("a method %s does not serve answers 405", route.template()).isEqualTo(405);
            op = path.elements().next();
        }
        JsonNode response = op.get("responses").get(Integer.toString(a.status()));
        assertThat(response).as("status %d of %s is documented", a.status(), route.template()).isNotNull();
        response = resolve(response);
        JsonNode headers = response.get("headers");
        if (headers != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = headers.fields(); it.hasNext(); ) {
                var h = it.next();
                JsonNode spec = resolve(h.getValue());
                String value = a.headers().get(h.getKey());
                if (spec.path("required").asBoolean(false)) {
                    assertThat(value).as("header %s on %d of %s", h.getKey(), a.status(), route.template()).isNotNull();
                }
                if (value != null && spec.get("schema") != null && h.getKey().equals("Content-Length")) {
                    assertThat(Long.parseLong(value)).isEqualTo(a.body().length);
                } else if (value != null && spec.get("schema") != null) {
                    validate(Responses.MAPPER.getNodeFactory().textNode(value), resolve(spec.get("schema")), h.getKey());
                }
            }
        }
        if (a.status() == 200 || a.status() == 201 || a.status() == 206) {
            assertThat(a.headers()).containsKey("Content-Type");
        }
        JsonNode content = response.get("content");
        if (content == null) {
            assertThat(a.body()).as("no body for %d", a.status()).isEmpty();
            return;
        }
        if (content.has("application/json")) {
            assertThat(a.headers().get("Content-Type")).isEqualTo("application/json");
            validate(a.json(), resolve(content.get("application/json").get("schema")), "$");
            if (a.status() >= 400) {
                assertThat(response.get("description").asText()).as("error code named in the documented %d response",
                        a.status()).contains(a.errorCode());
            }
        } else {
            assertThat(content.has("*/*")).isTrue();
        }
    }

    JsonNode resolve(JsonNode node) {
        while (node.has("$ref")) {
            String ref = node.get("$ref").asText();
            assertThat(ref).startsWith("#/");
            JsonNode n = doc;
            for (String part : ref.substring(2).split("/")) {
                n = n.get(part);
                assertThat(n).as("reference %s resolves", ref).isNotNull();
            }
            node = n;
        }
        return node;
    }

    /** The subset of JSON Schema 2020-12 the document uses; objects may not carry undeclared properties. */
    void validate(JsonNode value, JsonNode unresolved, String where) {
        JsonNode schema = resolve(unresolved);
        if (schema.has("type")) {
            List<String> types = new ArrayList<>();
            if (schema.get("type").isArray()) {
                schema.get("type").forEach(t -> types.add(t.asText()));
            } else {
                types.add(schema.get("type").asText());
            }
            assertThat(types).as("type of %s", where).contains(typeOf(value));
        }
        if (value.isNull()) {
            return;
        }
        if (schema.has("const")) {
            assertThat(value.asText()).as(where).isEqualTo(schema.get("const").asText());
        }
        if (schema.has("enum")) {
            Set<String> allowed = new HashSet<>();
            schema.get("enum").forEach(e -> allowed.add(e.asText()));
            assertThat(allowed).as("enum of %s", where).contains(value.asText());
        }
        if (value.isTextual()) {
            String s = value.textValue();
            if (schema.has("pattern")) {
                assertThat(Pattern.compile(schema.get("pattern").asText()).matcher(s).find()).as("pattern of %s: %s", where, s)
                        .isTrue();
            }
            if (schema.has("minLength")) {
                assertThat(s.length()).as(where).isGreaterThanOrEqualTo(schema.get("minLength").asInt());
            }
            if (schema.has("maxLength")) {
                assertThat(s.length()).as(where).isLessThanOrEqualTo(schema.get("maxLength").asInt());
            }
            String format = schema.path("format").asText("");
            if (format.equals("date-time")) {
                OffsetDateTime.parse(s);
            } else if (format.equals("uuid")) {
                UUID.fromString(s);
            }
        }
        if (value.isNumber()) {
            if (schema.has("minimum")) {
                assertThat(value.asLong()).as(where).isGreaterThanOrEqualTo(schema.get("minimum").asLong());
            }
            if (schema.has("maximum")) {
                assertThat(value.asLong()).as(where).isLessThanOrEqualTo(schema.get("maximum").asLong());
            }
        }
        if (value.isObject()) {
            Set<String> declared = new HashSet<>();
            if (schema.has("properties")) {
                schema.get("properties").fieldNames().forEachRemaining(declared::add);
            }
            if (schema.has("required")) {
                for (JsonNode r : schema.get("required")) {
                    assertThat(value.has(r.asText())).as("%s has required %s", where, r.asText()).isTrue();
                }
            }
            value.fieldNames().forEachRemaining(f -> {
                assertThat(declared).as("property %s of %s is documented", f, where).contains(f);
                validate(value.get(f), schema.get("properties").get(f), where + "." + f);
            });
        }
        if (value.isArray() && schema.has("items")) {
            int i = 0;
            for (JsonNode item : value) {
                validate(item, schema.get("items"), where + "[" + i++ + "]");
            }
        }
    }

    static String typeOf(JsonNode v) {
        if (v.isNull()) {
            return "null";
        }
        if (v.isTextual()) {
            return "string";
        }
        if (v.isIntegralNumber()) {
            return "integer";
        }
        if (v.isNumber()) {
            return "number";
        }
        if (v.isBoolean()) {
            return "boolean";
        }
        if (v.isArray()) {
            return "array";
        }
        return "object";
    }
}
