package com.silknote.sync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.AuthoredDocument;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.examples.embedded.Backends;
import com.silknote.sync.examples.embedded.EmbeddedDefault;
import com.silknote.sync.testkit.SilknoteSimulator;
import com.silknote.sync.testkit.TestClock;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, command line: {@code vsrx-sync serve-vsrx --folder} serves a folder with its write routes and
 * {@code vsrx-sync sync} with {@code direction = BIDIRECTIONAL} (keys from the environment) writes a
 * Silknote-created document into it through {@code HttpVsrxTarget}, once.
 */
class BidirectionalCommandLineTest {
    private static final String TOKEN = "bidi-token-0123456789abcdef";
    private static final PatientUuid PATIENT = new PatientUuid(UUID.nameUUIDFromBytes(
            "P-CLI-1".getBytes(StandardCharsets.UTF_8)));

    @TempDir
    Path folder;

    private final SilknoteSimulator silknote = new SilknoteSimulator(TestClock.at("2026-01-01T00:00:00Z"));

    private static ContentHash sha256(byte[] bytes) {
        try {
            return ContentHash.ofBytes(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code vsrx-sync ARGS} with Silknote in memory and VSRX over the real HTTP client. */
    private CliRun cli(Map<String, String> env, String... args) {
        return CliRun.with(env, (settings, mode) -> new Backends(silknote.documents(), silknote.lock(),
                silknote.blobs(), silknote.vectors(), silknote.processor(), settings.syncConfig(), List.of()),
                EmbeddedDefault::vsrxSource, args);
    }

    private List<Path> exported() throws IOException {
        Path dir = folder.resolve("fs-cli-1/notes/silknote");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    @DisplayName("issue 14: serve-vsrx --folder + sync direction=BIDIRECTIONAL: a Silknote-created document lands once")
    void aSilknoteCreatedDocumentLandsInTheFolderOnce() throws Exception {
        Path fs = Files.createDirectories(folder.resolve("fs-cli-1/notes"));
        Files.writeString(fs.getParent().resolve("fileset.properties"),
                "patientId=P-CLI-1\nsilknotePatientUuid=" + PATIENT.value() + "\n");
        Files.writeString(fs.resolve("befund.txt"), "from vsrx");

        UrlWatcher serverOut = new UrlWatcher();
        CompletableFuture<Void> stop = new CompletableFuture<>();
        CliEnvironment serveEnv = new CliEnvironment(Map.of("VSRX_SYNC_VSRX_TOKEN", TOKEN),
                new PrintWriter(serverOut, true), new PrintWriter(new StringWriter(), true), Clock.systemUTC(), false,
                EmbeddedDefault::open, EmbeddedDefault::vsrxSource, stop);
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> serving = executor.submit(() -> VsrxSyncCommand.execute(serveEnv, "serve-vsrx",
                    "--folder", folder.toString(), "--port", "0"));
            URI url = serverOut.url.get(30, TimeUnit.SECONDS);
            Map<String, String> env = new HashMap<>(Map.of("VSRX_SYNC_VSRX_URL", url.toString(),
                    "VSRX_SYNC_VSRX_TOKEN", TOKEN, "VSRX_SYNC_DIRECTION", "BIDIRECTIONAL",
                    "VSRX_SYNC_CONFLICT_STRATEGY", "keep-both"));

            CliRun config = cli(env, "config");
            assertThat(config.code()).as(config.out() + config.err()).isEqualTo(ExitCode.OK);
            assertThat(config.out()).contains("direction = BIDIRECTIONAL  (environment)",
                    "conflict-strategy = KEEP_BOTH  (environment)", "bidirectional.deletes = false  (default)",
                    "vsrx target = HTTP write routes on " + url);

            CliRun pull = cli(env, "sync", "--no-progress");
            assertThat(pull.code()).as(pull.out() + pull.err()).isEqualTo(ExitCode.OK);
            assertThat(exported()).isEmpty();

            byte[] bytes = "written in silknote".getBytes(StandardCharsets.UTF_8);
            ContentHash h = sha256(bytes);
            silknote.blobs().putIfAbsent(new BlobUpload(h, bytes.length, "text/plain",
                    () -> new ByteArrayInputStream(bytes)));
            AuthoredDocument a = new AuthoredDocument(new DocumentUuid(UUID.randomUUID()), PATIENT,
                    Optional.of(FilesetId.of("fs-cli-1")), h, bytes.length, "text/plain", Optional.of("Arztbrief"),
                    "SILKNOTE", "ungrouped", silknote.clock().instant());
            silknote.documents().createDocumentAsSilknoteUser(a);

            CliRun export = cli(env, "sync", "--no-progress");
            assertThat(export.code()).as(export.out() + export.err()).isEqualTo(ExitCode.OK);
            assertThat(exported()).hasSize(1);
            Path file = exported().get(0);
            assertThat(Files.readAllBytes(file)).isEqualTo(bytes);
            assertThat(file.getFileName().toString()).startsWith("Arztbrief-").endsWith(".txt");
            assertThat(silknote.documents().findDocument(a.uuid())).isPresent();
            long modified = Files.getLastModifiedTime(file).toMillis();

            CliRun again = cli(env, "sync", "--no-progress");
            assertThat(again.code()).as(again.out() + again.err()).isEqualTo(ExitCode.OK);
            assertThat(exported()).as("the second run writes nothing").containsExactly(file);
            assertThat(Files.getLastModifiedTime(file).toMillis()).isEqualTo(modified);
            assertThat(silknote.documents().allDocuments()).hasSize(2);

            stop.complete(null);
            assertThat(serving.get(30, TimeUnit.SECONDS)).isEqualTo(ExitCode.OK);
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    @DisplayName("issue 14: bad bi-directional values are typed configuration errors naming the key, never the value")
    void badValuesAreRefused() {
        Map<String, String> base = Map.of("VSRX_SYNC_VSRX_URL", "http://127.0.0.1:9", "VSRX_SYNC_VSRX_TOKEN", TOKEN);
        for (String[] bad : new String[][] {
            {"VSRX_SYNC_DIRECTION", "SIDEWAYS", "direction"},
            {"VSRX_SYNC_CONFLICT_STRATEGY", "LOUDEST_WINS", "conflict-strategy"},
            {"VSRX_SYNC_BIDIRECTIONAL_DELETES", "maybe", "bidirectional.deletes"},
            {"VSRX_SYNC_BIDIRECTIONAL_EXPORT_FOLDER", "../secret/", "bidirectional.export-folder"}}) {
            Map<String, String> env = new HashMap<>(base);
            env.put(bad[0], bad[1]);
            CliRun r = cli(env, "config");
            assertThat(r.code()).as(bad[0]).isEqualTo(ExitCode.CONFIGURATION);
            assertThat(r.err()).as(bad[0]).contains("invalid value for " + bad[2] + " in " + bad[0])
                    .doesNotContain(bad[1]);
        }
    }

    /** Completes {@code url} once a line naming the server's URL was written. */
    private static final class UrlWatcher extends StringWriter {
        final CompletableFuture<URI> url = new CompletableFuture<>();
        private final Pattern pattern = Pattern.compile("on (http://127\\.0\\.0\\.1:\\d+)");

        @Override
        public void flush() {
            Matcher m = pattern.matcher(toString());
            if (m.find()) {
                url.complete(URI.create(m.group(1)));
            }
        }
    }
}
