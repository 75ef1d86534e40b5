package com.silknote.sync.core.archfixture;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Random;
import java.util.UUID;
import java.util.function.Supplier;

/** Breaks the time and randomness rule in every way it knows. */
public final class WallClockUser {
    Object[] violations() throws InterruptedException {
        Thread.sleep(1);
        Supplier<Instant> ref = Instant::now;
        Supplier<Random> ctor = Random::new;
        return new Object[] {Instant.now(), System.currentTimeMillis(), new Random(), UUID.randomUUID(),
            LocalDateTime.now(), Clock.systemUTC(), ref, ctor};
    }

    Object allowed(Clock clock) {
        return new Object[] {Instant.now(clock), new Random(42), UUID.nameUUIDFromBytes(new byte[1])};
    }
}
