package com.silknote.sync.vsrx.http;

import java.util.Optional;

/** What a webhook reports. Each one triggers a sync of the event's fileset. */
public enum WebhookEventType {
    /** A file was added to a fileset. */
    FILE_CREATED("file.created"),
    /** A file's content or metadata changed. */
    FILE_UPDATED("file.updated"),
    /** A file was marked deleted. */
    FILE_DELETED("file.deleted"),
    /** A patient was re-booked: a new fileset (the event's) replaces an older one, which stays. */
    FILESET_REBOOKED("fileset.rebooked");

    private final String wireName;

    WebhookEventType(String wireName) {
        this.wireName = wireName;
    }

    /** The name on the wire, e.g. {@code file.created}. */
    public String wireName() {
        return wireName;
    }

    /** {@code true} for the {@code file.*} events, which name a file. */
    public boolean isFileEvent() {
        return this != FILESET_REBOOKED;
    }

    /** The type with this wire name. */
    public static Optional<WebhookEventType> fromWireName(String name) {
        for (WebhookEventType t : values()) {
            if (t.wireName.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
