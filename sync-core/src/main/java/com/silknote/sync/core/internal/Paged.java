package com.silknote.sync.core.internal;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.Page;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Iterates a cursor-paged listing one item at a time, holding one page (each fetch through the retrier).
 * Not thread-safe.
 */
final class Paged<T> {
    private final String operation;
    private final BiFunction<Optional<String>, Integer, Page<T>> fetch;
    private final int limit;
    private final Retrier retrier;
    private List<T> items = List.of();
    private int at;
    private Optional<String> cursor = Optional.empty();
    private boolean started;

    Paged(String operation, BiFunction<Optional<String>, Integer, Page<T>> fetch, int limit, Retrier retrier) {
        this.operation = requireNonNull(operation, "operation");
        this.fetch = requireNonNull(fetch, "fetch");
        this.limit = limit;
        this.retrier = requireNonNull(retrier, "retrier");
    }

    boolean hasNext() {
        while (at >= items.size()) {
            if (started && cursor.isEmpty()) {
                return false;
            }
            Optional<String> c = cursor;
            Page<T> page = retrier.call(operation, () -> fetch.apply(c, limit));
            started = true;
            items = page.items();
            at = 0;
            cursor = page.nextCursor();
        }
        return true;
    }

    T peek() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return items.get(at);
    }

    T next() {
        T t = peek();
        at++;
        return t;
    }
}
