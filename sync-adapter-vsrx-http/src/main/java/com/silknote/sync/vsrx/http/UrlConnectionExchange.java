package com.silknote.sync.vsrx.http;

import com.silknote.sync.core.exception.TransientSyncException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Content downloads over the JDK's {@link HttpURLConnection}, for an {@link HttpVsrxSource} that built its own
 * HTTP client (docs/benchmarks.md: for bulk bodies it costs well under half the CPU of the JDK
 * {@code HttpClient}). It behaves as the {@code HttpClient} path does wherever a caller can tell:
 * <ul>
 *   <li>the request timeout bounds the whole wait for the headers (connect timeout, then {@link HeaderWatch});
 *       an interrupt of the waiting thread ends the wait with "interrupted" and the flag kept;</li>
 *   <li>redirects are not followed, nothing is cached, the same {@code Authorization} and {@code Accept}
 *       headers are sent;</li>
 *   <li>the body's pauses are bounded by the read timeout ({@link HttpTimeoutException}); a body that ends
 *       before its {@code Content-Length} fails with {@link EOFException} (this client would end the stream
 *       quietly); an interrupt is seen before each read and after a read times out
 *       ({@link InterruptedIOException}, flag kept);</li>
 *   <li>closing the body returns the connection to the JVM's keep-alive cache when it was read to the end or
 *       the rest is already buffered, and disconnects it otherwise.</li>
 * </ul>
 * Headers are looked up in the order they came, first value first, as the {@code HttpClient}'s
 * {@code firstValue} does ({@link HttpURLConnection#getHeaderField(String)} gives the last).
 *
 * <p>Idle connections are kept in the JVM-wide keep-alive cache, at most {@code http.maxConnections} (default
 * 5) per destination; with more downloads in flight, the extra connections are closed when they are released.
 */
final class UrlConnectionExchange {
    /** Rest of a body that close drains to keep the connection, when it is already buffered. */
    static final int DRAIN_LIMIT = 64 * 1024;

    private final HttpVsrxSourceConfig config;
    private final HeaderWatch watch = new HeaderWatch();

    UrlConnectionExchange(HttpVsrxSourceConfig config) {
        this.config = config;
    }

    /**
     * Sends a GET and waits for the response's headers.
     *
     * @throws TransientSyncException on a timeout or an interrupt (then with the interrupt flag kept)
     * @throws IOException            when the exchange fails otherwise (for {@link HttpVsrxSource#translate})
     */
    Response get(URI uri, String accept, String op) throws IOException {
        if (Thread.currentThread().isInterrupted()) {
            throw new TransientSyncException(op + " interrupted", new InterruptedException());
        }
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
        c.setInstanceFollowRedirects(false);
        c.setUseCaches(false);
        c.setConnectTimeout(millis(min(config.connectTimeout(), config.requestTimeout())));
        // fixed once connected: the body's pauses; the header wait as a whole is the watch's
        c.setReadTimeout(millis(config.readTimeout()));
        c.setRequestProperty("Authorization", "Bearer " + config.token().value());
        c.setRequestProperty("Accept", accept);
        HeaderWatch.Wait wait = watch.start(c, config.requestTimeout().toNanos());
        int status;
        IOException failed = null;
        try {
            status = c.getResponseCode();
        } catch (IOException e) {
            status = -1;
            failed = e;
        } finally {
            watch.finish(wait);
        }
        switch (wait.state()) {
            case TIMED_OUT -> throw new TransientSyncException(op + " timed out",
                    failed != null ? failed : new HttpTimeoutException("request timed out"));
            case INTERRUPTED -> throw new TransientSyncException(op + " interrupted", new InterruptedException());
            default -> { }
        }
        if (failed != null || status < 0) {
            c.disconnect();
            if (failed instanceof SocketTimeoutException) {
                throw new TransientSyncException(op + " timed out", failed);
            }
            throw failed != null ? failed : new java.net.ProtocolException("no valid HTTP status line");
        }
        return new Response(c, status);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static int millis(Duration d) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
    }

    /** A response whose headers arrived; its body is read through {@link #body()}. */
    static final class Response {
        private final HttpURLConnection connection;
        private final int status;

        private Response(HttpURLConnection connection, int status) {
            this.connection = connection;
            this.status = status;
        }

        int status() {
            return status;
        }

        /** The first value of the header {@code name} (case-insensitive), in the order the headers came. */
        Optional<String> header(String name) {
            for (int i = 1; ; i++) {
                String key = connection.getHeaderFieldKey(i);
                if (key == null) {
                    // a value without a key ends the list too; index 0 is the status line
                    if (connection.getHeaderField(i) == null) {
                        return Optional.empty();
                    }
                    continue;
                }
                if (key.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                    return Optional.ofNullable(connection.getHeaderField(i));
                }
            }
        }

        /**
         * The body (of an error status too), checked against a valid {@code Content-Length}; closing it releases
         * the connection.
         *
         * @throws IOException when the body cannot be opened (the connection is then disconnected)
         */
        InputStream body() throws IOException {
            long length = HttpVsrxSource.contentLength(header("Content-Length")).orElse(-1L);
            InputStream in;
            try {
                in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
            } catch (IOException | RuntimeException e) {
                connection.disconnect();
                throw e;
            }
            if (in == null) {
                in = InputStream.nullInputStream();
            }
            return new Body(connection, in, length);
        }
    }

    /** A response body: truncation, read timeout and interrupt as the {@code HttpClient} path reports them. */
    static final class Body extends InputStream {
        private final HttpURLConnection connection;
        private final InputStream in;
        private long remaining; // -1: length unknown
        private boolean eof;
        private boolean failed;
        private boolean closed;

        Body(HttpURLConnection connection, InputStream in, long length) {
            this.connection = connection;
            this.in = in;
            this.remaining = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (closed) {
                throw new IOException("stream closed");
            }
            if (len == 0) {
                return 0;
            }
            if (eof || remaining == 0) {
                eof = true;
                return -1;
            }
            if (failed) {
                throw new IOException("body read failed before");
            }
            if (Thread.currentThread().isInterrupted()) {
                throw fail(new InterruptedIOException("interrupted while reading the body"));
            }
            int n;
            try {
                n = in.read(b, off, remaining < 0 ? len : (int) Math.min(len, remaining));
            } catch (SocketTimeoutException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw fail(new InterruptedIOException("interrupted while reading the body"));
                }
                // as the HttpClient path: the timeout is the root cause (the socket's exception adds nothing)
                throw fail(new HttpTimeoutException("no body data within the read timeout"));
            } catch (IOException e) {
                throw fail(e);
            }
            if (n < 0) {
                eof = true;
                if (remaining > 0) {
                    throw fail(new EOFException("connection closed before the declared end of the body"));
                }
                return -1;
            }
            if (remaining > 0) {
                remaining -= n;
            }
            return n;
        }

        private IOException fail(IOException e) {
            failed = true;
            connection.disconnect();
            return e;
        }

        @Override
        public int available() throws IOException {
            return closed || failed ? 0 : in.available();
        }

        /**
         * Returns the connection to the keep-alive cache when the body was read to its end, or when at most
         * {@value UrlConnectionExchange#DRAIN_LIMIT} bytes remain and they are already buffered (drained without
         * waiting); disconnects it otherwise.
         */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (failed) {
                return;
            }
            try {
                if (eof || remaining == 0 || drainedWithoutWaiting()) {
                    in.close();
                    return;
                }
            } catch (IOException e) {
                // not reusable: disconnect below
            }
            connection.disconnect();
        }

        private boolean drainedWithoutWaiting() throws IOException {
            if (remaining < 0 || remaining > DRAIN_LIMIT || in.available() < remaining) {
                return false;
            }
            byte[] buf = new byte[(int) Math.min(8192, remaining)];
            while (remaining > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, remaining));
                if (n < 0) {
                    return false;
                }
                remaining -= n;
            }
            return true;
        }
    }
}
