package com.silknote.sync.vsrx.http;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The receiver's verdict on one delivery: the HTTP status to answer with and a stable code.
 * 202 {@code accepted}: verified and the sync triggered; 200 {@code duplicate_event}: an event id seen
 * before, ignored; 4xx/5xx: rejected, nothing triggered (codes in docs/protocol.md).
 *
 * @param status  HTTP status
 * @param code    stable code, e.g. {@code accepted}, {@code invalid_signature}
 * @param message log-safe explanation
 * @param eventId the event's id once the signature was verified and the body parsed
 */
public record WebhookResponse(int status, String code, String message, Optional<String> eventId) {
    public static final String ACCEPTED = "accepted";
    public static final String DUPLICATE = "duplicate_event";

    public WebhookResponse {
        requireNonNull(code, "code");
        requireNonNull(message, "message");
        requireNonNull(eventId, "eventId");
    }

    static WebhookResponse of(ErrorCode code, String message) {
        return new WebhookResponse(code.status(), code.code(), message, Optional.empty());
    }

    /** {@code true} when the event triggered a sync. */
    public boolean accepted() {
        return ACCEPTED.equals(code);
    }

    /** {@code true} when the delivery was refused (4xx/5xx). */
    public boolean rejected() {
        return status >= 400;
    }

    /** As an HTTP response with a JSON body. */
    public ServerResponse toServerResponse() {
        ObjectNode body;
        if (rejected()) {
            body = WireFormat.error(code, message);
        } else {
            body = Json.object();
            body.put("status", code);
            eventId.ifPresent(id -> body.put("eventId", id));
        }
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", "application/json");
        h.put("Cache-Control", "no-store");
        if (status == 405) {
            h.put("Allow", "POST");
        }
        return ServerResponse.bytes(status, h, Json.bytes(body));
    }
}
