package com.silknote.sync.core.exception;

/** Configuration given to the library (file, environment, builder) is invalid or incomplete. */
public final class ConfigurationException extends SyncException {
    private static final long serialVersionUID = 1L;

    public ConfigurationException(String safeMessage) {
        super(safeMessage);
    }

    public ConfigurationException(String safeMessage, Throwable cause) {
        super(safeMessage, cause);
    }
}
