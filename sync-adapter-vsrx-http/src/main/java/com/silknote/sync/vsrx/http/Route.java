package com.silknote.sync.vsrx.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The operations of protocol /v1: a method on a path template, as used in openapi.json and in wire logs.
 * Several operations share a template ({@code GET} lists a fileset's files, {@code POST} creates one).
 */
enum Route {
    LIST_FILESETS("GET", "/v1/filesets", Set.of("cursor", "limit", "changedSince"), false),
    GET_FILESET("GET", "/v1/filesets/{filesetId}", Set.of(), false),
    LIST_FILES("GET", "/v1/filesets/{filesetId}/files", Set.of("cursor", "limit", "changedSince"), false),
    FILE_CONTENT("GET", "/v1/files/{fileId}/content", Set.of(), false),
    CREATE_FILE("POST", "/v1/filesets/{filesetId}/files", Set.of(), true),
    REPLACE_CONTENT("PUT", "/v1/files/{fileId}/content", Set.of(), true),
    DELETE_FILE("DELETE", "/v1/files/{fileId}", Set.of(), true),
    FENCE("POST", "/v1/fence", Set.of(), true);

    private final String method;
    private final String template;
    private final Set<String> parameters;
    private final boolean write;

    Route(String method, String template, Set<String> parameters, boolean write) {
        this.method = method;
        this.template = template;
        this.parameters = parameters;
        this.write = write;
    }

    String method() {
        return method;
    }

    String template() {
        return template;
    }

    Set<String> parameters() {
        return parameters;
    }

    /** {@code true} for the operations that change VSRX (served only when the handler has a target). */
    boolean write() {
        return write;
    }

    /** The operations on one path template, with the raw (still percent-encoded) path variable, if it has one. */
    record Match(String template, Optional<String> rawId) {
        /** The operations of this template, in declaration order. */
        List<Route> routes() {
            List<Route> out = new ArrayList<>();
            for (Route r : values()) {
                if (r.template.equals(template)) {
                    out.add(r);
                }
            }
            return out;
        }

        /** The operation of this template for {@code method}, if there is one. */
        Optional<Route> route(String method) {
            return routes().stream().filter(r -> r.method.equals(method)).findFirst();
        }
    }

    /** The template of a raw path, or empty (404). Matching is exact: no trailing slash, no empty segment. */
    static Optional<Match> match(String rawPath) {
        if (!rawPath.startsWith("/")) {
            return Optional.empty();
        }
        List<String> s = List.of(rawPath.substring(1).split("/", -1));
        if (s.size() < 2 || !s.get(0).equals("v1") || s.contains("")) {
            return Optional.empty();
        }
        if (s.get(1).equals("filesets")) {
            if (s.size() == 2) {
                return Optional.of(new Match(LIST_FILESETS.template, Optional.empty()));
            }
            if (s.size() == 3) {
                return Optional.of(new Match(GET_FILESET.template, Optional.of(s.get(2))));
            }
            if (s.size() == 4 && s.get(3).equals("files")) {
                return Optional.of(new Match(LIST_FILES.template, Optional.of(s.get(2))));
            }
        } else if (s.get(1).equals("files")) {
            if (s.size() == 4 && s.get(3).equals("content")) {
                return Optional.of(new Match(FILE_CONTENT.template, Optional.of(s.get(2))));
            }
            if (s.size() == 3) {
                return Optional.of(new Match(DELETE_FILE.template, Optional.of(s.get(2))));
            }
        } else if (s.get(1).equals("fence") && s.size() == 2) {
            return Optional.of(new Match(FENCE.template, Optional.empty()));
        }
        return Optional.empty();
    }
}
