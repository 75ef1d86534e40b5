package com.silknote.sync.vsrx.http;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a {@link VsrxHttpHandler} (and optionally a {@link WebhookReceiver}) on the JDK's built-in HTTP
 * server, for examples, tests and small VSRX-side hosts. Plain HTTP: put it behind TLS (a reverse proxy)
 * outside loopback.
 *
 * <p>The JDK's server writes a response's headers and its body as two writes and, unless the system property
 * {@value #NO_DELAY} is {@code true}, leaves Nagle's algorithm on: a small body then waits for the client's
 * delayed acknowledgement of the headers, about 40 ms on Linux, per listing page and per small file. {@link
 * #start()} therefore sets that property to {@code true} when the JVM was started without it, before it creates
 * its first server (the JDK reads it once, when its server is first used: a JDK server the host started
 * earlier keeps the JVM's setting). An explicit {@code -Dsun.net.httpserver.nodelay=false} is left as it is.
 *
 * <pre>{@code
 * VsrxHttpServer server = VsrxHttpServer.builder()
 *         .handler(VsrxHttpHandler.builder().source(vsrxData).acceptedToken(Secret.of(token)).build())
 *         .port(8080)
 *         .build()
 *         .start();
 * URI base = server.baseUri();   // http://127.0.0.1:8080
 * server.stop();
 * }</pre>
 */
public final class VsrxHttpServer implements AutoCloseable {
    /** The JDK server's switch for {@code TCP_NODELAY} on accepted connections (default off). */
    static final String NO_DELAY = "sun.net.httpserver.nodelay";

    private final InetSocketAddress address;
    private final VsrxHttpHandler handler;
    private final WebhookReceiver webhookReceiver;
    private final String webhookPath;
    private final int threads;
    private HttpServer server;
    private ExecutorService executor;

    private VsrxHttpServer(Builder b) {
        this.address = b.address;
        this.handler = b.handler;
        this.webhookReceiver = b.webhookReceiver;
        this.webhookPath = b.webhookPath;
        this.threads = b.threads;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds and starts serving.
     *
     * @return this server
     * @throws IllegalStateException when already started
     * @throws UncheckedIOException when the address cannot be bound
     */
    public synchronized VsrxHttpServer start() {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        preferNoDelay(System.getProperties());
        HttpServer s;
        try {
            s = HttpServer.create(address, 64);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind the VSRX HTTP server", e);
        }
        AtomicInteger n = new AtomicInteger();
        ThreadFactory tf = r -> {
            Thread t = new Thread(r, "vsrx-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        ExecutorService ex = Executors.newFixedThreadPool(threads, tf);
        s.setExecutor(ex);
        if (handler != null) {
            s.createContext("/", handler.asHttpHandler());
        } else {
            s.createContext("/", JdkExchanges.handler(
                    r -> VsrxHttpHandler.error(ErrorCode.NOT_FOUND, "no such route"), "/"));
        }
        if (webhookReceiver != null) {
            s.createContext(webhookPath, JdkExchanges.handler(
                    r -> r.rawPath().equals("/") ? webhookReceiver.handle(r)
                            : VsrxHttpHandler.error(ErrorCode.NOT_FOUND, "no such route"), webhookPath));
        }
        s.start();
        server = s;
        executor = ex;
        return this;
    }

    /** Sets {@value #NO_DELAY} to {@code true} unless it is set, either way. */
    static void preferNoDelay(Properties properties) {
        properties.putIfAbsent(NO_DELAY, "true");
    }

    /** The bound port (the real one when built with port 0). @throws IllegalStateException when not started */
    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return server.getAddress().getPort();
    }

    /** {@code http://<host>:<port>}, the base URI for {@link HttpVsrxSource}. @throws IllegalStateException when not started */
    public synchronized URI baseUri() {
        InetAddress a = address.getAddress();
        String host = a == null || a.isAnyLocalAddress() ? "127.0.0.1" : a.getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + port());
    }

    /** Stops at once, closing open exchanges. Idempotent. */
    public synchronized void stop() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            server = null;
            executor = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** Builds a {@link VsrxHttpServer}: a handler, a webhook receiver, or both. */
    public static final class Builder {
        private InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        private VsrxHttpHandler handler;
        private WebhookReceiver webhookReceiver;
        private String webhookPath;
        private int threads = 8;

        private Builder() { }

        /** The VSRX protocol handler, mounted at {@code /}. */
        public Builder handler(VsrxHttpHandler v) { handler = requireNonNull(v, "handler"); return this; }

        /** A webhook receiver at an exact path such as {@code /webhooks/vsrx}. */
        public Builder webhookReceiver(String path, WebhookReceiver v) {
            requireNonNull(path, "path");
            if (!path.matches("(/[A-Za-z0-9._~-]+)+") || path.startsWith("/v1/") || path.equals("/v1")) {
                throw new IllegalArgumentException("webhook path must be a plain absolute path outside /v1");
            }
            webhookPath = path;
            webhookReceiver = requireNonNull(v, "receiver");
            return this;
        }

        /** Loopback at this port (0 = any free port, the default). */
        public Builder port(int v) {
            if (v < 0 || v > 65535) {
                throw new IllegalArgumentException("port out of range");
            }
            address = new InetSocketAddress(InetAddress.getLoopbackAddress(), v);
            return this;
        }

        public Builder address(InetSocketAddress v) { address = requireNonNull(v, "address"); return this; }

        /** Worker threads (1..256, default 8). */
        public Builder threads(int v) {
            if (v < 1 || v > 256) {
                throw new IllegalArgumentException("threads must be in 1..256");
            }
            threads = v;
            return this;
        }

        /** @throws IllegalStateException when neither a handler nor a webhook receiver is set */
        public VsrxHttpServer build() {
            if (handler == null && webhookReceiver == null) {
                throw new IllegalStateException("a handler or a webhook receiver is required");
            }
            return new VsrxHttpServer(this);
        }
    }
}
