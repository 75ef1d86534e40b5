package com.silknote.sync.core.model;

/** A lock's fencing token: strictly increasing per lock name across holders. */
public record FencingToken(long value) implements Comparable<FencingToken> {
    public FencingToken {
        if (value < 0) {
            throw new IllegalArgumentException("fencing token must be >= 0, was " + value);
        }
    }

    public static FencingToken of(long value) {
        return new FencingToken(value);
    }

    public boolean isNewerThan(FencingToken other) {
        return value > other.value;
    }

    @Override
    public int compareTo(FencingToken other) {
        return Long.compare(value, other.value);
    }
}
