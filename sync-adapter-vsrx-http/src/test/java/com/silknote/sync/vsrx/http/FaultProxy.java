package com.silknote.sync.vsrx.http;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy between {@link HttpVsrxSource} and {@link VsrxHttpServer} that breaks HTTP exchanges the way
 * networks and overloaded servers do. Each request's fate is decided by a {@link Decider} from the request
 * target and how often that target was requested before, so a seeded decider gives the same faults on every
 * run whatever the thread timing. Every response closes its connection ({@code Connection: close}).
 */
final class FaultProxy implements AutoCloseable {

    /** What happens to one exchange. */
    enum Kind {
        /** Forwarded unchanged. */
        NONE,
        /** 429 with {@code Retry-After} from the proxy. */
        TOO_MANY_REQUESTS,
        /** 500 with a JSON error body. */
        INTERNAL_ERROR,
        /** 502 with an HTML body, as a gateway sends it. */
        BAD_GATEWAY,
        /** 503 with {@code Retry-After}. */
        UNAVAILABLE,
        /** The connection is reset (RST) before any answer. */
        RESET_BEFORE_ANSWER,
        /** Headers and part of the body arrive, then the connection is reset. */
        RESET_MID_BODY,
        /** Headers and part of the body arrive, then the connection is closed (the length is not reached). */
        TRUNCATED_BODY,
        /** The whole answer arrives in small pieces with pauses between them (below the read timeout). */
        SLOW_BODY,
        /** No answer at all until the client gives up. */
        NO_ANSWER,
        /** Headers and part of the body, then silence until the client gives up. */
        STALLED_BODY
    }

    /** Decides the fate of the {@code nth} request (0-based) of {@code target} ({@code path?query}). */
    @FunctionalInterface
    interface Decider {
        Kind decide(String target, int nth);
    }

    private final ServerSocket socket;
    private final InetSocketAddress upstream;
    private final Decider decider;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fault-proxy");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Integer> seen = new HashMap<>();
    private final List<String> injected = Collections.synchronizedList(new ArrayList<>());
    private volatile Decider override;

    FaultProxy(URI upstream, Decider decider) throws IOException {
        this.upstream = new InetSocketAddress(upstream.getHost(), upstream.getPort());
        this.decider = requireNonNull(decider, "decider");
        this.socket = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    URI baseUri() {
        return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }

    /** The faults injected so far, as {@code KIND target}. */
    List<String> injected() {
        synchronized (injected) {
            return List.copyOf(injected);
        }
    }

    /** Makes every exchange go through unchanged ({@code true}) or back to the decider. */
    void passThrough(boolean on) {
        override = on ? (t, n) -> Kind.NONE : null;
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                threads.execute(() -> serve(client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            client.setSoTimeout((int) Duration.ofSeconds(30).toMillis());
            String head = readHead(client.getInputStream());
            if (head == null) {
                return;
            }
            String target = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
            int nth;
            synchronized (seen) {
                nth = seen.merge(target, 1, Integer::sum) - 1;
            }
            Decider d = override != null ? override : decider;
            Kind kind = d.decide(target, nth);
            if (kind != Kind.NONE) {
                injected.add(kind + " " + target);
            }
            OutputStream out = client.getOutputStream();
            switch (kind) {
                case TOO_MANY_REQUESTS -> answer(out, 429, "Too Many Requests", "application/json",
                        "{\"error\":{\"code\":\"rate_limited\",\"message\":\"slow down\"}}", "Retry-After: 2\r\n");
                case INTERNAL_ERROR -> answer(out, 500, "Internal Server Error", "application/json",
                        "{\"error\":{\"code\":\"internal_error\",\"message\":\"boom\"}}", "");
                case BAD_GATEWAY -> answer(out, 502, "Bad Gateway", "text/html",
                        "<html><body>502 Bad Gateway</body></html>", "");
                case UNAVAILABLE -> answer(out, 503, "Service Unavailable", "application/json",
                        "{\"error\":{\"code\":\"source_unavailable\",\"message\":\"later\"}}", "Retry-After: 1\r\n");
                case RESET_BEFORE_ANSWER -> reset(client);
                case NO_ANSWER -> awaitClientGone(client);
                default -> forward(client, head, kind, nth);
            }
        } catch (IOException e) {
            // the client went away; nothing to do
        }
    }

    private void forward(Socket client, String head, Kind kind, int nth) throws IOException {
        byte[] response;
        try (Socket up = new Socket()) {
            up.connect(upstream, 5000);
            up.setSoTimeout(30_000);
            String request = rewriteHead(head);
            up.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            up.getOutputStream().flush();
            response = up.getInputStream().readAllBytes();
        }
        int headEnd = indexOf(response, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)) + 4;
        int bodyLength = response.length - headEnd;
        OutputStream out = client.getOutputStream();
        // a cut somewhere inside the body (at least one byte short of it)
        int cut = headEnd + (bodyLength <= 1 ? 0 : (nth * 7919 + bodyLength / 3) % (bodyLength - 1));
        switch (kind) {
            case RESET_MID_BODY -> {
                out.write(response, 0, cut);
                out.flush();
                reset(client);
            }
            case TRUNCATED_BODY -> {
                out.write(response, 0, cut);
                out.flush();
                client.shutdownOutput();
                awaitClientGone(client);
            }
            case STALLED_BODY -> {
                out.write(response, 0, cut);
                out.flush();
                awaitClientGone(client);
            }
            case SLOW_BODY -> {
                out.write(response, 0, headEnd);
                out.flush();
                for (int i = headEnd; i < response.length; i += 64) {
                    out.write(response, i, Math.min(64, response.length - i));
                    out.flush();
                    // the network is slow: a pause far below the client's read timeout
                    LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
                }
            }
            default -> {
                out.write(response);
                out.flush();
            }
        }
    }

    /** The request head for the server: one request per connection. */
    private static String rewriteHead(String head) {
        StringBuilder sb = new StringBuilder();
        for (String line : head.split("\r\n")) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (line.isEmpty() || lower.startsWith("connection:") || lower.startsWith("upgrade:")
                    || lower.startsWith("http2-settings:")) {
                continue;
            }
            sb.append(line).append("\r\n");
        }
        return sb.append("Connection: close\r\n\r\n").toString();
    }

    private static void answer(OutputStream out, int status, String reason, String type, String body, String extra)
            throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: " + type + "\r\nContent-Length: "
                + b.length + "\r\n" + extra + "Connection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(b);
        out.flush();
    }

    private static void reset(Socket client) throws SocketException {
        client.setSoLinger(true, 0);
    }

    /** Blocks until the client closes its side (it timed out), or the socket timeout passes. */
    private static void awaitClientGone(Socket client) {
        try {
            InputStream in = client.getInputStream();
            while (in.read() != -1) {
                // discard
            }
        } catch (IOException e) {
            // reset or timed out: gone either way
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int c = in.read();
            if (c < 0) {
                return null;
            }
            head.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3))
                    ? state + 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= data.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("no end of headers in the server's answer");
    }

    @Override
    public void close() throws IOException {
        socket.close();
        threads.shutdownNow();
    }
}
