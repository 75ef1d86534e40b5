package com.silknote.sync.vsrx.http;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.vsrx.http.internal.RetryAfter;
import com.silknote.sync.vsrx.http.internal.WebhookSignatures;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts signed webhooks from the VSRX side to Silknote's {@link WebhookReceiver}. One attempt per call:
 * the caller (an outbox, a queue) owns retries, and re-sends the <em>same</em> event (same id) so the
 * receiver can drop duplicates. Thread-safe.
 *
 * <pre>{@code
 * WebhookSender sender = WebhookSender.builder()
 *         .endpoint(URI.create("https://silknote.example/webhooks/vsrx"))
 *         .secrets(List.of(Secret.of(previous), Secret.of(newest)))   // oldest first
 *         .build();
 * sender.send(sender.newFileEvent(WebhookEventType.FILE_UPDATED, filesetId, fileId));
 * }</pre>
 */
public final class WebhookSender {
    private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);

    private final WebhookSenderConfig config;
    private final HttpClient http;
    private final Clock clock;
    private final RandomGenerator random;

    /**
     * Constructor for dependency-injection containers; {@link #builder()} is the other way in.
     *
     * @param random source of event ids (use a strong one, e.g. {@link java.security.SecureRandom})
     * @throws NullPointerException when any argument is null
     */
    @Inject
    public WebhookSender(WebhookSenderConfig config, HttpClient httpClient, Clock clock, RandomGenerator random) {
        this.config = requireNonNull(config, "config");
        this.http = requireNonNull(httpClient, "httpClient");
        this.clock = requireNonNull(clock, "clock");
        this.random = requireNonNull(random, "random");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder pre-filled with this sender's settings, HTTP client, clock and random source. */
    public Builder newBuilder() {
        Builder b = new Builder();
        b.endpoint = config.endpoint();
        b.secrets = config.secrets();
        b.signWithAllSecrets = config.signWithAllSecrets();
        b.connectTimeout = config.connectTimeout();
        b.requestTimeout = config.requestTimeout();
        b.httpClient = http;
        b.clock = clock;
        b.random = random;
        return b;
    }

    /** A {@code file.*} event with a fresh id, occurring now. */
    public WebhookEvent newFileEvent(WebhookEventType type, FilesetId filesetId, VsrxFileId fileId) {
        return WebhookEvent.fileEvent(newEventId(), type, clock.instant(), filesetId, fileId);
    }

    /** A {@code fileset.rebooked} event with a fresh id, occurring now. */
    public WebhookEvent newRebookedEvent(FilesetId newFileset, Optional<FilesetId> previousFileset) {
        return WebhookEvent.rebooked(newEventId(), clock.instant(), newFileset, previousFileset);
    }

    private String newEventId() {
        return "evt_" + HexFormat.of().toHexDigits(random.nextLong()) + HexFormat.of().toHexDigits(random.nextLong());
    }

    /**
     * Signs and posts one event; returns when the receiver accepted it (2xx, a duplicate included).
     *
     * @return the receiver's status code
     * @throws TransientSyncException on timeouts, connection failures, 408, 429 and 5xx (with Retry-After)
     * @throws PermanentSyncException on other statuses (e.g. 401: the receiver does not know the secret)
     */
    public int send(WebhookEvent event) {
        requireNonNull(event, "event");
        byte[] body = event.toJson();
        String timestamp = Long.toString(clock.instant().getEpochSecond());
        HttpRequest request = HttpRequest.newBuilder(config.endpoint())
                .timeout(config.requestTimeout())
                .header("Content-Type", "application/json")
                .header(WebhookReceiver.TIMESTAMP_HEADER, timestamp)
                .header(WebhookReceiver.SIGNATURE_HEADER,
                        WebhookSignatures.header(config.signingSecrets(), timestamp, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        long start = clock.millis();
        HttpResponse<Void> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.discarding());
        } catch (HttpTimeoutException e) {
            throw new TransientSyncException("webhook delivery timed out", e);
        } catch (IOException e) {
            throw new TransientSyncException("webhook delivery failed (" + e.getClass().getSimpleName() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientSyncException("webhook delivery interrupted", e);
        }
        int status = response.statusCode();
        if (log.isDebugEnabled()) {
            log.debug("POST webhook event={} -> {} in {} ms", event.id(), status, clock.millis() - start);
        }
        if (status >= 200 && status <= 299) {
            return status;
        }
        if (status == 408 || status == 429 || status >= 500) {
            throw new TransientSyncException("webhook delivery failed: HTTP " + status,
                    RetryAfter.parse(response.headers().firstValue("Retry-After"), clock).orElse(null), null);
        }
        throw new PermanentSyncException("webhook delivery refused: HTTP " + status, status, null);
    }

    /** Builds a {@link WebhookSender}; endpoint and secrets are required. */
    public static final class Builder {
        private java.net.URI endpoint;
        private List<Secret> secrets = List.of();
        private boolean signWithAllSecrets;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private HttpClient httpClient;
        private Clock clock = Clock.systemUTC();
        private RandomGenerator random;

        private Builder() { }

        public Builder endpoint(java.net.URI v) { endpoint = requireNonNull(v, "endpoint"); return this; }

        /** Active secrets, oldest first, newest last; the newest signs. */
        public Builder secrets(List<Secret> v) { secrets = List.copyOf(requireNonNull(v, "secrets")); return this; }

        /** Sign with every active secret (during a rotation), not only the newest. */
        public Builder signWithAllSecrets(boolean v) { signWithAllSecrets = v; return this; }

        public Builder connectTimeout(Duration v) { connectTimeout = requireNonNull(v, "connectTimeout"); return this; }

        public Builder requestTimeout(Duration v) { requestTimeout = requireNonNull(v, "requestTimeout"); return this; }

        public Builder httpClient(HttpClient v) { httpClient = requireNonNull(v, "httpClient"); return this; }

        public Builder clock(Clock v) { clock = requireNonNull(v, "clock"); return this; }

        public Builder random(RandomGenerator v) { random = requireNonNull(v, "random"); return this; }

        /**
         * @throws IllegalStateException when the endpoint is missing
         * @throws IllegalArgumentException when a setting is invalid
         */
        public WebhookSender build() {
            if (endpoint == null) {
                throw new IllegalStateException("endpoint is required");
            }
            WebhookSenderConfig cfg = new WebhookSenderConfig(endpoint, secrets, signWithAllSecrets, connectTimeout,
                    requestTimeout);
            HttpClient client = httpClient != null ? httpClient : HttpClient.newBuilder()
                    .connectTimeout(connectTimeout)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .version(HttpClient.Version.HTTP_1_1)
                    .build();
            RandomGenerator r = random != null ? random : new java.security.SecureRandom();
            return new WebhookSender(cfg, client, clock, r);
        }
    }
}
