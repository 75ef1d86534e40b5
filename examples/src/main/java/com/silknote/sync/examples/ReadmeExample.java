package com.silknote.sync.examples;

import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentProcessor;
import com.silknote.sync.examples.embedded.HashEmbeddingDocumentProcessor;
import com.silknote.sync.fs.FileSystemBlobStore;
import com.silknote.sync.jdbc.JdbcLedger;
import com.silknote.sync.vsrx.http.HttpVsrxSource;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The README's embedding example, compiled and run by {@code ReadmeExampleTest}, which also checks that the
 * README shows exactly the region between the {@code tag::embed} markers.
 *
 * <p>Run: {@code java -cp examples/target/vsrx-sync.jar com.silknote.sync.examples.ReadmeExample <vsrx-url>}
 * with {@code VSRX_SYNC_VSRX_TOKEN} set (e.g. against {@code ./vsrx-sync serve-vsrx --simulator}).
 */
public final class ReadmeExample {
    private ReadmeExample() { }

    /**
     * Syncs VSRX at {@code vsrxUrl} into an embedded ledger and file-system blobs under {@code dataDir}.
     *
     * @throws com.silknote.sync.core.exception.SyncException when a backend fails
     */
    public static SyncResult sync(URI vsrxUrl, Secret vsrxToken, Path dataDir) {
        // tag::embed[]
        try (JdbcLedger ledger = JdbcLedger.embedded(dataDir.resolve("postgres"))) { // or .builder().jdbcUrl(...)
            BlobStore blobs = new FileSystemBlobStore(dataDir.resolve("blobs"), Clock.systemUTC()); // or AzureBlobStore
            DocumentProcessor pipeline = new HashEmbeddingDocumentProcessor(blobs, ledger.vectorStore()); // yours
            VsrxSync sync = VsrxSync.builder()
                    .source(HttpVsrxSource.builder().baseUri(vsrxUrl).token(vsrxToken).build())
                    .documents(ledger.documentStore())
                    .lock(ledger.syncLock("silknote-backend-1"))
                    .blobs(blobs)
                    .vectors(ledger.vectorStore())
                    .processor(pipeline)
                    .build();
            return sync.run(SyncRequest.full()); // or SyncRequest.fileset(id) on a webhook
        }
        // end::embed[]
    }

    /**
     * {@code ReadmeExample <vsrx-url> [data-dir]}; the token comes from {@code VSRX_SYNC_VSRX_TOKEN}.
     *
     * @throws IllegalArgumentException when the arguments or the token are missing
     */
    public static void main(String[] args) {
        if (args.length < 1 || System.getenv("VSRX_SYNC_VSRX_TOKEN") == null) {
            throw new IllegalArgumentException("usage: ReadmeExample <vsrx-url> [data-dir], with VSRX_SYNC_VSRX_TOKEN set");
        }
        Path dataDir = Path.of(args.length > 1 ? args[1] : ".vsrx-sync/readme-example");
        SyncResult result = sync(URI.create(args[0]), Secret.of(System.getenv("VSRX_SYNC_VSRX_TOKEN")), dataDir);
        System.out.println(result.success() ? "sync completed: " + result.report().map(r -> r.filesets().size())
                .orElse(0) + " filesets" : "sync did not complete: " + result.error().orElse("see the report"));
    }
}
