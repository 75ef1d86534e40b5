package com.silknote.sync.vsrx.http;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.Secret;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Settings of {@link WebhookSender}.
 *
 * @param endpoint           the receiver's URI (absolute http(s))
 * @param secrets            active signing secrets, oldest first, newest last (each at least 32 bytes)
 * @param signWithAllSecrets {@code false} (default): sign with the newest only; {@code true}: one
 *                           {@code v1=} signature per active secret, for the window in which receivers
 *                           may still know only an older secret
 * @param connectTimeout     connection set-up limit, used when the builder creates the HTTP client
 * @param requestTimeout     limit for one delivery
 */
public record WebhookSenderConfig(URI endpoint, List<Secret> secrets, boolean signWithAllSecrets,
        Duration connectTimeout, Duration requestTimeout) {
    public WebhookSenderConfig {
        requireNonNull(endpoint, "endpoint");
        if (!endpoint.isAbsolute() || endpoint.getHost() == null
                || !List.of("http", "https").contains(endpoint.getScheme().toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("endpoint must be an absolute http(s) URI");
        }
        secrets = List.copyOf(requireNonNull(secrets, "secrets"));
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("at least one webhook secret is required");
        }
        secrets.forEach(WebhookReceiverConfig::checkSecret);
        requireNonNull(connectTimeout, "connectTimeout");
        requireNonNull(requestTimeout, "requestTimeout");
        if (connectTimeout.isZero() || connectTimeout.isNegative() || requestTimeout.isZero()
                || requestTimeout.isNegative()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
    }

    /** The secrets a delivery is signed with. */
    List<Secret> signingSecrets() {
        if (!signWithAllSecrets) {
            return List.of(secrets.get(secrets.size() - 1));
        }
        java.util.ArrayList<Secret> newestFirst = new java.util.ArrayList<>(secrets);
        java.util.Collections.reverse(newestFirst);
        return List.copyOf(newestFirst);
    }
}
