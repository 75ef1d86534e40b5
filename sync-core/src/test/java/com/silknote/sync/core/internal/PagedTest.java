package com.silknote.sync.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The paging the check, cleanup and migration operations read their stores with (DESIGN rule 14, issue 11):
 * every item once, in order, across empty pages, with the cursor and limit passed on and transient failures
 * retried (rule 8).
 */
class PagedTest {
    private final List<String> calls = new ArrayList<>();
    private int failuresLeft;

    private Page<Integer> fetch(Optional<String> cursor, int limit) {
        calls.add(cursor.orElse("-") + "/" + limit);
        if (failuresLeft > 0) {
            failuresLeft--;
            throw new TransientSyncException("store busy");
        }
        return switch (cursor.orElse("")) {
            case "" -> new Page<>(List.of(1, 2), Optional.of("c1"));
            case "c1" -> new Page<>(List.of(), Optional.of("c2")); // an empty page that is not the last
            case "c2" -> new Page<>(List.of(3), Optional.of("c3"));
            case "c3" -> Page.last(List.of());
            default -> throw new AssertionError(cursor);
        };
    }

    private static Retrier retrier(int attempts) {
        return new Retrier(new RetryPolicy(attempts, Duration.ZERO, Duration.ZERO, false), d -> { }, new Random(1));
    }

    @Test
    @DisplayName("rule 14: every item once and in order, across an empty page, cursor and limit passed on")
    void readsEveryPage() {
        Paged<Integer> paged = new Paged<>("op", this::fetch, 7, retrier(1));
        List<Integer> seen = new ArrayList<>();
        assertThat(paged.peek()).isEqualTo(1);
        assertThat(paged.peek()).as("peek does not advance").isEqualTo(1);
        while (paged.hasNext()) {
            seen.add(paged.next());
        }
        assertThat(seen).containsExactly(1, 2, 3);
        assertThat(calls).containsExactly("-/7", "c1/7", "c2/7", "c3/7");
        assertThat(paged.hasNext()).as("no fetch after the last page").isFalse();
        assertThat(calls).hasSize(4);
        assertThatThrownBy(paged::next).isInstanceOf(NoSuchElementException.class);
    }

    @Test
    @DisplayName("rule 14: an empty store gives nothing after one fetch")
    void anEmptyStore() {
        Paged<Integer> paged = new Paged<>("op", (c, l) -> Page.last(List.of()), 7, retrier(1));
        assertThat(paged.hasNext()).isFalse();
        assertThatThrownBy(paged::peek).isInstanceOf(NoSuchElementException.class);
    }

    @Test
    @DisplayName("rule 8: a transient failure of a page fetch is retried with the same cursor")
    void transientFailuresAreRetried() {
        failuresLeft = 2;
        Paged<Integer> paged = new Paged<>("op", this::fetch, 3, retrier(3));
        assertThat(paged.next()).isEqualTo(1);
        assertThat(calls).containsExactly("-/3", "-/3", "-/3");
    }
}
