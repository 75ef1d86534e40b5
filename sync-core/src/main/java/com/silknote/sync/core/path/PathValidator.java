package com.silknote.sync.core.path;

/** Validates VSRX file paths; see the rules on {@link #validate(String)}. */
public final class PathValidator {
    private PathValidator() { }

    /** Judges one raw path. Never throws for any input but null. */
    public static PathVerdict validate(String rawPath) {
        java.util.Objects.requireNonNull(rawPath, "rawPath");
        throw new UnsupportedOperationException("in progress");
    }
}
