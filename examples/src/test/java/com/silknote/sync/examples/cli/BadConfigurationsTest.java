package com.silknote.sync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.testkit.SilknoteSimulator;
import com.silknote.sync.testkit.SilknoteSnapshot;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.reliability.SyncScenario;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 13 item 5, the configuration boundary: after a good {@code sync}, VSRX has a change waiting and the
 * command line is started with a bad configuration file (or environment). Each row exits with code 3 and
 * exactly the stated message on standard error, and nothing synced changes (the run never starts).
 */
class BadConfigurationsTest {
    @TempDir
    Path dir;

    static Stream<Arguments> table() {
        byte[] notUtf8 = {'d', 'a', 't', 'a', '-', 'd', 'i', 'r', ' ', '=', ' ', (byte) 0xC3, (byte) 0x28, '\n'};
        return Stream.of(
                Arguments.of("unknown key", "page-sise = 10\n".getBytes(StandardCharsets.UTF_8), Map.of(),
                        "unknown key 'page-sise' in {file} (see docs/configuration.md)"),
                Arguments.of("malformed escape", "page-size = 10\nvsrx.token = ab\\u12zz\n"
                        .getBytes(StandardCharsets.UTF_8), Map.of(),
                        "configuration file {file}: line 2: malformed \\uXXXX escape (write a backslash as \\\\)"),
                Arguments.of("invalid UTF-8", notUtf8, Map.of(), "configuration file unreadable: {file}"),
                Arguments.of("not a number", "page-size = lots\n".getBytes(StandardCharsets.UTF_8), Map.of(),
                        "invalid value for page-size in the configuration file: not a number"),
                Arguments.of("a huge number", ("page-size = " + "9".repeat(10_000) + "\n")
                        .getBytes(StandardCharsets.UTF_8), Map.of(), "invalid value for page-size in the configuration file: not a number"),
                Arguments.of("share above 1", "mass-delete.max-share = 1.5\n".getBytes(StandardCharsets.UTF_8),
                        Map.of(), "invalid value for mass-delete.max-share: maxShare must be in [0,1], was 1.5"),
                Arguments.of("negative size", "max-file-size-bytes = -1\n".getBytes(StandardCharsets.UTF_8),
                        Map.of(), "invalid engine configuration: maxFileSizeBytes must be >= 1"),
                Arguments.of("zero attempts", "retry.max-attempts = 0\n".getBytes(StandardCharsets.UTF_8), Map.of(),
                        "invalid value for retry.max-attempts: maxAttempts must be >= 1, was 0"),
                Arguments.of("not an http URL", "vsrx.url = ftp://vsrx.example/api\n".getBytes(StandardCharsets.UTF_8),
                        Map.of(), "invalid value for vsrx.url in the configuration file: must be an http or https URL"),
                Arguments.of("NUL in a path", "data-dir = /srv/a\\u0000b\n".getBytes(StandardCharsets.UTF_8),
                        Map.of(), "invalid value for data-dir in the configuration file: unreadable"),
                Arguments.of("unknown environment variable", "page-size = 10\n".getBytes(StandardCharsets.UTF_8),
                        Map.of("VSRX_SYNC_PAGE_SISE", "10"), "unknown environment variable VSRX_SYNC_PAGE_SISE (see docs/configuration.md)"),
                Arguments.of("no such file", null, Map.of(), "configuration file not found: {file}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    @DisplayName("item 5: a bad configuration exits with 3, says exactly why, and changes nothing synced")
    void aBadConfigurationIsRefusedExactlyAndChangesNothing(String name, byte[] content, Map<String, String> env,
            String message) throws Exception {
        TestClock clock = TestClock.at(SyncScenario.START);
        InMemoryVsrxSource vsrx = new InMemoryVsrxSource(clock);
        FilesetId fs = vsrx.addFileset(PatientId.of("P1"), SyncScenario.patient("P1"));
        VsrxFileId f = vsrx.addFile(fs, "notes/a.txt", "text/plain", "first version");
        SilknoteSimulator silknote = new SilknoteSimulator(clock);
        CliFixture good = new CliFixture(silknote, vsrx, Map.of(), false, clock);
        assertThat(good.run("sync")).as(good.err()).isEqualTo(ExitCode.OK);
        vsrx.modifyFile(f, "second version, waiting");
        SilknoteSnapshot before = silknote.snapshot();

        Path file = dir.resolve("vsrx-sync.properties");
        if (content != null) {
            Files.write(file, content);
        }
        Map<String, String> environment = new HashMap<>(env);
        environment.put("VSRX_SYNC_CONFIG", file.toString());
        CliFixture bad = new CliFixture(silknote, vsrx, environment, false, clock);

        assertThat(bad.run("sync")).as(name + ": " + bad.err()).isEqualTo(ExitCode.CONFIGURATION);
        assertThat(bad.err()).as(name)
                .isEqualTo("configuration error: " + message.replace("{file}", file.toString()) + System.lineSeparator());
        assertThat(silknote.snapshot()).as("%s: nothing synced changed", name).isEqualTo(before);
    }
}
