package com.silknote.sync.testkit.reliability;

import java.util.stream.LongStream;

/**
 * How much the reliability suite does. The README's test command runs a bounded form; the heavy variant
 * runs with {@code -Dvsrx.reliability=heavy} (more seeds, schedules, crash points and separate JVMs).
 * Every randomized test logs its seed and replays one seed with {@code -Dvsrx.reliability.seed=S}.
 */
public final class Reliability {
    /** The system property that selects the variant: {@code heavy}, else bounded. */
    public static final String PROPERTY = "vsrx.reliability";
    /** The system property that replays a single seed of every randomized reliability test. */
    public static final String SEED_PROPERTY = "vsrx.reliability.seed";

    private Reliability() {
    }

    /** {@code true} when {@code -Dvsrx.reliability=heavy} is set. */
    public static boolean heavy() {
        return "heavy".equalsIgnoreCase(System.getProperty(PROPERTY, "").trim());
    }

    /** {@code bounded} in the test command, {@code heavy} in the heavy variant. */
    public static int count(int bounded, int heavy) {
        return heavy() ? heavy : bounded;
    }

    /**
     * The seeds to run: the replayed one when {@value #SEED_PROPERTY} is set, else {@code first},
     * {@code first + 1}, ... ({@link #count} of them).
     */
    public static LongStream seeds(long first, int bounded, int heavy) {
        String replay = System.getProperty(SEED_PROPERTY);
        if (replay != null && !replay.isBlank()) {
            return LongStream.of(Long.parseLong(replay.trim()));
        }
        return LongStream.range(first, first + count(bounded, heavy));
    }
}
