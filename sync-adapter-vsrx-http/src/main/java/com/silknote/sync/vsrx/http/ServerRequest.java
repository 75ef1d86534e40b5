package com.silknote.sync.vsrx.http;

import static java.util.Objects.requireNonNull;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An HTTP request as the server-side classes of this package see it, independent of the host's server.
 * A servlet host builds one from its request:
 *
 * <pre>{@code
 * Map<String, List<String>> headers = new HashMap<>();
 * for (String name : Collections.list(req.getHeaderNames())) {
 *     headers.put(name, Collections.list(req.getHeaders(name)));
 * }
 * ServerRequest request = new ServerRequest(req.getMethod(), req.getRequestURI().substring(req.getContextPath().length()),
 *         Optional.ofNullable(req.getQueryString()), headers, req.getInputStream());
 * }</pre>
 *
 * @param method   the HTTP method, e.g. {@code GET}
 * @param rawPath  the request path, still percent-encoded, relative to where the handler is mounted
 *                 (e.g. {@code /v1/filesets/fs%2F1/files})
 * @param rawQuery the query string without {@code ?}, still percent-encoded; empty when there is none
 * @param headers  request headers; names are matched case-insensitively
 * @param body     the request body (read by the webhook receiver only)
 */
public record ServerRequest(String method, String rawPath, Optional<String> rawQuery,
        Map<String, List<String>> headers, InputStream body) {

    public ServerRequest {
        requireNonNull(method, "method");
        requireNonNull(rawPath, "rawPath");
        requireNonNull(rawQuery, "rawQuery");
        requireNonNull(headers, "headers");
        requireNonNull(body, "body");
        TreeMap<String, List<String>> ci = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((k, v) -> {
            if (k != null && v != null) {
                ci.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v);
            }
        });
        ci.replaceAll((k, v) -> List.copyOf(v));
        headers = Collections.unmodifiableMap(ci);
    }

    /** A request without a body. */
    public static ServerRequest of(String method, String rawPath, Optional<String> rawQuery,
            Map<String, List<String>> headers) {
        return new ServerRequest(method, rawPath, rawQuery, headers, InputStream.nullInputStream());
    }

    /** All values of a header (case-insensitive name); empty list when absent. */
    public List<String> headerValues(String name) {
        return headers.getOrDefault(name, List.of());
    }

    /** The first value of a header (case-insensitive name). */
    public Optional<String> header(String name) {
        List<String> v = headerValues(name);
        return v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
    }

    @Override
    public String toString() {
        return "ServerRequest[" + method + "]";
    }
}
