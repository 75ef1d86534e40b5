package com.silknote.sync.examples;

import com.silknote.sync.azure.Azurite;
import static org.assertj.core.api.Assertions.assertThat;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.options.BlobBreakLeaseOptions;
import com.azure.storage.blob.specialized.BlobLeaseClientBuilder;
import com.silknote.sync.azure.AzureBlobLeaseLock;
import com.silknote.sync.azure.AzureBlobLeaseLockConfig;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.jdbc.JdbcLedger;
import com.silknote.sync.jdbc.JdbiDocumentStore;
import com.silknote.sync.jdbc.SchemaMapping;
import com.silknote.sync.testkit.TempFolders;
import com.silknote.sync.testkit.contract.PausedHolderScenario;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * DESIGN rule 10 / issue 9 item 2: the paused-holder interleavings with {@link AzureBlobLeaseLock} on Azurite
 * and the {@code @Inject}-constructed {@link JdbiDocumentStore} on the embedded PostgreSQL: the store has no
 * lock row to look at, so fencing rests on each run's {@code fence} and the units of work's expectations.
 * This module is the only one that sees both adapters. Azurite comes from {@code .ci/.cache/azurite} (npm
 * installs it there when missing, as the Azure adapter's tests do).
 */
class AzureLockJdbcStorePausedHolderTest extends PausedHolderScenario {
    private static final String ACCOUNT = "devstoreaccount1";
    private static final String KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static final AtomicInteger CONTAINERS = new AtomicInteger();

    private static Process azurite;
    private static int port;
    private static JdbcLedger ledger;
    private static Path ledgerDir;

    private BlobContainerClient container;
    private long seed = 301;

    @BeforeAll
    static void start() throws IOException {
        azurite = startAzurite();
        ledgerDir = Files.createTempDirectory("vsrx-sync-paused-holder");
        ledger = JdbcLedger.embedded(ledgerDir.resolve("pg"));
    }

    @AfterAll
    static void stop() {
        if (ledger != null) {
            ledger.close();
            TempFolders.deleteWhenStopped(ledgerDir, ledgerDir.resolve("pg/postmaster.pid"), Duration.ofSeconds(20));
        }
        if (azurite != null) {
            azurite.descendants().forEach(ProcessHandle::destroy);
            azurite.destroy();
        }
    }

    @Override
    protected DocumentStore newDocumentStore(Clock clock) {
        try (Connection c = ledger.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("""
                    TRUNCATE vsrx_sync_fileset, vsrx_sync_document, vsrx_sync_mapping, vsrx_sync_blob_ref,
                        vsrx_sync_skip, vsrx_sync_outbox, vsrx_sync_state, vsrx_sync_run, vsrx_sync_fence,
                        vsrx_sync_lock, vsrx_sync_audit RESTART IDENTITY""");
        } catch (SQLException e) {
            throw new IllegalStateException("could not empty the ledger", e);
        }
        container = new BlobServiceClientBuilder().connectionString(connectionString()).buildClient()
                .getBlobContainerClient("paused-" + ProcessHandle.current().pid() + "-" + CONTAINERS.incrementAndGet());
        container.create();
        return new JdbiDocumentStore(ledger.dataSource(), SchemaMapping.defaults(), clock);
    }

    @Override
    protected SyncLock newLock(Clock clock) {
        long s = seed++;
        return AzureBlobLeaseLock.builder().container(container)
                .config(AzureBlobLeaseLockConfig.defaults("paused-host-" + s))
                .clock(clock).random(new SplittableRandom(s)).build();
    }

    @Override
    protected void forceExpiry(String name) {
        new BlobLeaseClientBuilder().blobClient(container.getBlobClient("locks/" + name)).buildClient()
                .breakLeaseWithResponse(new BlobBreakLeaseOptions().setBreakPeriod(Duration.ZERO), null, null);
    }

    private static String connectionString() {
        return "DefaultEndpointsProtocol=http;AccountName=" + ACCOUNT + ";AccountKey=" + KEY
                + ";BlobEndpoint=http://127.0.0.1:" + port + "/" + ACCOUNT + ";";
    }

    private static Process startAzurite() throws IOException {
        Path dir = ReadmeExampleTest.repositoryRoot().resolve(".ci").resolve(".cache").resolve("azurite");
        Path bin = dir.resolve("node_modules").resolve(".bin").resolve("azurite-blob");
        if (!Files.isExecutable(bin)) {
            Process npm = new ProcessBuilder(List.of("npm", "install", "--prefix", dir.toString(), "--no-audit",
                    "--no-fund", "--loglevel=error", "azurite@3.37.0")).inheritIO().start();
            try {
                assertThat(npm.waitFor(10, TimeUnit.MINUTES) && npm.exitValue() == 0)
                        .as("npm install of azurite into " + dir).isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path work = TempFolders.deleteAtExit(Files.createTempDirectory("azurite-"));
        Process p = new ProcessBuilder(List.of(bin.toString(), "--silent", "--inMemoryPersistence", "--blobHost",
                "127.0.0.1", "--blobPort", Integer.toString(port), "--skipApiVersionCheck", "--disableTelemetry"))
                .directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(work.resolve("azurite.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try {
            while (System.nanoTime() < deadline && p.isAlive()) {
                if (answers()) {
                    return p;
                }
                p.waitFor(100, TimeUnit.MILLISECONDS); // returns at once when the process exits
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        p.destroyForcibly();
        throw new IllegalStateException("Azurite did not start; see " + work.resolve("azurite.log"));
    }

    private static boolean answers() {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/" + ACCOUNT
                    + "?comp=list").toURL().openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(2000);
            int status = c.getResponseCode();
            c.disconnect();
            return status > 0;
        } catch (IOException e) {
            return false;
        }
    }
}
