package com.silknote.sync.azure;

import static java.util.Objects.requireNonNull;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeader;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ProtocolException;
import java.net.Proxy;
import java.net.URL;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * The Azure SDK's {@link HttpClient} on the JDK's {@link HttpURLConnection}: each request is one blocking
 * exchange on the thread that sends it, with no hand-off to another thread and no thread per request (the SDK's
 * JDK {@code HttpClient} transport completes every response on other threads; docs/benchmarks.md, "The Azure
 * transport"). Give it to the SDK's client builder:
 * <pre>{@code
 * BlobContainerClient container = new BlobContainerClientBuilder()
 *         .connectionString(connection).containerName("silknote-content")
 *         .httpClient(UrlConnectionAzureHttpClient.builder().readTimeout(Duration.ofSeconds(60)).build())
 *         .retryOptions(AzureBlobStore.recommendedRetryOptions(Duration.ofMinutes(2)))
 *         .buildClient();
 * }</pre>
 *
 * <p>What it does:
 * <ul>
 *   <li>Methods {@code GET}, {@code HEAD}, {@code PUT}, {@code DELETE}, {@code POST} (and {@code OPTIONS},
 *       {@code TRACE}); {@code PATCH} fails with a {@link ProtocolException} ({@link HttpURLConnection} has
 *       none; the Blob service does not use it). Redirects are not followed, nothing is cached.</li>
 *   <li>Every request header is sent with all its values, except {@code Content-Length}, which sets the
 *       connection's fixed-length streaming mode (so the body is never buffered by the JDK and the header goes
 *       out exactly as the SDK signed it), and the headers the JDK reserves for itself ({@code Host},
 *       {@code Connection}, {@code Transfer-Encoding}, ...). A {@code POST} with a body and no
 *       {@code Content-Type} sends an empty one, as the SDK signed it (the JDK would otherwise add a form
 *       type and break the shared-key signature).</li>
 *   <li>A request body ({@link BinaryData}) is written with {@link BinaryData#writeTo(OutputStream)}: a byte
 *       array in one write, without a copy; streams, files and {@code Flux} bodies in bounded chunks. A body
 *       without {@code Content-Length} is sent chunked.</li>
 *   <li>The response's headers keep all values in the order they came, looked up case-insensitively; its
 *       body is streamed from the connection, the error stream for 4xx/5xx (the SDK reads the XML error code
 *       from it), as bytes, string, {@link BinaryData}, {@link InputStream} or {@code Flux}, never buffered
 *       whole unless the SDK asks for it ({@code azure-eagerly-read-response}, set for small XML/JSON
 *       answers). A body that ends before its {@code Content-Length} fails with an {@link IOException} (the JDK
 *       would end it quietly), so a short body is never taken for a complete one.</li>
 *   <li>Closing a response (or reading its body to the end) returns the connection to the JVM's keep-alive
 *       cache (at most {@code http.maxConnections} idle connections per server, 5 unless set before the first
 *       request); a body left unread is dropped with its connection.</li>
 * </ul>
 *
 * <p><b>Timeouts.</b> {@link #send(HttpRequest, Context) send} returns a {@code Mono} that runs the blocking
 * exchange on the subscribing thread, so operators that cancel it from another thread — the SDK's
 * per-try timeout ({@code RequestRetryOptions.tryTimeout}, a Reactor {@code timeout}) and
 * {@code Mono.block(timeout)} — end the caller's wait only after the exchange returns: the connection's own
 * timeouts bound every wait. The connect timeout bounds the connect; the read timeout (or the SDK's
 * {@code azure-response-timeout} of a request) bounds each silence while waiting for the headers and while
 * reading the body; and while a request body is written, a shared watch disconnects a connection whose
 * write has made no progress for the read timeout (a server that stops reading). The SDK's retry policy sees
 * the same exceptions as from its other transports: an {@link IOException} (or {@link UncheckedIOException}
 * from {@link #sendSync}), a {@link java.net.SocketTimeoutException} for a timeout. An interrupt of the
 * sending thread is not seen during a blocked read; the read timeout ends it.
 *
 * <p>Not supported: upload progress reporting ({@code ProgressReporter} in the context) and HTTP/2.
 * Immutable and thread-safe.
 */
public final class UrlConnectionAzureHttpClient implements HttpClient {
    /** Context key of the SDK: read the whole body before returning the response. */
    static final String EAGERLY_READ = "azure-eagerly-read-response";
    /** Context key of the SDK: the caller will not read the body. */
    static final String IGNORE_BODY = "azure-ignore-response-body";
    /** Context key of the SDK: a per-request response timeout ({@link Duration}). */
    static final String RESPONSE_TIMEOUT = "azure-response-timeout";

    private static final Set<String> JDK_HEADERS = Set.of("host", "connection", "content-length",
            "transfer-encoding", "keep-alive", "upgrade", "trailer", "te", "via");
    private static final Set<HttpMethod> WITH_OUTPUT = Set.of(HttpMethod.PUT, HttpMethod.POST);
    private static final WriteWatch WATCH = new WriteWatch();

    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Optional<Proxy> proxy;

    /**
     * @param connectTimeout bound of each connect, positive
     * @param readTimeout    bound of each silence of the server (headers, body) and of a stalled request body,
     *                       positive
     * @param proxy          the proxy to use; {@link Proxy#NO_PROXY} for a direct connection; empty for the
     *                       JVM's default proxy selection
     * @throws IllegalArgumentException when a timeout is not positive or above {@code Integer.MAX_VALUE} ms
     * @throws NullPointerException     when an argument is {@code null}
     */
    @Inject
    public UrlConnectionAzureHttpClient(Duration connectTimeout, Duration readTimeout, Optional<Proxy> proxy) {
        this.connectTimeout = checked(connectTimeout, "connectTimeout");
        this.readTimeout = checked(readTimeout, "readTimeout");
        this.proxy = requireNonNull(proxy, "proxy");
    }

    /** A builder with connect timeout 10 s, read timeout 60 s and the JVM's default proxy selection. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder pre-filled with this client's settings. */
    public Builder newBuilder() {
        Builder b = new Builder().connectTimeout(connectTimeout).readTimeout(readTimeout);
        proxy.ifPresent(b::proxy);
        return b;
    }

    /** The bound of each connect. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** The bound of each silence of the server and of a stalled request body. */
    public Duration readTimeout() {
        return readTimeout;
    }

    /**
     * The exchange as a {@code Mono} that runs it on the subscribing thread; errors with an {@link IOException}
     * when it fails. A response that arrives after the subscriber cancelled is closed.
     */
    @Override
    public Mono<HttpResponse> send(HttpRequest request) {
        return send(request, Context.NONE);
    }

    /**
     * The exchange as a {@code Mono} that runs it on the subscribing thread (see the class comment on
     * timeouts); errors with an {@link IOException} when it fails. A response that arrives after the
     * subscriber cancelled is closed.
     */
    @Override
    public Mono<HttpResponse> send(HttpRequest request, Context context) {
        requireNonNull(request, "request");
        Context ctx = context == null ? Context.NONE : context;
        return Mono.<HttpResponse>fromCallable(() -> exchange(request, ctx))
                .doOnDiscard(HttpResponse.class, HttpResponse::close);
    }

    /**
     * The exchange on the calling thread.
     *
     * @throws UncheckedIOException when it fails (a {@link java.net.SocketTimeoutException} cause for a timeout)
     */
    @Override
    public HttpResponse sendSync(HttpRequest request, Context context) {
        requireNonNull(request, "request");
        try {
            return exchange(request, context == null ? Context.NONE : context);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HttpResponse exchange(HttpRequest request, Context context) throws IOException {
        URL url = request.getUrl();
        HttpURLConnection c = (HttpURLConnection) (proxy.isPresent() ? url.openConnection(proxy.get())
                : url.openConnection());
        try {
            return exchange(c, request, context);
        } catch (IOException | RuntimeException | Error e) {
            c.disconnect();
            throw e;
        }
    }

    private HttpResponse exchange(HttpURLConnection c, HttpRequest request, Context context) throws IOException {
        HttpMethod method = request.getHttpMethod();
        c.setRequestMethod(method.name());
        c.setInstanceFollowRedirects(false);
        c.setUseCaches(false);
        c.setConnectTimeout(millis(connectTimeout));
        Duration silence = context.getData(RESPONSE_TIMEOUT)
                .filter(Duration.class::isInstance).map(Duration.class::cast)
                .filter(d -> !d.isNegative() && !d.isZero()).orElse(readTimeout);
        c.setReadTimeout(millis(silence));
        long declaredLength = -1;
        boolean contentType = false;
        for (HttpHeader header : request.getHeaders()) {
            String name = header.getName();
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("content-length")) {
                declaredLength = contentLength(header.getValue());
                continue;
            }
            if (JDK_HEADERS.contains(lower)) {
                continue;
            }
            contentType |= lower.equals("content-type");
            boolean first = true;
            for (String value : header.getValuesList()) {
                if (first) {
                    c.setRequestProperty(name, value);
                    first = false;
                } else {
                    c.addRequestProperty(name, value);
                }
            }
        }
        BinaryData body = request.getBodyAsBinaryData();
        if (WITH_OUTPUT.contains(method) && (body != null || declaredLength >= 0)) {
            long length = declaredLength >= 0 ? declaredLength
                    : body != null && body.getLength() != null ? body.getLength() : -1;
            if (method == HttpMethod.POST && !contentType) {
                c.setRequestProperty("Content-Type", "");
            }
            c.setDoOutput(true);
            if (length >= 0) {
                c.setFixedLengthStreamingMode(length);
            } else {
                c.setChunkedStreamingMode(WriteWatch.SLICE);
            }
            WATCH.write(c, silence, body);
        } else if (body != null && !Long.valueOf(0).equals(body.getLength())) {
            throw new ProtocolException("HTTP method " + method + " with a request body is not supported");
        }
        int status = c.getResponseCode();
        if (status < 0) {
            throw new ProtocolException("no valid HTTP status line");
        }
        HttpHeaders headers = headers(c);
        ResponseBody responseBody = ResponseBody.of(c, method, status, headers);
        UrlConnectionResponse response = new UrlConnectionResponse(request, status, headers, responseBody);
        boolean ignore = context.getData(IGNORE_BODY).map(Boolean.TRUE::equals).orElse(false);
        boolean eager = context.getData(EAGERLY_READ).map(Boolean.TRUE::equals).orElse(false);
        if (ignore && status < 400) {
            responseBody.ignore();
        } else if (eager || ignore) {
            responseBody.buffer();
        }
        return response;
    }

    /** All headers in the order they came, every value (the status line, at index 0, is not a header). */
    private static HttpHeaders headers(HttpURLConnection c) {
        HttpHeaders headers = new HttpHeaders();
        for (int i = 1; ; i++) {
            String name = c.getHeaderFieldKey(i);
            String value = c.getHeaderField(i);
            if (name == null && value == null) {
                return headers;
            }
            if (name != null && value != null) {
                headers.add(name, value);
            }
        }
    }

    private static long contentLength(String value) throws ProtocolException {
        try {
            long n = Long.parseLong(value.trim());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new ProtocolException("invalid Content-Length request header");
    }

    private static Duration checked(Duration d, String name) {
        requireNonNull(d, name);
        if (d.isNegative() || d.isZero() || d.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " must be positive and at most Integer.MAX_VALUE ms, was " + d);
        }
        return d;
    }

    private static int millis(Duration d) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
    }

    /** Builds a {@link UrlConnectionAzureHttpClient}. Not thread-safe. */
    public static final class Builder {
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration readTimeout = Duration.ofSeconds(60);
        private Optional<Proxy> proxy = Optional.empty();

        private Builder() {
        }

        /**
         * Bound of each connect (default 10 s).
         *
         * @throws NullPointerException when {@code timeout} is {@code null}
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Bound of each silence of the server and of a stalled request body (default 60 s).
         *
         * @throws NullPointerException when {@code timeout} is {@code null}
         */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * The proxy for every request ({@link Proxy#NO_PROXY}: direct); by default the JVM's proxy selection
         * ({@code http.proxyHost}, {@code java.net.ProxySelector}).
         *
         * @throws NullPointerException when {@code proxy} is {@code null}
         */
        public Builder proxy(Proxy proxy) {
            this.proxy = Optional.of(requireNonNull(proxy, "proxy"));
            return this;
        }

        /**
         * The client.
         *
         * @throws IllegalArgumentException when a timeout is not positive
         */
        public UrlConnectionAzureHttpClient build() {
            return new UrlConnectionAzureHttpClient(connectTimeout, readTimeout, proxy);
        }
    }
}
