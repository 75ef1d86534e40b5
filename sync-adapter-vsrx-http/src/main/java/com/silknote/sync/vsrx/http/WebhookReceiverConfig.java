package com.silknote.sync.vsrx.http;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Settings of {@link WebhookReceiver}.
 *
 * @param secrets             accepted signing secrets (several during a rotation), each at least 32 bytes
 * @param replayWindow        a delivery whose timestamp is further than this from now is refused, and
 *                            event ids are remembered this long (default 5 minutes)
 * @param maxBodyBytes        larger bodies are refused with 413 (default 64 KiB)
 * @param maxRememberedEvents bound of the replay memory; when full, deliveries get 503 (default 100 000)
 */
public record WebhookReceiverConfig(List<Secret> secrets, Duration replayWindow, int maxBodyBytes,
        int maxRememberedEvents) {
    public static final Duration DEFAULT_REPLAY_WINDOW = Duration.ofMinutes(5);
    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_REMEMBERED_EVENTS = 100_000;
    static final int MIN_SECRET_BYTES = 32;

    public WebhookReceiverConfig {
        secrets = List.copyOf(requireNonNull(secrets, "secrets"));
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("at least one webhook secret is required");
        }
        secrets.forEach(WebhookReceiverConfig::checkSecret);
        requireNonNull(replayWindow, "replayWindow");
        if (replayWindow.isNegative() || replayWindow.isZero() || replayWindow.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("replayWindow must be in (0, 1h]");
        }
        if (maxBodyBytes < 256 || maxBodyBytes > 16 * 1024 * 1024) {
            throw new IllegalArgumentException("maxBodyBytes must be in 256..16 MiB");
        }
        if (maxRememberedEvents < 1) {
            throw new IllegalArgumentException("maxRememberedEvents must be >= 1");
        }
    }

    /** Defaults with the given secrets. */
    public static WebhookReceiverConfig of(List<Secret> secrets) {
        return new WebhookReceiverConfig(secrets, DEFAULT_REPLAY_WINDOW, DEFAULT_MAX_BODY_BYTES,
                DEFAULT_MAX_REMEMBERED_EVENTS);
    }

    static void checkSecret(Secret s) {
        if (s.value().getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("a webhook secret needs at least " + MIN_SECRET_BYTES + " bytes");
        }
    }
}
