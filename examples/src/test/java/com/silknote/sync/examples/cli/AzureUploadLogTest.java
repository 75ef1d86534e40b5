package com.silknote.sync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.storage.blob.BlobContainerClient;
import com.silknote.sync.azure.Azurite;
import com.silknote.sync.examples.SimulatedVsrx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 item 7: uploads to Azure Blob Storage log no warning per request. The Azure SDK's JDK HTTP client
 * dropped the Content-Length header it sets ("restricted by java.net.http.HttpClient") and warned about it
 * for every upload; the fix configures the HTTP client (allowing the header, as the SDK documents), it does
 * not hide {@code com.azure} log lines. Runs the command line in a fresh JVM (the JDK reads the setting once
 * per JVM) against Azurite, with the command line's own logging configuration.
 */
class AzureUploadLogTest {
    @TempDir
    Path dataDir;
    /** The child process's output, apart from its data directory; removed with it. */
    @TempDir
    Path logDir;

    @Test
    void aSyncIntoAzureLogsNoRestrictedHeaderWarnings() throws Exception {
        Azurite azurite = Azurite.shared();
        String container = "warn" + ProcessHandle.current().pid();
        try (SimulatedVsrx vsrx = new SimulatedVsrx().withSampleData()) {
            Path output = logDir.resolve("child-out.txt");
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    VsrxSyncCommand.class.getName(), "sync", "--no-progress"));
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("VSRX_SYNC_") || k.startsWith("AZURE_"));
            pb.environment().put("VSRX_SYNC_DATA_DIR", dataDir.toString());
            pb.environment().put("VSRX_SYNC_VSRX_URL", vsrx.url().toString());
            pb.environment().put("VSRX_SYNC_VSRX_TOKEN", SimulatedVsrx.TOKEN.value());
            pb.environment().put("VSRX_SYNC_AZURE_CONNECTION_STRING", azurite.connectionString());
            pb.environment().put("VSRX_SYNC_AZURE_CONTAINER", container);
            Process child = pb.start();
            assertThat(child.waitFor(180, TimeUnit.SECONDS)).isTrue();
            String log = read(output);

            assertThat(child.exitValue()).as(log).isEqualTo(ExitCode.OK);
            assertThat(log).doesNotContain("restricted", "allowRestrictedHeaders", "HeaderFilteringMap");
            BlobContainerClient blobs = azurite.service().getBlobContainerClient(container);
            assertThat(blobs.listBlobs().stream().count()).as("uploaded blobs").isEqualTo(3);
        }
    }

    private static String read(Path p) throws IOException {
        return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
    }
}
