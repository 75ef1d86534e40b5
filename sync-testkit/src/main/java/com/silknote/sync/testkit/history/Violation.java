package com.silknote.sync.testkit.history;

import static java.util.Objects.requireNonNull;

/**
 * A broken invariant.
 *
 * @param invariant which one
 * @param step      the 0-based index of the step after which it was found
 * @param detail    what was found, naming files, filesets and contents by id
 */
public record Violation(Invariant invariant, int step, String detail) {
    public Violation {
        requireNonNull(invariant, "invariant");
        requireNonNull(detail, "detail");
    }
}
