package com.silknote.sync.examples.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.testkit.SilknoteSnapshot;
import com.silknote.sync.testkit.fault.FaultPlan;
import com.silknote.sync.testkit.reliability.Convergence;
import com.silknote.sync.testkit.reliability.Reliability;
import com.silknote.sync.testkit.reliability.Snapshots;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 13 item 1, a real process kill: the second run of the reliability scenario runs in a child JVM
 * ({@link SyncChildProcess}) against the test JVM's PostgreSQL, a file-system blob store and VSRX over HTTP,
 * and is killed with SIGKILL ({@link Process#destroyForcibly()}) at a random effect of the run: its
 * transaction, upload or processing may be in flight. Then a run in this JVM converges to the clean run's
 * state and one more run writes nothing. Seeds: 3 in the test command, 30 with
 * {@code -Dvsrx.reliability=heavy}; replay one with {@code -Dvsrx.reliability.seed=S}.
 */
class ProcessKillTest {
    private static SilknoteSnapshot expected;
    private static SyncResult.Status cleanStatus;
    private static int effects;

    static LongStream seeds() {
        return Reliability.seeds(1, 3, 30);
    }

    @BeforeAll
    static void cleanRun() {
        try (ServedWorld clean = new ServedWorld(RealStores::postgresWithFileSystem)) {
            clean.scenario.base();
            assertThat(clean.run(FaultPlan.none()).status()).isEqualTo(SyncResult.Status.COMPLETED);
            clean.scenario.userEdits(clean.backend).changes();
            FaultPlan counting = FaultPlan.none();
            cleanStatus = clean.run(counting).status();
            effects = counting.effectCount();
            expected = Snapshots.read(clean.backend).timeless();
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    @DisplayName("DESIGN §4: a sync killed with SIGKILL at a random effect converges on the next run")
    void aKilledSyncConvergesOnTheNextRun(long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        int killAt = 1 + random.nextInt(effects - 2);
        String where = "seed " + seed + ", kill at effect " + killAt + " of " + effects;
        System.out.println("process kill: " + where);
        try (ServedWorld w = new ServedWorld(RealStores::postgresWithFileSystem)) {
            w.scenario.base();
            assertThat(w.run(FaultPlan.none()).status()).isEqualTo(SyncResult.Status.COMPLETED);
            w.scenario.userEdits(w.backend).changes();
            Path blobRoot = ((RealStores.Backend) w.backend).blobRoot;

            Process child = ChildProcesses.start(List.of("jdbc=" + RealStores.jdbcUrl(), "blobs=fs:" + blobRoot,
                    "vsrx=" + w.baseUri(), "token=" + ServedWorld.TOKEN.value(), "holder=child-" + seed,
                    "seed=" + seed));
            boolean killed = false;
            List<String> lines = new ArrayList<>();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    lines.add(line);
                    if (line.startsWith("effect " + killAt + " ")) {
                        child.destroyForcibly();
                        killed = true;
                        break;
                    }
                }
            } finally {
                if (!child.waitFor(120, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                }
            }
            assertThat(killed).as("%s: the child reached the effect (%s)", where, lines).isTrue();
            assertThat(child.exitValue()).as("%s: killed by SIGKILL", where).isEqualTo(137);

            w.backend.forceExpiry(SyncConfig.LOCK_NAME);
            SyncResult recovery = w.run(FaultPlan.none());
            assertThat(recovery.status()).as("%s: the run after the kill (%s)", where, recovery.error())
                    .isEqualTo(cleanStatus);
            Convergence.assertConverged(w.backend, expected, where);
            Convergence.assertQuietRerun(w::run, cleanStatus, w.backend, expected, where);
        }
    }
}
