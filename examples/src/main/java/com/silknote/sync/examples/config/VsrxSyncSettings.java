package com.silknote.sync.examples.config;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.RunBudget;
import com.silknote.sync.core.model.SyncConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The resolved configuration of the command line and the embedded default: where the ledger and the
 * blobs live, how to reach VSRX, and the engine's {@link SyncConfig}. Made by {@link VsrxSyncConfigFile}.
 * Secrets are {@link Secret}s, so neither {@code toString()} nor {@link #describe()} prints them.
 *
 * @param dataDir               folder of the embedded default (PostgreSQL data, blobs, spool)
 * @param vsrxUrl               base URL of the VSRX API
 * @param vsrxToken             bearer token of the VSRX API
 * @param jdbcUrl               external PostgreSQL; empty = embedded PostgreSQL in {@code dataDir/postgres}
 * @param jdbcUser              user of the external PostgreSQL
 * @param jdbcPassword          password of the external PostgreSQL
 * @param azureConnectionString Azure Blob Storage; empty = file-system blobs in {@code dataDir/blobs}
 * @param azureContainer        the blob container
 * @param webhookSecrets        HMAC keys accepted on webhooks
 * @param syncConfig            the engine configuration
 * @param origins               where each key's value came from
 * @param runBudget             limits of each run ({@code run.max-files}, {@code run.max-bytes})
 * @param scaleOut              whether runs share their filesets with other processes ({@code scale-out})
 * @param processor             the document processor to use ({@code processor})
 */
public record VsrxSyncSettings(
        Path dataDir,
        Optional<URI> vsrxUrl,
        Optional<Secret> vsrxToken,
        Optional<Secret> jdbcUrl,
        Optional<String> jdbcUser,
        Optional<Secret> jdbcPassword,
        Optional<Secret> azureConnectionString,
        String azureContainer,
        List<Secret> webhookSecrets,
        SyncConfig syncConfig,
        Map<ConfigKey, Origin> origins,
        RunBudget runBudget,
        boolean scaleOut,
        ProcessorChoice processor) {

    /** Where a value came from; later sources win. */
    public enum Origin { DEFAULT, FILE, ENVIRONMENT, COMMAND_LINE }

    public VsrxSyncSettings {
        requireNonNull(dataDir, "dataDir");
        requireNonNull(vsrxUrl, "vsrxUrl");
        requireNonNull(vsrxToken, "vsrxToken");
        requireNonNull(jdbcUrl, "jdbcUrl");
        requireNonNull(jdbcUser, "jdbcUser");
        requireNonNull(jdbcPassword, "jdbcPassword");
        requireNonNull(azureConnectionString, "azureConnectionString");
        requireNonNull(azureContainer, "azureContainer");
        webhookSecrets = List.copyOf(requireNonNull(webhookSecrets, "webhookSecrets"));
        requireNonNull(syncConfig, "syncConfig");
        Map<ConfigKey, Origin> copy = new EnumMap<>(ConfigKey.class);
        copy.putAll(requireNonNull(origins, "origins"));
        origins = Map.copyOf(copy);
        requireNonNull(runBudget, "runBudget");
        requireNonNull(processor, "processor");
    }

    /** Settings with every default and the given data folder (the embedded default, no VSRX URL). */
    public static VsrxSyncSettings defaults(Path dataDir) {
        return VsrxSyncConfigFile.load(Optional.empty(), Map.of(),
                Map.of(ConfigKey.DATA_DIR, dataDir.toString()));
    }

    /** {@code true} when the ledger is the embedded PostgreSQL. */
    public boolean embeddedPostgres() {
        return jdbcUrl.isEmpty();
    }

    /** {@code true} when blobs go to the local file system rather than Azure. */
    public boolean fileSystemBlobs() {
        return azureConnectionString.isEmpty();
    }

    /** Data folder of the embedded PostgreSQL. */
    public Path postgresDir() {
        return dataDir.resolve("postgres");
    }

    /** Root of the file-system blob store. */
    public Path blobsDir() {
        return dataDir.resolve("blobs");
    }

    /** The VSRX URL, or a {@link com.silknote.sync.core.exception.ConfigurationException} naming the key. */
    public URI requireVsrxUrl() {
        return vsrxUrl.orElseThrow(() -> new com.silknote.sync.core.exception.ConfigurationException(
                "no VSRX URL: set " + ConfigKey.VSRX_URL.property() + " in the configuration file or "
                        + ConfigKey.VSRX_URL.envVar()));
    }

    /** The origin of a key's value. */
    public Origin origin(ConfigKey key) {
        return origins.getOrDefault(key, Origin.DEFAULT);
    }

    /**
     * One line per key, {@code key = value (origin)}, secrets shown only as set or unset. Safe to print.
     */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        SyncConfig c = syncConfig;
        for (ConfigKey k : ConfigKey.values()) {
            String value = switch (k) {
                case DATA_DIR -> dataDir.toString();
                case VSRX_URL -> vsrxUrl.map(VsrxSyncSettings::withoutUserInfoAndQuery).orElse("(unset)");
                case VSRX_TOKEN -> masked(vsrxToken.isPresent());
                case JDBC_URL -> jdbcUrl.isPresent() ? "**** (external PostgreSQL)"
                        : "(unset: embedded PostgreSQL in " + postgresDir() + ")";
                case JDBC_USER -> jdbcUser.orElse("(unset)");
                case JDBC_PASSWORD -> masked(jdbcPassword.isPresent());
                case AZURE_CONNECTION_STRING -> azureConnectionString.isPresent() ? "**** (Azure Blob Storage)"
                        : "(unset: file-system blobs in " + blobsDir() + ")";
                case AZURE_CONTAINER -> azureContainer;
                case WEBHOOK_SECRETS -> webhookSecrets.isEmpty() ? "(unset)" : "**** (" + webhookSecrets.size() + ")";
                case MAX_FILE_SIZE_BYTES -> Long.toString(c.maxFileSizeBytes());
                case ALLOWED_MIME_TYPES -> String.join(",", new java.util.TreeSet<>(c.allowedMimeTypes()));
                case CHANGE_DETECTION -> c.changeDetection().name();
                case VANISHED_FILES -> c.vanishedFilePolicy().name();
                case MASS_DELETE_MAX_SHARE -> Double.toString(c.massDeleteGuard().maxShare());
                case MASS_DELETE_MIN_DELETES -> Integer.toString(c.massDeleteGuard().minDeletes());
                case FILESET_CONCURRENCY -> Integer.toString(c.filesetConcurrency());
                case FILE_CONCURRENCY -> Integer.toString(c.fileConcurrency());
                case PAGE_SIZE -> Integer.toString(c.pageSize());
                case LOCK_TTL -> Values.formatDuration(c.lockTtl());
                case RETRY_MAX_ATTEMPTS -> Integer.toString(c.retryPolicy().maxAttempts());
                case RETRY_BASE_DELAY -> Values.formatDuration(c.retryPolicy().baseDelay());
                case RETRY_MAX_DELAY -> Values.formatDuration(c.retryPolicy().maxDelay());
                case RETRY_HONOR_RETRY_AFTER -> Boolean.toString(c.retryPolicy().honorRetryAfter());
                case SPOOL_DIR -> c.spoolDirectory().map(Path::toString).orElse("(JVM temp folder)");
                case MAX_OUTBOX_ATTEMPTS -> Integer.toString(c.maxOutboxAttempts());
                case PROCESSOR -> processor.value();
                case BLOB_GRACE_PERIOD -> Values.formatDuration(c.blobGracePeriod());
                case ALERT_DURATION_WARNING -> Values.formatDuration(c.alertThresholds().durationWarning());
                case ALERT_DURATION_CRITICAL -> Values.formatDuration(c.alertThresholds().durationCritical());
                case ALERT_ERROR_RATE_WARNING -> Double.toString(c.alertThresholds().errorRateWarning());
                case ALERT_ERROR_RATE_CRITICAL -> Double.toString(c.alertThresholds().errorRateCritical());
                case ALERT_CONSECUTIVE_FAILURES_WARNING ->
                        Integer.toString(c.alertThresholds().consecutiveFailuresWarning());
                case ALERT_CONSECUTIVE_FAILURES_CRITICAL ->
                        Integer.toString(c.alertThresholds().consecutiveFailuresCritical());
                case DOWNLOAD_MAX_BYTES_PER_SECOND -> c.maxDownloadBytesPerSecond() == 0 ? "0 (no cap)"
                        : Long.toString(c.maxDownloadBytesPerSecond());
                case RUN_MAX_FILES -> runBudget.maxFiles().isPresent()
                        ? Long.toString(runBudget.maxFiles().getAsLong()) : "(unset)";
                case RUN_MAX_BYTES -> runBudget.maxBytes().isPresent()
                        ? Long.toString(runBudget.maxBytes().getAsLong()) : "(unset)";
                case HISTORY_MAX_AGE -> Values.formatDuration(c.runRetention().maxAge());
                case HISTORY_MAX_RUNS -> Integer.toString(c.runRetention().maxRuns());
                case REPORT_FILESET_LIMIT -> Integer.toString(c.reportFilesetLimit());
                case SCALE_OUT -> Boolean.toString(scaleOut);
                case DIRECTION -> c.bidirectional().direction().name();
                case BIDIRECTIONAL_CREATES -> Boolean.toString(c.bidirectional().creates());
                case BIDIRECTIONAL_CONTENT_UPDATES -> Boolean.toString(c.bidirectional().contentUpdates());
                case BIDIRECTIONAL_DELETES -> Boolean.toString(c.bidirectional().deletes());
                case BIDIRECTIONAL_GROUPED_DOCUMENTS -> Boolean.toString(c.bidirectional().groupedDocuments());
                case BIDIRECTIONAL_EXPORT_FOLDER -> c.bidirectional().exportFolder();
                case CONFLICT_STRATEGY -> c.bidirectional().conflictStrategy().name();
            };
            lines.add(k.property() + " = " + value + "  (" + origin(k).name().toLowerCase(java.util.Locale.ROOT)
                    .replace('_', ' ') + ")");
        }
        return List.copyOf(lines);
    }

    private static String masked(boolean set) {
        return set ? "****" : "(unset)";
    }

    /** A URL as safe to print: scheme, host, port and path only (no user info, no query, no fragment). */
    static String withoutUserInfoAndQuery(URI uri) {
        StringBuilder sb = new StringBuilder();
        if (uri.getScheme() != null) {
            sb.append(uri.getScheme()).append("://");
        }
        if (uri.getHost() != null) {
            sb.append(uri.getHost());
        }
        if (uri.getPort() >= 0) {
            sb.append(':').append(uri.getPort());
        }
        if (uri.getRawPath() != null) {
            sb.append(uri.getRawPath());
        }
        if (uri.getRawQuery() != null) {
            sb.append("?****");
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "VsrxSyncSettings[dataDir=" + dataDir + ", embeddedPostgres=" + embeddedPostgres()
                + ", fileSystemBlobs=" + fileSystemBlobs() + "]";
    }
}
