package com.silknote.sync.testkit.history;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.testkit.TestClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bi-directional part of the randomized history test (issue 14 on issue 9's suite), written from
 * docs/bidirectional.md and DESIGN.md: seeded histories of VSRX edits, Silknote users creating, replacing,
 * grouping and removing documents (also between a run's plan and its commit), full and incremental runs with
 * a conflict strategy and {@code deletes} drawn per history, crashes at any port call (also after a VSRX write
 * whose answer is lost, and between a VSRX write and the commit), a paused holder that loses its lease,
 * operators deciding and releasing conflicts, the orphan cleanup and the collector; the {@link BidiInvariant}s
 * after every step, and after quiescence.
 *
 * <p>An adapter's test extends this class and supplies its stores, as for {@link RandomHistoryScenario}. The
 * same system properties apply: {@value RandomHistoryScenario#SEEDS}, {@value RandomHistoryScenario#SEED} (replay
 * one seed exactly), {@value RandomHistoryScenario#STEPS}.
 */
public abstract class BidiHistoryScenario {
    public static final int DEFAULT_STEPS = 40;
    private static final Logger LOG = LoggerFactory.getLogger(BidiHistoryScenario.class);

    /** What one history did, under which setup. */
    public record Outcome(long seed, BidiSetup setup, List<String> steps, Optional<String> violation) {
        public Outcome {
            requireNonNull(setup, "setup");
            steps = List.copyOf(steps);
            requireNonNull(violation, "violation");
        }
    }

    /** Fresh, empty Silknote stores on {@code clock}, not shared with any other history. */
    protected abstract SilknoteStores newStores(TestClock clock);

    /** How many seeds the normal test command runs. */
    protected int defaultSeeds() {
        return 200;
    }

    @TestFactory
    Stream<DynamicTest> bidirectionalHistories() {
        long started = System.nanoTime();
        int steps = Integer.getInteger(RandomHistoryScenario.STEPS, DEFAULT_STEPS);
        String one = System.getProperty(RandomHistoryScenario.SEED);
        LongStream seeds = one != null && !one.isBlank() ? LongStream.of(Long.parseLong(one.trim()))
                : RandomHistoryScenario.seedRange(defaultSeeds());
        return seeds.mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> playAndAssert(seed, steps)))
                .onClose(() -> LOG.info("bi-directional random histories took {} ms",
                        Duration.ofNanos(System.nanoTime() - started).toMillis()));
    }

    private void playAndAssert(long seed, int steps) {
        Outcome o = play(seed, steps);
        if (o.violation().isPresent()) {
            throw new AssertionError(describe(o));
        }
    }

    /** Plays the history of {@code seed}: {@code steps} random steps, then quiescence. */
    public Outcome play(long seed, int steps) {
        return play(seed, BidiSetup.draw(seed), steps);
    }

    /** Plays the history of {@code seed} under {@code setup}. */
    public Outcome play(long seed, BidiSetup setup, int steps) {
        TestClock clock = TestClock.at("2026-03-02T08:00:00Z");
        BidiHistoryWorld world = new BidiHistoryWorld(seed, setup, clock, newStores(clock));
        for (int i = 0; i < steps && world.step(); i++) {
            // step returns false at the first violation
        }
        world.quiesce();
        return new Outcome(seed, setup, world.applied(), world.violation());
    }

    /** The failure message: seed, setup, the broken invariant and the history, and how to replay it. */
    public static String describe(Outcome o) {
        List<String> lines = new ArrayList<>();
        lines.add("seed " + o.seed() + ": " + o.violation().orElse("no violation"));
        lines.add("setup: " + o.setup());
        lines.add("history:");
        lines.addAll(BidiHistoryWorld.describe(o.steps()));
        lines.add("replay: -D" + RandomHistoryScenario.SEED + "=" + o.seed());
        return String.join("\n", lines);
    }
}
