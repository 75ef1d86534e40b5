package com.silknote.sync.vsrx.http.internal;

/** A JSON document that does not follow the protocol. The message names fields, never values. */
public final class JsonFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public JsonFormatException(String safeMessage) {
        super(safeMessage);
    }
}
