package com.silknote.sync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.examples.demo.SampleFiles;
import com.silknote.sync.testkit.ForwardingVsrxSource;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.testkit.TestClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CommandLineTest {
    private static final String CANARY_PATIENT = "P-CANARY-4711";
    private static final String CANARY_PATH = "notes/canary-secret-name";
    private static final PatientUuid CANARY_UUID = PatientUuid.of("c0ffee00-0000-4000-8000-00000000c0de");

    private final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
    private final InMemoryVsrxSource vsrx = new InMemoryVsrxSource(clock);
    private final SplittableRandom random = new SplittableRandom(5);

    @Test
    void syncPrintsTheReportAndASecondRunChangesNothing() {
        FilesetId fs = vsrx.addFileset(PatientId.of(CANARY_PATIENT), CANARY_UUID);
        vsrx.addFile(fs, CANARY_PATH + "-1.pdf", "application/pdf", SampleFiles.pdf(random, "x", 3000));
        vsrx.addFile(fs, CANARY_PATH + "-2.jpg", "image/jpeg", SampleFiles.jpeg(random, 3000));
        vsrx.addFile(fs, "notes/../" + CANARY_PATH + "-3.txt", "text/plain", "escape");
        CliFixture cli = CliFixture.inMemory(vsrx, clock);

        assertThat(cli.run("sync")).isEqualTo(ExitCode.OK);
        assertThat(cli.out()).containsPattern(fs.value() + " +COMPLETED +2 +0 +0 +0 +1");
        assertThat(cli.out()).contains("INVALID_PATH");
        assertThat(cli.silknote.documents().allDocuments()).hasSize(2);
        assertNoPatientData(cli);

        assertThat(cli.run("sync")).isEqualTo(ExitCode.OK);
        assertThat(cli.out()).containsPattern(fs.value() + " +COMPLETED +0 +0 +0 +0 +1 +0 +0 +0 +2");
        assertNoPatientData(cli);
    }

    @Test
    void dryRunWritesNothingAndJsonIsMachineReadable() throws Exception {
        FilesetId fs = vsrx.addFileset(PatientId.of(CANARY_PATIENT), CANARY_UUID);
        vsrx.addFile(fs, CANARY_PATH + ".pdf", "application/pdf", SampleFiles.pdf(random, "x", 3000));
        CliFixture cli = CliFixture.inMemory(vsrx, clock);

        assertThat(cli.run("sync", "--dry-run", "--json")).isEqualTo(ExitCode.OK);
        JsonNode json = new ObjectMapper().readTree(cli.out());
        assertThat(json.get("dryRun").asBoolean()).isTrue();
        assertThat(json.get("totals").get("CREATED").asInt()).isEqualTo(1);
        assertThat(cli.silknote.documents().allDocuments()).isEmpty();
        assertThat(vsrx.downloads()).isZero();
        assertNoPatientData(cli);
    }

    @Test
    void onlyTheNamedFilesetIsSynced() {
        FilesetId a = vsrx.addFileset(PatientId.of("P-1"), CANARY_UUID);
        FilesetId b = vsrx.addFileset(PatientId.of("P-2"), CANARY_UUID);
        vsrx.addFile(a, "notes/a.txt", "text/plain", "a");
        vsrx.addFile(b, "notes/b.txt", "text/plain", "b");
        CliFixture cli = CliFixture.inMemory(vsrx, clock);

        assertThat(cli.run("sync", "--fileset", b.value())).isEqualTo(ExitCode.OK);
        assertThat(cli.silknote.documents().documents(a)).isEmpty();
        assertThat(cli.silknote.documents().documents(b)).hasSize(1);
    }

    @Test
    void aRunThatFindsTheLockTakenTouchesNothingAndExitsWithFour() {
        FilesetId fs = vsrx.addFileset(PatientId.of("P-1"), CANARY_UUID);
        vsrx.addFile(fs, "notes/a.txt", "text/plain", "a");
        CliFixture cli = CliFixture.inMemory(vsrx, clock);

        try (SyncLock.Lease other = cli.silknote.lock().newHolder("host-b").tryAcquire(SyncConfig.LOCK_NAME,
                Duration.ofMinutes(5)).orElseThrow()) {
            assertThat(cli.run("sync")).isEqualTo(ExitCode.ALREADY_IN_PROGRESS);
            assertThat(cli.err()).contains("another run holds the lock: held by host-b");
            assertThat(cli.silknote.documents().allDocuments()).isEmpty();
            // issue 10 item 1: status during a run says so with exit code 4 (and still prints the status)
            assertThat(cli.run("status")).isEqualTo(ExitCode.ALREADY_IN_PROGRESS);
            assertThat(cli.out()).contains("Lock vsrx-sync: held by host-b");
            assertThat(cli.err()).contains("a run is in progress: held by host-b");
        }
        assertThat(cli.run("status")).isEqualTo(ExitCode.OK);
    }

    @Test
    void theMassDeleteGuardExitsWithSix() {
        FilesetId fs = vsrx.addFileset(PatientId.of("P-1"), CANARY_UUID);
        List<VsrxFileId> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(vsrx.addFile(fs, "notes/f" + i + ".txt", "text/plain", "content " + i));
        }
        CliFixture cli = CliFixture.inMemory(vsrx, clock);
        assertThat(cli.run("sync")).isEqualTo(ExitCode.OK);
        for (int i = 0; i < 3; i++) {
            vsrx.deleteFile(ids.get(i));
        }

        assertThat(cli.run("sync")).isEqualTo(ExitCode.MASS_DELETE_GUARD);
        assertThat(cli.out()).contains("MASS_DELETE_BLOCKED");
        assertThat(cli.silknote.documents().documents(fs)).hasSize(4);
    }

    @Test
    void aFailedFilesetIsAPartialFailureWithFive() {
        FilesetId good = vsrx.addFileset(PatientId.of("P-1"), CANARY_UUID);
        FilesetId bad = vsrx.addFileset(PatientId.of("P-2"), CANARY_UUID);
        vsrx.addFile(good, "notes/a.txt", "text/plain", "a");
        vsrx.addFile(bad, "notes/b.txt", "text/plain", "b");
        VsrxSource failing = new FailingListing(vsrx, bad);
        CliFixture cli = CliFixture.inMemory(failing, clock);

        assertThat(cli.run("sync")).isEqualTo(ExitCode.PARTIAL_FAILURE);
        assertThat(cli.silknote.documents().documents(good)).hasSize(1);
        assertThat(cli.run("status")).isEqualTo(ExitCode.OK);
        // the run attempted every fileset: it is complete, moves the mark and carries the failure (issue 9.1)
        assertThat(cli.out()).doesNotContain("Last complete sync: never").contains("failed 1 [" + bad.value() + "]")
                .contains("resume from -");
    }

    @Test
    void statusAndReportDescribeTheLastRun() throws Exception {
        FilesetId fs = vsrx.addFileset(PatientId.of(CANARY_PATIENT), CANARY_UUID);
        vsrx.addFile(fs, CANARY_PATH + ".txt", "text/plain", "hello");
        CliFixture cli = CliFixture.inMemory(vsrx, clock);

        assertThat(cli.run("report")).isEqualTo(ExitCode.OK);
        assertThat(cli.err()).contains("no run recorded yet");
        assertThat(cli.run("status")).isEqualTo(ExitCode.OK);
        assertThat(cli.out()).contains("Lock vsrx-sync: free", "Last complete sync: never", "Last run: none");

        assertThat(cli.run("sync")).isEqualTo(ExitCode.OK);
        assertThat(cli.run("status")).isEqualTo(ExitCode.OK);
        assertThat(cli.out()).contains("Lock vsrx-sync: free", "Partial state: none", "created 1")
                .doesNotContain("Last complete sync: never");
        assertNoPatientData(cli);
        assertThat(cli.run("status", "--json")).isEqualTo(ExitCode.OK);
        JsonNode status = new ObjectMapper().readTree(cli.out());
        assertThat(status.get("lock").get("held").asBoolean()).isFalse();
        assertThat(status.get("syncStatus").get("lastCompleteSync").isTextual()).isTrue();
        assertThat(status.get("lastRun").get("totals").get("CREATED").asInt()).isEqualTo(1);

        assertThat(cli.run("report")).isEqualTo(ExitCode.OK);
        assertThat(cli.out()).containsPattern(fs.value() + " +COMPLETED +1");
        assertThat(cli.run("report", "--json")).isEqualTo(ExitCode.OK);
        assertThat(new ObjectMapper().readTree(cli.out()).get("filesets").get(0).get("filesetId").asText())
                .isEqualTo(fs.value());
        assertNoPatientData(cli);
    }

    @Test
    void onATerminalTheProgressBarIsDrawn() {
        FilesetId fs = vsrx.addFileset(PatientId.of("P-1"), CANARY_UUID);
        vsrx.addFile(fs, "notes/a.jpg", "image/jpeg", SampleFiles.jpeg(random, 20_000));
        CliFixture cli = new CliFixture(new com.silknote.sync.testkit.SilknoteSimulator(clock), vsrx, Map.of(), true,
                java.time.Clock.systemUTC());

        assertThat(cli.run("sync")).isEqualTo(ExitCode.OK);
        assertThat(cli.err()).contains("\r[").contains("1/1 filesets");
        assertThat(cli.run("sync", "--no-progress")).isEqualTo(ExitCode.OK);
        assertThat(cli.err()).doesNotContain("\r[");
    }

    @Test
    void badConfigurationExitsWithThreeAndNamesTheKey() {
        CliFixture cli = new CliFixture(new com.silknote.sync.testkit.SilknoteSimulator(clock), vsrx,
                Map.of("VSRX_SYNC_PAGE_SIZE", "many"), false, java.time.Clock.systemUTC());
        assertThat(cli.run("sync")).isEqualTo(ExitCode.CONFIGURATION);
        assertThat(cli.err()).contains("configuration error").contains("page-size");
        assertThat(cli.run("config")).isEqualTo(ExitCode.CONFIGURATION);
    }

    @Test
    void configPrintsValuesAndOriginsButNoSecret() {
        CliFixture cli = new CliFixture(new com.silknote.sync.testkit.SilknoteSimulator(clock), vsrx,
                Map.of("VSRX_SYNC_VSRX_TOKEN", "tok-very-secret-123", "VSRX_SYNC_PAGE_SIZE", "50",
                        "VSRX_SYNC_VSRX_URL", "https://vsrx.example.org/api"), false, java.time.Clock.systemUTC());
        assertThat(cli.run("--data-dir", "/srv/x", "config")).isEqualTo(ExitCode.OK);
        assertThat(cli.out()).contains("vsrx.token = ****  (environment)", "page-size = 50  (environment)",
                "data-dir = /srv/x  (command line)").doesNotContain("tok-very-secret-123");
        assertThat(cli.run("config", "--data-dir", "/srv/y")).isEqualTo(ExitCode.OK);
        assertThat(cli.out()).contains("data-dir = /srv/y  (command line)");
    }

    /** Issue 10 item 3: a skipped file can be found: its path on request, never by default, never in logs. */
    @Test
    void theReportShowsPathsOnlyOnRequest() throws Exception {
        FilesetId fs = vsrx.addFileset(PatientId.of(CANARY_PATIENT), CANARY_UUID);
        VsrxFileId bad = vsrx.addFile(fs, "notes/../" + CANARY_PATH + ".txt", "text/plain", "escape");
        vsrx.addFile(fs, CANARY_PATH + ".txt", "text/plain", "fine");
        CliFixture cli = CliFixture.inMemory(vsrx, clock);
        assertThat(cli.run("sync")).isEqualTo(ExitCode.OK);
        assertNoPatientData(cli);

        assertThat(cli.run("report")).isEqualTo(ExitCode.OK);
        assertNoPatientData(cli);
        assertThat(cli.run("report", "--json")).isEqualTo(ExitCode.OK);
        assertNoPatientData(cli);

        assertThat(cli.run("report", "--show-paths")).isEqualTo(ExitCode.OK);
        assertThat(cli.out()).containsPattern(bad.value() + " .*INVALID_PATH +TRAVERSAL +notes/\\.\\./" + CANARY_PATH
                + "\\.txt");
        assertThat(cli.err()).doesNotContain(CANARY_PATH);
        assertThat(cli.run("report", "--json", "--show-paths")).isEqualTo(ExitCode.OK);
        JsonNode file = new ObjectMapper().readTree(cli.out()).get("filesets").get(0).get("files").get(0);
        assertThat(file.get("path").asText()).isEqualTo("notes/../" + CANARY_PATH + ".txt");
    }

    /**
     * Issue 10 item 5: an empty file is skipped as EMPTY (remembered, not downloaded again) and a text file that
     * is not UTF-8 says so, instead of both being "TYPE_MISMATCH sniffed-type".
     */
    @Test
    void skipReasonsSayWhatTheContentIs() {
        FilesetId fs = vsrx.addFileset(PatientId.of("P-1"), CANARY_UUID);
        VsrxFileId empty = vsrx.addFile(fs, "notes/leer.pdf", "application/pdf", new byte[0]);
        VsrxFileId latin1 = vsrx.addFile(fs, "notes/brief.txt", "text/plain",
                "Befund f\u00fcr Herrn M\u00fcller".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        vsrx.addFile(fs, "notes/ok.txt", "text/plain", "Befund f\u00fcr Herrn M\u00fcller");
        CliFixture cli = CliFixture.inMemory(vsrx, clock);

        assertThat(cli.run("sync")).isEqualTo(ExitCode.OK);
        assertThat(cli.out()).containsPattern(empty.value() + " +" + fs.value() + " +SKIPPED +EMPTY +zero-bytes")
                .containsPattern(latin1.value() + " +" + fs.value() + " +SKIPPED +TYPE_MISMATCH +text-not-utf8");
        assertThat(cli.silknote.documents().documents(fs)).hasSize(1);

        long downloads = vsrx.downloads();
        assertThat(cli.run("sync")).isEqualTo(ExitCode.OK);
        assertThat(vsrx.downloads()).as("permanent skips are remembered per version").isEqualTo(downloads);
        assertThat(cli.out()).containsPattern(empty.value() + " +" + fs.value() + " +SKIPPED +REMEMBERED_SKIP");
    }

    /** Issue 10 item 11: {@code config} is a check: without what sync needs it fails as sync would. */
    @Test
    void configFailsLikeSyncWhenTheVsrxUrlOrTokenIsMissing() {
        CliFixture noUrl = new CliFixture(new com.silknote.sync.testkit.SilknoteSimulator(clock), vsrx,
                Map.of("VSRX_SYNC_VSRX_TOKEN", "tok-very-secret-123"), false, java.time.Clock.systemUTC());
        assertThat(noUrl.run("config")).isEqualTo(ExitCode.CONFIGURATION);
        assertThat(noUrl.out()).contains("vsrx.url = (unset)");
        assertThat(noUrl.err()).contains("configuration error: no VSRX URL: set vsrx.url").contains("VSRX_SYNC_VSRX_URL");

        CliFixture noToken = new CliFixture(new com.silknote.sync.testkit.SilknoteSimulator(clock), vsrx,
                Map.of("VSRX_SYNC_VSRX_URL", "https://vsrx.example.org/api"), false, java.time.Clock.systemUTC());
        assertThat(noToken.run("config")).isEqualTo(ExitCode.CONFIGURATION);
        assertThat(noToken.err()).contains("configuration error: no VSRX token: set VSRX_SYNC_VSRX_TOKEN");
    }

    /** Issue 10 item 2: variables meant for the launcher (and the test suite) are not configuration keys. */
    @Test
    void launcherVariablesAreNotConfigurationKeys() {
        FilesetId fs = vsrx.addFileset(PatientId.of("P-1"), CANARY_UUID);
        vsrx.addFile(fs, "notes/a.txt", "text/plain", "a");
        CliFixture cli = new CliFixture(new com.silknote.sync.testkit.SilknoteSimulator(clock), vsrx,
                Map.of("VSRX_SYNC_JAVA_OPTS", "-Xmx512m -Dfoo=bar", "VSRX_SYNC_TEST_JDBC_URL", "jdbc:postgresql://x/y",
                        "VSRX_SYNC_VSRX_URL", "https://vsrx.example.org/api", "VSRX_SYNC_VSRX_TOKEN",
                        "tok-very-secret-123"), false, java.time.Clock.systemUTC());
        assertThat(cli.run("config")).as(cli.err()).isEqualTo(ExitCode.OK);
        assertThat(cli.out()).doesNotContain("JAVA_OPTS", "-Xmx512m");
        assertThat(cli.run("sync")).as(cli.err()).isEqualTo(ExitCode.OK);

        CliFixture typo = new CliFixture(new com.silknote.sync.testkit.SilknoteSimulator(clock), vsrx,
                Map.of("VSRX_SYNC_JAVA_OPT", "-Xmx512m"), false, java.time.Clock.systemUTC());
        assertThat(typo.run("sync")).isEqualTo(ExitCode.CONFIGURATION);
        assertThat(typo.err()).contains("unknown environment variable VSRX_SYNC_JAVA_OPT ");
    }

    @Test
    void usageErrorsExitWithTwoAndHelpListsTheExitCodes() {
        CliFixture cli = CliFixture.inMemory(vsrx, clock);
        assertThat(cli.run("sink")).isEqualTo(ExitCode.USAGE);
        assertThat(cli.run("sync", "--bogus")).isEqualTo(ExitCode.USAGE);
        assertThat(cli.run()).isEqualTo(ExitCode.USAGE);
        assertThat(cli.run("--help")).isEqualTo(ExitCode.OK);
        assertThat(cli.out()).contains("sync", "status", "report", "Exit codes:", "mass-delete guard");
    }

    private static void assertNoPatientData(CliFixture cli) {
        String all = cli.out() + cli.err();
        assertThat(all).doesNotContain(CANARY_PATIENT, "canary-secret-name", CANARY_UUID.value().toString());
    }

    /** A VSRX whose listing of one fileset always fails permanently. */
    private static final class FailingListing extends ForwardingVsrxSource {
        private final FilesetId broken;

        FailingListing(VsrxSource delegate, FilesetId broken) {
            super(delegate);
            this.broken = broken;
        }

        @Override
        public Page<VsrxFile> listFiles(FilesetId filesetId, PageRequest request) {
            if (filesetId.equals(broken)) {
                throw new PermanentSyncException("listing refused", 403, null);
            }
            return super.listFiles(filesetId, request);
        }
    }
}
