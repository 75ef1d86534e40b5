package com.silknote.sync.vsrx.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/** A JDK HTTP server whose answers a test scripts, to feed the client bad responses. */
final class StubServer implements AutoCloseable {
    /** Answers one exchange. */
    @FunctionalInterface
    interface Script {
        void answer(HttpExchange exchange) throws IOException;
    }

    private final HttpServer server;
    private volatile Script script = ex -> send(ex, 500, "text/plain", "no script");
    final List<String> requests = new CopyOnWriteArrayList<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    final List<String> userAgents = new CopyOnWriteArrayList<>();
    /** The client port of each exchange: the same port twice is one connection kept alive. */
    final List<Integer> clientPorts = new CopyOnWriteArrayList<>();

    StubServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "stub-server");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", ex -> {
            try (ex) {
                requests.add(ex.getRequestMethod() + " " + ex.getRequestURI());
                String auth = ex.getRequestHeaders().getFirst("Authorization");
                authorizations.add(auth == null ? "" : auth);
                String agent = ex.getRequestHeaders().getFirst("User-Agent");
                userAgents.add(agent == null ? "" : agent);
                clientPorts.add(ex.getRemoteAddress().getPort());
                script.answer(ex);
            }
        });
        server.start();
    }

    StubServer script(Script s) {
        this.script = s;
        return this;
    }

    URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    static void send(HttpExchange ex, int status, String contentType, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        if (contentType != null) {
            ex.getResponseHeaders().set("Content-Type", contentType);
        }
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            try (OutputStream os = ex.getResponseBody()) {
                os.write(b);
            }
        }
    }

    static void json(HttpExchange ex, String body) throws IOException {
        send(ex, 200, "application/json", body);
    }

    /** Declares more bytes than it sends, then drops the connection. */
    static void truncated(HttpExchange ex, String contentType, String body, int declared) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(200, declared);
        OutputStream os = ex.getResponseBody();
        os.write(b);
        os.flush();
        try {
            os.close();
        } catch (IOException expected) {
            // "insufficient bytes written": the JDK server drops the connection
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
