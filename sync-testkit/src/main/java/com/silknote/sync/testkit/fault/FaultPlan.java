package com.silknote.sync.testkit.fault;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.VsrxFileId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A seeded, deterministic script of failures for the {@code Faulty*} decorators, plus an optional crash
 * point.
 *
 * <h2>Fault rules</h2>
 * <pre>{@code
 * FaultPlan plan = FaultPlan.seeded(42)
 *     .on(Operation.OPEN_CONTENT).key(fileId).onCall(2).thenFail(Fault.tooManyRequests(Duration.ofSeconds(2)))
 *     .on(Operation.LIST_FILES).times(3).thenFail(Fault.serviceUnavailable())
 *     .on(Operation.OPEN_CONTENT).withProbability(0.1).thenFail(Fault.connectionReset(100));
 * }</pre>
 * A rule counts the calls it matches (operation, and key when given) and fires on the chosen ones: by
 * default the first; {@code onCall(k)} the k-th; {@code fromCall(k).times(n)} n calls from the k-th;
 * {@code always()} all; {@code withProbability(p)} each with probability p, drawn from the seed, the rule's
 * position and the call's number, so the same calls fail on every run with the same seed regardless of
 * threads. The first firing rule in order of declaration wins. Every injected fault is recorded
 * ({@link #injected()}).
 *
 * <h2>Crash points</h2>
 * Every call of an <em>effect</em> ({@link Operation#isEffect()}: blob writes, document-store commits and
 * single writes, vector writes, processing) that got past the fault rules takes the next number of one
 * shared counter (1, 2, ...). {@link #crashBeforeEffect(int) crashBeforeEffect(n)} throws
 * {@link SimulatedCrash} at effect n <em>before</em> applying it (nothing of it happened);
 * {@link #crashAfterEffect(int) crashAfterEffect(n)} applies effect n and then throws (it happened, the
 * caller never learned). Once crashed, every later effect through this plan throws {@link SimulatedCrash}
 * without being applied. Run a workload with {@link #none()} first: its {@link #effectCount()} bounds the
 * sweep. Effect numbering is deterministic when the workload is single-threaded.
 *
 * <p>{@link #loseAckOfEffect(int) loseAckOfEffect(n)} is the third kind of point: effect n is applied, then
 * its caller gets a {@link com.silknote.sync.core.exception.TransientSyncException} as if the answer was lost
 * on the way back (a commit that happened though the caller saw a timeout). The "process" lives on: later
 * effects go through. {@link #onEffect(Consumer)} lets a test watch every effect as it starts.
 *
 * <p>Thread-safe.
 */
public final class FaultPlan {

    private enum CrashMode { BEFORE, AFTER, LOST_ACK }

    /** A fault that was injected. */
    public record InjectedFault(Operation operation, String key, long call, Fault fault) {
    }

    /** An effect that went through a decorator. */
    public record Effect(int number, Operation operation, String key) {
    }

    private final long seed;
    private final List<Rule> rules = new ArrayList<>();
    private final List<InjectedFault> injected = new ArrayList<>();
    private final List<Effect> effects = new ArrayList<>();
    private final Map<Operation, Long> calls = new EnumMap<>(Operation.class);
    private CrashMode crashMode;
    private int crashAt;
    private boolean crashed;
    private int effectCount;
    private Consumer<Effect> effectListener = e -> { };

    private FaultPlan(long seed) {
        this.seed = seed;
    }

    /** A plan with no faults yet, drawing randomness from {@code seed}. */
    public static FaultPlan seeded(long seed) {
        return new FaultPlan(seed);
    }

    /** A plan that injects nothing (it still counts effects). */
    public static FaultPlan none() {
        return new FaultPlan(0);
    }

    /** Same as {@link #crashBeforeEffect(int)}. */
    public static FaultPlan crashAtEffect(int n) {
        return crashBeforeEffect(n);
    }

    /** A plan that crashes at effect {@code n} (1-based) before applying it. */
    public static FaultPlan crashBeforeEffect(int n) {
        return new FaultPlan(0).andCrashBeforeEffect(n);
    }

    /** A plan that crashes at effect {@code n} (1-based) right after applying it. */
    public static FaultPlan crashAfterEffect(int n) {
        return new FaultPlan(0).andCrashAfterEffect(n);
    }

    /**
     * A plan that applies effect {@code n} (1-based) and then throws the lost answer's
     * {@link com.silknote.sync.core.exception.TransientSyncException}; later effects go through.
     */
    public static FaultPlan loseAckOfEffect(int n) {
        return new FaultPlan(0).andLoseAckOfEffect(n);
    }

    /** Sets this plan's point: effect {@code n} is applied and its answer lost. Returns this plan. */
    public synchronized FaultPlan andLoseAckOfEffect(int n) {
        return crash(CrashMode.LOST_ACK, n);
    }

    /**
     * Calls {@code listener} with every effect before it is applied (on the calling thread, outside the
     * plan's lock), e.g. to report progress to a parent process. Returns this plan.
     */
    public synchronized FaultPlan onEffect(Consumer<Effect> listener) {
        this.effectListener = requireNonNull(listener, "listener");
        return this;
    }

    /** Sets this plan's crash point: before effect {@code n}. Returns this plan. */
    public synchronized FaultPlan andCrashBeforeEffect(int n) {
        return crash(CrashMode.BEFORE, n);
    }

    /** Sets this plan's crash point: after effect {@code n}. Returns this plan. */
    public synchronized FaultPlan andCrashAfterEffect(int n) {
        return crash(CrashMode.AFTER, n);
    }

    private FaultPlan crash(CrashMode mode, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("effects are numbered from 1, got " + n);
        }
        this.crashMode = mode;
        this.crashAt = n;
        return this;
    }

    /** Starts a rule for {@code operation}; finish it with {@link RuleBuilder#thenFail(Fault)}. */
    public RuleBuilder on(Operation operation) {
        return new RuleBuilder(requireNonNull(operation, "operation"));
    }

    /** Fails the k-th {@code openContent} of {@code file} (1-based). */
    public FaultPlan failOpenContent(VsrxFileId file, int k, Fault fault) {
        return on(Operation.OPEN_CONTENT).key(file).onCall(k).thenFail(fault);
    }

    /** Fails the first {@code n} {@code listFiles} calls (of any fileset). */
    public FaultPlan failListFiles(int n, Fault fault) {
        return on(Operation.LIST_FILES).times(n).thenFail(fault);
    }

    /** Fails each call of {@code operation} with probability {@code p}. */
    public FaultPlan failRandomly(Operation operation, double p, Fault fault) {
        return on(operation).withProbability(p).thenFail(fault);
    }

    /** The seed. */
    public long seed() {
        return seed;
    }

    /** Effects seen so far, up to and including the one that crashed (later attempts are not counted). */
    public synchronized int effectCount() {
        return effectCount;
    }

    /** Every effect seen so far, in order. */
    public synchronized List<Effect> effects() {
        return List.copyOf(effects);
    }

    /** {@code true} once the crash point was reached. */
    public synchronized boolean crashed() {
        return crashed;
    }

    /** The crash point, if one is set. */
    public synchronized OptionalInt crashPoint() {
        return crashMode == null ? OptionalInt.empty() : OptionalInt.of(crashAt);
    }

    /** Every fault injected so far, in order. */
    public synchronized List<InjectedFault> injected() {
        return List.copyOf(injected);
    }

    /** Calls of {@code operation} seen so far. */
    public synchronized long calls(Operation operation) {
        return calls.getOrDefault(requireNonNull(operation, "operation"), 0L);
    }

    @Override
    public synchronized String toString() {
        return "FaultPlan[seed=" + seed + ", rules=" + rules.size() + ", crash="
                + (crashMode == null ? "none" : crashMode + " " + crashAt) + ", effects=" + effectCount + "]";
    }

    // ------------------------------------------------------------------ used by the decorators

    /** Counts a call and returns the fault to inject into it, if any. */
    synchronized Optional<Fault> next(Operation op, String key) {
        calls.merge(op, 1L, Long::sum);
        Optional<Fault> chosen = Optional.empty();
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            if (r.op != op || (r.key != null && !r.key.equals(key))) {
                continue;
            }
            long n = ++r.seen;
            if (chosen.isEmpty() && r.fires(seed, i, n)) {
                r.fired++;
                Fault f = r.pick(seed, i, n);
                chosen = Optional.of(f);
                injected.add(new InjectedFault(op, key, n, f));
            }
        }
        return chosen;
    }

    /**
     * Runs a call that is neither an effect nor a stream: a fault fails it before it runs, except a lost
     * response, which fails it after.
     */
    <T> T call(Operation op, String key, Supplier<T> apply) {
        Optional<Fault> fault = next(op, key);
        if (fault.isPresent() && fault.get().kind() != Fault.Kind.LOST_RESPONSE) {
            throw fault.get().toException(op);
        }
        T result = apply.get();
        if (fault.isPresent()) {
            throw fault.get().toException(op);
        }
        return result;
    }

    /**
     * Runs an effect: fault rules first (a fault means it is not applied), then the crash point.
     */
    <T> T effect(Operation op, String key, Supplier<T> apply) {
        Optional<Fault> fault = next(op, key);
        if (fault.isPresent() && fault.get().kind() != Fault.Kind.LOST_RESPONSE) {
            throw fault.get().toException(op);
        }
        int number;
        boolean crashBefore;
        boolean crashAfter;
        boolean loseAck;
        Consumer<Effect> listener;
        Effect effect;
        synchronized (this) {
            if (crashed) {
                throw new SimulatedCrash(effectCount, op, "effect (" + op + ") after the simulated crash");
            }
            number = ++effectCount;
            effect = new Effect(number, op, key);
            effects.add(effect);
            crashBefore = crashMode == CrashMode.BEFORE && number == crashAt;
            crashAfter = crashMode == CrashMode.AFTER && number == crashAt;
            loseAck = crashMode == CrashMode.LOST_ACK && number == crashAt;
            listener = effectListener;
            if (crashBefore) {
                crashed = true;
                throw new SimulatedCrash(number, op, "simulated crash before effect " + number + " (" + op + ")");
            }
        }
        listener.accept(effect);
        T result;
        try {
            result = apply.get();
        } catch (RuntimeException | Error e) {
            if (crashAfter) {
                markCrashed();
                SimulatedCrash crash = new SimulatedCrash(number, op,
                        "simulated crash after effect " + number + " (" + op + ")");
                crash.addSuppressed(e);
                throw crash;
            }
            throw e;
        }
        if (crashAfter) {
            markCrashed();
            throw new SimulatedCrash(number, op, "simulated crash after effect " + number + " (" + op + ")");
        }
        if (loseAck) {
            throw Fault.lostResponse().toException(op);
        }
        if (fault.isPresent()) {
            throw fault.get().toException(op);
        }
        return result;
    }

    /** Throws {@link SimulatedCrash} when the plan has crashed (for lease operations of a dead process). */
    synchronized void requireAlive(String what) {
        if (crashed) {
            throw new SimulatedCrash(effectCount, null, what + " after the simulated crash");
        }
    }

    private synchronized void markCrashed() {
        crashed = true;
    }

    private synchronized void add(Rule rule) {
        rules.add(rule);
    }

    // ------------------------------------------------------------------ rules

    private static final class Rule {
        final Operation op;
        final String key;
        final long from;
        final long times;
        final double probability;
        final List<Fault> faults;
        long seen;
        long fired;

        Rule(Operation op, String key, long from, long times, double probability, List<Fault> faults) {
            this.op = op;
            this.key = key;
            this.from = from;
            this.times = times;
            this.probability = probability;
            this.faults = List.copyOf(faults);
        }

        /** The fault for the n-th matching call: the only one, or one drawn from the seed. */
        Fault pick(long seed, int index, long n) {
            if (faults.size() == 1) {
                return faults.get(0);
            }
            return faults.get(new SplittableRandom(mix(seed, index, n) ^ 0x5DEECE66DL).nextInt(faults.size()));
        }

        boolean fires(long seed, int index, long n) {
            if (n < from || fired >= times) {
                return false;
            }
            if (probability >= 1.0) {
                return true;
            }
            return new SplittableRandom(mix(seed, index, n)).nextDouble() < probability;
        }

        private static long mix(long seed, int index, long n) {
            return seed * 0x9E3779B97F4A7C15L + index * 0xBF58476D1CE4E5B9L + n * 0x94D049BB133111EBL;
        }
    }

    /** Builds one rule. Not thread-safe; {@link #thenFail} adds it to the plan. */
    public final class RuleBuilder {
        private final Operation op;
        private String key;
        private long from = 1;
        private Long times;
        private double probability = 1.0;

        private RuleBuilder(Operation op) {
            this.op = op;
        }

        /** Matches only calls with this key (see {@link Operation} for what the key is). */
        public RuleBuilder key(String key) {
            this.key = requireNonNull(key, "key");
            return this;
        }

        /** Matches only calls for this file. */
        public RuleBuilder key(VsrxFileId file) {
            return key(requireNonNull(file, "file").value());
        }

        /** Matches only calls for this fileset. */
        public RuleBuilder key(FilesetId fileset) {
            return key(requireNonNull(fileset, "fileset").value());
        }

        /** Matches only calls for this blob. */
        public RuleBuilder key(ContentHash hash) {
            return key(requireNonNull(hash, "hash").hex());
        }

        /** Matches only calls for this document. */
        public RuleBuilder key(DocumentUuid document) {
            return key(requireNonNull(document, "document").toString());
        }

        /** Fires on the k-th matching call only (1-based). */
        public RuleBuilder onCall(int k) {
            if (k < 1) {
                throw new IllegalArgumentException("calls are numbered from 1");
            }
            this.from = k;
            this.times = 1L;
            return this;
        }

        /** Fires from the k-th matching call on (1-based); combine with {@link #times} or {@link #always}. */
        public RuleBuilder fromCall(int k) {
            if (k < 1) {
                throw new IllegalArgumentException("calls are numbered from 1");
            }
            this.from = k;
            return this;
        }

        /** Fires at most {@code n} times. */
        public RuleBuilder times(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("times must be >= 1");
            }
            this.times = (long) n;
            return this;
        }

        /** Fires on every matching call. */
        public RuleBuilder always() {
            this.times = Long.MAX_VALUE;
            return this;
        }

        /** Fires on each matching call with probability {@code p} (unlimited unless {@link #times} is set). */
        public RuleBuilder withProbability(double p) {
            if (!(p >= 0.0 && p <= 1.0)) {
                throw new IllegalArgumentException("p must be in 0..1");
            }
            this.probability = p;
            return this;
        }

        /**
         * Adds the rule.
         *
         * @return the plan, for more rules
         * @throws IllegalArgumentException when the fault cannot apply to the operation (an early end only
         *         on {@code OPEN_CONTENT}/{@code BLOB_OPEN}; a wrong checksum only on {@code OPEN_CONTENT})
         */
        public FaultPlan thenFail(Fault fault) {
            return thenFailWithOneOf(List.of(requireNonNull(fault, "fault")));
        }

        /**
         * Adds the rule; each time it fires, one of {@code faults} is drawn from the seed (and the call's
         * number), so the same calls get the same faults on every run.
         *
         * @return the plan, for more rules
         * @throws IllegalArgumentException when {@code faults} is empty or one cannot apply to the operation
         */
        public FaultPlan thenFailWithOneOf(List<Fault> faults) {
            requireNonNull(faults, "faults");
            if (faults.isEmpty()) {
                throw new IllegalArgumentException("at least one fault");
            }
            boolean stream = op == Operation.OPEN_CONTENT || op == Operation.BLOB_OPEN;
            for (Fault fault : faults) {
                requireNonNull(fault, "fault");
                if (fault.kind() == Fault.Kind.TRUNCATED && !stream) {
                    throw new IllegalArgumentException(fault.kind() + " needs a content operation, not " + op);
                }
                if (fault.kind() == Fault.Kind.WRONG_CHECKSUM && op != Operation.OPEN_CONTENT) {
                    throw new IllegalArgumentException("a wrong checksum applies to OPEN_CONTENT only, not " + op);
                }
            }
            long limit = times != null ? times : (probability < 1.0 ? Long.MAX_VALUE : 1L);
            add(new Rule(op, key, from, limit, probability, faults));
            return FaultPlan.this;
        }
    }
}
