package com.silknote.sync.vsrx.http;

/** A JSON document that does not follow the protocol. The message names fields, never values. */
final class JsonFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    JsonFormatException(String safeMessage) {
        super(safeMessage);
    }
}
