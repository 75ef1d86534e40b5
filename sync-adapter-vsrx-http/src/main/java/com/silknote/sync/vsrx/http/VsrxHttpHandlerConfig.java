package com.silknote.sync.vsrx.http;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.Secret;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Settings of {@link VsrxHttpHandler}.
 *
 * @param acceptedTokens  bearer tokens accepted (several during a rotation); at least one, each a
 *                        token68 of 16..4096 characters
 * @param defaultPageSize page size when a request gives no {@code limit} (1..1000, default 100)
 * @param spoolDirectory  where content is spooled when the data port does not declare length and SHA-256, and
 *                        where uploads are spooled while their digest is checked; empty = the JVM's temp directory
 * @param maxUploadBytes  largest upload a write accepts (413 above it; default 100 MiB, the sync's default size
 *                        limit)
 */
public record VsrxHttpHandlerConfig(List<Secret> acceptedTokens, int defaultPageSize, Optional<Path> spoolDirectory,
        long maxUploadBytes) {
    public static final int DEFAULT_PAGE_SIZE = 100;
    public static final long DEFAULT_MAX_UPLOAD_BYTES = 100L * 1024 * 1024;
    private static final Pattern TOKEN68 = Pattern.compile("[A-Za-z0-9._~+/-]{16,4096}=*");

    public VsrxHttpHandlerConfig {
        acceptedTokens = List.copyOf(requireNonNull(acceptedTokens, "acceptedTokens"));
        if (acceptedTokens.isEmpty()) {
            throw new IllegalArgumentException("at least one accepted token is required");
        }
        for (Secret t : acceptedTokens) {
            if (!TOKEN68.matcher(t.value()).matches()) {
                throw new IllegalArgumentException("a bearer token must be a token68 of at least 16 characters");
            }
        }
        if (defaultPageSize < 1 || defaultPageSize > PageRequest.MAX_LIMIT) {
            throw new IllegalArgumentException("defaultPageSize must be in 1.." + PageRequest.MAX_LIMIT);
        }
        requireNonNull(spoolDirectory, "spoolDirectory");
        if (maxUploadBytes < 1) {
            throw new IllegalArgumentException("maxUploadBytes must be >= 1");
        }
    }

    /** Settings with the default upload limit. */
    public VsrxHttpHandlerConfig(List<Secret> acceptedTokens, int defaultPageSize, Optional<Path> spoolDirectory) {
        this(acceptedTokens, defaultPageSize, spoolDirectory, DEFAULT_MAX_UPLOAD_BYTES);
    }

    /** Defaults with the given accepted tokens. */
    public static VsrxHttpHandlerConfig of(List<Secret> acceptedTokens) {
        return new VsrxHttpHandlerConfig(acceptedTokens, DEFAULT_PAGE_SIZE, Optional.empty(), DEFAULT_MAX_UPLOAD_BYTES);
    }

    static boolean wellFormedToken(String token) {
        return TOKEN68.matcher(token).matches();
    }
}
