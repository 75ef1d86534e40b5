package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/** One page of a cursor-paginated listing; {@code nextCursor} is empty on the last page. */
public record Page<T>(List<T> items, Optional<String> nextCursor) {
    public Page {
        items = List.copyOf(requireNonNull(items, "items"));
        requireNonNull(nextCursor, "nextCursor");
    }

    public static <T> Page<T> last(List<T> items) {
        return new Page<>(items, Optional.empty());
    }

    public boolean isLast() {
        return nextCursor.isEmpty();
    }
}
