package com.silknote.sync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.examples.SimulatedVsrx;
import com.silknote.sync.jdbc.JdbcLedger;
import com.silknote.sync.testkit.ForwardingVsrxSource;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.vsrx.http.VsrxHttpHandler;
import com.silknote.sync.vsrx.http.VsrxHttpServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 scale-out across processes, on the embedded PostgreSQL: this JVM coordinates a {@code sync} with
 * {@code scale-out = true}; a worker in a child JVM joins the run and is killed with SIGKILL while it downloads;
 * its claims expire (moved back in the database) and two more workers of this JVM join; the run completes and
 * the ledger holds what one clean {@code sync} leaves.
 */
class ScaleOutProcessesTest {
    private static final int FILESETS = 12;

    @TempDir
    Path tmp;

    private static void populate(InMemoryVsrxSource vsrx) {
        for (int i = 0; i < FILESETS; i++) {
            PatientUuid patient = new PatientUuid(UUID.nameUUIDFromBytes(("P-" + i).getBytes(StandardCharsets.UTF_8)));
            FilesetId fs = vsrx.addFileset(PatientId.of("P-" + i), patient);
            vsrx.addFile(fs, "notes/a.txt", "text/plain", "first note of " + i);
            vsrx.addFile(fs, "notes/b.txt", "text/plain", "second note of " + i);
        }
    }

    @Test
    @DisplayName("issue 11 scale-out: a worker process killed with SIGKILL mid-fileset; its claims are taken over"
            + " and the run completes as one clean sync")
    void aWorkerProcessKilledMidFilesetIsTakenOver() throws Exception {
        InMemoryVsrxSource vsrx = new InMemoryVsrxSource(Clock.systemUTC());
        populate(vsrx);
        CountDownLatch opened = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch childDownloading = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        AtomicReference<VsrxFileId> childFile = new AtomicReference<>();
        Path dataDir = tmp.resolve("scaled");
        ExecutorService threads = Executors.newCachedThreadPool();
        // this JVM's workers: nothing is synced before the child worker died
        try (VsrxHttpServer forUs = serve(new Gated(vsrx, opened, gate));
                VsrxHttpServer forChild = serve(new Hanging(vsrx, childFile, childDownloading, never))) {
            Map<String, String> ours = env(dataDir, forUs.baseUri().toString());
            Future<CliRun> coordinator = threads.submit(() -> run(ours, "sync", "--json", "--no-progress"));
            assertThat(opened.await(2, TimeUnit.MINUTES)).as("the coordinator opened its run").isTrue();

            Path childOut = tmp.resolve("child.txt");
            Process child = startChild(env(dataDir, forChild.baseUri().toString()), childOut);
            try {
                assertThat(childDownloading.await(2, TimeUnit.MINUTES)).as("the child worker downloads: %s",
                        read(childOut)).isTrue();
            } finally {
                child.destroyForcibly();
            }
            assertThat(child.waitFor(1, TimeUnit.MINUTES)).isTrue();
            assertThat(read(childOut)).doesNotContain("notes/");
            // the child's host is gone: its claims expire (database time, moved back)
            FilesetId claimedByChild = vsrx.findFile(childFile.get()).orElseThrow().filesetId();
            try (JdbcLedger ledger = JdbcLedger.embedded(dataDir.resolve("postgres"));
                    Connection c = ledger.dataSource().getConnection();
                    PreparedStatement s = c.prepareStatement("UPDATE vsrx_sync_claim SET claimed_until = now()"
                            + " - interval '1 second' WHERE status = 'CLAIMED' AND worker = (SELECT worker FROM"
                            + " vsrx_sync_claim WHERE fileset_id = ?)")) {
                s.setString(1, claimedByChild.value());
                assertThat(s.executeUpdate()).as("the child held claims").isPositive();
            }
            Future<CliRun> second = threads.submit(() -> run(ours, "sync", "--no-progress"));
            Future<CliRun> third = threads.submit(() -> run(ours, "sync", "--no-progress"));
            gate.countDown();

            CliRun result = coordinator.get(5, TimeUnit.MINUTES);
            assertThat(result.code()).as(result.err()).isEqualTo(ExitCode.OK);
            assertThat(result.out()).contains("\"status\":\"COMPLETED\"");
            for (Future<CliRun> w : List.of(second, third)) {
                CliRun r = w.get(5, TimeUnit.MINUTES);
                assertThat(r.code()).as(r.err()).isIn(ExitCode.OK, ExitCode.ALREADY_IN_PROGRESS);
            }
        } finally {
            never.countDown();
            threads.shutdownNow();
        }
        Map<String, Object> scaled = ledgerState(dataDir, vsrx);

        // one clean sync of the same VSRX into a fresh data directory
        Path cleanDir = tmp.resolve("clean");
        try (VsrxHttpServer plain = serve(vsrx)) {
            Map<String, String> env = new java.util.HashMap<>(env(cleanDir, plain.baseUri().toString()));
            env.put("VSRX_SYNC_SCALE_OUT", "false");
            CliRun clean = run(env, "sync", "--no-progress");
            assertThat(clean.code()).as(clean.err()).isEqualTo(ExitCode.OK);
        }
        assertThat(scaled).isEqualTo(ledgerState(cleanDir, vsrx));
    }

    /** Documents, mappings, reference counts and the last run, without the times the sync stamped. */
    private static Map<String, Object> ledgerState(Path dataDir, InMemoryVsrxSource vsrx) {
        TreeMap<String, Object> state = new TreeMap<>();
        try (JdbcLedger ledger = JdbcLedger.embedded(dataDir.resolve("postgres"))) {
            var store = ledger.documentStore();
            for (VsrxFileset fs : vsrx.listFilesets(PageRequest.first(1000)).items()) {
                for (SilknoteDocument d : store.documents(fs.id())) {
                    state.put("doc " + d.uuid(), List.of(d.patientUuid(), d.clientFileId(), d.contentHash(), d.size(),
                            d.metadata()));
                    state.put("ref " + d.contentHash().hex(), store.findBlobRef(d.contentHash()).orElseThrow()
                            .refCount());
                }
                for (SyncMapping m : store.mappings(fs.id())) {
                    state.put("map " + m.vsrxFileId(), List.of(m.silknoteDocumentUuid(), m.etag(), m.size(),
                            m.contentHash()));
                }
            }
            SyncReport last = store.recentRuns(1).get(0);
            state.put("last run", List.of(last.status(), last.totals().filesets(), last.totals().files()));
            state.put("state", store.loadState().partialSyncState());
        }
        return state;
    }

    private static VsrxHttpServer serve(VsrxSource source) {
        return VsrxHttpServer.builder().handler(VsrxHttpHandler.builder().source(source)
                .acceptedToken(SimulatedVsrx.TOKEN).build()).port(0).build().start();
    }

    private static Map<String, String> env(Path dataDir, String url) {
        return Map.of("VSRX_SYNC_DATA_DIR", dataDir.toString(), "VSRX_SYNC_VSRX_URL", url,
                "VSRX_SYNC_VSRX_TOKEN", SimulatedVsrx.TOKEN.value(), "VSRX_SYNC_SCALE_OUT", "true");
    }

    private static Process startChild(Map<String, String> env, Path output) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(VsrxSyncCommand.class.getName());
        command.addAll(List.of("sync", "--no-progress"));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("VSRX_SYNC_"));
        pb.environment().putAll(env);
        return pb.start();
    }

    private static String read(Path p) throws IOException {
        return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
    }

    private static CliRun run(Map<String, String> env, String... args) {
        return CliRun.real(env, args);
    }

    /** Says when the fileset listing starts (the run is open) and holds file listings until the gate opens. */
    private static final class Gated extends ForwardingVsrxSource {
        private final CountDownLatch opened;
        private final CountDownLatch gate;

        Gated(VsrxSource delegate, CountDownLatch opened, CountDownLatch gate) {
            super(delegate);
            this.opened = opened;
            this.gate = gate;
        }

        @Override
        public Page<VsrxFileset> listFilesets(PageRequest request) {
            opened.countDown();
            return super.listFilesets(request);
        }

        @Override
        public Page<VsrxFile> listFiles(FilesetId filesetId, PageRequest request) {
            await(gate);
            return super.listFiles(filesetId, request);
        }
    }

    /** The child's VSRX: its first download says so and hangs (until the test ends). */
    private static final class Hanging extends ForwardingVsrxSource {
        private final AtomicReference<VsrxFileId> file;
        private final CountDownLatch downloading;
        private final CountDownLatch never;

        Hanging(VsrxSource delegate, AtomicReference<VsrxFileId> file, CountDownLatch downloading,
                CountDownLatch never) {
            super(delegate);
            this.file = file;
            this.downloading = downloading;
            this.never = never;
        }

        @Override
        public FileContent openContent(VsrxFileId fileId) {
            file.compareAndSet(null, fileId);
            downloading.countDown();
            await(never);
            return super.openContent(fileId);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException("gate never opened");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted at a gate", e);
        }
    }
}
