package com.silknote.sync.vsrx.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Collects a small body (JSON) into memory, refusing more than {@code cap} bytes. Failures while the body
 * is read are reported as {@link BodyFailure}, so they can be told apart from failures before the
 * response headers arrived.
 */
final class CappedBodySubscriber implements HttpResponse.BodySubscriber<byte[]> {
    private final int cap;
    private final int status;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private Flow.Subscription subscription;

    CappedBodySubscriber(int cap, int status) {
        this.cap = cap;
        this.status = status;
    }

    static HttpResponse.BodyHandler<byte[]> handler(int cap) {
        return info -> new CappedBodySubscriber(cap, info.statusCode());
    }

    /** A failure while reading the body of a response whose headers (and status) had arrived. */
    static final class BodyFailure extends IOException {
        private static final long serialVersionUID = 1L;
        private final int status;
        private final boolean tooLarge;

        BodyFailure(String message, int status, boolean tooLarge, Throwable cause) {
            super(message, cause);
            this.status = status;
            this.tooLarge = tooLarge;
        }

        int status() {
            return status;
        }

        boolean tooLarge() {
            return tooLarge;
        }
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        this.subscription = s;
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        if (result.isDone()) {
            return;
        }
        for (ByteBuffer b : items) {
            int n = b.remaining();
            if ((long) buffer.size() + n > cap) {
                subscription.cancel();
                result.completeExceptionally(
                        new BodyFailure("body larger than " + cap + " bytes", status, true, null));
                return;
            }
            byte[] chunk = new byte[n];
            b.get(chunk);
            buffer.write(chunk, 0, n);
        }
    }

    @Override
    public void onError(Throwable t) {
        result.completeExceptionally(new BodyFailure("body truncated or unreadable", status, false, t));
    }

    @Override
    public void onComplete() {
        result.complete(buffer.toByteArray());
    }
}
