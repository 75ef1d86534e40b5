package com.silknote.sync.vsrx.http;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The answer of a server-side class of this package, independent of the host's server. The host sends
 * {@link #status()}, every entry of {@link #headers()}, then (when {@link #contentLength()} is above
 * zero) exactly that many bytes written by {@link #writeBody(OutputStream)}, and finally calls
 * {@link #close()} (also when sending failed) to release any open content stream. In a servlet:
 *
 * <pre>{@code
 * try (ServerResponse r = handler.handle(request)) {
 *     resp.setStatus(r.status());
 *     r.headers().forEach(resp::setHeader);
 *     resp.setContentLengthLong(r.contentLength());
 *     if (r.contentLength() > 0) {
 *         r.writeBody(resp.getOutputStream());
 *     }
 * }
 * }</pre>
 */
public final class ServerResponse implements AutoCloseable {
    /** Writes the body. */
    @FunctionalInterface
    interface BodyWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    private final int status;
    private final Map<String, String> headers;
    private final long contentLength;
    private final BodyWriter body;
    private final AutoCloseable resource;
    private boolean closed;

    ServerResponse(int status, Map<String, String> headers, long contentLength, BodyWriter body,
            AutoCloseable resource) {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status out of range: " + status);
        }
        if (contentLength < 0) {
            throw new IllegalArgumentException("contentLength must be >= 0");
        }
        this.status = status;
        this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(headers, "headers")));
        this.contentLength = contentLength;
        this.body = requireNonNull(body, "body");
        this.resource = resource;
    }

    static ServerResponse bytes(int status, Map<String, String> headers, byte[] bytes) {
        byte[] copy = bytes.clone();
        return new ServerResponse(status, headers, copy.length, out -> out.write(copy), null);
    }

    /** The HTTP status code. */
    public int status() {
        return status;
    }

    /** Response headers to send, in order (names as they should be sent). */
    public Map<String, String> headers() {
        return headers;
    }

    /** Exact number of body bytes; 0 when there is no body. */
    public long contentLength() {
        return contentLength;
    }

    /**
     * Writes exactly {@link #contentLength()} bytes to {@code out}; does not close it.
     *
     * @throws IOException when writing or reading the content fails; the host should then abort the
     *         connection so the client sees a truncated body
     */
    public void writeBody(OutputStream out) throws IOException {
        requireNonNull(out, "out");
        body.writeTo(out);
    }

    /** Releases any open content stream or spool file. Idempotent; never throws. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (resource != null) {
            try {
                resource.close();
            } catch (Exception e) {
                // Releasing is best effort; the response is finished either way.
            }
        }
    }

    @Override
    public String toString() {
        return "ServerResponse[" + status + ", length=" + contentLength + "]";
    }
}
