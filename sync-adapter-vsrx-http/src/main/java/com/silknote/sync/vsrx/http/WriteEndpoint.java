package com.silknote.sync.vsrx.http;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.ConcurrentUpdateException;
import com.silknote.sync.core.exception.ContentRejectedException;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.dedup.SpoolFiles;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.IdempotencyKey;
import com.silknote.sync.core.model.NewVsrxFile;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxWriteResult;
import com.silknote.sync.core.path.PathValidator;
import com.silknote.sync.core.port.VsrxTarget;
import com.silknote.sync.vsrx.http.internal.EntityTags;
import com.silknote.sync.vsrx.http.internal.PercentCodec;
import com.silknote.sync.vsrx.http.internal.ReprDigest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write operations of protocol /v1 (issue 14): create a file in a fileset, replace a file's content, mark a
 * file deleted, raise the fencing mark. Checks every header before the body is read, streams the body to a
 * spool file while hashing it, refuses a body whose length or SHA-256 differs from what the request declared
 * (nothing reaches the target then), and hands the checked content to the host's {@link VsrxTarget}. The
 * target's refusals become the protocol's error codes. Never logs a path or an origin.
 */
final class WriteEndpoint {
    static final String FENCING_TOKEN = "Vsrx-Fencing-Token";
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    static final String FILE_PATH = "Vsrx-File-Path";
    static final String ORIGIN = "Vsrx-Origin";
    static final String REPLAYED = "Idempotent-Replayed";

    private static final Logger log = LoggerFactory.getLogger(WriteEndpoint.class);
    private static final Pattern TOKEN = Pattern.compile("[0-9]{1,18}");
    private static final Pattern MIME = Pattern.compile("[a-z0-9!#$&^_.+-]{1,127}/[a-z0-9!#$&^_.+-]{1,127}");
    private static final Pattern LENGTH = Pattern.compile("[0-9]{1,18}");
    private static final int MAX_ID_LENGTH = 256;

    private final VsrxTarget target;
    private final VsrxHttpHandlerConfig config;

    WriteEndpoint(VsrxTarget target, VsrxHttpHandlerConfig config) {
        this.target = requireNonNull(target, "target");
        this.config = requireNonNull(config, "config");
    }

    /** Answers one write; refusals of the target become error answers, transient failures propagate (503). */
    ServerResponse handle(Route route, Optional<String> rawId, ServerRequest request) {
        try {
            FencingToken token = fencingToken(request);
            if (route == Route.FENCE) {
                target.fence(token);
                return new ServerResponse(204, headers(), 0, out -> { }, null);
            }
            IdempotencyKey key = idempotencyKey(request);
            return switch (route) {
                case CREATE_FILE -> create(token, key, FilesetId.of(id(rawId)), request);
                case REPLACE_CONTENT -> replace(token, key, VsrxFileId.of(id(rawId)), request);
                case DELETE_FILE -> delete(token, key, VsrxFileId.of(id(rawId)), request);
                default -> throw new IllegalStateException("not a write: " + route);
            };
        } catch (Refused r) {
            return VsrxHttpHandler.error(r.code, r.getMessage());
        } catch (StaleFencingTokenException e) {
            return VsrxHttpHandler.error(ErrorCode.STALE_FENCING_TOKEN,
                    "the fencing token is older than the highest one this side has seen; nothing was written");
        } catch (ConcurrentUpdateException e) {
            return VsrxHttpHandler.error(ErrorCode.PRECONDITION_FAILED, "If-Match does not match the current ETag");
        } catch (ContentRejectedException e) {
            return VsrxHttpHandler.error(ErrorCode.DIGEST_MISMATCH,
                    "the content does not match its declared length or SHA-256; nothing was written");
        } catch (PermanentSyncException e) {
            ErrorCode code = refusal(route, e.statusCode().orElse(-1));
            if (code == null) {
                throw e;
            }
            return VsrxHttpHandler.error(code, safeMessage(code));
        }
    }

    private ServerResponse create(FencingToken token, IdempotencyKey key, FilesetId fileset, ServerRequest request) {
        String path = request.header(FILE_PATH).flatMap(PercentCodec::decode)
                .filter(p -> !p.isEmpty() && p.length() <= 4096)
                .orElseThrow(() -> new Refused(ErrorCode.INVALID_FILE_PATH,
                        FILE_PATH + " must hold the file's path, percent-encoded UTF-8"));
        if (!PathValidator.validate(path).accepted()) {
            throw new Refused(ErrorCode.PATH_REJECTED, "the path is not strictly inside notes/");
        }
        DocumentUuid origin = request.header(ORIGIN).flatMap(VsrxFile::parseOrigin)
                .orElseThrow(() -> new Refused(ErrorCode.INVALID_ORIGIN, ORIGIN + " must be silknote:<document-uuid>"));
        String mime = contentType(request);
        return withUpload(request, mime, upload -> {
            VsrxWriteResult r = target.createFile(token, key, new NewVsrxFile(fileset, path, mime, origin), upload);
            return answer(r.replayed() ? 200 : 201, r);
        });
    }

    private ServerResponse replace(FencingToken token, IdempotencyKey key, VsrxFileId file, ServerRequest request) {
        String etag = ifMatch(request);
        String mime = contentType(request);
        return withUpload(request, mime, upload -> answer(200, target.replaceContent(token, key, file, etag, upload)));
    }

    private ServerResponse delete(FencingToken token, IdempotencyKey key, VsrxFileId file, ServerRequest request) {
        String etag = ifMatch(request);
        return answer(200, target.markDeleted(token, key, file, etag));
    }

    private static ServerResponse answer(int status, VsrxWriteResult r) {
        Map<String, String> h = headers();
        h.put("Content-Type", "application/json");
        if (r.replayed()) {
            h.put(REPLAYED, "true");
        }
        return ServerResponse.bytes(status, h, Json.bytes(WireFormat.file(r.file())));
    }

    private static Map<String, String> headers() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Cache-Control", "no-store");
        h.put("X-Content-Type-Options", "nosniff");
        return h;
    }

    // ---- the body

    @FunctionalInterface
    private interface UploadUse {
        ServerResponse apply(BlobUpload upload);
    }

    /**
     * Spools the body while counting and hashing it; hands it to {@code use} only when it has exactly the declared
     * length and SHA-256. The spool file is deleted afterwards.
     */
    private ServerResponse withUpload(ServerRequest request, String mime, UploadUse use) {
        long length = request.header("Content-Length").filter(v -> LENGTH.matcher(v.trim()).matches())
                .map(v -> Long.parseLong(v.trim()))
                .orElseThrow(() -> new Refused(ErrorCode.LENGTH_REQUIRED, "a write needs Content-Length"));
        if (length > config.maxUploadBytes()) {
            throw new Refused(ErrorCode.PAYLOAD_TOO_LARGE, "the content is larger than this server accepts");
        }
        ContentHash declared;
        try {
            declared = ReprDigest.parse(request.header(ReprDigest.HEADER).orElse(null))
                    .orElseThrow(() -> new Refused(ErrorCode.INVALID_DIGEST, "a write needs Repr-Digest: sha-256=:...:"));
        } catch (IllegalArgumentException e) {
            throw new Refused(ErrorCode.INVALID_DIGEST, "Repr-Digest is not a sha-256 byte sequence");
        }
        Path spool = null;
        try {
            spool = SpoolFiles.create(config.spoolDirectory(), "vsrx-upload-", ".tmp");
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long n = 0;
            try (InputStream in = request.body(); OutputStream out = Files.newOutputStream(spool)) {
                byte[] buf = new byte[64 * 1024];
                while (n <= length) {
                    int r = in.read(buf, 0, (int) Math.min(buf.length, length + 1 - n));
                    if (r < 0) {
                        break;
                    }
                    sha.update(buf, 0, r);
                    out.write(buf, 0, r);
                    n += r;
                }
            } catch (IOException e) {
                throw new Refused(ErrorCode.INCOMPLETE_BODY, "the body could not be read to its end");
            }
            if (n != length) {
                throw new Refused(ErrorCode.INCOMPLETE_BODY, "the body does not have Content-Length bytes");
            }
            if (!ContentHash.ofBytes(sha.digest()).equals(declared)) {
                throw new Refused(ErrorCode.DIGEST_MISMATCH,
                        "the body's SHA-256 differs from Repr-Digest; nothing was written");
            }
            Path file = spool;
            return use.apply(new BlobUpload(declared, length, mime, () -> Files.newInputStream(file)));
        } catch (IOException e) {
            log.warn("spooling an upload failed error={}", e.getClass().getSimpleName());
            throw new IllegalStateException("spooling an upload failed", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        } finally {
            if (spool != null) {
                try {
                    Files.deleteIfExists(spool);
                } catch (IOException ignored) {
                    // a temp file left for the OS to clean
                }
            }
        }
    }

    // ---- headers

    private static FencingToken fencingToken(ServerRequest request) {
        return request.header(FENCING_TOKEN).map(String::trim).filter(v -> TOKEN.matcher(v).matches())
                .map(v -> FencingToken.of(Long.parseLong(v)))
                .orElseThrow(() -> new Refused(ErrorCode.INVALID_FENCING_TOKEN,
                        "a write needs " + FENCING_TOKEN + ": the writer's fencing token, a decimal integer"));
    }

    private static IdempotencyKey idempotencyKey(ServerRequest request) {
        return request.header(IDEMPOTENCY_KEY).map(String::trim)
                .filter(v -> IdempotencyKey.FORMAT.matcher(v).matches()).map(IdempotencyKey::of)
                .orElseThrow(() -> new Refused(ErrorCode.INVALID_IDEMPOTENCY_KEY,
                        "a write needs " + IDEMPOTENCY_KEY + " of [A-Za-z0-9:._-]{1,200}"));
    }

    private static String ifMatch(ServerRequest request) {
        return request.header("If-Match").flatMap(EntityTags::fromHeader)
                .orElseThrow(() -> new Refused(ErrorCode.PRECONDITION_REQUIRED,
                        "a write needs If-Match with the strong ETag it was planned from"));
    }

    private static String contentType(ServerRequest request) {
        String base = request.header("Content-Type").map(v -> v.split(";", 2)[0].trim().toLowerCase(Locale.ROOT))
                .orElse("");
        if (!MIME.matcher(base).matches()) {
            throw new Refused(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "a write needs the content's MIME type as Content-Type");
        }
        return base;
    }

    private static String id(Optional<String> raw) {
        String id = raw.flatMap(PercentCodec::decode)
                .orElseThrow(() -> new Refused(ErrorCode.INVALID_ID, "id is not valid percent-encoding"));
        if (id.isBlank() || id.length() > MAX_ID_LENGTH || id.chars().anyMatch(Character::isISOControl)) {
            throw new Refused(ErrorCode.INVALID_ID, "id must have 1.." + MAX_ID_LENGTH + " characters, no control ones");
        }
        return id;
    }

    // ---- the target's refusals

    private static ErrorCode refusal(Route route, int status) {
        return switch (status) {
            case 404 -> route == Route.CREATE_FILE ? ErrorCode.FILESET_NOT_FOUND : ErrorCode.FILE_NOT_FOUND;
            case 410 -> ErrorCode.FILE_DELETED;
            case 403 -> ErrorCode.PATH_REJECTED;
            case 409 -> ErrorCode.PATH_TAKEN;
            case 412 -> ErrorCode.PRECONDITION_FAILED;
            case 422 -> ErrorCode.IDEMPOTENCY_KEY_REUSED;
            case 400 -> ErrorCode.DIGEST_MISMATCH;
            default -> null;
        };
    }

    private static String safeMessage(ErrorCode code) {
        return switch (code) {
            case FILESET_NOT_FOUND -> "no such fileset";
            case FILE_NOT_FOUND -> "no such file";
            case FILE_DELETED -> "the file is deleted";
            case PATH_REJECTED -> "the path is not strictly inside notes/";
            case PATH_TAKEN -> "a live file of the fileset has this path";
            case PRECONDITION_FAILED -> "If-Match does not match the current ETag";
            case IDEMPOTENCY_KEY_REUSED -> "the idempotency key was used before for another write";
            default -> "the content was refused; nothing was written";
        };
    }

    /** A refusal with a stable code and a log-safe message. */
    private static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient ErrorCode code;

        Refused(ErrorCode code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }
}
