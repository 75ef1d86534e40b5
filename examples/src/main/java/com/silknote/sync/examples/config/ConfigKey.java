package com.silknote.sync.examples.config;

import java.util.Locale;
import java.util.Optional;

/**
 * Every configuration key of the command line and the embedded default. A key is read from the
 * {@code .properties} file under its {@link #property()} name and from the environment under its
 * {@link #envVar()} name ({@code VSRX_SYNC_} + the name in upper case, dots and dashes as underscores);
 * the environment wins over the file. Secret values are never printed.
 */
public enum ConfigKey {
    DATA_DIR("data-dir", false, ".vsrx-sync",
            "Folder of the embedded default: PostgreSQL data (postgres/), blobs (blobs/), spool (spool/)."),
    VSRX_URL("vsrx.url", false, null,
            "Base URL of the VSRX HTTP API (the /v1 protocol). Required by `sync`."),
    VSRX_TOKEN("vsrx.token", true, null,
            "Bearer token for the VSRX API; `serve-vsrx` requires it from clients when set."),
    JDBC_URL("jdbc.url", true, null,
            "External PostgreSQL, e.g. jdbc:postgresql://db:5432/silknote. Unset: embedded PostgreSQL in <data-dir>/postgres."),
    JDBC_USER("jdbc.user", false, null, "User of the external PostgreSQL."),
    JDBC_PASSWORD("jdbc.password", true, null, "Password of the external PostgreSQL."),
    AZURE_CONNECTION_STRING("azure.connection-string", true, null,
            "Azure Blob Storage connection string. Unset: content-addressed blobs in <data-dir>/blobs."),
    AZURE_CONTAINER("azure.container", false, "vsrx-sync", "Blob container (created when missing)."),
    WEBHOOK_SECRETS("webhook.secrets", true, null,
            "Comma-separated HMAC keys accepted on signed webhooks (several during key rotation)."),
    MAX_FILE_SIZE_BYTES("max-file-size-bytes", false, "104857600", "Larger files are skipped (TOO_LARGE)."),
    ALLOWED_MIME_TYPES("allowed-mime-types", false,
            "application/pdf,image/gif,image/jpeg,image/png,image/tiff,text/plain",
            "Comma-separated MIME allow-list; declared type and magic bytes must agree."),
    CHANGE_DETECTION("change-detection", false, "METADATA",
            "METADATA (ETag, else modifiedAt + size) or FULL_HASH."),
    VANISHED_FILES("vanished-files", false, "REPORT",
            "A mapped file missing from a listing: REPORT (default) or DELETE."),
    MASS_DELETE_MAX_SHARE("mass-delete.max-share", false, "0.5",
            "Largest share (0..1) of a fileset's documents one run may delete."),
    MASS_DELETE_MIN_DELETES("mass-delete.min-deletes", false, "3",
            "The mass-delete guard trips only from this many deletes on."),
    FILESET_CONCURRENCY("fileset-concurrency", false, "2", "Filesets processed at once."),
    FILE_CONCURRENCY("file-concurrency", false, "8", "Downloads/uploads in flight at once."),
    PAGE_SIZE("page-size", false, "500", "Listing page size (1..1000)."),
    LOCK_TTL("lock-ttl", false, "5m", "Lease of the vsrx-sync lock; renewed at a third of it."),
    RETRY_MAX_ATTEMPTS("retry.max-attempts", false, "5", "Attempts per call, the first included."),
    RETRY_BASE_DELAY("retry.base-delay", false, "200ms", "Delay cap of the first retry (full jitter)."),
    RETRY_MAX_DELAY("retry.max-delay", false, "30s", "Upper bound of any retry delay."),
    RETRY_HONOR_RETRY_AFTER("retry.honor-retry-after", false, "true", "Wait what Retry-After asks (capped)."),
    SPOOL_DIR("spool-dir", false, null, "Where downloads are spooled. Unset: <data-dir>/spool."),
    MAX_OUTBOX_ATTEMPTS("max-outbox-attempts", false, "5",
            "Attempts of post-commit processing before an entry is parked."),
    PROCESSOR("processor", false, "stand-in",
            "Document processing after each commit: none (no processing, no vector entries), stand-in"
                    + " (pseudo-embeddings, for demos) or a host's DocumentProcessor class name."),
    BLOB_GRACE_PERIOD("blob-grace-period", false, "1h", "Unreferenced blobs (and any orphan the cleanup finds) younger than this are kept."),
    ALERT_DURATION_WARNING("alert.duration.warning", false, "300s", "Run duration that raises a warning."),
    ALERT_DURATION_CRITICAL("alert.duration.critical", false, "600s", "Run duration that is critical."),
    ALERT_ERROR_RATE_WARNING("alert.error-rate.warning", false, "0.05", "Failures per file sync (warning)."),
    ALERT_ERROR_RATE_CRITICAL("alert.error-rate.critical", false, "0.10", "Failures per file sync (critical)."),
    ALERT_CONSECUTIVE_FAILURES_WARNING("alert.consecutive-failures.warning", false, "3",
            "Failed runs in a row (warning)."),
    ALERT_CONSECUTIVE_FAILURES_CRITICAL("alert.consecutive-failures.critical", false, "5",
            "Failed runs in a row (critical)."),
    DOWNLOAD_MAX_BYTES_PER_SECOND("download.max-bytes-per-second", false, "0",
            "Bandwidth cap of downloads from VSRX, shared by all file threads (KiB/MiB suffixes); 0 = none."),
    RUN_MAX_FILES("run.max-files", false, null,
            "A run starts no further fileset once it downloaded this many files; the next run resumes."),
    RUN_MAX_BYTES("run.max-bytes", false, null,
            "A run starts no further fileset once it downloaded this many bytes; the next run resumes."),
    HISTORY_MAX_AGE("history.max-age", false, "30d", "Runs that started longer ago are removed from the run history."),
    HISTORY_MAX_RUNS("history.max-runs", false, "3000", "The run history keeps at most this many runs."),
    REPORT_FILESET_LIMIT("report.fileset-limit", false, "1000",
            "Fileset reports a run's result keeps (failed ones first); the run history stores all."),
    SCALE_OUT("scale-out", false, "false",
            "Share each run's filesets with other processes on the same PostgreSQL (FOR UPDATE SKIP LOCKED claims)."),
    DIRECTION("direction", false, "VSRX_TO_SILKNOTE",
            "VSRX_TO_SILKNOTE (one-way) or BIDIRECTIONAL (Silknote changes are written to VSRX; docs/bidirectional.md)."),
    BIDIRECTIONAL_CREATES("bidirectional.creates", false, "true",
            "Bi-directional: documents created in Silknote for a linked patient become new VSRX files."),
    BIDIRECTIONAL_CONTENT_UPDATES("bidirectional.content-updates", false, "true",
            "Bi-directional: new content of a linked document replaces the VSRX file's content."),
    BIDIRECTIONAL_DELETES("bidirectional.deletes", false, "false",
            "Bi-directional: a document removed in Silknote marks its VSRX file deleted (under the mass-delete guard)."),
    BIDIRECTIONAL_GROUPED_DOCUMENTS("bidirectional.grouped-documents", false, "false",
            "Bi-directional: also push documents a Silknote user has grouped."),
    BIDIRECTIONAL_EXPORT_FOLDER("bidirectional.export-folder", false, "notes/silknote/",
            "Bi-directional: folder inside notes/ (ending with /) where Silknote-created documents are written."),
    CONFLICT_STRATEGY("conflict-strategy", false, "REPORT",
            "Bi-directional: REPORT, VSRX_WINS, SILKNOTE_WINS, NEWER_WINS or KEEP_BOTH when both sides changed.");

    /** Environment variable naming the configuration file (the file itself has no key for it). */
    public static final String CONFIG_FILE_ENV = "VSRX_SYNC_CONFIG";
    /** Prefix of every environment variable read. */
    public static final String ENV_PREFIX = "VSRX_SYNC_";
    /** Environment variable of the {@code ./vsrx-sync} launcher: extra JVM options, not a configuration key. */
    public static final String JAVA_OPTS_ENV = "VSRX_SYNC_JAVA_OPTS";
    /** Prefix of the test suite's variables ({@code VSRX_SYNC_TEST_JDBC_URL}, ...), not configuration keys. */
    public static final String TEST_ENV_PREFIX = "VSRX_SYNC_TEST_";

    private final String property;
    private final boolean secret;
    private final String defaultValue;
    private final String description;

    ConfigKey(String property, boolean secret, String defaultValue, String description) {
        this.property = property;
        this.secret = secret;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    /** Name in the {@code .properties} file. */
    public String property() {
        return property;
    }

    /** Name of the environment variable. */
    public String envVar() {
        return ENV_PREFIX + property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** {@code true} when the value is never printed (it may carry a credential). */
    public boolean secret() {
        return secret;
    }

    /** The default, as it would be written in the file; empty when there is none. */
    public Optional<String> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    /** One line for the configuration reference. */
    public String description() {
        return description;
    }

    /** The key with the given file name. */
    public static Optional<ConfigKey> byProperty(String property) {
        for (ConfigKey k : values()) {
            if (k.property.equals(property)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    /**
     * {@code true} for a {@code VSRX_SYNC_*} variable that is meant for someone else than the configuration:
     * {@value #CONFIG_FILE_ENV} (names the file), {@value #JAVA_OPTS_ENV} (read by the launcher script) and
     * {@code VSRX_SYNC_TEST_*} (read by the test suite). Every other {@code VSRX_SYNC_*} variable must be a key.
     */
    public static boolean isNotAKey(String envVar) {
        return envVar.equals(CONFIG_FILE_ENV) || envVar.equals(JAVA_OPTS_ENV) || envVar.startsWith(TEST_ENV_PREFIX);
    }

    /** The key with the given environment variable name. */
    public static Optional<ConfigKey> byEnvVar(String name) {
        for (ConfigKey k : values()) {
            if (k.envVar().equals(name)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
