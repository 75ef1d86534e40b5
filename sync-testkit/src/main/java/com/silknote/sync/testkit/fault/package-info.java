/**
 * Fault injection: a seeded, deterministic {@link com.silknote.sync.testkit.fault.FaultPlan} drives
 * {@code Faulty<Port>} decorators that fail calls with the ports' documented exceptions, break content
 * streams, and crash the "process" ({@link com.silknote.sync.testkit.fault.SimulatedCrash}) before or after
 * the n-th effect, or lose the answer of the n-th effect, for crash-point sweeps. {@link com.silknote.sync.testkit.fault.FaultySilknote} wraps a whole
 * simulator at once.
 */
package com.silknote.sync.testkit.fault;
