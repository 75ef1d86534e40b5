package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * One page of the Silknote change sequence ({@link com.silknote.sync.core.port.DocumentStore#silknoteChanges}).
 *
 * @param changes         changes in position order
 * @param nextCursor      the cursor of the next page; empty on the last
 * @param settledPosition every change committed after this page was read has a position at or after this one:
 *                        the position to store once every change before it has been handled
 */
public record SilknoteChangePage(List<SilknoteChange> changes, Optional<String> nextCursor, long settledPosition) {
    public SilknoteChangePage {
        changes = List.copyOf(requireNonNull(changes, "changes"));
        requireNonNull(nextCursor, "nextCursor");
    }
}
