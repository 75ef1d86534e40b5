package com.silknote.sync.examples;

import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentProcessor;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.Sleeper;
import com.silknote.sync.core.port.SyncListener;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.examples.config.VsrxSyncConfigFile;
import com.silknote.sync.examples.config.VsrxSyncSettings;
import com.silknote.sync.examples.embedded.EmbeddedDefault;
import com.silknote.sync.examples.embedded.HashEmbeddingDocumentProcessor;
import com.silknote.sync.fs.FileSystemBlobStore;
import com.silknote.sync.jdbc.JdbcLedger;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * How a dependency-injection container wires vsrx-sync, written as a plain class so no container is
 * needed to compile or run it. Each public method is a bean factory: in a Spring Boot application the class
 * is annotated {@code @Configuration} and each method {@code @Bean} (the ledger with
 * {@code destroyMethod = "close"}); the container calls them in dependency order, as {@link #main} does here
 * by hand. With Guice or Dagger the same methods become {@code @Provides} methods. The engine and every
 * adapter also have one public {@code jakarta.inject.@Inject} constructor, so a container can build them
 * without any factory method at all.
 *
 * <pre>{@code
 * @Configuration
 * class VsrxSyncBeans {
 *     @Bean(destroyMethod = "close") JdbcLedger jdbcLedger(VsrxSyncSettings s) { ... }
 *     @Bean DocumentStore documentStore(JdbcLedger ledger) { return ledger.documentStore(); }
 *     ...
 *     @Bean VsrxSync vsrxSync(VsrxSource source, DocumentStore documents, ...) { ... }
 * }
 * }</pre>
 *
 * The host's scheduler or webhook endpoint then calls {@code vsrxSync.run(...)}.
 */
public class ContainerConfigurationExample {

    /** {@code @Bean}: the configuration (in Spring, bound from the application's properties). */
    public VsrxSyncSettings settings(Map<String, String> environment) {
        return VsrxSyncConfigFile.load(VsrxSyncConfigFile.fileFromEnvironment(environment), environment, Map.of());
    }

    /** {@code @Bean}: the engine configuration. */
    public SyncConfig syncConfig(VsrxSyncSettings settings) {
        return settings.syncConfig();
    }

    /** {@code @Bean(destroyMethod = "close")}: the ledger; embedded PostgreSQL unless a JDBC URL is configured. */
    public JdbcLedger jdbcLedger(VsrxSyncSettings settings) {
        JdbcLedger.Builder b = JdbcLedger.builder();
        if (settings.embeddedPostgres()) {
            b.embedded(settings.postgresDir());
        } else {
            b.jdbcUrl(settings.jdbcUrl().orElseThrow().value(), settings.jdbcUser().orElse("postgres"),
                    settings.jdbcPassword().orElse(com.silknote.sync.core.model.Secret.of("")));
        }
        return b.build();
    }

    /** {@code @Bean} */
    public DocumentStore documentStore(JdbcLedger ledger) {
        return ledger.documentStore();
    }

    /** {@code @Bean}: the {@code vsrx-sync} lock; the holder id names this host instance. */
    public SyncLock syncLock(JdbcLedger ledger) {
        return ledger.syncLock("container-example-" + ProcessHandle.current().pid());
    }

    /** {@code @Bean} */
    public VectorStore vectorStore(JdbcLedger ledger) {
        return ledger.vectorStore();
    }

    /** {@code @Bean}: file-system blobs here; an {@code AzureBlobStore} on the host's container client in production. */
    public BlobStore blobStore(VsrxSyncSettings settings) {
        return new FileSystemBlobStore(settings.blobsDir(), Clock.systemUTC());
    }

    /** {@code @Bean}: Silknote's own pipeline in production; the stand-in here. */
    public DocumentProcessor documentProcessor(BlobStore blobs, VectorStore vectors) {
        return new HashEmbeddingDocumentProcessor(blobs, vectors);
    }

    /** {@code @Bean}: VSRX over HTTP. */
    public VsrxSource vsrxSource(VsrxSyncSettings settings) {
        return EmbeddedDefault.vsrxSource(settings);
    }

    /** {@code @Bean}: the engine, through its {@code @Inject} constructor. */
    public VsrxSync vsrxSync(VsrxSource source, DocumentStore documents, BlobStore blobs, VectorStore vectors,
            DocumentProcessor processor, SyncLock lock, SyncConfig config) {
        return new VsrxSync(source, documents, blobs, vectors, processor, lock, Optional.empty(), SyncListener.NONE,
                config, Clock.systemUTC(), Sleeper.SYSTEM, new SecureRandom());
    }

    /**
     * What the container does: call the factories in dependency order, use the engine, close the ledger.
     *
     * @throws com.silknote.sync.core.exception.SyncException when the configuration or a backend fails
     */
    public static SyncResult runOnce(Map<String, String> environment, Optional<String> fileset) {
        ContainerConfigurationExample beans = new ContainerConfigurationExample();
        VsrxSyncSettings settings = beans.settings(environment);
        try (JdbcLedger ledger = beans.jdbcLedger(settings)) {
            BlobStore blobs = beans.blobStore(settings);
            VectorStore vectors = beans.vectorStore(ledger);
            VsrxSync sync = beans.vsrxSync(beans.vsrxSource(settings), beans.documentStore(ledger), blobs, vectors,
                    beans.documentProcessor(blobs, vectors), beans.syncLock(ledger), beans.syncConfig(settings));
            return sync.run(fileset.map(id -> SyncRequest.fileset(com.silknote.sync.core.model.FilesetId.of(id)))
                    .orElse(SyncRequest.full()));
        }
    }

    /**
     * {@code ContainerConfigurationExample [fileset-id]}, configured by {@code VSRX_SYNC_*} variables.
     *
     * @throws com.silknote.sync.core.exception.SyncException when the configuration or a backend fails
     */
    public static void main(String[] args) {
        SyncResult r = runOnce(System.getenv(), args.length > 0 ? Optional.of(args[0]) : Optional.empty());
        System.out.println(r.success() ? "sync completed" : "sync did not complete: " + r.error().orElse("see the report"));
    }
}
