package com.silknote.sync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.testkit.TestClock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: the operation commands (cleanup, check, repair, migrate, audit) on the in-memory Silknote: their
 * dry runs, JSON, exit codes (4 while a sync holds the lock, 7 for findings, 8 for a refused pair, 2 for usage)
 * and that they print no patient data.
 */
class OperationCommandsTest {
    private static final String CANARY_PATIENT = "P-CANARY-4711";
    private static final String CANARY_PATH = "notes/canary-secret-name";
    private static final PatientUuid CANARY_UUID = PatientUuid.of("c0ffee00-0000-4000-8000-00000000c0de");

    private final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
    private final InMemoryVsrxSource vsrx = new InMemoryVsrxSource(clock);
    private final ObjectMapper mapper = new ObjectMapper();

    private CliFixture synced() {
        FilesetId fs = vsrx.addFileset(PatientId.of(CANARY_PATIENT), CANARY_UUID);
        vsrx.addFile(fs, CANARY_PATH + "-1.txt", "text/plain", "first note");
        vsrx.addFile(fs, CANARY_PATH + "-2.txt", "text/plain", "second note");
        CliFixture cli = fixture();
        assertThat(cli.run("sync")).isEqualTo(ExitCode.OK);
        return cli;
    }

    /** The command line on the in-memory Silknote, on the test clock (so orphans can age past the grace period). */
    private CliFixture fixture() {
        return new CliFixture(new com.silknote.sync.testkit.SilknoteSimulator(clock), vsrx, Map.of(), false, clock);
    }

    private static void assertNoPatientData(CliFixture cli) {
        assertThat(cli.out() + cli.err()).doesNotContain(CANARY_PATIENT, "canary-secret-name",
                CANARY_UUID.value().toString());
    }

    @Test
    @DisplayName("rule 14: cleanup --dry-run counts per class in JSON; cleanup removes; exit 4 while a sync runs")
    void cleanup() throws Exception {
        CliFixture cli = synced();
        VsrxFileId first = vsrx.listedFiles(vsrx.filesetIds().get(0)).get(0).id();
        cli.silknote.documents().removeDocumentAsSilknoteUser(DocumentUuid.forVsrxFile(first));
        clock.advance(SyncConfig.defaults().blobGracePeriod().plusMinutes(1));

        assertThat(cli.run("cleanup", "--dry-run", "--json")).isEqualTo(ExitCode.OK);
        JsonNode dry = mapper.readTree(cli.out());
        assertThat(dry.get("operation").asText()).isEqualTo("cleanup");
        assertThat(dry.get("dryRun").asBoolean()).isTrue();
        assertThat(dry.get("classes").get("MAPPING_WITHOUT_DOCUMENT").get("found").asInt()).isEqualTo(1);
        assertThat(dry.get("classes").get("MAPPING_WITHOUT_DOCUMENT").get("removed").asInt()).isZero();
        assertThat(cli.silknote.documents().findMapping(first)).isPresent();
        assertNoPatientData(cli);

        try (SyncLock.Lease other = cli.silknote.lock().newHolder("host-b").tryAcquire(SyncConfig.LOCK_NAME,
                Duration.ofMinutes(5)).orElseThrow()) {
            assertThat(cli.run("cleanup")).isEqualTo(ExitCode.ALREADY_IN_PROGRESS);
            assertThat(cli.err()).contains("another run holds the lock: held by host-b");
        }
        assertThat(cli.silknote.documents().findMapping(first)).isPresent();

        assertThat(cli.run("cleanup")).isEqualTo(ExitCode.OK);
        assertThat(cli.out()).containsPattern("MAPPING_WITHOUT_DOCUMENT +1 .* 1 ");
        assertThat(cli.silknote.documents().findMapping(first)).isEmpty();
        assertNoPatientData(cli);
    }

    @Test
    @DisplayName("issue 11: check exits 7 on findings and 0 when clean; repair fixes and exits 0; 4 while a sync runs")
    void checkAndRepair() throws Exception {
        CliFixture cli = synced();
        assertThat(cli.run("check")).as(cli.out()).isEqualTo(ExitCode.OK);
        assertThat(cli.out()).contains("No findings.");

        ContentHash h = cli.silknote.documents().allBlobRefs().keySet().iterator().next();
        BlobRef row = cli.silknote.documents().findBlobRef(h).orElseThrow();
        cli.silknote.documents().replaceBlobRefBehindTheSync(h, Optional.of(new BlobRef(h, 7, row.size(), row.state(),
                row.blobEtag(), row.updatedAt())));

        assertThat(cli.run("check", "--json", "--verify-content")).isEqualTo(ExitCode.FINDINGS);
        JsonNode found = mapper.readTree(cli.out());
        assertThat(found.get("counts").get("REFERENCE_COUNT_MISMATCH").asInt()).isEqualTo(1);
        assertThat(found.get("findings").get(0).get("id").asText()).isEqualTo(h.hex());
        assertThat(found.get("contentVerified").asBoolean()).isTrue();

        assertThat(cli.run("repair", "--dry-run")).isEqualTo(ExitCode.FINDINGS);
        assertThat(cli.out()).contains("would-recount");
        assertThat(cli.silknote.documents().findBlobRef(h).orElseThrow().refCount()).isEqualTo(7);
        try (SyncLock.Lease other = cli.silknote.lock().newHolder("host-b").tryAcquire(SyncConfig.LOCK_NAME,
                Duration.ofMinutes(5)).orElseThrow()) {
            assertThat(cli.run("repair")).isEqualTo(ExitCode.ALREADY_IN_PROGRESS);
        }
        assertThat(cli.run("repair", "--json")).isEqualTo(ExitCode.OK);
        JsonNode repaired = mapper.readTree(cli.out());
        assertThat(repaired.get("repaired").get(0).get("outcome").asText()).isEqualTo("recounted:7>1");
        assertThat(cli.silknote.documents().findBlobRef(h).orElseThrow().refCount()).isEqualTo(1);
        assertThat(cli.run("check", "--stuck-after", "30m")).isEqualTo(ExitCode.OK);
        assertThat(cli.run("check", "--stuck-after", "soon")).isEqualTo(ExitCode.USAGE);
        assertNoPatientData(cli);
    }

    @Test
    @DisplayName("rule 13: migrate --list, a dry run, the move, a second run that changes nothing, a refused pair")
    void migrate() throws Exception {
        FilesetId old = vsrx.addFileset(PatientId.of(CANARY_PATIENT), CANARY_UUID);
        vsrx.addFile(old, CANARY_PATH + "-old.txt", "text/plain", "before the re-booking");
        FilesetId fresh = vsrx.rebook(old, PatientId.of("P-CANARY-NEW"));
        vsrx.addFile(fresh, CANARY_PATH + "-new.txt", "text/plain", "after the re-booking");
        CliFixture cli = fixture();
        assertThat(cli.run("sync")).isEqualTo(ExitCode.OK);

        assertThat(cli.run("migrate", "--list", "--json")).isEqualTo(ExitCode.OK);
        JsonNode list = mapper.readTree(cli.out());
        assertThat(list).hasSize(1);
        assertThat(list.get(0).get("from").asText()).isEqualTo(old.value());
        assertThat(list.get(0).get("documents").asInt()).isEqualTo(1);

        assertThat(cli.run("migrate", "--from", old.value(), "--to", fresh.value(), "--dry-run")).isEqualTo(ExitCode.OK);
        assertThat(cli.out()).contains("would move 1 document");
        assertThat(cli.silknote.documents().documents(old)).hasSize(1);

        assertThat(cli.run("migrate", "--from", old.value(), "--to", fresh.value(), "--json")).isEqualTo(ExitCode.OK);
        JsonNode moved = mapper.readTree(cli.out());
        assertThat(moved.get("moved")).hasSize(1);
        String runId = moved.get("runId").asText();
        assertThat(cli.silknote.documents().documents(old)).isEmpty();
        assertThat(cli.run("migrate", "--from", old.value(), "--to", fresh.value())).isEqualTo(ExitCode.OK);
        assertThat(cli.out()).contains("moved 0 document");

        assertThat(cli.run("migrate", "--from", fresh.value(), "--to", old.value())).isEqualTo(ExitCode.REFUSED);
        assertThat(cli.run("migrate", "--from", old.value())).isEqualTo(ExitCode.USAGE);
        assertThat(cli.run("migrate", "--list", "--from", old.value())).isEqualTo(ExitCode.USAGE);

        assertThat(cli.run("audit", "--run", runId, "--json")).isEqualTo(ExitCode.OK);
        JsonNode audit = mapper.readTree(cli.out());
        assertThat(audit).hasSize(1);
        assertThat(audit.get(0).get("action").asText()).isEqualTo("MIGRATED");
        assertThat(audit.get(0).get("fromFilesetId").asText()).isEqualTo(old.value());
        assertNoPatientData(cli);
    }

    @Test
    @DisplayName("issue 11: audit by document, fileset and run; exactly one selector")
    void audit() throws Exception {
        CliFixture cli = synced();
        FilesetId fs = vsrx.filesetIds().get(0);
        VsrxFileId first = vsrx.listedFiles(fs).get(0).id();
        String doc = DocumentUuid.forVsrxFile(first).value().toString();

        assertThat(cli.run("audit", "--document", doc)).isEqualTo(ExitCode.OK);
        assertThat(cli.out()).contains("CREATED", doc, first.value());
        assertThat(cli.run("audit", "--fileset", fs.value(), "--json")).isEqualTo(ExitCode.OK);
        JsonNode rows = mapper.readTree(cli.out());
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).get("runId").asText()).startsWith("run-");
        assertThat(cli.run("audit", "--run", rows.get(0).get("runId").asText(), "--limit", "1")).isEqualTo(ExitCode.OK);
        assertThat(cli.out()).contains("more rows");

        assertThat(cli.run("audit")).isEqualTo(ExitCode.USAGE);
        assertThat(cli.run("audit", "--document", doc, "--fileset", fs.value())).isEqualTo(ExitCode.USAGE);
        assertThat(cli.run("audit", "--document", "not-a-uuid")).isEqualTo(ExitCode.USAGE);
        assertNoPatientData(cli);
    }

    @Test
    @DisplayName("issue 11: on a terminal each operation redraws one progress line; --json keeps stderr quiet")
    void onATerminalAProgressLineIsDrawn() {
        FilesetId fs = vsrx.addFileset(PatientId.of(CANARY_PATIENT), CANARY_UUID);
        vsrx.addFile(fs, CANARY_PATH + ".txt", "text/plain", "a note");
        CliFixture cli = new CliFixture(new com.silknote.sync.testkit.SilknoteSimulator(clock), vsrx, Map.of(), true,
                clock);
        assertThat(cli.run("sync", "--no-progress")).isEqualTo(ExitCode.OK);

        assertThat(cli.run("check")).isEqualTo(ExitCode.OK);
        assertThat(cli.err()).contains("\rcheck: blobs, ").containsPattern("check: vectors, \\d+ examined, 0 found");
        assertThat(cli.run("cleanup", "--dry-run")).isEqualTo(ExitCode.OK);
        assertThat(cli.err()).contains("\rcleanup (dry run): ").endsWith("\n");
        assertThat(cli.run("cleanup", "--dry-run", "--no-progress")).isEqualTo(ExitCode.OK);
        assertThat(cli.err()).doesNotContain("cleanup (dry run): ");
        assertThat(cli.run("check", "--json")).isEqualTo(ExitCode.OK);
        assertThat(cli.err()).isEmpty();
        assertNoPatientData(cli);
    }

    @Test
    void theOperationsAreListedInTheHelpWithTheirExitCodes() {
        CliFixture cli = fixture();
        assertThat(cli.run("--help")).isEqualTo(ExitCode.OK);
        assertThat(cli.out()).contains("cleanup", "check", "repair", "migrate", "audit",
                "check found inconsistencies", "not a re-booking pair");
    }
}
