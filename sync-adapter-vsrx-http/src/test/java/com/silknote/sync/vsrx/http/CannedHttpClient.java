package com.silknote.sync.vsrx.http;

import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * An {@link HttpClient} that answers every request with one canned response, without a network: the status,
 * headers and body chunks given, delivered through the caller's own {@link HttpResponse.BodyHandler} with
 * reactive-streams demand, optionally failing before the headers or in the middle of the body. Lets the fuzz
 * tests drive {@link HttpVsrxSource}'s real parsing fast and deterministically.
 */
final class CannedHttpClient extends HttpClient {
    /** One response, or a transport failure before any response. */
    record Canned(int status, Map<String, List<String>> headers, List<byte[]> chunks,
            Optional<IOException> failBeforeHeaders, Optional<IOException> failAfterChunks) { }

    private final Canned canned;
    private final List<HttpRequest> requests = new ArrayList<>();

    CannedHttpClient(Canned canned) {
        this.canned = canned;
    }

    List<HttpRequest> requests() {
        return requests;
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
            HttpResponse.BodyHandler<T> handler) {
        requests.add(request);
        if (canned.failBeforeHeaders().isPresent()) {
            return CompletableFuture.failedFuture(canned.failBeforeHeaders().get());
        }
        HttpHeaders headers = HttpHeaders.of(canned.headers(), (name, value) -> true);
        HttpResponse.ResponseInfo info = new HttpResponse.ResponseInfo() {
            @Override
            public int statusCode() {
                return canned.status();
            }

            @Override
            public HttpHeaders headers() {
                return headers;
            }

            @Override
            public Version version() {
                return Version.HTTP_1_1;
            }
        };
        HttpResponse.BodySubscriber<T> subscriber = handler.apply(info);
        subscriber.onSubscribe(new ChunkSubscription<>(subscriber, canned.chunks(), canned.failAfterChunks()));
        return subscriber.getBody().toCompletableFuture()
                .thenApply(body -> new CannedResponse<>(request, canned.status(), headers, body));
    }

    /** Delivers chunks on demand, then completes or fails; reentrant requests are queued, not recursed. */
    private static final class ChunkSubscription<T> implements Flow.Subscription {
        private final HttpResponse.BodySubscriber<T> subscriber;
        private final List<byte[]> chunks;
        private final Optional<IOException> failure;
        private int next;
        private long demand;
        private boolean delivering;
        private boolean done;

        ChunkSubscription(HttpResponse.BodySubscriber<T> subscriber, List<byte[]> chunks,
                Optional<IOException> failure) {
            this.subscriber = subscriber;
            this.chunks = chunks;
            this.failure = failure;
        }

        @Override
        public void request(long n) {
            if (done) {
                return;
            }
            demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
            if (delivering) {
                return;
            }
            delivering = true;
            try {
                while (!done && demand > 0 && next < chunks.size()) {
                    demand--;
                    subscriber.onNext(List.of(ByteBuffer.wrap(chunks.get(next++))));
                }
                if (!done && next == chunks.size()) {
                    done = true;
                    if (failure.isPresent()) {
                        subscriber.onError(failure.get());
                    } else {
                        subscriber.onComplete();
                    }
                }
            } finally {
                delivering = false;
            }
        }

        @Override
        public void cancel() {
            done = true;
        }
    }

    private record CannedResponse<T>(HttpRequest request, int statusCode, HttpHeaders headers, T body)
            implements HttpResponse<T> {
        @Override
        public Optional<HttpResponse<T>> previousResponse() {
            return Optional.empty();
        }

        @Override
        public Optional<SSLSession> sslSession() {
            return Optional.empty();
        }

        @Override
        public URI uri() {
            return request.uri();
        }

        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }
    }

    @Override
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws java.io.IOException, InterruptedException {
        try {   // as the JDK's client: the asynchronous exchange, its failure rethrown unwrapped
            return sendAsync(request, handler).get();
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof java.io.IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new java.io.IOException(c);
        }
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
            HttpResponse.PushPromiseHandler<T> pushPromiseHandler) {
        return sendAsync(request, handler);
    }

    @Override
    public Optional<CookieHandler> cookieHandler() {
        return Optional.empty();
    }

    @Override
    public Optional<Duration> connectTimeout() {
        return Optional.empty();
    }

    @Override
    public Redirect followRedirects() {
        return Redirect.NEVER;
    }

    @Override
    public Optional<ProxySelector> proxy() {
        return Optional.empty();
    }

    @Override
    public SSLContext sslContext() {
        throw new UnsupportedOperationException("no TLS here");
    }

    @Override
    public SSLParameters sslParameters() {
        return new SSLParameters();
    }

    @Override
    public Optional<Authenticator> authenticator() {
        return Optional.empty();
    }

    @Override
    public Version version() {
        return Version.HTTP_1_1;
    }

    @Override
    public Optional<Executor> executor() {
        return Optional.empty();
    }
}
