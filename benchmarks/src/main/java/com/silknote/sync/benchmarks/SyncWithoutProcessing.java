package com.silknote.sync.benchmarks;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobContainerClientBuilder;
import com.silknote.sync.azure.AzureBlobStore;
import com.silknote.sync.azure.UrlConnectionAzureHttpClient;
import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.jdbc.JdbcLedger;
import com.silknote.sync.vsrx.http.HttpVsrxSource;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A step of {@code benchmarks/run.sh}: the sync as the command line wires it (VSRX over HTTP, the embedded
 * PostgreSQL ledger, {@link AzureBlobStore} over the command line's SDK transport
 * ({@link UrlConnectionAzureHttpClient}), default {@code SyncConfig}) but with a document processor
 * that only counts, so the sync's own cost is measured apart from the stand-in processor's (which reads
 * every blob back and writes a vector row per 4 KiB). Library API only. Prints one JSON line.
 *
 * <pre>
 * VSRX_URL=... VSRX_TOKEN=... AZURE_STORAGE_CONNECTION_STRING=... CONTAINER=... DATA_DIR=... \
 *   java -cp benchmarks/target/benchmarks.jar com.silknote.sync.benchmarks.SyncWithoutProcessing
 * </pre>
 */
public final class SyncWithoutProcessing {

    private SyncWithoutProcessing() {
    }

    /** Runs one full sync; exit code 0 when it succeeded. */
    public static void main(String[] args) {
        long t0 = System.nanoTime();
        HttpVsrxSource source = HttpVsrxSource.builder().baseUri(URI.create(env("VSRX_URL")))
                .token(Secret.of(env("VSRX_TOKEN"))).build();
        BlobContainerClient container = new BlobContainerClientBuilder()
                .connectionString(env("AZURE_STORAGE_CONNECTION_STRING")).containerName(env("CONTAINER"))
                .httpClient(UrlConnectionAzureHttpClient.builder().build())
                .retryOptions(AzureBlobStore.recommendedRetryOptions(Duration.ofSeconds(60))).buildClient();
        container.createIfNotExists();
        AtomicLong processed = new AtomicLong();
        int rc;
        try (JdbcLedger ledger = JdbcLedger.embedded(Path.of(env("DATA_DIR")).resolve("postgres"))) {
            long t1 = System.nanoTime();
            VsrxSync sync = VsrxSync.builder().source(source).documents(ledger.documentStore())
                    .lock(ledger.syncLock("benchmark")).blobs(AzureBlobStore.builder().container(container).build())
                    .vectors(ledger.vectorStore()).processor((doc, token) -> processed.incrementAndGet()).build();
            SyncResult r = sync.run(SyncRequest.full());
            long t2 = System.nanoTime();
            StringJoiner totals = new StringJoiner(",");
            long downloaded = -1;
            if (r.report().isPresent()) {
                SyncReport rep = r.report().get();
                for (FileAction a : FileAction.values()) {
                    totals.add("\"" + a.name() + "\":" + rep.count(a));
                }
                downloaded = rep.metrics().bytesDownloaded();
            }
            System.out.printf(Locale.ROOT, "{\"tool\":\"sync-without-processing\",\"success\":%b,\"open_s\":%.3f,"
                    + "\"run_s\":%.3f,\"processed\":%d,\"bytes_downloaded\":%d,\"totals\":{%s}}%n", r.success(),
                    (t1 - t0) / 1e9, (t2 - t1) / 1e9, processed.get(), downloaded, totals);
            rc = r.success() ? 0 : 1;
        }
        System.exit(rc);
    }

    private static String env(String name) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("environment variable " + name + " is required");
        }
        return v;
    }
}
