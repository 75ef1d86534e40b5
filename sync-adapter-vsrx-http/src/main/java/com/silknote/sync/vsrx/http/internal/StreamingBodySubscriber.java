package com.silknote.sync.vsrx.http.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A response body as an {@link InputStream} that holds at most one chunk in memory (one chunk is
 * requested at a time) and fails with {@link HttpTimeoutException} when no data arrives for the read
 * timeout, so a stalled download cannot hang a run. Closing it cancels the exchange.
 */
public final class StreamingBodySubscriber extends InputStream implements HttpResponse.BodySubscriber<InputStream> {
    private static final Object END = new Object();

    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final CompletableFuture<InputStream> body = new CompletableFuture<>();
    private final long readTimeoutNanos;
    private volatile Flow.Subscription subscription;
    private Iterator<ByteBuffer> chunk;
    private ByteBuffer current;
    private boolean eof;
    private volatile boolean closed;

    public StreamingBodySubscriber(Duration readTimeout) {
        this.readTimeoutNanos = readTimeout.toNanos();
    }

    public static HttpResponse.BodyHandler<InputStream> handler(Duration readTimeout) {
        return info -> new StreamingBodySubscriber(readTimeout);
    }

    @Override
    public CompletionStage<InputStream> getBody() {
        return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        body.complete(this);
        s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        queue.offer(items);
    }

    @Override
    public void onError(Throwable t) {
        queue.offer(t);
    }

    @Override
    public void onComplete() {
        queue.offer(END);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    @SuppressWarnings("unchecked")
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (closed) {
            throw new IOException("stream closed");
        }
        if (len == 0) {
            return 0;
        }
        while (current == null || !current.hasRemaining()) {
            if (chunk != null && chunk.hasNext()) {
                current = chunk.next();
                continue;
            }
            if (eof) {
                return -1;
            }
            Object o;
            try {
                o = queue.poll(readTimeoutNanos, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancel();
                throw new InterruptedIOException("interrupted while reading the body");
            }
            if (o == null) {
                cancel();
                throw new HttpTimeoutException("no body data within the read timeout");
            }
            if (o == END) {
                eof = true;
                return -1;
            }
            if (o instanceof Throwable) {
                eof = true;
                throw new IOException("body read failed", (Throwable) o);
            }
            chunk = ((List<ByteBuffer>) o).iterator();
            subscription.request(1);
        }
        int n = Math.min(len, current.remaining());
        current.get(b, off, n);
        return n;
    }

    @Override
    public int available() {
        return current == null ? 0 : current.remaining();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            cancel();
        }
    }

    private void cancel() {
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }
}
