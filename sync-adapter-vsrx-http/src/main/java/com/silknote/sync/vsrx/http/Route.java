package com.silknote.sync.vsrx.http;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The routes of protocol /v1, with the templates used in openapi.json and in wire logs. */
enum Route {
    LIST_FILESETS("/v1/filesets", Set.of("cursor", "limit", "changedSince")),
    GET_FILESET("/v1/filesets/{filesetId}", Set.of()),
    LIST_FILES("/v1/filesets/{filesetId}/files", Set.of("cursor", "limit", "changedSince")),
    FILE_CONTENT("/v1/files/{fileId}/content", Set.of());

    static final String METHOD = "GET";

    private final String template;
    private final Set<String> parameters;

    Route(String template, Set<String> parameters) {
        this.template = template;
        this.parameters = parameters;
    }

    String template() {
        return template;
    }

    Set<String> parameters() {
        return parameters;
    }

    /** A matched route with its raw (still percent-encoded) path variable, if it has one. */
    record Match(Route route, Optional<String> rawId) { }

    /** The route of a raw path, or empty (404). Matching is exact: no trailing slash, no empty segment. */
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
                return Optional.of(new Match(LIST_FILESETS, Optional.empty()));
            }
            if (s.size() == 3) {
                return Optional.of(new Match(GET_FILESET, Optional.of(s.get(2))));
            }
            if (s.size() == 4 && s.get(3).equals("files")) {
                return Optional.of(new Match(LIST_FILES, Optional.of(s.get(2))));
            }
        } else if (s.get(1).equals("files") && s.size() == 4 && s.get(3).equals("content")) {
            return Optional.of(new Match(FILE_CONTENT, Optional.of(s.get(2))));
        }
        return Optional.empty();
    }
}
