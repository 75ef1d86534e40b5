package com.silknote.sync.vsrx.http;

import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.RetryPolicy;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.testkit.SilknoteSimulator;
import com.silknote.sync.testkit.SilknoteSnapshot;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.reliability.SyncScenario;
import com.silknote.sync.vsrx.http.internal.ReprDigest;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A small VSRX written by hand on a {@link StubServer}: one linked fileset {@code fs-1} with a text file and a
 * PDF, served by the {@code /v1} routes, plus whatever a test scripts for one route. The engine reads it with
 * {@link HttpVsrxSource} into a {@link SilknoteSimulator}. Used by the bad-input tables.
 */
final class StubWorld implements AutoCloseable {
    static final Secret TOKEN = Secret.of("bad-input-token-0123456789abcdef");
    static final String FILESET = "{\"id\":\"fs-1\",\"patientId\":\"P1\","
            + "\"silknotePatientUuid\":\"" + SyncScenario.patient("P1").value() + "\",\"previousPatientIds\":[],"
            + "\"updatedAt\":\"2026-01-01T00:00:00Z\"}";
    static final long MAX_FILE_BYTES = 4096;

    /** Answers one exchange instead of the world, or returns {@code false} to let the world answer. */
    @FunctionalInterface
    interface Answerer {
        boolean answer(HttpExchange exchange, String path, String query) throws IOException;
    }

    final TestClock clock = TestClock.at(SyncScenario.START);
    final SilknoteSimulator silknote = new SilknoteSimulator(clock);
    final StubServer stub;
    final Map<String, String> listed = new LinkedHashMap<>();
    final Map<String, byte[]> contents = new LinkedHashMap<>();
    private volatile Answerer override = (ex, path, query) -> false;
    private long seed = 1;

    StubWorld() throws IOException {
        stub = new StubServer();
        stub.script(this::serve);
        addFile("f-1", "notes/first.txt", "text/plain", "first note, synced before".getBytes(StandardCharsets.UTF_8));
        addFile("f-2", "notes/scan.pdf", "application/pdf", SyncScenario.PDF);
    }

    /** A listed file with the content it is served with; its listing says the content's size and no digest. */
    void addFile(String id, String path, String mime, byte[] content) {
        listed.put(id, file(id, path, content.length, mime, "e-" + id, null));
        contents.put(id, content);
    }

    static String file(String id, String path, long size, String mime, String etag, String sha256) {
        return "{\"id\":" + quote(id) + ",\"filesetId\":\"fs-1\",\"path\":" + quote(path) + ",\"size\":" + size
                + ",\"mimeType\":" + quote(mime) + ",\"modifiedAt\":\"2026-01-01T00:00:00Z\",\"etag\":"
                + (etag == null ? "null" : quote(etag)) + ",\"sha256\":" + (sha256 == null ? "null" : quote(sha256))
                + ",\"deleted\":false}";
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    static String page(List<String> items, String nextCursor) {
        return "{\"items\":[" + String.join(",", items) + "],\"nextCursor\":"
                + (nextCursor == null ? "null" : quote(nextCursor)) + ",\"serverTime\":\"2026-01-01T00:00:00Z\"}";
    }

    void override(Answerer o) {
        this.override = o;
    }

    private void serve(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        String query = ex.getRequestURI().getRawQuery();
        if (override.answer(ex, path, query == null ? "" : query)) {
            return;
        }
        if (path.equals("/v1/filesets")) {
            StubServer.json(ex, page(List.of(FILESET), null));
        } else if (path.equals("/v1/filesets/fs-1")) {
            StubServer.json(ex, FILESET);
        } else if (path.equals("/v1/filesets/fs-1/files")) {
            StubServer.json(ex, page(new ArrayList<>(listed.values()), null));
        } else if (path.startsWith("/v1/files/") && path.endsWith("/content")) {
            String id = path.substring("/v1/files/".length(), path.length() - "/content".length());
            byte[] bytes = contents.get(id);
            if (bytes == null) {
                StubServer.send(ex, 404, "application/json", "{\"error\":{\"code\":\"file_not_found\",\"message\":\"x\"}}");
                return;
            }
            content(ex, bytes, "e-" + id, FixtureVsrxSource.hash(bytes));
        } else {
            StubServer.send(ex, 404, "application/json", "{\"error\":{\"code\":\"not_found\",\"message\":\"x\"}}");
        }
    }

    /** Serves {@code bytes} as a file's content with its ETag and digest. */
    static void content(HttpExchange ex, byte[] bytes, String etag, ContentHash digest) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        ex.getResponseHeaders().set("ETag", "\"" + etag + "\"");
        ex.getResponseHeaders().set(ReprDigest.HEADER, ReprDigest.format(digest));
        ex.sendResponseHeaders(200, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream os = ex.getResponseBody()) {
                os.write(bytes);
            }
        }
    }

    SyncResult run() {
        return run(stub.baseUri());
    }

    /** A run through a {@link FaultProxy} in front of the stub that breaks exchanges as {@code network} says. */
    SyncResult runThrough(FaultProxy.Decider network) throws IOException {
        try (FaultProxy proxy = new FaultProxy(stub.baseUri(), network)) {
            return run(proxy.baseUri());
        }
    }

    private SyncResult run(java.net.URI base) {
        HttpVsrxSource client = HttpVsrxSource.builder().baseUri(base).token(TOKEN).clock(clock)
                .requestTimeout(Duration.ofSeconds(30)).build();
        SyncConfig config = SyncConfig.builder()
                .retryPolicy(new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(2), true))
                .maxFileSizeBytes(MAX_FILE_BYTES).blobGracePeriod(Duration.ZERO).build();
        return VsrxSync.builder().source(client).documents(silknote.documents()).blobs(silknote.blobs())
                .vectors(silknote.vectors()).processor(silknote.processor()).lock(silknote.lock()).config(config)
                .clock(clock).sleeper(clock).random(new SplittableRandom(seed++)).build().run(SyncRequest.full());
    }

    /** What a run may not touch: documents, mappings, fileset records, references, blobs, vectors, skips, outbox. */
    static List<Object> synced(SilknoteSnapshot s) {
        SilknoteSnapshot t = s.timeless();
        return List.of(t.documents(), t.mappings(), t.filesets(), t.blobRefs(), t.blobs(), t.vectors(), t.skips(),
                t.outbox());
    }

    @Override
    public void close() {
        stub.close();
    }
}
