package com.silknote.sync.examples.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.azure.Azurite;
import com.silknote.sync.testkit.SilknoteSnapshot;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.fault.FaultPlan;
import com.silknote.sync.testkit.reliability.Convergence;
import com.silknote.sync.testkit.reliability.Reliability;
import com.silknote.sync.testkit.reliability.Snapshots;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 item 3 with separate JVMs ({@link SyncChildProcess}) against one PostgreSQL and one Azurite, with
 * the JDBC lease lock and with the Azure blob-lease lock: a wave of processes starts at once, one holds the
 * lock and pauses before its first commit, the others are refused and write nothing; its lease is expired
 * (the pause outlasts it), a second wave takes over; the paused process then resumes and is rejected. The
 * final state equals a single clean run's. Three processes per wave in the test command, eight with
 * {@code -Dvsrx.reliability=heavy} ({@link ConcurrentRunnersTest} runs eight threads in both).
 */
class ConcurrentRunnerProcessesTest {

    @Test
    @DisplayName("rule 10: runners in separate JVMs with the JDBC lease lock")
    void processesWithTheJdbcLeaseLock() throws Exception {
        contest(RealStores::postgresWithAzurite, "jdbc");
    }

    @Test
    @DisplayName("rule 10: runners in separate JVMs with the Azure blob-lease lock")
    void processesWithTheAzureBlobLeaseLock() throws Exception {
        contest(RealStores::postgresWithAzuriteAndBlobLeaseLock, "azure");
    }

    private void contest(Function<TestClock, RealStores.Backend> backends, String lock) throws Exception {
        int n = Reliability.count(3, 8);
        String where = n + " processes per wave, " + lock + " lock";
        System.out.println("concurrent runner processes: " + where);
        SilknoteSnapshot expected;
        SyncResult.Status cleanStatus;
        try (ServedWorld clean = new ServedWorld(backends::apply)) {
            clean.scenario.base();
            clean.run(FaultPlan.none());
            clean.scenario.userEdits(clean.backend).changes();
            cleanStatus = clean.run(FaultPlan.none()).status();
            expected = Snapshots.read(clean.backend).timeless();
        }
        try (ServedWorld w = new ServedWorld(backends::apply)) {
            w.scenario.base();
            assertThat(w.run(FaultPlan.none()).status()).isEqualTo(SyncResult.Status.COMPLETED);
            w.scenario.userEdits(w.backend).changes();
            RealStores.Backend backend = (RealStores.Backend) w.backend;

            List<Process> first = new ArrayList<>();
            List<ChildOutput> firstOut = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Process p = ChildProcesses.start(args(w, backend, lock, "a" + i, i, true));
                first.add(p);
                firstOut.add(new ChildOutput(p));
            }
            int holder = -1;
            long holderToken = 0;
            for (int i = 0; i < n; i++) {
                String end = firstOut.get(i).await(l -> l.equals("paused") || l.startsWith("done "), 180)
                        .orElseThrow(() -> new AssertionError(where + ": a first-wave process neither paused nor ended"));
                if (end.equals("paused")) {
                    assertThat(holder).as("%s: only one process holds the lock", where).isEqualTo(-1);
                    holder = i;
                    holderToken = firstOut.get(i).lines().stream().map(SyncChildProcess::leaseToken)
                            .flatMap(java.util.Optional::stream).findFirst().orElseThrow().value();
                } else {
                    assertRefused(firstOut.get(i), where);
                }
            }
            assertThat(holder).as("%s: one process holds the lock", where).isNotEqualTo(-1);

            backend.forceExpiry(SyncConfig.LOCK_NAME);
            List<ChildOutput> second = new ArrayList<>();
            for (int i = 0; i < n - 1; i++) {
                second.add(new ChildOutput(ChildProcesses.start(args(w, backend, lock, "b" + i, 100 + i, false))));
            }
            int ran = 0;
            for (ChildOutput out : second) {
                String end = out.await(l -> l.startsWith("done "), 180)
                        .orElseThrow(() -> new AssertionError(where + ": a second-wave process did not end"));
                if (end.startsWith("done " + SyncResult.Status.ALREADY_IN_PROGRESS)) {
                    assertRefused(out, where);
                } else {
                    ran++;
                    assertThat(end).as(where).startsWith("done " + cleanStatus);
                    long token = out.lines().stream().map(SyncChildProcess::leaseToken)
                            .flatMap(java.util.Optional::stream).findFirst().orElseThrow().value();
                    assertThat(token).as("%s: the takeover's token", where).isGreaterThan(holderToken);
                }
            }
            assertThat(ran).as("%s: a process took over", where).isPositive();

            OutputStream resume = first.get(holder).getOutputStream();
            resume.write("go\n".getBytes(StandardCharsets.UTF_8));
            resume.flush();
            String end = firstOut.get(holder).await(l -> l.startsWith("done "), 180).orElseThrow();
            assertThat(end).as("%s: the paused holder", where).startsWith("done FAILED").contains("lease lost");
            String writes = firstOut.get(holder).lines().stream().filter(l -> l.startsWith("writes ")).findFirst()
                    .orElseThrow();
            assertThat(writes).as("%s: the paused holder's commit was refused", where)
                    .contains("!StaleFencingTokenException");
            for (Process p : first) {
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            }

            Convergence.assertConverged(w.backend, expected, where);
            Convergence.assertQuietRerun(w::run, cleanStatus, w.backend, expected, where);
        }
    }

    private static List<String> args(ServedWorld w, RealStores.Backend backend, String lock, String name, long seed,
            boolean pause) {
        List<String> args = new ArrayList<>(List.of("jdbc=" + RealStores.jdbcUrl(), "blobs=azure",
                "connection=" + Azurite.shared().connectionString(), "container=" + backend.container.getBlobContainerName(),
                "vsrx=" + w.baseUri(), "token=" + ServedWorld.TOKEN.value(), "holder=process-" + name,
                "seed=" + seed, "lock=" + lock));
        if (pause) {
            args.add("pause=1");
        }
        return args;
    }

    private static void assertRefused(ChildOutput out, String where) {
        List<String> lines = out.lines();
        assertThat(lines).as("%s: a refused process", where)
                .anyMatch(l -> l.startsWith("done " + SyncResult.Status.ALREADY_IN_PROGRESS + " "
                        + SyncResult.ALREADY_IN_PROGRESS))
                .contains("writes 0 []")
                .noneMatch(l -> l.startsWith("lease "));
    }
}
