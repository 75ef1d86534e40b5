package com.silknote.sync.vsrx.http;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.silknote.sync.core.exception.FileGoneException;
import com.silknote.sync.core.exception.MalformedResponseException;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.dedup.SpoolFiles;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.path.PathValidator;
import com.silknote.sync.core.path.PathVerdict;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.core.port.VsrxTarget;
import com.silknote.sync.vsrx.http.internal.Cursors;
import com.silknote.sync.vsrx.http.internal.EntityTags;
import com.silknote.sync.vsrx.http.internal.PercentCodec;
import com.silknote.sync.vsrx.http.internal.ReprDigest;
import com.silknote.sync.vsrx.http.internal.RetryAfter;
import com.silknote.sync.vsrx.http.internal.TokenSet;
import com.sun.net.httpserver.HttpHandler;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves VSRX protocol {@code /v1} (see {@code openapi.json} and docs/protocol.md) from a host's data
 * ports: the core's {@link VsrxSource} for the read routes and, when the host gives one, its {@link VsrxTarget}
 * for the write routes of bi-directional sync (create, replace, mark deleted, fence; docs/bidirectional.md).
 * Thread-safe; one instance serves any number of requests.
 *
 * <p>Every request needs {@code Authorization: Bearer <token>} with one of the accepted tokens (401
 * otherwise, compared in constant time). Every query parameter, path id and header is validated: bad input
 * gets 400 with a stable error code, never 500; unknown routes 404; a method a route does not serve 405
 * (the write methods too when the handler has no target). A file's content is served, and a file created,
 * only when its path is accepted by {@link PathValidator} (inside {@code notes/}), otherwise 403
 * {@code path_rejected}. An upload is spooled and its length and SHA-256 checked before the target sees it.
 *
 * <p>Hosting: on the JDK server use {@link VsrxHttpServer} or mount {@link #asHttpHandler()} at
 * {@code /} (then start the JVM with {@code -Dsun.net.httpserver.nodelay=true}, as {@link VsrxHttpServer}
 * does for itself: without it every small answer waits about 40 ms for a delayed acknowledgement); in a
 * servlet-style host build a {@link ServerRequest} from the servlet request (path relative to where the
 * handler is mounted), call {@link #handle(ServerRequest)}, and write the {@link ServerResponse} back (both
 * classes show how).
 */
public final class VsrxHttpHandler {
    private static final Logger log = LoggerFactory.getLogger(VsrxHttpHandler.class);
    private static final Pattern LIMIT = Pattern.compile("[0-9]{1,4}");
    private static final Pattern MIME = Pattern.compile("[A-Za-z0-9!#$&^_.+-]{1,127}/[A-Za-z0-9!#$&^_.+-]{1,127}");
    private static final int MAX_ID_LENGTH = 256;

    private final VsrxSource source;
    private final VsrxFileLookup files;
    private final Optional<VsrxTarget> target;
    private final Optional<WriteEndpoint> writes;
    private final VsrxHttpHandlerConfig config;
    private final Clock clock;
    private final TokenSet tokens;

    /**
     * Constructor for dependency-injection containers; {@link #builder()} is the other way in.
     *
     * @param source the VSRX side's data: filesets, files, content
     * @param files  finds a file by id (see {@link VsrxFileLookup})
     * @param target the VSRX side's writes; empty = a read-only server (write methods answer 405)
     * @param config tokens and limits
     * @param clock  for wire-log durations
     * @throws NullPointerException when any argument is null
     */
    @Inject
    public VsrxHttpHandler(VsrxSource source, VsrxFileLookup files, Optional<VsrxTarget> target,
            VsrxHttpHandlerConfig config, Clock clock) {
        this.source = requireNonNull(source, "source");
        this.files = requireNonNull(files, "files");
        this.target = requireNonNull(target, "target");
        this.writes = target.map(t -> new WriteEndpoint(t, config));
        this.config = requireNonNull(config, "config");
        this.clock = requireNonNull(clock, "clock");
        this.tokens = new TokenSet(config.acceptedTokens());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder pre-filled with this handler's parts. */
    public Builder newBuilder() {
        Builder b = new Builder();
        b.source = source;
        b.files = files;
        b.target = target.orElse(null);
        b.tokens = config.acceptedTokens();
        b.defaultPageSize = config.defaultPageSize();
        b.spoolDirectory = config.spoolDirectory();
        b.maxUploadBytes = config.maxUploadBytes();
        b.clock = clock;
        return b;
    }

    /** This handler on the JDK's built-in server, to be mounted at {@code /} (or at a prefix it strips). */
    public HttpHandler asHttpHandler() {
        return JdkExchanges.handler(this::handle, "/");
    }

    /**
     * Answers one request. Never throws for any request: failures of the data port become 5xx answers
     * (503 {@code source_unavailable} for transient ones, with {@code Retry-After}).
     *
     * @throws NullPointerException when request is null
     */
    public ServerResponse handle(ServerRequest request) {
        requireNonNull(request, "request");
        long start = clock.millis();
        String template = "(unmatched)";
        ServerResponse response;
        try {
            List<String> auth = request.headerValues("Authorization");
            Optional<Route.Match> match = Route.match(request.rawPath());
            if (match.isPresent()) {
                template = match.get().template();
            }
            Optional<Route> route = match.flatMap(m -> m.route(request.method()))
                    .filter(r -> !r.write() || writes.isPresent());
            if (auth.size() != 1 || !tokens.accepts(Optional.of(auth.get(0)))) {
                response = error(ErrorCode.UNAUTHORIZED, "missing or invalid bearer token",
                        Map.of("WWW-Authenticate", "Bearer realm=\"vsrx\""));
            } else if (match.isEmpty()) {
                response = error(ErrorCode.NOT_FOUND, "no such route");
            } else if (route.isEmpty()) {
                String allow = String.join(", ", match.get().routes().stream()
                        .filter(r -> !r.write() || writes.isPresent()).map(Route::method).toList());
                response = error(ErrorCode.METHOD_NOT_ALLOWED, "this method is not served here", Map.of("Allow", allow));
            } else if (route.get().write()) {
                parseQuery(request.rawQuery(), route.get());
                response = writes.orElseThrow().handle(route.get(), match.get().rawId(), request);
            } else {
                response = dispatch(route.get(), match.get().rawId(), request);
            }
        } catch (BadRequest e) {
            response = error(e.code, e.getMessage());
        } catch (TransientSyncException e) {
            Map<String, String> h = new LinkedHashMap<>();
            e.retryAfter().ifPresent(d -> h.put("Retry-After", RetryAfter.format(d)));
            response = error(ErrorCode.SOURCE_UNAVAILABLE, "the data source is unavailable; retry later", h);
        } catch (RuntimeException e) {
            log.warn("request failed route={} error={}", template, e.getClass().getSimpleName());
            response = error(ErrorCode.INTERNAL_ERROR, "internal error");
        }
        if (log.isDebugEnabled()) {
            log.debug("{} {} -> {} in {} ms", request.method(), template, response.status(), clock.millis() - start);
        }
        return response;
    }

    private ServerResponse dispatch(Route route, Optional<String> rawId, ServerRequest request) {
        Map<String, String> query = parseQuery(request.rawQuery(), route);
        switch (route) {
            case LIST_FILESETS:
                return listFilesets(pageRequest(query));
            case GET_FILESET:
                return getFileset(filesetId(rawId.orElseThrow()));
            case LIST_FILES:
                return listFiles(filesetId(rawId.orElseThrow()), pageRequest(query));
            case FILE_CONTENT:
                return content(fileId(rawId.orElseThrow()), request);
            default:
                throw new IllegalStateException("unhandled route " + route);
        }
    }

    private ServerResponse listFilesets(PageRequest pr) {
        // VSRX's clock before the listing is read: every change the listing misses is at or after it
        Instant now = clock.instant();
        Page<VsrxFileset> page;
        try {
            page = source.listFilesets(pr);
        } catch (IllegalArgumentException e) {
            throw badCursorOr(pr, e);
        } catch (PermanentSyncException e) {
            if (pr.cursor().isPresent() && e.statusCode().orElse(0) == 400) {
                throw badCursorOr(pr, new IllegalArgumentException(e));
            }
            throw e;
        }
        List<ObjectNode> items = new ArrayList<>(page.items().size());
        page.items().forEach(fs -> items.add(WireFormat.fileset(fs)));
        return json(200, WireFormat.page(items, page.nextCursor().map(Cursors::encode), page.serverTime().orElse(now)));
    }

    private ServerResponse getFileset(FilesetId id) {
        Optional<VsrxFileset> fs = source.findFileset(id);
        if (fs.isEmpty()) {
            return error(ErrorCode.FILESET_NOT_FOUND, "no such fileset");
        }
        return json(200, WireFormat.fileset(fs.get()));
    }

    private ServerResponse listFiles(FilesetId id, PageRequest pr) {
        Instant now = clock.instant();
        Page<VsrxFile> page;
        try {
            page = source.listFiles(id, pr);
        } catch (IllegalArgumentException e) {
            throw badCursorOr(pr, e);
        } catch (PermanentSyncException e) {
            if (pr.cursor().isPresent() && e.statusCode().orElse(0) == 400) {
                throw badCursorOr(pr, new IllegalArgumentException(e));
            }
            if (meansNotFound(e)) {
                return error(ErrorCode.FILESET_NOT_FOUND, "no such fileset");
            }
            throw e;
        }
        // The port refuses an unknown fileset; only an empty page makes sure (one lookup, not one per page).
        if (page.items().isEmpty() && source.findFileset(id).isEmpty()) {
            return error(ErrorCode.FILESET_NOT_FOUND, "no such fileset");
        }
        List<ObjectNode> items = new ArrayList<>(page.items().size());
        page.items().forEach(f -> items.add(WireFormat.file(f)));
        return json(200, WireFormat.page(items, page.nextCursor().map(Cursors::encode), page.serverTime().orElse(now)));
    }

    private ServerResponse content(VsrxFileId id, ServerRequest request) {
        Optional<VsrxFile> file = files.findFile(id);
        if (file.isEmpty()) {
            return error(ErrorCode.FILE_NOT_FOUND, "no such file");
        }
        if (file.get().deleted()) {
            return error(ErrorCode.FILE_DELETED, "the file is deleted");
        }
        PathVerdict verdict = PathValidator.validate(file.get().path());
        if (!verdict.accepted()) {
            log.warn("refusing content file={} reason={}", id, verdict.reason().orElseThrow());
            return error(ErrorCode.PATH_REJECTED, "the file's path is not inside notes/");
        }
        FileContent content;
        try {
            content = source.openContent(id);
        } catch (PermanentSyncException e) {
            if (e instanceof FileGoneException g && g.markedDeleted()) {
                return error(ErrorCode.FILE_DELETED, "the file is deleted");
            }
            if (e instanceof FileGoneException || meansNotFound(e)) {
                return error(ErrorCode.FILE_NOT_FOUND, "no such file");
            }
            throw e;
        }
        boolean handedOver = false;
        try {
            ServerResponse r = content(file.get(), content, request);
            handedOver = true;
            return r;
        } finally {
            if (!handedOver) {
                content.close();
            }
        }
    }

    private ServerResponse content(VsrxFile file, FileContent content, ServerRequest request) {
        Optional<String> etag = content.etag().map(EntityTags::toHeader);
        Optional<String> ifMatch = request.header("If-Match");
        if (ifMatch.isPresent() && (etag.isEmpty() || !EntityTags.listed(ifMatch.get(), etag.get(), false))
                && !ifMatch.get().trim().equals("*")) {
            content.close();
            return error(ErrorCode.PRECONDITION_FAILED, "If-Match does not match the current ETag");
        }
        Optional<String> ifNoneMatch = request.header("If-None-Match");
        if (ifNoneMatch.isPresent() && (ifNoneMatch.get().trim().equals("*")
                || etag.isPresent() && EntityTags.listed(ifNoneMatch.get(), etag.get(), true))) {
            content.close();
            Map<String, String> h = new LinkedHashMap<>();
            etag.ifPresent(e -> h.put("ETag", e));
            h.put("Cache-Control", "no-store");
            return new ServerResponse(304, h, 0, out -> { }, null);
        }
        Body body = content.contentLength().isPresent() && content.sha256().isPresent()
                ? new Body(content.contentLength().getAsLong(), content.sha256().get(), content.stream(), content, null)
                : spool(content);
        Map<String, String> h = new LinkedHashMap<>();
        String mime = MIME.matcher(file.mimeType()).matches() ? file.mimeType() : "application/octet-stream";
        h.put("Content-Type", mime);
        etag.ifPresent(e -> h.put("ETag", e));
        h.put(ReprDigest.HEADER, ReprDigest.format(body.sha256));
        h.put("Accept-Ranges", "bytes");
        h.put("Cache-Control", "no-store");
        h.put("X-Content-Type-Options", "nosniff");
        Optional<String> range = request.header("Range");
        Optional<String> ifRange = request.header("If-Range");
        if (range.isPresent() && (ifRange.isEmpty() || etag.isPresent() && ifRange.get().trim().equals(etag.get()))) {
            Optional<long[]> r = parseRange(range.get(), body.length);
            if (r.isPresent()) {
                long[] span = r.get();
                if (span.length == 0) {
                    body.closeQuietly();
                    return error(ErrorCode.RANGE_NOT_SATISFIABLE, "range not satisfiable",
                            Map.of("Content-Range", "bytes */" + body.length));
                }
                long from = span[0];
                long len = span[1] - span[0] + 1;
                h.put("Content-Range", "bytes " + span[0] + "-" + span[1] + "/" + body.length);
                return new ServerResponse(206, h, len, out -> {
                    InputStream in = body.stream;
                    in.skipNBytes(from);
                    copyExactly(in, out, len);
                }, body);
            }
        }
        return new ServerResponse(200, h, body.length, out -> copyExactly(body.stream, out, body.length), body);
    }

    /** Content ready to send, and what to release afterwards. */
    private static final class Body implements AutoCloseable {
        final long length;
        final ContentHash sha256;
        final InputStream stream;
        final FileContent content;
        final Path spoolFile;

        Body(long length, ContentHash sha256, InputStream stream, FileContent content, Path spoolFile) {
            this.length = length;
            this.sha256 = sha256;
            this.stream = stream;
            this.content = content;
            this.spoolFile = spoolFile;
        }

        void closeQuietly() {
            try {
                close();
            } catch (IOException e) {
                // released as far as possible
            }
        }

        @Override
        public void close() throws IOException {
            try {
                if (content != null) {
                    content.close();
                } else {
                    stream.close();
                }
            } finally {
                if (spoolFile != null) {
                    Files.deleteIfExists(spoolFile);
                }
            }
        }
    }

    /** The data port did not declare length and digest: spool once to learn both. */
    private Body spool(FileContent content) {
        Path tmp = null;
        try (content) {
            tmp = SpoolFiles.create(config.spoolDirectory(), "vsrx-content-", ".spool");
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            long n;
            try (InputStream in = new DigestInputStream(content.stream(), md);
                    OutputStream out = Files.newOutputStream(tmp)) {
                n = in.transferTo(out);
            }
            Body b = new Body(n, ContentHash.ofBytes(md.digest()), Files.newInputStream(tmp), null, tmp);
            tmp = null;
            return b;
        } catch (IOException e) {
            throw new SpoolFailure(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the temp file is left for the OS to clean
                }
            }
        }
    }

    /** Reading the data port's content into the spool failed. */
    private static final class SpoolFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SpoolFailure(IOException cause) {
            super("spooling content failed", cause);
        }
    }

    private static void copyExactly(InputStream in, OutputStream out, long len) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long left = len;
        while (left > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (r < 0) {
                throw new IOException("content ended " + left + " bytes early");
            }
            out.write(buf, 0, r);
            left -= r;
        }
    }

    /**
     * A single {@code bytes=} range: {@code [first, last]}; an empty array when unsatisfiable; empty when
     * the header is not a single byte range (then the whole content is served, as RFC 9110 allows).
     */
    static Optional<long[]> parseRange(String header, long length) {
        String h = header.trim();
        if (!h.startsWith("bytes=") || h.indexOf(',') >= 0) {
            return Optional.empty();
        }
        String spec = h.substring(6).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return Optional.empty();
        }
        String a = spec.substring(0, dash).trim();
        String b = spec.substring(dash + 1).trim();
        if (!a.matches("[0-9]{0,18}") || !b.matches("[0-9]{0,18}") || a.isEmpty() && b.isEmpty()) {
            return Optional.empty();
        }
        if (a.isEmpty()) {
            long suffix = Long.parseLong(b);
            if (suffix == 0 || length == 0) {
                return Optional.of(new long[0]);
            }
            return Optional.of(new long[] {Math.max(0, length - suffix), length - 1});
        }
        long first = Long.parseLong(a);
        long last = b.isEmpty() ? length - 1 : Math.min(Long.parseLong(b), length - 1);
        if (!b.isEmpty() && Long.parseLong(b) < first) {
            return Optional.empty();
        }
        if (first >= length) {
            return Optional.of(new long[0]);
        }
        return Optional.of(new long[] {first, last});
    }

    // ---- input validation ----

    private Map<String, String> parseQuery(Optional<String> rawQuery, Route route) {
        Map<String, String> out = new HashMap<>();
        if (rawQuery.isEmpty() || rawQuery.get().isEmpty()) {
            return out;
        }
        if (rawQuery.get().length() > 4096) {
            throw new BadRequest(ErrorCode.INVALID_QUERY, "query string too long");
        }
        for (String part : rawQuery.get().split("&", -1)) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new BadRequest(ErrorCode.INVALID_QUERY, "query parameters must be name=value pairs");
            }
            String name = PercentCodec.decode(part.substring(0, eq))
                    .orElseThrow(() -> new BadRequest(ErrorCode.INVALID_QUERY, "query is not valid percent-encoding"));
            if (!route.parameters().contains(name)) {
                throw new BadRequest(ErrorCode.UNKNOWN_PARAMETER,
                        "unknown query parameter" + (name.matches("[A-Za-z]{1,32}") ? " '" + name + "'" : ""));
            }
            String value = PercentCodec.decode(part.substring(eq + 1)).orElseThrow(
                    () -> new BadRequest(codeFor(name), "parameter '" + name + "' is not valid percent-encoding"));
            if (out.put(name, value) != null) {
                throw new BadRequest(ErrorCode.DUPLICATE_PARAMETER, "parameter '" + name + "' given more than once");
            }
        }
        return out;
    }

    private static ErrorCode codeFor(String name) {
        switch (name) {
            case "limit":
                return ErrorCode.INVALID_LIMIT;
            case "cursor":
                return ErrorCode.INVALID_CURSOR;
            case "changedSince":
                return ErrorCode.INVALID_CHANGED_SINCE;
            default:
                return ErrorCode.INVALID_QUERY;
        }
    }

    private PageRequest pageRequest(Map<String, String> q) {
        int limit = config.defaultPageSize();
        String l = q.get("limit");
        if (l != null) {
            if (!LIMIT.matcher(l).matches() || Integer.parseInt(l) < 1 || Integer.parseInt(l) > PageRequest.MAX_LIMIT) {
                throw new BadRequest(ErrorCode.INVALID_LIMIT, "limit must be an integer in 1.." + PageRequest.MAX_LIMIT);
            }
            limit = Integer.parseInt(l);
        }
        Optional<String> cursor = Optional.empty();
        String c = q.get("cursor");
        if (c != null) {
            cursor = Optional.of(Cursors.decode(c)
                    .orElseThrow(() -> new BadRequest(ErrorCode.INVALID_CURSOR, "cursor is malformed")));
        }
        Optional<Instant> since = Optional.empty();
        String s = q.get("changedSince");
        if (s != null) {
            since = Optional.of(Json.parseInstant(s).orElseThrow(() -> new BadRequest(
                    ErrorCode.INVALID_CHANGED_SINCE, "changedSince must be an ISO-8601 date-time with offset")));
        }
        return new PageRequest(cursor, limit, since);
    }

    /** The port's way to say "does not exist": a permanent failure with status 404 or none. */
    private static boolean meansNotFound(PermanentSyncException e) {
        return !(e instanceof MalformedResponseException) && e.statusCode().orElse(404) == 404;
    }

    private static RuntimeException badCursorOr(PageRequest pr, IllegalArgumentException e) {
        if (pr.cursor().isPresent()) {
            return new BadRequest(ErrorCode.INVALID_CURSOR, "cursor is unknown or expired");
        }
        return e;
    }

    private static FilesetId filesetId(String raw) {
        return FilesetId.of(id(raw));
    }

    private static VsrxFileId fileId(String raw) {
        return VsrxFileId.of(id(raw));
    }

    private static String id(String raw) {
        String id = PercentCodec.decode(raw)
                .orElseThrow(() -> new BadRequest(ErrorCode.INVALID_ID, "id is not valid percent-encoding"));
        if (id.isBlank() || id.length() > MAX_ID_LENGTH) {
            throw new BadRequest(ErrorCode.INVALID_ID, "id must have 1.." + MAX_ID_LENGTH + " characters");
        }
        for (int i = 0; i < id.length(); i++) {
            char ch = id.charAt(i);
            if (Character.isISOControl(ch)) {
                throw new BadRequest(ErrorCode.INVALID_ID, "id contains a control character");
            }
        }
        return id;
    }

    // ---- responses ----

    private static ServerResponse json(int status, ObjectNode body) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", "application/json");
        h.put("Cache-Control", "no-store");
        h.put("X-Content-Type-Options", "nosniff");
        return ServerResponse.bytes(status, h, Json.bytes(body));
    }

    static ServerResponse error(ErrorCode code, String message) {
        return error(code, message, Map.of());
    }

    static ServerResponse error(ErrorCode code, String message, Map<String, String> extraHeaders) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", "application/json");
        h.put("Cache-Control", "no-store");
        h.put("X-Content-Type-Options", "nosniff");
        h.putAll(extraHeaders);
        return ServerResponse.bytes(code.status(), h, Json.bytes(WireFormat.error(code.code(), message)));
    }

    /** Bad input; becomes a 400 (or the code's status) with a safe message. */
    private static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient ErrorCode code;

        BadRequest(ErrorCode code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    /** Builds a {@link VsrxHttpHandler}; source and at least one accepted token are required. */
    public static final class Builder {
        private VsrxSource source;
        private VsrxFileLookup files;
        private VsrxTarget target;
        private List<Secret> tokens = List.of();
        private int defaultPageSize = VsrxHttpHandlerConfig.DEFAULT_PAGE_SIZE;
        private long maxUploadBytes = VsrxHttpHandlerConfig.DEFAULT_MAX_UPLOAD_BYTES;
        private Optional<Path> spoolDirectory = Optional.empty();
        private Clock clock = Clock.systemUTC();

        private Builder() { }

        /** The VSRX side's data. When it also implements {@link VsrxFileLookup}, that is used for lookups. */
        public Builder source(VsrxSource v) { source = requireNonNull(v, "source"); return this; }

        /**
         * The VSRX side's writes: with it the handler serves the write routes (bi-directional sync); without it
         * they answer 405. Writes change patient records: give it only to a server Silknote may write to.
         */
        public Builder target(VsrxTarget v) { target = requireNonNull(v, "target"); return this; }

        /** Largest upload a write accepts (default 100 MiB). */
        public Builder maxUploadBytes(long v) { maxUploadBytes = v; return this; }

        /** How to find a file by id; defaults to the source when it is a lookup, else a scan of listings. */
        public Builder fileLookup(VsrxFileLookup v) { files = requireNonNull(v, "fileLookup"); return this; }

        /** Accepted bearer tokens; give several during a rotation. */
        public Builder acceptedTokens(List<Secret> v) { tokens = List.copyOf(requireNonNull(v, "acceptedTokens")); return this; }

        public Builder acceptedToken(Secret v) { tokens = List.of(requireNonNull(v, "acceptedToken")); return this; }

        public Builder defaultPageSize(int v) { defaultPageSize = v; return this; }

        public Builder spoolDirectory(Path v) { spoolDirectory = Optional.of(requireNonNull(v, "spoolDirectory")); return this; }

        public Builder clock(Clock v) { clock = requireNonNull(v, "clock"); return this; }

        /**
         * @throws IllegalStateException when the source is missing
         * @throws IllegalArgumentException when the tokens or the page size are invalid
         */
        public VsrxHttpHandler build() {
            if (source == null) {
                throw new IllegalStateException("source is required");
            }
            VsrxFileLookup lookup = files != null ? files
                    : source instanceof VsrxFileLookup ? (VsrxFileLookup) source : new ScanningFileLookup(source);
            return new VsrxHttpHandler(source, lookup, Optional.ofNullable(target),
                    new VsrxHttpHandlerConfig(tokens, defaultPageSize, spoolDirectory, maxUploadBytes), clock);
        }
    }
}
