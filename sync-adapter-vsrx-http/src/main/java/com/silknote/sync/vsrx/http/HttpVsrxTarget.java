package com.silknote.sync.vsrx.http;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.silknote.sync.core.exception.ConcurrentUpdateException;
import com.silknote.sync.core.exception.ContentRejectedException;
import com.silknote.sync.core.exception.MalformedResponseException;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.exception.SyncException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.IdempotencyKey;
import com.silknote.sync.core.model.NewVsrxFile;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxWriteResult;
import com.silknote.sync.core.port.VsrxTarget;
import com.silknote.sync.vsrx.http.internal.EntityTags;
import com.silknote.sync.vsrx.http.internal.PercentCodec;
import com.silknote.sync.vsrx.http.internal.ReprDigest;
import com.silknote.sync.vsrx.http.internal.RetryAfter;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link VsrxTarget} over HTTP (the write routes of protocol {@code /v1}, see {@code openapi.json} and
 * docs/bidirectional.md): every write sends the fencing token ({@code Vsrx-Fencing-Token}), the idempotency key
 * ({@code Idempotency-Key}) and, for replace and delete, {@code If-Match}; content streams from its source with
 * {@code Content-Length} and {@code Repr-Digest}, and is checked against both while it is sent (a source that
 * does not match is never sent whole, so the server stores nothing). Immutable and thread-safe; no retries of its
 * own (the engine retries with the same key). Usually made with {@link HttpVsrxSource#target()}.
 *
 * <p>Answers: 409 {@code stale_fencing_token} → {@link StaleFencingTokenException}; 412 →
 * {@link ConcurrentUpdateException}; 400 {@code digest_mismatch} → {@link ContentRejectedException}; timeouts,
 * connection failures, 408, 429, 5xx and an interrupted upload → {@link TransientSyncException}; other 4xx →
 * {@link PermanentSyncException} with the status (404, 410, 403, 409 {@code path_taken}, 422); an answer that
 * breaks the protocol (another file, another fileset, another origin, no JSON) → {@link MalformedResponseException}.
 * A write must complete within the request timeout. Wire logs at DEBUG only: method, route template, status.
 */
public final class HttpVsrxTarget implements VsrxTarget {
    private static final Logger log = LoggerFactory.getLogger(HttpVsrxTarget.class);

    private final HttpVsrxSourceConfig config;
    private final HttpClient http;
    private final Clock clock;

    /**
     * Constructor for dependency-injection containers; {@link #builder()} and {@link HttpVsrxSource#target()} are
     * the other ways in.
     *
     * @param config     base URI, token, timeouts (those of the source)
     * @param httpClient the HTTP client
     * @param clock      for {@code Retry-After} dates and wire-log durations
     * @throws NullPointerException when any argument is null
     */
    @Inject
    public HttpVsrxTarget(HttpVsrxSourceConfig config, HttpClient httpClient, Clock clock) {
        this.config = requireNonNull(config, "config");
        this.http = requireNonNull(httpClient, "httpClient");
        this.clock = requireNonNull(clock, "clock");
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@inheritDoc}
     *
     * @throws StaleFencingTokenException when the server has seen a higher token
     * @throws TransientSyncException on timeouts, connection failures, 408, 429, 5xx
     * @throws PermanentSyncException on other refusals
     */
    @Override
    public void fence(FencingToken token) {
        requireNonNull(token, "token");
        HttpRequest.Builder b = base(Route.FENCE, uri("/v1/fence"), token).POST(HttpRequest.BodyPublishers.noBody());
        Answer a = send(Route.FENCE, "fence", b.build(), null);
        if (a.status != 204) {
            throw new MalformedResponseException("fence: unexpected HTTP status " + a.status, a.status, null);
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws MalformedResponseException when the answer describes another fileset or origin
     */
    @Override
    public VsrxWriteResult createFile(FencingToken token, IdempotencyKey key, NewVsrxFile file, BlobUpload content) {
        requireNonNull(token, "token");
        requireNonNull(key, "key");
        requireNonNull(file, "file");
        requireNonNull(content, "content");
        String op = "createFile";
        URI uri = uri("/v1/filesets/" + PercentCodec.encode(file.filesetId().value()) + "/files");
        CheckedUpload body = new CheckedUpload(content);
        HttpRequest.Builder b = upload(base(Route.CREATE_FILE, uri, token).header(WriteEndpoint.IDEMPOTENCY_KEY,
                key.value()).header(WriteEndpoint.FILE_PATH, PercentCodec.encode(file.path()))
                .header(WriteEndpoint.ORIGIN, VsrxFile.originOf(file.origin())), "POST", content, body);
        Answer a = send(Route.CREATE_FILE, op, b.build(), body);
        VsrxWriteResult r = result(op, a, 201);
        if (!r.file().filesetId().equals(file.filesetId()) || !r.file().origin().equals(Optional.of(file.origin()))) {
            throw new MalformedResponseException(op + ": the answer describes another fileset or origin", a.status, null);
        }
        return r;
    }

    /** {@inheritDoc} */
    @Override
    public VsrxWriteResult replaceContent(FencingToken token, IdempotencyKey key, VsrxFileId fileId, String ifMatchEtag,
            BlobUpload content) {
        requireNonNull(token, "token");
        requireNonNull(key, "key");
        requireNonNull(fileId, "fileId");
        requireNonNull(ifMatchEtag, "ifMatchEtag");
        requireNonNull(content, "content");
        String op = "replaceContent";
        URI uri = uri("/v1/files/" + PercentCodec.encode(fileId.value()) + "/content");
        CheckedUpload body = new CheckedUpload(content);
        HttpRequest.Builder b = upload(base(Route.REPLACE_CONTENT, uri, token)
                .header(WriteEndpoint.IDEMPOTENCY_KEY, key.value())
                .header("If-Match", EntityTags.toHeader(ifMatchEtag)), "PUT", content, body);
        return sameFile(op, fileId, result(op, send(Route.REPLACE_CONTENT, op, b.build(), body), 200));
    }

    /** {@inheritDoc} */
    @Override
    public VsrxWriteResult markDeleted(FencingToken token, IdempotencyKey key, VsrxFileId fileId, String ifMatchEtag) {
        requireNonNull(token, "token");
        requireNonNull(key, "key");
        requireNonNull(fileId, "fileId");
        requireNonNull(ifMatchEtag, "ifMatchEtag");
        String op = "markDeleted";
        URI uri = uri("/v1/files/" + PercentCodec.encode(fileId.value()));
        HttpRequest.Builder b = base(Route.DELETE_FILE, uri, token).header(WriteEndpoint.IDEMPOTENCY_KEY, key.value())
                .header("If-Match", EntityTags.toHeader(ifMatchEtag)).DELETE();
        VsrxWriteResult r = sameFile(op, fileId, result(op, send(Route.DELETE_FILE, op, b.build(), null), 200));
        if (!r.file().deleted()) {
            throw new MalformedResponseException(op + ": the answer shows the file not deleted", 200, null);
        }
        return r;
    }

    // ---- plumbing

    private record Answer(int status, HttpResponse<byte[]> response) { }

    private HttpRequest.Builder base(Route route, URI uri, FencingToken token) {
        return HttpRequest.newBuilder(uri).timeout(config.requestTimeout())
                .header("Authorization", "Bearer " + config.token().value())
                .header("Accept", "application/json")
                .header(WriteEndpoint.FENCING_TOKEN, Long.toString(token.value()));
    }

    private static HttpRequest.Builder upload(HttpRequest.Builder b, String method, BlobUpload content,
            CheckedUpload body) {
        b.header("Content-Type", content.contentType()).header(ReprDigest.HEADER, ReprDigest.format(content.hash()));
        HttpRequest.BodyPublisher publisher = content.size() == 0
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(body::open),
                        content.size());
        return b.method(method, publisher);
    }

    private Answer send(Route route, String op, HttpRequest request, CheckedUpload body) {
        long start = clock.millis();
        CompletableFuture<HttpResponse<byte[]>> f = http.sendAsync(request,
                CappedBodySubscriber.handler(config.maxJsonBytes()));
        HttpResponse<byte[]> resp;
        try {
            resp = f.get(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            wireLog(route, "timeout", start);
            throw new TransientSyncException(op + " timed out", e);
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new TransientSyncException(op + " interrupted", e);
        } catch (ExecutionException e) {
            if (body != null && body.mismatch != null) {
                wireLog(route, "refused locally (" + body.mismatch + ")", start);
                throw new ContentRejectedException(body.mismatch,
                        op + ": the content does not match its declared size or SHA-256; nothing was sent whole");
            }
            SyncException t = HttpVsrxSource.translate(op, e.getCause());
            wireLog(route, "failed (" + t.getClass().getSimpleName() + ")", start);
            throw t;
        }
        int status = resp.statusCode();
        wireLog(route, Integer.toString(status), start);
        if (status >= 200 && status <= 299) {
            return new Answer(status, resp);
        }
        throw failure(op, status, resp);
    }

    private SyncException failure(String op, int status, HttpResponse<byte[]> resp) {
        Optional<String> code = WireFormat.errorCode(resp.body()).filter(c -> c.matches("[a-z_]{1,64}"));
        String suffix = code.map(c -> " " + c).orElse("");
        if (status == 409 && code.filter("stale_fencing_token"::equals).isPresent()) {
            return new StaleFencingTokenException(op + " refused: a newer fencing token was seen by VSRX");
        }
        if (status == 412) {
            return new ConcurrentUpdateException(op + ": the file's ETag changed");
        }
        if (status == 400 && code.filter("digest_mismatch"::equals).isPresent()) {
            return new ContentRejectedException(SkipReason.CHECKSUM_MISMATCH, op + " refused: HTTP 400" + suffix);
        }
        if (status == 400 && code.filter("incomplete_body"::equals).isPresent()) {
            return new TransientSyncException(op + " failed: HTTP 400" + suffix, null);
        }
        if (status == 408 || status == 429 || status >= 500 && status <= 599) {
            Optional<Duration> retryAfter = RetryAfter.parse(resp.headers().firstValue("Retry-After"), clock);
            return new TransientSyncException(op + " failed: HTTP " + status + suffix, retryAfter.orElse(null), null);
        }
        if (status >= 400 && status <= 499) {
            return new PermanentSyncException(op + " refused: HTTP " + status + suffix, status, null);
        }
        return new MalformedResponseException(op + ": unexpected HTTP status " + status, status, null);
    }

    private static VsrxWriteResult result(String op, Answer a, int freshStatus) {
        boolean replayed = a.response.headers().firstValue(WriteEndpoint.REPLAYED)
                .map(v -> v.trim().equalsIgnoreCase("true")).orElse(false);
        if (a.status != freshStatus && !(a.status == 200 && replayed)) {
            throw new MalformedResponseException(op + ": unexpected HTTP status " + a.status, a.status, null);
        }
        String type = a.response.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
        if (!(type.equals("application/json") || type.startsWith("application/json;"))) {
            throw new MalformedResponseException(op + ": response is not application/json", a.status, null);
        }
        try {
            JsonNode node = Json.parse(a.response.body());
            return new VsrxWriteResult(WireFormat.readFile(node), replayed);
        } catch (JsonFormatException e) {
            throw new MalformedResponseException(op + ": " + e.getMessage(), a.status, null);
        }
    }

    private static VsrxWriteResult sameFile(String op, VsrxFileId fileId, VsrxWriteResult r) {
        if (!r.file().id().equals(fileId)) {
            throw new MalformedResponseException(op + ": the answer describes another file", 200, null);
        }
        return r;
    }

    private void wireLog(Route route, String outcome, long start) {
        if (log.isDebugEnabled()) {
            log.debug("{} {} -> {} in {} ms", route.method(), route.template(), outcome, clock.millis() - start);
        }
    }

    private URI uri(String path) {
        return URI.create(config.prefix() + path);
    }

    /**
     * The upload as sent: read from the source, counted and hashed; a source with fewer or more bytes than
     * declared, or other bytes, fails the read before its last chunk is handed to the client, so the server never
     * receives the whole body.
     */
    private static final class CheckedUpload {
        private final BlobUpload content;
        volatile SkipReason mismatch;

        CheckedUpload(BlobUpload content) {
            this.content = content;
        }

        InputStream open() {
            InputStream in;
            try {
                in = content.source().open();
            } catch (IOException e) {
                throw new UncheckedIOException("opening the upload failed", e);
            }
            MessageDigest sha;
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 unavailable", e);
            }
            return new InputStream() {
                private long total;

                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    int n = read(one, 0, 1);
                    return n < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    long left = content.size() - total;
                    if (left == 0) {
                        return -1;
                    }
                    int n = in.read(b, off, (int) Math.min(len, left));
                    if (n < 0) {
                        throw refuse(SkipReason.SIZE_MISMATCH);
                    }
                    sha.update(b, off, n);
                    total += n;
                    if (total == content.size()) {
                        if (in.read() >= 0) {
                            throw refuse(SkipReason.SIZE_MISMATCH);
                        }
                        byte[] digest = sha.digest();
                        if (!com.silknote.sync.core.model.ContentHash.ofBytes(digest).equals(content.hash())) {
                            throw refuse(SkipReason.CHECKSUM_MISMATCH);
                        }
                    }
                    return n;
                }

                @Override
                public void close() throws IOException {
                    in.close();
                }
            };
        }

        private IOException refuse(SkipReason reason) {
            mismatch = reason;
            return new IOException("the upload does not match its declared size or SHA-256");
        }
    }

    /** Builds an {@link HttpVsrxTarget}; base URI and token are required. */
    public static final class Builder {
        private final HttpVsrxSource.Builder source = HttpVsrxSource.builder();

        private Builder() { }

        public Builder baseUri(URI v) { source.baseUri(v); return this; }

        public Builder token(Secret v) { source.token(v); return this; }

        public Builder connectTimeout(Duration v) { source.connectTimeout(v); return this; }

        /** Limit of one write, upload included. */
        public Builder requestTimeout(Duration v) { source.requestTimeout(v); return this; }

        public Builder httpClient(HttpClient v) { source.httpClient(v); return this; }

        public Builder clock(Clock v) { source.clock(v); return this; }

        /**
         * @throws IllegalStateException when base URI or token is missing
         * @throws IllegalArgumentException when a setting is invalid
         */
        public HttpVsrxTarget build() {
            return source.build().target();
        }
    }
}
