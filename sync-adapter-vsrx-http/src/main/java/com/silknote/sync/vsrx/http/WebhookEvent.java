package com.silknote.sync.vsrx.http;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.VsrxFileId;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One webhook event from VSRX. It carries ids only, no patient data, so it is safe to log.
 *
 * <p>JSON: {@code {"id":"evt_..","type":"file.updated","occurredAt":"2026-01-01T00:00:00Z",
 * "filesetId":"..","fileId":".."}}; {@code fileId} is required for {@code file.*} events and absent for
 * {@code fileset.rebooked}, which may carry {@code previousFilesetId}.
 *
 * @param id                unique event id, {@code [A-Za-z0-9_-]{1,128}}; the receiver ignores an id it has seen
 * @param type              what happened
 * @param occurredAt        when it happened in VSRX
 * @param filesetId         the fileset to sync
 * @param fileId            the file, for {@code file.*} events
 * @param previousFilesetId for {@code fileset.rebooked}: the fileset of the patient's previous id, if known
 */
public record WebhookEvent(String id, WebhookEventType type, Instant occurredAt, FilesetId filesetId,
        Optional<VsrxFileId> fileId, Optional<FilesetId> previousFilesetId) {
    static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");

    public WebhookEvent {
        requireNonNull(id, "id");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("event id must match [A-Za-z0-9_-]{1,128}");
        }
        requireNonNull(type, "type");
        requireNonNull(occurredAt, "occurredAt");
        requireNonNull(filesetId, "filesetId");
        requireNonNull(fileId, "fileId");
        requireNonNull(previousFilesetId, "previousFilesetId");
        if (type.isFileEvent() != fileId.isPresent()) {
            throw new IllegalArgumentException(type.wireName() + (type.isFileEvent() ? " needs" : " takes no") + " fileId");
        }
        if (type.isFileEvent() && previousFilesetId.isPresent()) {
            throw new IllegalArgumentException("previousFilesetId belongs to fileset.rebooked only");
        }
    }

    /** A {@code file.*} event. */
    public static WebhookEvent fileEvent(String id, WebhookEventType type, Instant occurredAt, FilesetId filesetId,
            VsrxFileId fileId) {
        return new WebhookEvent(id, type, occurredAt, filesetId, Optional.of(requireNonNull(fileId, "fileId")),
                Optional.empty());
    }

    /** A {@code fileset.rebooked} event. */
    public static WebhookEvent rebooked(String id, Instant occurredAt, FilesetId newFileset,
            Optional<FilesetId> previousFileset) {
        return new WebhookEvent(id, WebhookEventType.FILESET_REBOOKED, occurredAt, newFileset, Optional.empty(),
                previousFileset);
    }

    byte[] toJson() {
        ObjectNode n = Json.object();
        n.put("id", id);
        n.put("type", type.wireName());
        n.put("occurredAt", occurredAt.toString());
        n.put("filesetId", filesetId.value());
        fileId.ifPresent(f -> n.put("fileId", f.value()));
        previousFilesetId.ifPresent(f -> n.put("previousFilesetId", f.value()));
        return Json.bytes(n);
    }

    /** Thrown by {@link #parse} for a body that is JSON but names an unknown event type. */
    static final class UnknownTypeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnknownTypeException() {
            super("unknown event type", null, false, false);
        }
    }

    /**
     * @throws JsonFormatException when the body is not a valid event
     * @throws UnknownTypeException when the type is unknown
     */
    static WebhookEvent parse(byte[] body) {
        String what = "event";
        JsonNode n = Json.requireObject(Json.parse(body), what);
        String id = Json.text(n, "id", what);
        String typeName = Json.text(n, "type", what);
        WebhookEventType type = WebhookEventType.fromWireName(typeName).orElseThrow(UnknownTypeException::new);
        Instant at = Json.instant(n, "occurredAt", what);
        try {
            FilesetId fs = FilesetId.of(Json.text(n, "filesetId", what));
            Optional<VsrxFileId> file = Json.optionalText(n, "fileId", what).map(VsrxFileId::of);
            Optional<FilesetId> prev = Json.optionalText(n, "previousFilesetId", what).map(FilesetId::of);
            return new WebhookEvent(id, type, at, fs, file, prev);
        } catch (IllegalArgumentException e) {
            throw new JsonFormatException("event has an invalid id or a field that does not fit its type");
        }
    }
}
