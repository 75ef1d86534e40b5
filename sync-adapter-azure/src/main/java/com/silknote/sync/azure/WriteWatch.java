package com.silknote.sync.azure;

import com.azure.core.util.BinaryData;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Bounds the writing of request bodies on {@link HttpURLConnection}s, whose timeouts bound reads only: a write
 * to a server that stopped reading would block for ever. While bodies are being written, one daemon thread
 * ({@code vsrx-sync-azure-write-watch}) looks at them every {@value #TICK_MILLIS} ms and disconnects a connection
 * whose write made no progress for its read timeout, which fails the blocked write; the writer then throws a
 * {@link SocketTimeoutException}. With nothing being written the thread stops ticking, and it ends after 30 s
 * idle. Bodies are handed to the connection in slices of at most {@value #SLICE} bytes (no copy), so progress
 * is seen within a large array.
 */
final class WriteWatch {
    static final int SLICE = 256 * 1024;
    static final long TICK_MILLIS = 200;

    private final Set<Writing> writes = ConcurrentHashMap.newKeySet();
    private final ScheduledThreadPoolExecutor timer;
    private ScheduledFuture<?> tick; // guarded by this

    WriteWatch() {
        timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "vsrx-sync-azure-write-watch");
            t.setDaemon(true);
            return t;
        });
        timer.setKeepAliveTime(30, TimeUnit.SECONDS);
        timer.allowCoreThreadTimeOut(true);
        timer.setRemoveOnCancelPolicy(true);
    }

    /**
     * Opens the connection's output (connecting it, within its connect timeout) and writes {@code body} (none:
     * an empty body), watched: no progress for {@code silence} disconnects it.
     *
     * @throws SocketTimeoutException when the watch disconnected the stalled write
     * @throws IOException            when the write fails otherwise, or the body's length differs from the
     *                                fixed length the connection was given
     */
    void write(HttpURLConnection connection, Duration silence, BinaryData body) throws IOException {
        OutputStream raw = connection.getOutputStream();
        Writing w = new Writing(connection, silence.toNanos());
        start(w);
        try (OutputStream out = new Progress(raw, w)) {
            if (body != null) {
                body.writeTo(out);
            }
        } catch (IOException | RuntimeException e) {
            // a Flux body reports a failed write wrapped in a RuntimeException; so may a host's BinaryData
            if (w.aborted) {
                SocketTimeoutException timeout = new SocketTimeoutException(
                        "request body not accepted within the read timeout");
                timeout.initCause(e);
                throw timeout;
            }
            if (e instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            throw e;
        } finally {
            finish(w);
        }
    }

    private void start(Writing w) {
        writes.add(w);
        synchronized (this) {
            if (tick == null) {
                tick = timer.scheduleWithFixedDelay(this::check, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
    }

    private void finish(Writing w) {
        writes.remove(w);
    }

    private void check() {
        if (writes.isEmpty()) {
            synchronized (this) {
                if (writes.isEmpty() && tick != null) {
                    tick.cancel(false);
                    tick = null;
                }
            }
            return;
        }
        long now = System.nanoTime();
        for (Writing w : writes) {
            if (now - w.lastProgress - w.silenceNanos >= 0) {
                w.aborted = true;
                w.connection.disconnect();
            }
        }
    }

    /** One request body being written. */
    private static final class Writing {
        final HttpURLConnection connection;
        final long silenceNanos;
        volatile long lastProgress = System.nanoTime();
        volatile boolean aborted;

        Writing(HttpURLConnection connection, long silenceNanos) {
            this.connection = connection;
            this.silenceNanos = silenceNanos;
        }
    }

    /** Passes writes through in slices, recording progress after each. */
    private static final class Progress extends FilterOutputStream {
        private final Writing writing;

        Progress(OutputStream out, Writing writing) {
            super(out);
            this.writing = writing;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            writing.lastProgress = System.nanoTime();
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            while (len > 0) {
                int n = Math.min(len, SLICE);
                out.write(b, off, n);
                writing.lastProgress = System.nanoTime();
                off += n;
                len -= n;
            }
        }
    }
}
