package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * A request for one page of a listing.
 *
 * @param cursor       the {@link Page#nextCursor()} of the previous page; empty for the first page
 * @param limit        at most this many items (1..1000)
 * @param changedSince only items changed at or after this instant; empty for all
 */
public record PageRequest(Optional<String> cursor, int limit, Optional<Instant> changedSince) {
    public static final int MAX_LIMIT = 1000;

    public PageRequest {
        requireNonNull(cursor, "cursor");
        requireNonNull(changedSince, "changedSince");
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be in 1.." + MAX_LIMIT + ", was " + limit);
        }
    }

    public static PageRequest first(int limit) {
        return new PageRequest(Optional.empty(), limit, Optional.empty());
    }

    public PageRequest next(String nextCursor) {
        return new PageRequest(Optional.of(nextCursor), limit, changedSince);
    }

    public PageRequest changedSince(Instant since) {
        return new PageRequest(cursor, limit, Optional.of(since));
    }
}
