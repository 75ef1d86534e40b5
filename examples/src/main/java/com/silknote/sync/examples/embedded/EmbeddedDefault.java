package com.silknote.sync.examples.embedded;

import static java.util.Objects.requireNonNull;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobContainerClientBuilder;
import com.silknote.sync.azure.AzureBlobStore;
import com.silknote.sync.core.exception.ConfigurationException;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentProcessor;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.core.port.VsrxTarget;
import com.silknote.sync.examples.config.ConfigKey;
import com.silknote.sync.examples.config.ProcessorChoice;
import com.silknote.sync.examples.config.VsrxSyncSettings;
import com.silknote.sync.fs.FileSystemBlobStore;
import com.silknote.sync.jdbc.EmbeddedPostgresServer;
import com.silknote.sync.jdbc.JdbcLedger;
import com.silknote.sync.vsrx.http.HttpVsrxSource;
import com.silknote.sync.vsrx.http.HttpVsrxTarget;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The embedded default: wires the Silknote side from {@link VsrxSyncSettings}. With no configuration it
 * is an embedded PostgreSQL on a persistent data directory (with the JDBC adapter's migrations) and a
 * content-addressed blob store on the local file system; {@code jdbc.url} and
 * {@code azure.connection-string} switch to an external PostgreSQL and Azure Blob Storage. The lock and
 * the vector store live in the ledger's database; documents are processed by the processor {@code processor}
 * names (the stand-in {@link HashEmbeddingDocumentProcessor} by default, none, or a host's class).
 *
 * <p>The data folder holds patient data (the ledger and the blobs), so it is created readable by its owner
 * only (mode 0700), and the embedded PostgreSQL requires the password it keeps in that folder. When another
 * process already runs the embedded PostgreSQL of the same folder, the ledger connects to it (see
 * {@link EmbeddedPostgresServer}).
 */
public final class EmbeddedDefault {
    private EmbeddedDefault() { }

    /**
     * Opens the Silknote side for a run, on the system clock.
     *
     * @throws ConfigurationException when a backend cannot be reached or started
     * @throws com.silknote.sync.core.exception.SyncException on other backend failures
     */
    public static Backends open(VsrxSyncSettings settings) {
        return open(settings, Clock.systemUTC(), OpenMode.READ_WRITE);
    }

    /**
     * Opens the Silknote side on the system clock.
     *
     * @throws ConfigurationException when a backend cannot be reached or started, or (read-only) the embedded
     *                                data directory holds no ledger
     * @throws com.silknote.sync.core.exception.SyncException on other backend failures
     */
    public static Backends open(VsrxSyncSettings settings, OpenMode mode) {
        return open(settings, Clock.systemUTC(), mode);
    }

    /**
     * Opens the Silknote side.
     *
     * @throws ConfigurationException when a backend cannot be reached or started, or (read-only) the embedded
     *                                data directory holds no ledger
     * @throws com.silknote.sync.core.exception.SyncException on other backend failures
     */
    public static Backends open(VsrxSyncSettings settings, Clock clock, OpenMode mode) {
        requireNonNull(settings, "settings");
        requireNonNull(clock, "clock");
        requireNonNull(mode, "mode");
        boolean write = mode == OpenMode.READ_WRITE;
        List<AutoCloseable> resources = new ArrayList<>();
        try {
            JdbcLedger.Builder ledgerBuilder = JdbcLedger.builder().clock(clock);
            if (settings.embeddedPostgres()) {
                if (write) {
                    createPrivateDirectories(settings.dataDir());
                } else if (!EmbeddedPostgresServer.isInitialized(settings.postgresDir())) {
                    throw new ConfigurationException("no ledger in " + settings.dataDir() + " (nothing was created):"
                            + " check --data-dir or " + ConfigKey.DATA_DIR.envVar() + ", or run `vsrx-sync sync` first");
                }
                ledgerBuilder.embedded(settings.postgresDir()).createEmbedded(write);
            } else {
                ledgerBuilder.jdbcUrl(settings.jdbcUrl().orElseThrow().value(), settings.jdbcUser().orElse("postgres"),
                        settings.jdbcPassword().orElse(Secret.of("")));
            }
            JdbcLedger ledger = ledgerBuilder.build();
            resources.add(ledger);
            if (write) {
                settings.syncConfig().spoolDirectory().ifPresent(EmbeddedDefault::createPrivateDirectories);
            }
            BlobStore blobs = settings.fileSystemBlobs() ? fileSystemBlobs(settings, clock, write)
                    : azureBlobs(settings, clock, write);
            var vectors = ledger.vectorStore();
            return new Backends(ledger.documentStore(), ledger.syncLock(holderId()), blobs, vectors,
                    processor(settings.processor(), blobs, vectors),
                    settings.scaleOut() ? Optional.of(ledger.filesetClaims()) : Optional.empty(),
                    settings.syncConfig(), resources);
        } catch (RuntimeException e) {
            for (AutoCloseable r : resources) {
                try {
                    r.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /**
     * The document processor the settings choose ({@code processor}): none, the stand-in, or a host's class
     * built with its public {@code (BlobStore, VectorStore)} constructor, else its public no-argument one.
     *
     * @throws ConfigurationException when the class cannot be loaded, is no {@link DocumentProcessor} or cannot
     *                                be built
     */
    static DocumentProcessor processor(ProcessorChoice choice, BlobStore blobs, VectorStore vectors) {
        return switch (choice.kind()) {
            case NONE -> DocumentProcessor.NONE;
            case STAND_IN -> new HashEmbeddingDocumentProcessor(blobs, vectors);
            case CLASS -> hostProcessor(choice.className().orElseThrow(), blobs, vectors);
        };
    }

    private static DocumentProcessor hostProcessor(String className, BlobStore blobs, VectorStore vectors) {
        String key = ConfigKey.PROCESSOR.property();
        Class<? extends DocumentProcessor> type;
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            type = Class.forName(className, true, loader != null ? loader : EmbeddedDefault.class.getClassLoader())
                    .asSubclass(DocumentProcessor.class);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new ConfigurationException(key + ": class " + className + " not found on the class path", e);
        } catch (ClassCastException e) {
            throw new ConfigurationException(key + ": class " + className + " is no "
                    + DocumentProcessor.class.getName(), e);
        }
        try {
            try {
                return type.getConstructor(BlobStore.class, VectorStore.class).newInstance(blobs, vectors);
            } catch (NoSuchMethodException e) {
                return type.getConstructor().newInstance();
            }
        } catch (NoSuchMethodException e) {
            throw new ConfigurationException(key + ": class " + className
                    + " has no public (BlobStore, VectorStore) or no-argument constructor", e);
        } catch (InvocationTargetException e) {
            throw new ConfigurationException(key + ": building " + className + " failed", e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ConfigurationException(key + ": building " + className + " failed", e);
        }
    }

    /**
     * The VSRX source a {@code sync} reads: the HTTP client on {@code vsrx.url} with {@code vsrx.token}.
     *
     * @throws ConfigurationException when the URL or the token is missing or malformed
     */
    public static VsrxSource vsrxSource(VsrxSyncSettings settings) {
        requireNonNull(settings, "settings");
        checkVsrxClient(settings);
        try {
            return HttpVsrxSource.builder().baseUri(settings.requireVsrxUrl()).token(settings.vsrxToken().orElseThrow())
                    .build();
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("invalid VSRX client settings (" + ConfigKey.VSRX_URL.property() + ", "
                    + ConfigKey.VSRX_TOKEN.property() + "): " + e.getMessage(), e);
        }
    }

    /**
     * The VSRX write port of a bi-directional {@code sync} ({@code direction = BIDIRECTIONAL}); empty one-way.
     * A source that can write itself (the folder source, a host's own port) is its own target; otherwise the
     * HTTP write routes on the same {@code vsrx.url} with the same {@code vsrx.token} ({@link HttpVsrxTarget}).
     *
     * @throws ConfigurationException when the URL or the token is missing or malformed
     */
    public static Optional<VsrxTarget> vsrxTarget(VsrxSyncSettings settings, VsrxSource source) {
        requireNonNull(settings, "settings");
        requireNonNull(source, "source");
        if (!settings.syncConfig().bidirectional().enabled()) {
            return Optional.empty();
        }
        if (source instanceof VsrxTarget writes) {
            return Optional.of(writes);
        }
        checkVsrxClient(settings);
        try {
            return Optional.of(HttpVsrxTarget.builder().baseUri(settings.requireVsrxUrl())
                    .token(settings.vsrxToken().orElseThrow()).build());
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("invalid VSRX client settings (" + ConfigKey.VSRX_URL.property() + ", "
                    + ConfigKey.VSRX_TOKEN.property() + "): " + e.getMessage(), e);
        }
    }

    /**
     * Checks what a {@code sync} needs to reach VSRX, with the messages {@code sync} fails with: the URL, then
     * the token. {@code vsrx-sync config} runs the same check.
     *
     * @throws ConfigurationException when the URL or the token is missing
     */
    public static void checkVsrxClient(VsrxSyncSettings settings) {
        settings.requireVsrxUrl();
        if (settings.vsrxToken().isEmpty()) {
            throw new ConfigurationException("no VSRX token: set " + ConfigKey.VSRX_TOKEN.envVar() + " (or "
                    + ConfigKey.VSRX_TOKEN.property() + " in the configuration file)");
        }
    }

    private static BlobStore fileSystemBlobs(VsrxSyncSettings settings, Clock clock, boolean write) {
        if (write) {
            createPrivateDirectories(settings.blobsDir());
        }
        return new FileSystemBlobStore(settings.blobsDir(), clock);
    }

    /**
     * The Azure container's store, built on first use (issue 12): a no-op re-run, a run that uploads nothing and
     * the read-only commands never build the SDK client nor check the container. A malformed connection string or a
     * container that cannot be reached fails the first blob operation (a configuration error) instead of the open.
     */
    private static BlobStore azureBlobs(VsrxSyncSettings settings, Clock clock, boolean write) {
        String connection = settings.azureConnectionString().orElseThrow().value();
        return new LazyBlobStore(() -> {
            BlobContainerClient container;
            try {
                container = new BlobContainerClientBuilder()
                        .connectionString(connection)
                        .containerName(settings.azureContainer())
                        .httpClient(AzureHttpClients.forAzure())
                        .retryOptions(AzureBlobStore.recommendedRetryOptions(Duration.ofMinutes(2)))
                        .buildClient();
                if (write) {
                    container.createIfNotExists();
                }
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException("invalid " + ConfigKey.AZURE_CONNECTION_STRING.property(), e);
            } catch (RuntimeException e) {
                throw new ConfigurationException("Azure Blob Storage container " + settings.azureContainer()
                        + " cannot be reached", e);
            }
            return AzureBlobStore.builder().container(container).clock(clock).build();
        }, true);
    }

    /** Creates a folder (and missing parents) readable by its owner only: it holds patient data. */
    static void createPrivateDirectories(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                }
            }
        } catch (IOException e) {
            throw new ConfigurationException("cannot create the folder " + dir, e);
        }
    }

    /** An opaque, log-safe lock holder id: host name and process id. */
    static String holderId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException | SecurityException e) {
            host = "localhost";
        }
        return host + "/" + ProcessHandle.current().pid();
    }
}
