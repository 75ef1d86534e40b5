/**
 * Test support for vsrx-sync, used at test scope by every module: {@link com.silknote.sync.testkit.TestClock}
 * (a {@code Clock} that is also the {@code Sleeper}), a scriptable in-memory VSRX
 * ({@link com.silknote.sync.testkit.InMemoryVsrxSource}), in-memory fakes of every Silknote port
 * ({@code InMemory<Port>}) and {@link com.silknote.sync.testkit.SilknoteSimulator}, which bundles them with a
 * comparable snapshot and an invariant checker.
 *
 * <p>Sub-packages: {@code contract} holds the abstract contract tests every adapter's test extends;
 * {@code fault} holds the seeded fault plans and {@code Faulty<Port>} decorators for fault injection and
 * crash-point sweeps; {@code history} holds issue 9's seeded randomized history test
 * ({@code RandomHistoryScenario}), which adapters extend with their stores; {@code reliability} holds the
 * reliability suite's scenarios (crash-point sweep, GC race schedules) that run on any Silknote backend.
 *
 * <p>Everything here is thread-safe unless its documentation says otherwise, and reads time only from an
 * injected clock.
 */
package com.silknote.sync.testkit;
