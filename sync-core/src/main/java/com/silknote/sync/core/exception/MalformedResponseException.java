package com.silknote.sync.core.exception;

/**
 * A remote system answered with something that does not follow its protocol: bad JSON, a missing or
 * wrongly typed field, an HTML error page, a cursor that loops, a content length or digest that does not
 * match. Nothing is written for the file or fileset concerned.
 */
public final class MalformedResponseException extends PermanentSyncException {
    private static final long serialVersionUID = 1L;

    public MalformedResponseException(String safeMessage) {
        super(safeMessage);
    }

    public MalformedResponseException(String safeMessage, Throwable cause) {
        super(safeMessage, cause);
    }

    public MalformedResponseException(String safeMessage, int statusCode, Throwable cause) {
        super(safeMessage, statusCode, cause);
    }
}
