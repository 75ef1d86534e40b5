package com.silknote.sync.vsrx.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.exception.ConcurrentUpdateException;
import com.silknote.sync.core.exception.MalformedResponseException;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.IdempotencyKey;
import com.silknote.sync.core.model.NewVsrxFile;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.TestHashes;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The write client against a scripted server: what each answer becomes (issue 14). */
class HttpVsrxTargetTest {
    private static final Secret TOKEN = Secret.of("client-token-0123456789");
    private static final DocumentUuid DOC = DocumentUuid.of("6b3f0c1e-9f7a-5d2c-8e41-5a1c0f9b7d23");
    private static final FilesetId FS = FilesetId.of("fs-1");
    private final StubServer server = newServer();
    private final HttpVsrxTarget target = HttpVsrxTarget.builder().baseUri(server.baseUri()).token(TOKEN)
            .requestTimeout(Duration.ofSeconds(5)).build();

    private static StubServer newServer() {
        try {
            return new StubServer();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static String file(String id, String fileset, String origin, boolean deleted) {
        return "{\"id\":\"" + id + "\",\"filesetId\":\"" + fileset + "\",\"path\":\"notes/a.txt\",\"size\":1,"
                + "\"mimeType\":\"text/plain\",\"modifiedAt\":\"2026-01-01T00:00:00Z\",\"etag\":\"e2\",\"sha256\":null,"
                + "\"deleted\":" + deleted + ",\"origin\":" + (origin == null ? "null" : "\"" + origin + "\"") + "}";
    }

    private static BlobUpload upload(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return new BlobUpload(TestHashes.sha256(b), b.length, "text/plain", () -> new ByteArrayInputStream(b));
    }

    private void answer(int status, String body, Map<String, String> headers) {
        server.script(ex -> {
            ex.getRequestBody().readAllBytes();
            headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
            StubServer.send(ex, status, "application/json", body);
        });
    }

    private void create() {
        target.createFile(FencingToken.of(3), IdempotencyKey.create(DOC), new NewVsrxFile(FS, "notes/a.txt",
                "text/plain", DOC), upload("a"));
    }

    @Test
    void aCreateSendsTokenKeyPathOriginAndDigestAndReadsTheFile() {
        java.util.List<Map<String, String>> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        server.script(ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            seen.add(Map.of("token", ex.getRequestHeaders().getFirst("Vsrx-Fencing-Token"),
                    "key", ex.getRequestHeaders().getFirst("Idempotency-Key"),
                    "path", ex.getRequestHeaders().getFirst("Vsrx-File-Path"),
                    "origin", ex.getRequestHeaders().getFirst("Vsrx-Origin"),
                    "digest", ex.getRequestHeaders().getFirst("Repr-Digest"),
                    "body", new String(body, StandardCharsets.UTF_8)));
            StubServer.send(ex, 201, "application/json", file("f-1", "fs-1", "silknote:" + DOC.value(), false));
        });
        var r = target.createFile(FencingToken.of(3), IdempotencyKey.create(DOC),
                new NewVsrxFile(FS, "notes/Brief ü.txt", "text/plain", DOC), upload("a"));
        assertThat(r.replayed()).isFalse();
        assertThat(r.file().id()).isEqualTo(VsrxFileId.of("f-1"));
        assertThat(r.file().origin()).contains(DOC);
        assertThat(seen).singleElement().satisfies(h -> {
            assertThat(h.get("token")).isEqualTo("3");
            assertThat(h.get("key")).isEqualTo("create:" + DOC.value());
            assertThat(h.get("path")).isEqualTo("notes%2FBrief%20%C3%BC.txt");
            assertThat(h.get("origin")).isEqualTo("silknote:" + DOC.value());
            assertThat(h.get("digest")).startsWith("sha-256=:");
            assertThat(h.get("body")).isEqualTo("a");
        });
        assertThat(server.requests).containsExactly("POST /v1/filesets/fs-1/files");
    }

    @Test
    void aReplayIsAReplayOnlyWhenTheServerSaysSo() {
        answer(200, file("f-1", "fs-1", "silknote:" + DOC.value(), false), Map.of("Idempotent-Replayed", "true"));
        create();
        answer(200, file("f-1", "fs-1", "silknote:" + DOC.value(), false), Map.of());
        assertThatThrownBy(this::create).as("a create answered 200 without the replay header")
                .isInstanceOf(MalformedResponseException.class);
    }

    @Test
    void anAnswerAboutAnotherFilesetOriginOrFileIsMalformed() {
        answer(201, file("f-1", "fs-2", "silknote:" + DOC.value(), false), Map.of());
        assertThatThrownBy(this::create).isInstanceOf(MalformedResponseException.class);
        answer(201, file("f-1", "fs-1", null, false), Map.of());
        assertThatThrownBy(this::create).isInstanceOf(MalformedResponseException.class);
        answer(200, file("f-9", "fs-1", null, false), Map.of());
        assertThatThrownBy(() -> target.replaceContent(FencingToken.of(3), IdempotencyKey.of("r"), VsrxFileId.of("f-1"),
                "e1", upload("b"))).isInstanceOf(MalformedResponseException.class);
        answer(200, file("f-1", "fs-1", null, false), Map.of());
        assertThatThrownBy(() -> target.markDeleted(FencingToken.of(3), IdempotencyKey.of("d"), VsrxFileId.of("f-1"),
                "e1")).as("a delete answered with a live file").isInstanceOf(MalformedResponseException.class);
        answer(201, "<html>login</html>", Map.of());
        assertThatThrownBy(this::create).isInstanceOf(MalformedResponseException.class);
    }

    @Test
    void refusalsBecomeTheExceptionsTheEngineActsOn() {
        answer(409, "{\"error\":{\"code\":\"stale_fencing_token\",\"message\":\"x\"}}", Map.of());
        assertThatThrownBy(this::create).isInstanceOf(StaleFencingTokenException.class);
        assertThatThrownBy(() -> target.fence(FencingToken.of(1))).isInstanceOf(StaleFencingTokenException.class);
        answer(412, "{\"error\":{\"code\":\"precondition_failed\",\"message\":\"x\"}}", Map.of());
        assertThatThrownBy(() -> target.markDeleted(FencingToken.of(3), IdempotencyKey.of("d"), VsrxFileId.of("f-1"),
                "e1")).isInstanceOf(ConcurrentUpdateException.class);
        answer(409, "{\"error\":{\"code\":\"path_taken\",\"message\":\"x\"}}", Map.of());
        assertThatThrownBy(this::create).isInstanceOf(PermanentSyncException.class)
                .satisfies(e -> assertThat(((PermanentSyncException) e).statusCode()).hasValue(409));
        answer(503, "{\"error\":{\"code\":\"source_unavailable\",\"message\":\"x\"}}", Map.of("Retry-After", "7"));
        assertThatThrownBy(this::create).isInstanceOf(TransientSyncException.class)
                .satisfies(e -> assertThat(((TransientSyncException) e).retryAfter()).contains(Duration.ofSeconds(7)));
        answer(400, "{\"error\":{\"code\":\"incomplete_body\",\"message\":\"x\"}}", Map.of());
        assertThatThrownBy(this::create).as("a body cut on the way is worth a retry")
                .isInstanceOf(TransientSyncException.class);
    }

    @Test
    void aLostAnswerIsTransientSoTheEngineRetriesWithTheSameKey() {
        server.script(ex -> {
            ex.getRequestBody().readAllBytes();
            ex.close();            // no answer at all: the connection just ends
        });
        assertThatThrownBy(this::create).isInstanceOf(TransientSyncException.class);
    }
}
