package com.silknote.sync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.silknote.sync.azure.AzureBlobStore;
import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.azure.Azurite;
import com.silknote.sync.examples.SimulatedVsrx;
import com.silknote.sync.fs.FileSystemBlobStore;
import com.silknote.sync.jdbc.EmbeddedPostgresServer;
import com.silknote.sync.jdbc.JdbcLedger;
import com.silknote.sync.testkit.TestHashes;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: the operation commands on the real backends, through the same wiring as {@code vsrx-sync} itself:
 * the embedded default ({@code --data-dir}: PostgreSQL and file-system blobs) and a configured PostgreSQL with
 * Azure Blob Storage (Azurite). One story each: sync a re-booked patient, migrate, sync again, plant an upload
 * of a crashed run and clean it up, lose a blob and repair it, audit all of it; and the lock refusals.
 */
class OperationsOnRealBackendsTest {
    @TempDir
    Path dataDir;

    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void onTheEmbeddedDefault() throws Exception {
        try (SimulatedVsrx vsrx = new SimulatedVsrx()) {
            Map<String, String> env = baseEnv(vsrx);
            env.put("VSRX_SYNC_DATA_DIR", dataDir.toString());
            story(vsrx, env, () -> new FileSystemBlobStore(dataDir.resolve("blobs"), Clock.systemUTC()),
                    () -> JdbcLedger.embedded(dataDir.resolve("postgres")));
        }
    }

    @Test
    void onAConfiguredPostgresAndAzure() throws Exception {
        Azurite azurite = Azurite.shared();
        String container = "ops" + ProcessHandle.current().pid();
        try (SimulatedVsrx vsrx = new SimulatedVsrx();
                EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dataDir.resolve("external-pg"))) {
            Map<String, String> env = baseEnv(vsrx);
            env.put("VSRX_SYNC_DATA_DIR", dataDir.resolve("unused").toString());
            env.put("VSRX_SYNC_JDBC_URL", postgres.jdbcUrl());
            env.put("VSRX_SYNC_JDBC_USER", postgres.user());
            env.put("VSRX_SYNC_JDBC_PASSWORD", postgres.password().value());
            env.put("VSRX_SYNC_AZURE_CONNECTION_STRING", azurite.connectionString());
            env.put("VSRX_SYNC_AZURE_CONTAINER", container);
            story(vsrx, env,
                    () -> AzureBlobStore.builder().container(azurite.service().getBlobContainerClient(container)).build(),
                    () -> JdbcLedger.builder().jdbcUrl(postgres.jdbcUrl(), postgres.user(), postgres.password())
                            .build());
        }
    }

    private static Map<String, String> baseEnv(SimulatedVsrx vsrx) {
        Map<String, String> env = new HashMap<>();
        env.put("VSRX_SYNC_VSRX_URL", vsrx.url().toString());
        env.put("VSRX_SYNC_VSRX_TOKEN", SimulatedVsrx.TOKEN.value());
        // everything unreferenced may go at once: the cleanup's protocol alone keeps referenced blobs
        env.put("VSRX_SYNC_BLOB_GRACE_PERIOD", "0s");
        return env;
    }

    private void story(SimulatedVsrx simulated, Map<String, String> env, Supplier<BlobStore> blobStore,
            Supplier<JdbcLedger> ledger) throws Exception {
        var vsrx = simulated.vsrx;
        FilesetId old = vsrx.addFileset(PatientId.of("P-OPS-1"), PatientUuid.of("00000000-0000-4000-8000-0000000000a1"));
        VsrxFileId letter = vsrx.addFile(old, "notes/letter.txt", "text/plain", "referral letter");
        vsrx.addFile(old, "notes/lab.txt", "text/plain", "Hb 14");
        FilesetId fresh = vsrx.rebook(old, PatientId.of("P-OPS-2"));
        vsrx.addFile(fresh, "notes/follow-up.txt", "text/plain", "follow-up after the re-booking");

        assertThat(run(env, "sync").code()).isEqualTo(ExitCode.OK);

        // rule 13: list, dry run, move, audited; a second run moves nothing
        CliRun list = run(env, "migrate", "--list", "--json");
        assertThat(list.code()).as(list.err()).isEqualTo(ExitCode.OK);
        assertThat(mapper.readTree(list.out()).get(0).get("from").asText()).isEqualTo(old.value());
        assertThat(run(env, "migrate", "--from", old.value(), "--to", fresh.value(), "--dry-run").out())
                .contains("would move 2 document");
        CliRun moved = run(env, "migrate", "--from", old.value(), "--to", fresh.value(), "--json");
        assertThat(moved.code()).as(moved.err()).isEqualTo(ExitCode.OK);
        assertThat(mapper.readTree(moved.out()).get("moved")).hasSize(2);
        assertThat(run(env, "migrate", "--from", old.value(), "--to", fresh.value()).out()).contains("moved 0 document");

        // the old fileset's sync follows its file where the document is now
        vsrx.modifyFile(letter, "referral letter, corrected");
        CliRun second = run(env, "sync", "--json");
        assertThat(second.code()).as(second.out() + second.err()).isEqualTo(ExitCode.OK);
        assertThat(second.out()).doesNotContain("\"action\":\"CONFLICT\"", "document-removed-in-silknote")
                .contains("\"action\":\"UPDATED\"");
        CliRun trail = run(env, "audit", "--document", DocumentUuid.forVsrxFile(letter).value().toString(), "--json");
        assertThat(mapper.readTree(trail.out())).extracting(n -> n.get("action").asText())
                .containsExactly("CREATED", "MIGRATED", "UPDATED");

        // rule 14: a blob uploaded by a run that crashed before its commit, and one nobody references any more
        byte[] lost = "uploaded by a run that crashed".getBytes(StandardCharsets.UTF_8);
        ContentHash lostHash = TestHashes.sha256(lost);
        BlobStore blobs = blobStore.get();
        blobs.putIfAbsent(new BlobUpload(lostHash, lost.length, "text/plain", () -> new ByteArrayInputStream(lost)));
        CliRun dry = run(env, "cleanup", "--dry-run", "--json");
        assertThat(dry.code()).as(dry.err()).isEqualTo(ExitCode.OK);
        JsonNode classes = mapper.readTree(dry.out()).get("classes");
        assertThat(classes.get("UNCOMMITTED_BLOB").get("found").asInt()).isEqualTo(1);
        assertThat(blobs.stat(lostHash)).isPresent();
        CliRun cleaned = run(env, "cleanup", "--json");
        assertThat(cleaned.code()).as(cleaned.err()).isEqualTo(ExitCode.OK);
        JsonNode cleanup = mapper.readTree(cleaned.out());
        assertThat(cleanup.get("classes").get("UNCOMMITTED_BLOB").get("removed").asInt()).isEqualTo(1);
        assertThat(blobs.stat(lostHash)).isEmpty();
        assertThat(run(env, "audit", "--run", cleanup.get("runId").asText()).out()).contains("CLEANUP_BLOB");

        // issue 11: a consistent ledger checks clean; a lost blob is found (exit 7) and fetched again by repair
        CliRun clean = run(env, "check", "--verify-content");
        assertThat(clean.code()).as(clean.out() + clean.err()).isEqualTo(ExitCode.OK);
        ContentHash letterHash = TestHashes.sha256("referral letter, corrected");
        BlobInfo info = blobs.stat(letterHash).orElseThrow();
        assertThat(blobs.deleteIfMatch(letterHash, info.etag())).isTrue();
        CliRun found = run(env, "check", "--json");
        assertThat(found.code()).isEqualTo(ExitCode.FINDINGS);
        assertThat(mapper.readTree(found.out()).get("counts").get("DOCUMENT_WITHOUT_BLOB").asInt()).isEqualTo(1);
        CliRun repaired = run(env, "repair");
        assertThat(repaired.code()).as(repaired.out() + repaired.err()).isEqualTo(ExitCode.OK);
        assertThat(repaired.out()).contains("refetched:" + letter.value());
        assertThat(blobs.stat(letterHash)).isPresent();
        assertThat(run(env, "check", "--verify-content").code()).isEqualTo(ExitCode.OK);

        // rule 10: every operation that writes is refused while a sync holds the lock, touching nothing
        try (JdbcLedger running = ledger.get();
                var lease = running.syncLock("other-host/4711").tryAcquire(SyncConfig.LOCK_NAME, Duration.ofMinutes(5))
                        .orElseThrow()) {
            for (String[] command : new String[][] {{"cleanup"}, {"repair"},
                    {"migrate", "--from", old.value(), "--to", fresh.value()}}) {
                CliRun refused = run(env, command);
                assertThat(refused.code()).as(String.join(" ", command) + refused.err())
                        .isEqualTo(ExitCode.ALREADY_IN_PROGRESS);
                assertThat(refused.err()).contains("held by other-host/4711");
            }
            assertThat(run(env, "check").code()).as("check only reads").isEqualTo(ExitCode.OK);
        }
        String everything = list.out() + moved.out() + second.out() + trail.out() + dry.out() + cleaned.out() + found.out()
                + repaired.out() + repaired.err();
        assertThat(everything).doesNotContain("P-OPS-1", "P-OPS-2", "notes/", "00000000-0000-4000-8000-0000000000a1");
    }

    private static CliRun run(Map<String, String> env, String... args) {
        return CliRun.real(env, args);
    }
}
