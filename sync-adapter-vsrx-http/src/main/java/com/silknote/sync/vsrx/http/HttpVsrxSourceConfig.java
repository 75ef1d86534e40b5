package com.silknote.sync.vsrx.http;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.Secret;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;

/**
 * Settings of {@link HttpVsrxSource}.
 *
 * @param baseUri        where the VSRX server lives, e.g. {@code https://vsrx.example/api} (the client
 *                       appends {@code /v1/...}); absolute http(s), no query or fragment
 * @param token          the bearer token
 * @param connectTimeout connection set-up limit; applied when the builder creates the HTTP client
 * @param requestTimeout limit for one listing call (headers and body) and for the headers of a download
 * @param readTimeout    longest pause between two chunks of a download before it fails with an
 *                       {@link java.io.IOException}
 * @param maxJsonBytes   largest JSON body accepted (default 16 MiB)
 */
public record HttpVsrxSourceConfig(URI baseUri, Secret token, Duration connectTimeout, Duration requestTimeout,
        Duration readTimeout, int maxJsonBytes) {
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_JSON_BYTES = 16 * 1024 * 1024;

    public HttpVsrxSourceConfig {
        requireNonNull(baseUri, "baseUri");
        requireNonNull(token, "token");
        requireNonNull(connectTimeout, "connectTimeout");
        requireNonNull(requestTimeout, "requestTimeout");
        requireNonNull(readTimeout, "readTimeout");
        if (!baseUri.isAbsolute() || baseUri.getScheme() == null
                || !(baseUri.getScheme().toLowerCase(Locale.ROOT).equals("http")
                        || baseUri.getScheme().toLowerCase(Locale.ROOT).equals("https"))
                || baseUri.getHost() == null || baseUri.getRawQuery() != null || baseUri.getRawFragment() != null
                || baseUri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("baseUri must be an absolute http(s) URI without user info, query or fragment");
        }
        if (!VsrxHttpHandlerConfig.wellFormedToken(token.value())) {
            throw new IllegalArgumentException("the bearer token must be a token68 of at least 16 characters");
        }
        positive(connectTimeout, "connectTimeout");
        positive(requestTimeout, "requestTimeout");
        positive(readTimeout, "readTimeout");
        if (maxJsonBytes < 1024) {
            throw new IllegalArgumentException("maxJsonBytes must be >= 1024");
        }
    }

    /** Defaults for everything but the base URI and token. */
    public static HttpVsrxSourceConfig of(URI baseUri, Secret token) {
        return new HttpVsrxSourceConfig(baseUri, token, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT,
                DEFAULT_READ_TIMEOUT, DEFAULT_MAX_JSON_BYTES);
    }

    private static void positive(Duration d, String name) {
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }

    /** The base URI with any trailing slash removed, as a string prefix for routes. */
    String prefix() {
        String s = baseUri.toString();
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
