package com.silknote.sync.testkit.history;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.testkit.TestClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 9's randomized history test, written from DESIGN.md and the decisions only: seeded random
 * histories of VSRX edits, deletes, renames, moves of file ids between filesets, relinks and re-bookings,
 * vanishing files and filesets, stale and lying listings, clock skew, Silknote-side user edits and removed
 * rows, dry, single-fileset and incremental runs, two runners with a paused one, and crashes; after every run
 * the {@link Invariant}s are checked against a reference model of what Silknote must hold.
 *
 * <p>An adapter's test extends this class and supplies its stores:
 * <pre>{@code
 * class JdbcRandomHistoryTest extends RandomHistoryScenario {
 *     @Override protected SilknoteStores newStores(TestClock clock) { return ...; }
 *     @Override protected int defaultSeeds() { return 20; }          // slower backends run fewer
 * }
 * }</pre>
 *
 * <p>System properties: {@value #SEEDS} (how many seeds, from {@value #FROM}, default 1; default {@link #defaultSeeds()}),
 * {@value #SEED} (exactly this one seed), {@value #STEPS} (steps per history, default {@value #DEFAULT_STEPS}),
 * {@value #SHRINK} ({@code first}: shrink the first failure of each invariant, the default; {@code all};
 * {@code none}), {@value #EXCLUDE} (comma-separated step kinds the generator leaves out, e.g.
 * {@code MOVE,RELINK}, to look past a known failure; the names are {@code HistoryGenerator.Kind}'s). A failure
 * prints the seed, the step, the history so far, the invariant and, when shrunk, the
 * shortest history found that breaks the same invariant.
 *
 * <p>Histories are deterministic for a seed: the engine runs with one fileset and one file at a time and a
 * seeded jitter, and every step is plain data.
 */
public abstract class RandomHistoryScenario {
    public static final String SEEDS = "vsrx.history.seeds";
    public static final String SEED = "vsrx.history.seed";
    /** The first seed of a range of {@value #SEEDS} seeds (default 1), to play seeds no earlier run played. */
    public static final String FROM = "vsrx.history.from";
    public static final String STEPS = "vsrx.history.steps";
    public static final String SHRINK = "vsrx.history.shrink";
    public static final String EXCLUDE = "vsrx.history.exclude";
    public static final int DEFAULT_STEPS = 60;
    private static final int SHRINK_BUDGET = 400;
    private static final Logger LOG = LoggerFactory.getLogger(RandomHistoryScenario.class);

    /** What one history did, under which setup. */
    public record Outcome(long seed, HistorySetup setup, List<Step> steps, Optional<Violation> violation) {
        public Outcome {
            requireNonNull(setup, "setup");
            steps = List.copyOf(steps);
            requireNonNull(violation, "violation");
        }
    }

    private final Set<Invariant> shrunk = ConcurrentHashMap.newKeySet();
    private final Map<Invariant, List<Long>> failures = new ConcurrentHashMap<>();

    /** Fresh, empty Silknote stores on {@code clock}, not shared with any other history. */
    protected abstract SilknoteStores newStores(TestClock clock);

    /** How many seeds the normal test command runs. */
    protected int defaultSeeds() {
        return 200;
    }

    @TestFactory
    Stream<DynamicTest> randomHistories() {
        long started = System.nanoTime();
        long cpu = processCpuNanos();
        int steps = Integer.getInteger(STEPS, DEFAULT_STEPS);
        String one = System.getProperty(SEED);
        LongStream seeds = one != null && !one.isBlank() ? LongStream.of(Long.parseLong(one.trim()))
                : seedRange(defaultSeeds());
        return seeds.mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> playAndAssert(seed, steps)))
                .onClose(() -> summary(Duration.ofNanos(System.nanoTime() - started),
                        Duration.ofNanos(processCpuNanos() - cpu)));
    }

    /** Seeds {@value #FROM} .. {@value #FROM} + {@value #SEEDS} - 1. */
    static LongStream seedRange(int defaultSeeds) {
        long from = Long.getLong(FROM, 1L);
        return LongStream.range(from, from + Integer.getInteger(SEEDS, defaultSeeds));
    }

    private void playAndAssert(long seed, int steps) {
        Outcome outcome = play(seed, steps);
        if (outcome.violation().isEmpty()) {
            return;
        }
        Violation v = outcome.violation().get();
        failures.computeIfAbsent(v.invariant(), k -> new ArrayList<>()).add(seed);
        String mode = System.getProperty(SHRINK, "first").trim().toLowerCase(Locale.ROOT);
        Optional<Outcome> shorter = Optional.empty();
        if (mode.equals("all") || (mode.equals("first") && shrunk.add(v.invariant()))) {
            shorter = Optional.of(shrink(outcome));
        }
        throw new AssertionError(describe(outcome, shorter));
    }

    /** Plays the history of {@code seed} with {@code steps} random steps and a final full run. */
    public Outcome play(long seed, int steps) {
        TestClock clock = TestClock.at("2026-03-02T08:00:00Z");
        HistoryWorld world = new HistoryWorld(seed, HistorySetup.draw(seed), clock, newStores(clock));
        HistoryGenerator generator = new HistoryGenerator(seed, HistoryGenerator.kinds(System.getProperty(EXCLUDE, "")));
        for (int i = 0; i < steps && world.apply(generator.next(world)); i++) {
            // apply returns false at the first violation
        }
        world.apply(new Step.Run(Step.RunKind.FULL, Optional.empty(), Optional.empty()));
        return new Outcome(seed, world.setup(), world.applied(), world.violation());
    }

    /** Plays exactly {@code steps} under the setup of {@code seed}, stopping at the first violation. */
    public Outcome replay(long seed, List<Step> steps) {
        return replay(seed, HistorySetup.draw(seed), steps);
    }

    /** Plays exactly {@code steps} under {@code setup}, stopping at the first violation. */
    public Outcome replay(long seed, HistorySetup setup, List<Step> steps) {
        TestClock clock = TestClock.at("2026-03-02T08:00:00Z");
        HistoryWorld world = new HistoryWorld(seed, setup, clock, newStores(clock));
        for (Step s : steps) {
            if (!world.apply(s)) {
                break;
            }
        }
        return new Outcome(seed, world.setup(), world.applied(), world.violation());
    }

    /**
     * The shortest history found (by dropping chunks of steps, halving the chunk size) that still breaks the
     * same invariant as {@code failed}.
     */
    public Outcome shrink(Outcome failed) {
        Invariant invariant = failed.violation().orElseThrow().invariant();
        int[] budget = {SHRINK_BUDGET};
        Outcome best = dropChunks(failed, invariant, Math.max(1, failed.steps().size() / 2), budget);
        for (int i = 0; i < best.steps().size() && budget[0] > 0; i++) {
            for (Step simpler : best.steps().get(i).simpler()) {
                List<Step> candidate = new ArrayList<>(best.steps());
                candidate.set(i, simpler);
                budget[0]--;
                Outcome o = replay(failed.seed(), failed.setup(), candidate);
                if (o.violation().map(x -> x.invariant() == invariant).orElse(false)) {
                    best = o;
                    break;
                }
            }
        }
        return dropChunks(best, invariant, 1, budget);
    }

    private Outcome dropChunks(Outcome failed, Invariant invariant, int firstChunk, int[] budget) {
        Outcome best = failed;
        for (int chunk = firstChunk; chunk >= 1 && budget[0] > 0; chunk /= 2) {
            boolean progress = true;
            while (progress && budget[0] > 0) {
                progress = false;
                for (int start = 0; start < best.steps().size() && budget[0] > 0; ) {
                    List<Step> candidate = new ArrayList<>(best.steps());
                    candidate.subList(start, Math.min(candidate.size(), start + chunk)).clear();
                    budget[0]--;
                    Outcome o = replay(failed.seed(), failed.setup(), candidate);
                    if (o.violation().map(x -> x.invariant() == invariant).orElse(false)) {
                        best = o;
                        progress = true;
                    } else {
                        start += chunk;
                    }
                }
            }
        }
        return best;
    }

    private static String describe(Outcome outcome, Optional<Outcome> shorter) {
        Violation v = outcome.violation().orElseThrow();
        StringBuilder sb = new StringBuilder();
        sb.append("seed ").append(outcome.seed()).append(": invariant ").append(v.invariant()).append(" broken at step ")
                .append(v.step() + 1).append(": ").append(outcome.steps().get(v.step())).append("\n  ")
                .append(v.detail()).append("\nsetup: ").append(outcome.setup()).append("\nhistory so far:\n");
        steps(sb, outcome.steps(), v.step());
        shorter.ifPresent(s -> {
            Violation sv = s.violation().orElseThrow();
            sb.append("shrunk to ").append(s.steps().size()).append(" steps, breaking ").append(sv.invariant())
                    .append(":\n  ").append(sv.detail()).append('\n');
            steps(sb, s.steps(), sv.step());
        });
        sb.append("replay: -D").append(SEED).append('=').append(outcome.seed());
        return sb.toString();
    }

    private static void steps(StringBuilder sb, List<Step> steps, int mark) {
        for (int i = 0; i < steps.size(); i++) {
            sb.append(i == mark ? " >" : "  ").append(String.format("%3d. ", i + 1)).append(steps.get(i)).append('\n');
        }
    }

    private static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : 0;
    }

    private void summary(Duration took, Duration cpu) {
        Map<Invariant, List<Long>> sorted = new TreeMap<>(failures);
        Map<Invariant, String> lines = new EnumMap<>(Invariant.class);
        sorted.forEach((inv, seeds) -> {
            List<Long> s = new ArrayList<>(seeds);
            s.sort(null);
            lines.put(inv, s.size() + " seeds, first " + s.subList(0, Math.min(10, s.size())));
        });
        LOG.info("random histories took {} ms ({} ms of CPU); first broken invariant per failing seed: {}",
                took.toMillis(), cpu.toMillis(), lines.isEmpty() ? "none" : lines);
    }
}
