package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One page of a cursor-paginated listing; {@code nextCursor} is empty on the last page.
 *
 * @param items      the page's items
 * @param nextCursor the cursor of the next page; empty on the last page
 * @param serverTime the source's clock when it answered, if it says; the engine takes the incremental
 *                   watermark from the first fileset page's (DESIGN rule 9)
 */
public record Page<T>(List<T> items, Optional<String> nextCursor, Optional<Instant> serverTime) {
    public Page {
        items = List.copyOf(requireNonNull(items, "items"));
        requireNonNull(nextCursor, "nextCursor");
        requireNonNull(serverTime, "serverTime");
    }

    /** A page without a server time. */
    public Page(List<T> items, Optional<String> nextCursor) {
        this(items, nextCursor, Optional.empty());
    }

    public static <T> Page<T> last(List<T> items) {
        return new Page<>(items, Optional.empty());
    }

    /** This page with the source's clock at the time it answered. */
    public Page<T> withServerTime(Instant serverTime) {
        return new Page<>(items, nextCursor, Optional.of(requireNonNull(serverTime, "serverTime")));
    }

    public boolean isLast() {
        return nextCursor.isEmpty();
    }
}
