package com.silknote.sync.testkit.fault;

/**
 * Thrown by the {@code Faulty*} decorators at a {@link FaultPlan}'s crash point: the process "dies" here.
 * An {@link Error}, not an exception, so code that handles failures ({@code catch (Exception e)}) does not
 * swallow it; only {@code finally} blocks run, as they would not in a real crash, so after the crash every
 * further effect through the same plan throws it again and writes nothing.
 */
public final class SimulatedCrash extends Error {
    private static final long serialVersionUID = 1L;
    private final int effect;
    private final Operation operation;

    /**
     * @param effect    the number of the effect at which the process died (1-based)
     * @param operation the effect's operation
     * @param message   log-safe description
     */
    public SimulatedCrash(int effect, Operation operation, String message) {
        super(message);
        this.effect = effect;
        this.operation = operation;
    }

    /** The number of the effect at which the crash happened. */
    public int effect() {
        return effect;
    }

    /** The operation of that effect. */
    public Operation operation() {
        return operation;
    }
}
