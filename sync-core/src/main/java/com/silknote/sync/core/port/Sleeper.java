package com.silknote.sync.core.port;

import java.time.Duration;

/** Waits. Injected so tests never wait on wall time (the testkit's {@code TestClock} advances instead). */
@FunctionalInterface
public interface Sleeper {
    /** The real one. */
    Sleeper SYSTEM = d -> {
        long ms = d.toMillis();
        if (ms > 0) {
            Thread.sleep(ms);
        }
    };

    void sleep(Duration duration) throws InterruptedException;
}
