package com.silknote.sync.core.archfixture;

import org.assertj.core.api.Assertions;

/** Standard streams, generic exceptions, java.util.logging and a third-party dependency. */
public final class BadHabits {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger("x");

    void print() {
        System.out.println("x");
        LOG.info("x");
        Assertions.assertThat(1).isEqualTo(1);
        throw new RuntimeException("generic");
    }
}
