package com.silknote.sync.vsrx.http;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.silknote.sync.core.exception.FileGoneException;
import com.silknote.sync.core.exception.MalformedResponseException;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.SyncException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.vsrx.http.internal.Cursors;
import com.silknote.sync.vsrx.http.internal.EntityTags;
import com.silknote.sync.vsrx.http.internal.PercentCodec;
import com.silknote.sync.vsrx.http.internal.ReprDigest;
import com.silknote.sync.vsrx.http.internal.RetryAfter;
import com.silknote.sync.vsrx.http.internal.StreamingBodySubscriber;
import com.silknote.sync.vsrx.http.internal.VerifyingInputStream;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link VsrxSource} over HTTP (protocol {@code /v1}, see {@code openapi.json}), on the JDK's
 * {@link HttpClient}: connections are pooled and reused, calls are bounded by the configured timeouts,
 * downloads stream (never the whole file in memory) and are verified against their declared length and
 * SHA-256 while they are read. Immutable and thread-safe.
 *
 * <p>Transports: listings always go through the {@link HttpClient}. File contents go through it too when the
 * host gave one (the {@code @Inject} constructor, {@link Builder#httpClient}), so everything the host configured
 * on it (proxy, TLS, executor) applies. When the builder creates its own client, contents are read over the
 * JDK's {@link java.net.HttpURLConnection} instead, which costs well under half the CPU per byte
 * (docs/benchmarks.md), with the same timeouts, statuses, errors and checks; its idle connections are kept in the
 * JVM-wide keep-alive cache, {@code http.maxConnections} per server (default 5): a host that downloads more files
 * at once sets that system property to its concurrency before the first download.
 *
 * <p>Failures: timeouts, connection failures and resets, 408, 429 and 5xx become
 * {@link TransientSyncException} (with {@code Retry-After}, seconds or HTTP-date); 401, 403, 404 and
 * other 4xx {@link PermanentSyncException} with the status; any response that breaks the protocol (bad
 * JSON, missing or mistyped fields, a non-JSON body such as an HTML page on a 200, a truncated body, a
 * page bigger than the limit, duplicate ids, a cursor loop, a redirect, a missing length or digest)
 * {@link MalformedResponseException}. A download whose bytes turn out shorter, longer or different from
 * what was declared fails with an {@link IOException} (caused by a {@code MalformedResponseException})
 * from {@code read} at the latest at end of stream. There are no retries here: the engine owns the one
 * retry layer.
 *
 * <p>Wire logs at DEBUG only: method, route template, status, duration.
 *
 * <pre>{@code
 * VsrxSource vsrx = HttpVsrxSource.builder()
 *         .baseUri(URI.create("https://vsrx.example/api"))
 *         .token(Secret.of(System.getenv("VSRX_TOKEN")))
 *         .connectTimeout(Duration.ofSeconds(5))
 *         .requestTimeout(Duration.ofSeconds(30))
 *         .build();
 * }</pre>
 */
public final class HttpVsrxSource implements VsrxSource {
    private static final Logger log = LoggerFactory.getLogger(HttpVsrxSource.class);
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private final HttpVsrxSourceConfig config;
    private final HttpClient http;
    /** Content downloads when the source built its own client; null: over {@link #http} too. */
    private final UrlConnectionExchange urlConnections;
    private final Clock clock;
    private final PageGuard pages = new PageGuard();

    /**
     * Constructor for dependency-injection containers; {@link #builder()} is the other way in.
     *
     * @param config     base URI, token, timeouts
     * @param httpClient the HTTP client (its connect timeout and redirect policy are the host's; the
     *                   builder's client never follows redirects)
     * @param clock      for {@code Retry-After} dates and wire-log durations
     * @throws NullPointerException when any argument is null
     */
    @Inject
    public HttpVsrxSource(HttpVsrxSourceConfig config, HttpClient httpClient, Clock clock) {
        this(config, httpClient, clock, false);
    }

    private HttpVsrxSource(HttpVsrxSourceConfig config, HttpClient httpClient, Clock clock, boolean ownClient) {
        this.config = requireNonNull(config, "config");
        this.http = requireNonNull(httpClient, "httpClient");
        this.clock = requireNonNull(clock, "clock");
        this.urlConnections = ownClient ? new UrlConnectionExchange(config) : null;
        if (plainHttpBeyondLoopback(config.baseUri())) {
            log.warn("VSRX base URI uses plain http to a non-loopback host: tokens and patient data travel unencrypted");
        }
    }

    private static boolean plainHttpBeyondLoopback(URI uri) {
        if (!"http".equalsIgnoreCase(uri.getScheme())) {
            return false;
        }
        String host = uri.getHost();
        return !(host.equalsIgnoreCase("localhost") || host.equals("127.0.0.1") || host.equals("[::1]")
                || host.equals("::1"));
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder pre-filled with this instance's settings and HTTP client; a client this instance built itself
     * stays its own (contents over {@code HttpURLConnection}) unless {@link Builder#httpClient} replaces it.
     */
    public Builder newBuilder() {
        Builder b = new Builder();
        b.baseUri = config.baseUri();
        b.token = config.token();
        b.connectTimeout = config.connectTimeout();
        b.requestTimeout = config.requestTimeout();
        b.readTimeout = config.readTimeout();
        b.maxJsonBytes = config.maxJsonBytes();
        if (urlConnections != null) {
            b.ownClient = http;
        } else {
            b.httpClient = http;
        }
        b.clock = clock;
        return b;
    }

    /**
     * The write port of the same VSRX server (bi-directional sync, docs/bidirectional.md), sharing this source's
     * settings and HTTP client.
     */
    public HttpVsrxTarget target() {
        return new HttpVsrxTarget(config, http, clock);
    }

    /**
     * {@inheritDoc}
     *
     * @throws TransientSyncException on timeouts, connection failures, 408, 429, 5xx
     * @throws MalformedResponseException when the response breaks the protocol
     * @throws PermanentSyncException on 401, 403 and other 4xx
     */
    @Override
    public Page<VsrxFileset> listFilesets(PageRequest request) {
        requireNonNull(request, "request");
        String op = "listFilesets";
        JsonNode body = getJson(Route.LIST_FILESETS, uri("/v1/filesets", request), op, false).orElseThrow();
        List<VsrxFileset> items = new ArrayList<>();
        Optional<String> next;
        Optional<Instant> serverTime;
        try {
            for (JsonNode n : WireFormat.pageItems(body)) {
                items.add(WireFormat.readFileset(n));
            }
            next = WireFormat.pageCursor(body);
            serverTime = WireFormat.pageServerTime(body);
        } catch (JsonFormatException e) {
            throw new MalformedResponseException(op + ": " + e.getMessage(), 200, null);
        }
        checkCursor(op, next);
        List<String> ids = items.stream().map(f -> f.id().value()).toList();
        pages.check(op, "filesets\u0000" + request.changedSince(), request, ids, next);
        return new Page<>(items, next, serverTime);
    }

    /**
     * {@inheritDoc}
     *
     * @throws TransientSyncException on timeouts, connection failures, 408, 429, 5xx
     * @throws MalformedResponseException when the response breaks the protocol (also when it describes
     *         another fileset)
     * @throws PermanentSyncException on 401, 403, other 4xx, and a 404 that is not {@code fileset_not_found}
     */
    @Override
    public Optional<VsrxFileset> findFileset(FilesetId id) {
        requireNonNull(id, "id");
        String op = "findFileset";
        Optional<JsonNode> body = getJson(Route.GET_FILESET, uri("/v1/filesets/" + PercentCodec.encode(id.value()), null),
                op, true);
        if (body.isEmpty()) {
            return Optional.empty();
        }
        VsrxFileset fs;
        try {
            fs = WireFormat.readFileset(body.get());
        } catch (JsonFormatException e) {
            throw new MalformedResponseException(op + ": " + e.getMessage(), 200, null);
        }
        if (!fs.id().equals(id)) {
            throw new MalformedResponseException(op + ": response describes another fileset", 200, null);
        }
        return Optional.of(fs);
    }

    /**
     * {@inheritDoc}
     *
     * @throws TransientSyncException on timeouts, connection failures, 408, 429, 5xx
     * @throws MalformedResponseException when the response breaks the protocol (also when a file of
     *         another fileset is listed)
     * @throws PermanentSyncException on 401, 403, 404 (unknown fileset) and other 4xx
     */
    @Override
    public Page<VsrxFile> listFiles(FilesetId filesetId, PageRequest request) {
        requireNonNull(filesetId, "filesetId");
        requireNonNull(request, "request");
        String op = "listFiles";
        JsonNode body = getJson(Route.LIST_FILES,
                uri("/v1/filesets/" + PercentCodec.encode(filesetId.value()) + "/files", request), op, false)
                .orElseThrow();
        List<VsrxFile> items = new ArrayList<>();
        Optional<String> next;
        Optional<Instant> serverTime;
        try {
            for (JsonNode n : WireFormat.pageItems(body)) {
                items.add(WireFormat.readFile(n));
            }
            next = WireFormat.pageCursor(body);
            serverTime = WireFormat.pageServerTime(body);
        } catch (JsonFormatException e) {
            throw new MalformedResponseException(op + ": " + e.getMessage(), 200, null);
        }
        for (VsrxFile f : items) {
            if (!f.filesetId().equals(filesetId)) {
                throw new MalformedResponseException(op + ": listing holds a file of another fileset", 200, null);
            }
        }
        checkCursor(op, next);
        List<String> ids = items.stream().map(f -> f.id().value()).toList();
        pages.check(op, "files\u0000" + filesetId.value() + '\u0000' + request.changedSince(), request, ids, next);
        return new Page<>(items, next, serverTime);
    }

    /**
     * {@inheritDoc}
     *
     * @throws TransientSyncException on timeouts, connection failures, 408, 429, 5xx
     * @throws MalformedResponseException when the response lacks a valid Content-Length or
     *         {@code Repr-Digest: sha-256}, or carries an invalid ETag
     * @throws FileGoneException on 404 {@code file_not_found} and 410 {@code file_deleted}
     * @throws PermanentSyncException on 401, 403, any other 404 or 410 (a wrong route) and other 4xx
     */
    @Override
    public FileContent openContent(VsrxFileId fileId) {
        requireNonNull(fileId, "fileId");
        String op = "openContent";
        Route route = Route.FILE_CONTENT;
        URI uri = uri("/v1/files/" + PercentCodec.encode(fileId.value()) + "/content", null);
        long start = clock.millis();
        if (urlConnections != null) {
            UrlConnectionExchange.Response resp;
            InputStream body;
            try {
                resp = urlConnections.get(uri, "*/*", op);
                body = resp.body();
            } catch (TransientSyncException e) {
                wireLog(route, "failed (TransientSyncException)", start);
                throw e;
            } catch (IOException | RuntimeException e) {
                throw failed(op, route, start, e);
            }
            wireLog(route, Integer.toString(resp.status()), start);
            return content(op, resp.status(), resp::header, body);
        }
        HttpResponse<InputStream> resp = send(request(uri, "*/*"), StreamingBodySubscriber.handler(config.readTimeout()),
                op, route, start);
        return content(op, resp.statusCode(), resp.headers()::firstValue, resp.body());
    }

    /** Checks a content response's status and headers; on failure {@code body} is closed. */
    private FileContent content(String op, int status, Function<String, Optional<String>> header, InputStream body) {
        boolean ok = false;
        try {
            if (status != 200) {
                byte[] err = readErrorBody(body);
                Optional<String> code = WireFormat.errorCode(err);
                // Only the protocol's own word for a gone file makes it one: a 404 of a wrong route (not_found)
                // or a proxy's page must not turn every file of a run into a skip.
                if (status == 404 && code.filter("file_not_found"::equals).isPresent()
                        || status == 410 && code.filter("file_deleted"::equals).isPresent()) {
                    throw new FileGoneException(op + " refused: HTTP " + status + " " + code.get(), status, null);
                }
                throw failure(op, status, header.apply("Retry-After"), err);
            }
            long length = contentLength(header.apply("Content-Length"))
                    .orElseThrow(() -> new MalformedResponseException(op + ": no valid Content-Length", 200, null));
            Optional<ContentHash> sha;
            try {
                sha = ReprDigest.parse(header.apply(ReprDigest.HEADER).orElse(null));
            } catch (IllegalArgumentException e) {
                throw new MalformedResponseException(op + ": invalid Repr-Digest", 200, null);
            }
            if (sha.isEmpty()) {
                throw new MalformedResponseException(op + ": no Repr-Digest sha-256", 200, null);
            }
            Optional<String> etagHeader = header.apply("ETag");
            Optional<String> etag = Optional.empty();
            if (etagHeader.isPresent()) {
                etag = EntityTags.fromHeader(etagHeader.get());
                if (etag.isEmpty()) {
                    throw new MalformedResponseException(op + ": ETag is not a strong entity tag", 200, null);
                }
            }
            InputStream verified = new VerifyingInputStream(body, length, HexFormat.of().parseHex(sha.get().hex()));
            ok = true;
            return new FileContent(verified, etag, OptionalLong.of(length), sha);
        } finally {
            if (!ok) {
                closeQuietly(body);
            }
        }
    }

    // ---- plumbing ----

    private Optional<JsonNode> getJson(Route route, URI uri, String op, boolean notFoundIsEmpty) {
        long start = clock.millis();
        HttpResponse<byte[]> resp = await(
                http.sendAsync(request(uri, "application/json"), CappedBodySubscriber.handler(config.maxJsonBytes())),
                op, route, start);
        int status = resp.statusCode();
        if (status != 200) {
            if (notFoundIsEmpty && status == 404
                    && WireFormat.errorCode(resp.body()).filter("fileset_not_found"::equals).isPresent()) {
                return Optional.empty();
            }
            throw failure(op, status, resp.headers().firstValue("Retry-After"), resp.body());
        }
        String type = resp.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
        if (!(type.equals("application/json") || type.startsWith("application/json;"))) {
            throw new MalformedResponseException(op + ": response is not application/json", status, null);
        }
        try {
            return Optional.of(Json.parse(resp.body()));
        } catch (JsonFormatException e) {
            throw new MalformedResponseException(op + ": " + e.getMessage(), status, null);
        }
    }

    private HttpRequest request(URI uri, String accept) {
        return HttpRequest.newBuilder(uri)
                .timeout(config.requestTimeout())
                .header("Authorization", "Bearer " + config.token().value())
                .header("Accept", accept)
                .GET()
                .build();
    }

    private <T> HttpResponse<T> await(CompletableFuture<HttpResponse<T>> f, String op, Route route, long start) {
        try {
            HttpResponse<T> r = f.get(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
            wireLog(route, Integer.toString(r.statusCode()), start);
            return r;
        } catch (TimeoutException e) {
            f.cancel(true);
            wireLog(route, "timeout", start);
            throw new TransientSyncException(op + " timed out", e);
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new TransientSyncException(op + " interrupted", e);
        } catch (ExecutionException e) {
            throw failed(op, route, start, e.getCause());
        }
    }

    /**
     * A blocking exchange for bodies whose handler completes at the response headers (the content stream): the
     * request's own timeout bounds the wait for the headers, as {@link #await} does. {@code send} rather than
     * {@code sendAsync} because the JDK client hands every asynchronous exchange's completion to the common
     * pool, which on a machine with two processors is a new thread per request (one per file downloaded).
     */
    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler, String op, Route route,
            long start) {
        try {
            HttpResponse<T> r = http.send(request, handler);
            wireLog(route, Integer.toString(r.statusCode()), start);
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientSyncException(op + " interrupted", e);
        } catch (IOException | RuntimeException e) {
            throw failed(op, route, start, e);
        }
    }

    /** {@code e} as the exception the caller gets ({@link #translate}), logged on the wire log as failed. */
    private SyncException failed(String op, Route route, long start, Throwable e) {
        SyncException t = translate(op, e);
        wireLog(route, "failed (" + t.getClass().getSimpleName() + ")", start);
        return t;
    }

    /** A {@code Content-Length} value when it is a valid one (1 to 18 digits). */
    static Optional<Long> contentLength(Optional<String> header) {
        return header.filter(v -> v.matches("[0-9]{1,18}")).map(Long::parseLong);
    }

    private void wireLog(Route route, String outcome, long start) {
        if (log.isDebugEnabled()) {
            log.debug("GET {} -> {} in {} ms", route.template(), outcome, clock.millis() - start);
        }
    }

    static SyncException translate(String op, Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        for (Throwable c = cause; c != null; c = c.getCause()) {
            if (c instanceof CappedBodySubscriber.BodyFailure) {
                CappedBodySubscriber.BodyFailure bf = (CappedBodySubscriber.BodyFailure) c;
                if (transientStatus(bf.status())) {
                    return new TransientSyncException(op + " failed: HTTP " + bf.status(), bf);
                }
                if (bf.tooLarge()) {
                    return new MalformedResponseException(op + ": " + bf.getMessage(), bf.status(), null);
                }
                return new MalformedResponseException(op + ": body truncated or unreadable", bf.status(), bf);
            }
        }
        if (cause instanceof HttpTimeoutException) {
            return new TransientSyncException(op + " timed out", cause);
        }
        if (cause instanceof ConnectException) {
            return new TransientSyncException(op + ": connection failed", cause);
        }
        if (cause instanceof IOException) {
            return new TransientSyncException(op + ": I/O failure (" + cause.getClass().getSimpleName() + ")", cause);
        }
        return new PermanentSyncException(op + " failed (" + cause.getClass().getSimpleName() + ")", cause);
    }

    private static boolean transientStatus(int status) {
        return status == 408 || status == 429 || status >= 500 && status <= 599;
    }

    private SyncException failure(String op, int status, Optional<String> retryAfterHeader, byte[] body) {
        String code = WireFormat.errorCode(body).filter(c -> c.matches("[a-z_]{1,64}")).map(c -> " " + c).orElse("");
        if (transientStatus(status)) {
            Optional<Duration> retryAfter = RetryAfter.parse(retryAfterHeader, clock);
            return new TransientSyncException(op + " failed: HTTP " + status + code, retryAfter.orElse(null), null);
        }
        if (status >= 400 && status <= 499) {
            return new PermanentSyncException(op + " refused: HTTP " + status + code, status, null);
        }
        return new MalformedResponseException(op + ": unexpected HTTP status " + status, status, null);
    }

    private static void checkCursor(String op, Optional<String> next) {
        if (next.isPresent() && !Cursors.wellFormed(next.get())) {
            throw new MalformedResponseException(op + ": nextCursor is malformed", 200, null);
        }
    }

    private static byte[] readErrorBody(InputStream body) {
        try (body) {
            return body.readNBytes(MAX_ERROR_BODY);
        } catch (IOException e) {
            return new byte[0];
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // nothing more to release
        }
    }

    private URI uri(String path, PageRequest page) {
        StringBuilder sb = new StringBuilder(config.prefix()).append(path);
        if (page != null) {
            sb.append("?limit=").append(page.limit());
            page.cursor().ifPresent(c -> sb.append("&cursor=").append(PercentCodec.encode(c)));
            page.changedSince().ifPresent(s -> sb.append("&changedSince=").append(PercentCodec.encode(s.toString())));
        }
        return URI.create(sb.toString());
    }

    /** Builds an {@link HttpVsrxSource}; base URI and token are required. */
    public static final class Builder {
        private URI baseUri;
        private Secret token;
        private Duration connectTimeout = HttpVsrxSourceConfig.DEFAULT_CONNECT_TIMEOUT;
        private Duration requestTimeout = HttpVsrxSourceConfig.DEFAULT_REQUEST_TIMEOUT;
        private Duration readTimeout = HttpVsrxSourceConfig.DEFAULT_READ_TIMEOUT;
        private int maxJsonBytes = HttpVsrxSourceConfig.DEFAULT_MAX_JSON_BYTES;
        private HttpClient httpClient;
        private HttpClient ownClient;
        private Clock clock = Clock.systemUTC();

        private Builder() { }

        public Builder baseUri(URI v) { baseUri = requireNonNull(v, "baseUri"); return this; }

        public Builder token(Secret v) { token = requireNonNull(v, "token"); return this; }

        /** Connection set-up limit; used only when this builder creates the HTTP client. */
        public Builder connectTimeout(Duration v) { connectTimeout = requireNonNull(v, "connectTimeout"); return this; }

        public Builder requestTimeout(Duration v) { requestTimeout = requireNonNull(v, "requestTimeout"); return this; }

        public Builder readTimeout(Duration v) { readTimeout = requireNonNull(v, "readTimeout"); return this; }

        public Builder maxJsonBytes(int v) { maxJsonBytes = v; return this; }

        /**
         * A host-owned client (proxy, TLS, executor), used for every request, file contents included; default: a
         * new one that never follows redirects, used for the listings, with file contents read over
         * {@link java.net.HttpURLConnection} (see the class description).
         */
        public Builder httpClient(HttpClient v) { httpClient = requireNonNull(v, "httpClient"); return this; }

        public Builder clock(Clock v) { clock = requireNonNull(v, "clock"); return this; }

        /**
         * @throws IllegalStateException when base URI or token is missing
         * @throws IllegalArgumentException when a setting is invalid
         */
        public HttpVsrxSource build() {
            if (baseUri == null || token == null) {
                throw new IllegalStateException("baseUri and token are required");
            }
            HttpVsrxSourceConfig cfg = new HttpVsrxSourceConfig(baseUri, token, connectTimeout, requestTimeout,
                    readTimeout, maxJsonBytes);
            if (httpClient != null) {
                return new HttpVsrxSource(cfg, httpClient, clock, false);
            }
            HttpClient client = ownClient != null ? ownClient : HttpClient.newBuilder()
                    .connectTimeout(connectTimeout)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .version(HttpClient.Version.HTTP_1_1)
                    .build();
            return new HttpVsrxSource(cfg, client, clock, true);
        }
    }
}
