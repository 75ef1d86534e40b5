package com.silknote.sync.vsrx.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;
import java.util.function.Function;

/** Adapts a {@link ServerRequest} → {@link ServerResponse} function to the JDK's built-in HTTP server. */
final class JdkExchanges {
    private JdkExchanges() { }

    static HttpHandler handler(Function<ServerRequest, ServerResponse> endpoint, String mountPath) {
        String prefix = mountPath.equals("/") ? "" : stripTrailingSlash(mountPath);
        return exchange -> serve(exchange, endpoint, prefix);
    }

    private static void serve(HttpExchange exchange, Function<ServerRequest, ServerResponse> endpoint,
            String prefix) throws IOException {
        try (exchange) {
            String raw = exchange.getRequestURI().getRawPath();
            String rel = raw.startsWith(prefix) ? raw.substring(prefix.length()) : raw;
            if (rel.isEmpty()) {
                rel = "/";
            }
            ServerRequest request = new ServerRequest(exchange.getRequestMethod(), rel,
                    Optional.ofNullable(exchange.getRequestURI().getRawQuery()), exchange.getRequestHeaders(),
                    exchange.getRequestBody());
            try (ServerResponse response = endpoint.apply(request)) {
                response.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
                long length = "HEAD".equals(request.method()) ? 0 : response.contentLength();
                // JDK semantics: -1 = no body, 0 = chunked; we always know the exact length.
                exchange.sendResponseHeaders(response.status(), length == 0 ? -1 : length);
                if (length > 0) {
                    OutputStream out = exchange.getResponseBody();
                    response.writeBody(out);
                    out.close();
                }
            }
        }
    }

    private static String stripTrailingSlash(String p) {
        return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }
}
