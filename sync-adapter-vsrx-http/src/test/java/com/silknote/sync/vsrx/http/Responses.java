package com.silknote.sync.vsrx.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Test helpers to call a handler directly and read its answer. */
final class Responses {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Responses() { }

    record Answer(int status, Map<String, String> headers, byte[] body) {
        JsonNode json() {
            try {
                return MAPPER.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String errorCode() {
            return json().path("error").path("code").asText(null);
        }

        String text() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    static Answer call(VsrxHttpHandler h, String method, String path, String query, String... headerPairs) {
        Map<String, List<String>> headers = new HashMap<>();
        for (int i = 0; i < headerPairs.length; i += 2) {
            headers.computeIfAbsent(headerPairs[i], k -> new java.util.ArrayList<>()).add(headerPairs[i + 1]);
        }
        try (ServerResponse r = h.handle(ServerRequest.of(method, path, Optional.ofNullable(query), headers))) {
            return read(r);
        }
    }

    /** A request with a body (writes). */
    static Answer send(VsrxHttpHandler h, String method, String path, byte[] body, String... headerPairs) {
        Map<String, List<String>> headers = new HashMap<>();
        for (int i = 0; i < headerPairs.length; i += 2) {
            headers.computeIfAbsent(headerPairs[i], k -> new java.util.ArrayList<>()).add(headerPairs[i + 1]);
        }
        try (ServerResponse r = h.handle(new ServerRequest(method, path, Optional.empty(), headers,
                new java.io.ByteArrayInputStream(body)))) {
            return read(r);
        }
    }

    static Answer read(ServerResponse r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            r.writeBody(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (out.size() != r.contentLength()) {
            throw new AssertionError("body length " + out.size() + " != declared " + r.contentLength());
        }
        // as a host sends it: the exact length travels as Content-Length
        Map<String, String> headers = new java.util.LinkedHashMap<>(r.headers());
        headers.put("Content-Length", Long.toString(r.contentLength()));
        return new Answer(r.status(), headers, out.toByteArray());
    }
}
