/**
 * The reliability suite's scenarios, run on any Silknote backend (issue 13): an adapter's test supplies a
 * fresh {@link com.silknote.sync.testkit.reliability.SilknoteBackend} (the in-memory simulators, or PostgreSQL
 * with Azurite or the file-system blob store) and inherits the checks.
 *
 * <h2>How the pieces fit</h2>
 * <ul>
 *   <li>{@link com.silknote.sync.testkit.reliability.SyncScenario} is the VSRX history every scenario runs: two
 *       runs with every kind of file decision (creates, updates, metadata-only, deletes, dedup hits, skips, a
 *       conflict, a tripped mass-delete guard). Deterministic, so a clean world and a crashed one, or two
 *       processes, hold the same data.</li>
 *   <li>{@link com.silknote.sync.testkit.reliability.Snapshots} reads a backend's whole state through its ports
 *       as a {@link com.silknote.sync.testkit.SilknoteSnapshot}, checks the simulator's invariants on it and
 *       compares it with the backend's raw row counts, so state the ports cannot show is caught too.</li>
 *   <li>{@link com.silknote.sync.testkit.reliability.WriteLog} records every write a run sends, for "a refused
 *       run touches nothing" and "one more run writes nothing";
 *       {@link com.silknote.sync.testkit.reliability.Convergence} holds the checks after a crash, a kill or a
 *       fault storm.</li>
 *   <li>{@link com.silknote.sync.testkit.reliability.CrashPointSweep} crashes (or loses the answer of) every
 *       effect of a run in turn; {@link com.silknote.sync.testkit.reliability.GcRaceSchedules} interleaves blob
 *       collectors with runs at random.</li>
 *   <li>{@link com.silknote.sync.testkit.reliability.Reliability} says how much to do: bounded in the test
 *       command, more with {@code -Dvsrx.reliability=heavy}; one seed replays with
 *       {@code -Dvsrx.reliability.seed=S}.</li>
 * </ul>
 * Tests that need real processes, the HTTP protocol or several adapters at once live beside the adapters
 * ({@code sync-adapter-vsrx-http}) and in {@code examples}; {@code docs/quality.md} lists them all.
 */
package com.silknote.sync.testkit.reliability;
