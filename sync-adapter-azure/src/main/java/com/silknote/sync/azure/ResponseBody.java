package com.silknote.sync.azure;

import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpMethod;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;

/**
 * The body of a response on an {@link HttpURLConnection}: checked against its {@code Content-Length} (the JDK
 * ends a short body quietly; here it is an {@link EOFException}), read from the error stream for 4xx/5xx.
 * Closing it returns the connection to the JVM's keep-alive cache when the body was read to its end (or its
 * rest, at most {@value #DRAIN_LIMIT} bytes, is already buffered) and disconnects it otherwise. Not thread-safe.
 */
final class ResponseBody extends InputStream {
    static final int DRAIN_LIMIT = 64 * 1024;

    private final HttpURLConnection connection;
    private InputStream in;
    private long remaining; // -1: length unknown
    private boolean eof;
    private boolean failed;
    private boolean closed;
    private boolean buffered;
    private boolean complete; // closed at its end (or ignored): later reads see the end

    private ResponseBody(HttpURLConnection connection, InputStream in, long length) {
        this.connection = connection;
        this.in = in;
        this.remaining = length;
    }

    /** The body of {@code connection}'s response (none for {@code HEAD}, 204 and 304). */
    static ResponseBody of(HttpURLConnection connection, HttpMethod method, int status, HttpHeaders headers)
            throws IOException {
        boolean none = method == HttpMethod.HEAD || status == 204 || status == 304 || status < 200;
        InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
        if (none || in == null) {
            // No error stream: the JDK had no body for it (or dropped it: a 401 or 407 to a streamed upload
            // disconnects at once), so the status and headers (x-ms-error-code) are all there is.
            return new ResponseBody(connection, in == null ? InputStream.nullInputStream() : in, 0);
        }
        return new ResponseBody(connection, in, length(headers.getValue("Content-Length")));
    }

    private static long length(String header) {
        if (header == null) {
            return -1;
        }
        try {
            long n = Long.parseLong(header.trim());
            return n >= 0 ? n : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Releases the connection of a body the caller will not read (the SDK's {@code azure-ignore-response-body}):
     * kept when the body is empty or already here, dropped otherwise; reads then see an empty body.
     */
    void ignore() {
        close();
        complete = true;
    }

    /** Reads the whole body into memory and releases the connection; later reads come from memory. */
    void buffer() throws IOException {
        if (buffered || closed) {
            return;
        }
        byte[] all = readAllBytes();
        close();
        closed = false;
        buffered = true;
        eof = false;
        remaining = all.length;
        in = new ByteArrayInputStream(all);
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
            if (complete) {
                return -1;
            }
            throw new IOException("response body closed before its end");
        }
        if (failed) {
            throw new IOException("response body failed before");
        }
        if (len == 0) {
            return 0;
        }
        if (eof || remaining == 0) {
            eof = true;
            return -1;
        }
        int n;
        try {
            n = in.read(b, off, remaining < 0 ? len : (int) Math.min(len, remaining));
        } catch (IOException e) {
            throw fail(e);
        }
        if (n < 0) {
            eof = true;
            if (remaining > 0) {
                throw fail(new EOFException("connection closed before the declared end of the response body"));
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
        if (!buffered) {
            connection.disconnect();
        }
        return e;
    }

    @Override
    public int available() throws IOException {
        return closed || failed ? 0 : in.available();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (failed || buffered) {
            return;
        }
        try {
            if (eof || remaining == 0 || drainedWithoutWaiting()) {
                complete = true;
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
