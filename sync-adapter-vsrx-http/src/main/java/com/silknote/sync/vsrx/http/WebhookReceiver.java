package com.silknote.sync.vsrx.http;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.Secret;
import com.silknote.sync.vsrx.http.internal.WebhookSignatures;
import com.sun.net.httpserver.HttpHandler;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives VSRX webhooks on the Silknote side, verifies them, and triggers a sync of exactly the one
 * fileset an event names. Thread-safe.
 *
 * <p>A delivery is a {@code POST} with {@code Content-Type: application/json}, a body of at most
 * {@code maxBodyBytes}, {@value #TIMESTAMP_HEADER} (Unix seconds) and {@value #SIGNATURE_HEADER}
 * ({@code v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>}, several comma-separated during a key
 * rotation). Checks, in this order, each refusal changing nothing: 415 wrong content type; 413 body too
 * large; 401 {@code missing_signature}, {@code timestamp_outside_window} (further than the replay window
 * from the injected clock), {@code invalid_signature} (compared in constant time against every accepted
 * secret); 400 {@code malformed_event} / {@code unknown_event_type}; then an event id seen within the
 * window is answered 200 {@code duplicate_event} and ignored (so a sender retrying a delivery whose
 * answer it lost stops retrying). Otherwise the trigger runs and the answer is 202 {@code accepted}; if the
 * trigger throws, 503 {@code trigger_failed} and the id is forgotten so a retry is processed.
 *
 * <p>The replay memory is per instance: hosts behind a load balancer may each process one replay of a
 * delivery, which costs an extra (idempotent) sync of one fileset and nothing else.
 *
 * <pre>{@code
 * WebhookReceiver receiver = WebhookReceiver.builder()
 *         .secrets(List.of(Secret.of(newestSecret), Secret.of(previousSecret)))
 *         .trigger((filesetId, event) -> executor.submit(() -> sync.run(SyncRequest.fileset(filesetId))))
 *         .build();
 * WebhookResponse r = receiver.receive(headers, bodyBytes);  // or mount receiver.asHttpHandler()
 * }</pre>
 */
public final class WebhookReceiver {
    /** Header with the delivery's Unix time in seconds. */
    public static final String TIMESTAMP_HEADER = "Vsrx-Webhook-Timestamp";
    /** Header with the {@code v1=<hex>} signatures. */
    public static final String SIGNATURE_HEADER = "Vsrx-Webhook-Signature";

    private static final Logger log = LoggerFactory.getLogger(WebhookReceiver.class);

    private final WebhookReceiverConfig config;
    private final FilesetSyncTrigger trigger;
    private final Clock clock;
    private final ReplayMemory seen;

    /**
     * Constructor for dependency-injection containers; {@link #builder()} is the other way in.
     *
     * @throws NullPointerException when any argument is null
     */
    @Inject
    public WebhookReceiver(WebhookReceiverConfig config, FilesetSyncTrigger trigger, Clock clock) {
        this.config = requireNonNull(config, "config");
        this.trigger = requireNonNull(trigger, "trigger");
        this.clock = requireNonNull(clock, "clock");
        this.seen = new ReplayMemory(config.maxRememberedEvents());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder pre-filled with this receiver's settings, trigger and clock (the replay memory is not shared). */
    public Builder newBuilder() {
        Builder b = new Builder();
        b.secrets = config.secrets();
        b.replayWindow = config.replayWindow();
        b.maxBodyBytes = config.maxBodyBytes();
        b.maxRememberedEvents = config.maxRememberedEvents();
        b.trigger = trigger;
        b.clock = clock;
        return b;
    }

    /**
     * Judges one delivery and, when it is new and verified, triggers the sync of its fileset.
     *
     * @param headers request headers (names case-insensitive)
     * @param body    the raw request body, exactly as received
     * @return the verdict; never throws for bad input
     * @throws NullPointerException when an argument is null
     */
    public WebhookResponse receive(Map<String, List<String>> headers, byte[] body) {
        requireNonNull(headers, "headers");
        requireNonNull(body, "body");
        ServerRequest r = ServerRequest.of("POST", "/", Optional.empty(), headers);
        WebhookResponse response = judge(r, body);
        if (response.rejected()) {
            log.warn("webhook rejected status={} code={}", response.status(), response.code());
        }
        return response;
    }

    /**
     * The receiver behind the request/response abstraction: POST only (405 otherwise); the body is read
     * up to the size limit.
     *
     * @throws NullPointerException when request is null
     */
    public ServerResponse handle(ServerRequest request) {
        requireNonNull(request, "request");
        if (!"POST".equals(request.method())) {
            return WebhookResponse.of(ErrorCode.METHOD_NOT_ALLOWED, "only POST is allowed here").toServerResponse();
        }
        if (!jsonContentType(request.headerValues("Content-Type"))) {
            return receive(request.headers(), new byte[0]).toServerResponse();
        }
        Optional<String> declared = request.header("Content-Length");
        if (declared.isPresent() && declared.get().matches("[0-9]{1,18}")
                && Long.parseLong(declared.get()) > config.maxBodyBytes()) {
            return WebhookResponse.of(ErrorCode.PAYLOAD_TOO_LARGE, "body too large").toServerResponse();
        }
        byte[] body;
        try {
            body = request.body().readNBytes(config.maxBodyBytes() + 1);
        } catch (IOException e) {
            return WebhookResponse.of(ErrorCode.MALFORMED_EVENT, "body could not be read").toServerResponse();
        }
        return receive(request.headers(), body).toServerResponse();
    }

    /** This receiver on the JDK's built-in server, mounted at its own path. */
    public HttpHandler asHttpHandler() {
        return JdkExchanges.handler(this::handle, "/");
    }

    private WebhookResponse judge(ServerRequest r, byte[] body) {
        if (!jsonContentType(r.headerValues("Content-Type"))) {
            return WebhookResponse.of(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json");
        }
        if (body.length > config.maxBodyBytes()) {
            return WebhookResponse.of(ErrorCode.PAYLOAD_TOO_LARGE, "body larger than " + config.maxBodyBytes() + " bytes");
        }
        List<String> ts = r.headerValues(TIMESTAMP_HEADER);
        List<String> sig = r.headerValues(SIGNATURE_HEADER);
        if (ts.size() != 1 || sig.size() != 1) {
            return WebhookResponse.of(ErrorCode.MISSING_SIGNATURE, "exactly one timestamp and one signature header are required");
        }
        String timestamp = ts.get(0).trim();
        if (!timestamp.matches("[0-9]{1,12}")) {
            return WebhookResponse.of(ErrorCode.STALE_TIMESTAMP, "timestamp is not Unix seconds");
        }
        Instant sentAt = Instant.ofEpochSecond(Long.parseLong(timestamp));
        Instant now = clock.instant();
        if (Duration.between(sentAt, now).abs().compareTo(config.replayWindow()) > 0) {
            return WebhookResponse.of(ErrorCode.STALE_TIMESTAMP, "timestamp outside the replay window");
        }
        List<byte[]> presented = WebhookSignatures.parse(sig.get(0));
        if (presented.isEmpty() || !WebhookSignatures.verify(config.secrets(), timestamp, body, presented)) {
            return WebhookResponse.of(ErrorCode.INVALID_SIGNATURE, "no valid v1 signature");
        }
        WebhookEvent event;
        try {
            event = WebhookEvent.parse(body);
        } catch (JsonFormatException e) {
            return WebhookResponse.of(ErrorCode.MALFORMED_EVENT, e.getMessage());
        } catch (WebhookEvent.UnknownTypeException e) {
            return WebhookResponse.of(ErrorCode.UNKNOWN_EVENT_TYPE, "unknown event type");
        }
        switch (seen.claim(event.id(), sentAt.plus(config.replayWindow()), now)) {
            case SEEN:
                log.info("webhook duplicate ignored event={}", event.id());
                return new WebhookResponse(200, WebhookResponse.DUPLICATE, "event already received",
                        Optional.of(event.id()));
            case FULL:
                return WebhookResponse.of(ErrorCode.REPLAY_MEMORY_FULL, "too many recent events; retry later");
            default:
                break;
        }
        try {
            trigger.syncFileset(event.filesetId(), event);
        } catch (RuntimeException e) {
            seen.release(event.id());
            log.warn("webhook trigger failed event={} fileset={} error={}", event.id(), event.filesetId(),
                    e.getClass().getSimpleName());
            return new WebhookResponse(ErrorCode.TRIGGER_FAILED.status(), ErrorCode.TRIGGER_FAILED.code(),
                    "sync could not be started; retry later", Optional.of(event.id()));
        }
        log.info("webhook accepted event={} type={} fileset={}", event.id(), event.type().wireName(), event.filesetId());
        return new WebhookResponse(202, WebhookResponse.ACCEPTED, "sync triggered", Optional.of(event.id()));
    }

    private static boolean jsonContentType(List<String> values) {
        if (values.size() != 1) {
            return false;
        }
        // limit -1: ";" splits into empty parts rather than into no parts at all
        String[] parts = values.get(0).toLowerCase(Locale.ROOT).split(";", -1);
        if (!parts[0].trim().equals("application/json")) {
            return false;
        }
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            if (p.startsWith("charset=") && !p.equals("charset=utf-8") && !p.equals("charset=\"utf-8\"")) {
                return false;
            }
        }
        return true;
    }

    /** Builds a {@link WebhookReceiver}; secrets and trigger are required. */
    public static final class Builder {
        private List<Secret> secrets = List.of();
        private Duration replayWindow = WebhookReceiverConfig.DEFAULT_REPLAY_WINDOW;
        private int maxBodyBytes = WebhookReceiverConfig.DEFAULT_MAX_BODY_BYTES;
        private int maxRememberedEvents = WebhookReceiverConfig.DEFAULT_MAX_REMEMBERED_EVENTS;
        private FilesetSyncTrigger trigger;
        private Clock clock = Clock.systemUTC();

        private Builder() { }

        /** Accepted signing secrets; during a rotation both the new and the old one. */
        public Builder secrets(List<Secret> v) { secrets = List.copyOf(requireNonNull(v, "secrets")); return this; }

        public Builder replayWindow(Duration v) { replayWindow = requireNonNull(v, "replayWindow"); return this; }

        public Builder maxBodyBytes(int v) { maxBodyBytes = v; return this; }

        public Builder maxRememberedEvents(int v) { maxRememberedEvents = v; return this; }

        public Builder trigger(FilesetSyncTrigger v) { trigger = requireNonNull(v, "trigger"); return this; }

        public Builder clock(Clock v) { clock = requireNonNull(v, "clock"); return this; }

        /**
         * @throws IllegalStateException when the trigger is missing
         * @throws IllegalArgumentException when a setting is invalid
         */
        public WebhookReceiver build() {
            if (trigger == null) {
                throw new IllegalStateException("trigger is required");
            }
            return new WebhookReceiver(new WebhookReceiverConfig(secrets, replayWindow, maxBodyBytes,
                    maxRememberedEvents), trigger, clock);
        }
    }
}
