package com.silknote.sync.examples.config;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.ConfigurationException;
import com.silknote.sync.core.model.AlertThresholds;
import com.silknote.sync.core.model.BidirectionalConfig;
import com.silknote.sync.core.model.ChangeDetectionMode;
import com.silknote.sync.core.model.ConflictStrategy;
import com.silknote.sync.core.model.MassDeleteGuard;
import com.silknote.sync.core.model.RetryPolicy;
import com.silknote.sync.core.model.RunBudget;
import com.silknote.sync.core.model.RunRetention;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncDirection;
import com.silknote.sync.core.model.VanishedFilePolicy;
import com.silknote.sync.examples.config.VsrxSyncSettings.Origin;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the configuration: a {@code .properties} file, then {@code VSRX_SYNC_*} environment variables,
 * then command-line overrides, each later source winning. Unknown keys (a typo) and unreadable values are
 * refused with a {@link ConfigurationException} that names the key and the source, never the value.
 *
 * <pre>{@code
 * VsrxSyncSettings settings = VsrxSyncConfigFile.load(Optional.of(Path.of("vsrx-sync.properties")),
 *         System.getenv(), Map.of());
 * }</pre>
 */
public final class VsrxSyncConfigFile {
    private VsrxSyncConfigFile() { }

    /**
     * Loads and validates the configuration.
     *
     * @param file      the {@code .properties} file, if any (it must exist when given)
     * @param env       the environment (only {@code VSRX_SYNC_*} names are read)
     * @param overrides values from the command line
     * @return the resolved settings
     * @throws ConfigurationException when the file is unreadable, a key is unknown or a value invalid
     */
    public static VsrxSyncSettings load(Optional<Path> file, Map<String, String> env,
            Map<ConfigKey, String> overrides) {
        requireNonNull(file, "file");
        requireNonNull(env, "env");
        requireNonNull(overrides, "overrides");
        Map<ConfigKey, String> raw = new EnumMap<>(ConfigKey.class);
        Map<ConfigKey, Origin> origins = new EnumMap<>(ConfigKey.class);
        if (file.isPresent()) {
            for (Map.Entry<ConfigKey, String> e : readFile(file.get()).entrySet()) {
                raw.put(e.getKey(), e.getValue());
                origins.put(e.getKey(), Origin.FILE);
            }
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            String name = e.getKey();
            if (!name.startsWith(ConfigKey.ENV_PREFIX) || ConfigKey.isNotAKey(name)) {
                continue;
            }
            ConfigKey key = ConfigKey.byEnvVar(name).orElseThrow(() -> new ConfigurationException(
                    "unknown environment variable " + name + " (see docs/configuration.md)"));
            if (e.getValue() != null && !e.getValue().isBlank()) {
                raw.put(key, e.getValue());
                origins.put(key, Origin.ENVIRONMENT);
            }
        }
        for (Map.Entry<ConfigKey, String> e : overrides.entrySet()) {
            raw.put(e.getKey(), requireNonNull(e.getValue(), "override value"));
            origins.put(e.getKey(), Origin.COMMAND_LINE);
        }
        return resolve(raw, origins);
    }

    /** The configuration file named by {@code VSRX_SYNC_CONFIG}, if set. */
    public static Optional<Path> fileFromEnvironment(Map<String, String> env) {
        String v = env.get(ConfigKey.CONFIG_FILE_ENV);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(Path.of(v.trim()));
    }

    private static Map<ConfigKey, String> readFile(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (NoSuchFileException e) {
            throw new ConfigurationException("configuration file not found: " + file, e);
        } catch (IllegalArgumentException e) {
            // Properties names no line; find it (the line number only: the value may be a secret)
            throw new ConfigurationException("configuration file " + file + ": "
                    + malformedEscapeLine(file).map(n -> "line " + n + ": ").orElse("")
                    + "malformed \\uXXXX escape (write a backslash as \\\\)", e);
        } catch (IOException e) {
            throw new ConfigurationException("configuration file unreadable: " + file, e);
        }
        Map<ConfigKey, String> out = new EnumMap<>(ConfigKey.class);
        for (String name : p.stringPropertyNames()) {
            ConfigKey key = ConfigKey.byProperty(name.trim()).orElseThrow(() -> new ConfigurationException(
                    "unknown key '" + name.trim() + "' in " + file + " (see docs/configuration.md)"));
            String value = p.getProperty(name).trim();
            if (!value.isEmpty()) {
                out.put(key, value);
            }
        }
        return out;
    }

    /** The 1-based number of the first line with a {@code \\u} not followed by four hex digits. */
    static Optional<Integer> malformedEscapeLine(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException | java.io.UncheckedIOException e) {
            return Optional.empty();
        }
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            String trimmed = line.stripLeading();
            if (trimmed.startsWith("#") || trimmed.startsWith("!")) {
                continue;
            }
            for (int i = 0; i < line.length(); i++) {
                if (line.charAt(i) != '\\') {
                    continue;
                }
                if (i + 1 < line.length() && line.charAt(i + 1) == 'u'
                        && !(i + 6 <= line.length() && line.substring(i + 2, i + 6).matches("[0-9A-Fa-f]{4}"))) {
                    return Optional.of(n + 1);
                }
                i++; // the escaped character
            }
        }
        return Optional.empty();
    }

    private static VsrxSyncSettings resolve(Map<ConfigKey, String> raw, Map<ConfigKey, Origin> origins) {
        Reader2 r = new Reader2(raw, origins);
        Path dataDir = r.get(ConfigKey.DATA_DIR, Path::of);
        Optional<URI> vsrxUrl = r.optional(ConfigKey.VSRX_URL, VsrxSyncConfigFile::httpUri);
        Optional<Secret> vsrxToken = r.optional(ConfigKey.VSRX_TOKEN, v -> {
            if (!v.matches("[A-Za-z0-9._~+/-]{16,}=*")) {
                throw new IllegalArgumentException("must be a bearer token (token68) of at least 16 characters");
            }
            return Secret.of(v);
        });
        Optional<Secret> jdbcUrl = r.optional(ConfigKey.JDBC_URL, v -> {
            if (!v.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("must start with jdbc:postgresql:");
            }
            return Secret.of(v);
        });
        Optional<String> jdbcUser = r.optional(ConfigKey.JDBC_USER, Function.identity());
        Optional<Secret> jdbcPassword = r.optional(ConfigKey.JDBC_PASSWORD, Secret::of);
        Optional<Secret> azure = r.optional(ConfigKey.AZURE_CONNECTION_STRING, Secret::of);
        String container = r.get(ConfigKey.AZURE_CONTAINER, v -> {
            if (!v.matches("[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]")) {
                throw new IllegalArgumentException("not a valid container name (3-63 of a-z, 0-9, -)");
            }
            return v;
        });
        List<Secret> webhookSecrets = r.optional(ConfigKey.WEBHOOK_SECRETS, v -> {
            List<Secret> list = new ArrayList<>();
            for (String part : v.split(",")) {
                if (!part.isBlank()) {
                    list.add(Secret.of(part.trim()));
                }
            }
            return List.copyOf(list);
        }).orElse(List.of());
        if (jdbcUrl.isEmpty() && (jdbcUser.isPresent() || jdbcPassword.isPresent())) {
            throw new ConfigurationException(ConfigKey.JDBC_USER.property() + "/" + ConfigKey.JDBC_PASSWORD.property()
                    + " given without " + ConfigKey.JDBC_URL.property());
        }

        SyncConfig.Builder b = SyncConfig.builder();
        b.maxFileSizeBytes(r.get(ConfigKey.MAX_FILE_SIZE_BYTES, Values::parseBytes));
        b.allowedMimeTypes(r.get(ConfigKey.ALLOWED_MIME_TYPES, VsrxSyncConfigFile::mimeTypes));
        b.changeDetection(r.get(ConfigKey.CHANGE_DETECTION, v -> enumValue(ChangeDetectionMode.class, v)));
        b.vanishedFilePolicy(r.get(ConfigKey.VANISHED_FILES, v -> enumValue(VanishedFilePolicy.class, v)));
        double share = r.get(ConfigKey.MASS_DELETE_MAX_SHARE, Double::parseDouble);
        int minDeletes = r.get(ConfigKey.MASS_DELETE_MIN_DELETES, Integer::parseInt);
        r.check(ConfigKey.MASS_DELETE_MAX_SHARE, () -> b.massDeleteGuard(new MassDeleteGuard(share, minDeletes)));
        b.filesetConcurrency(r.get(ConfigKey.FILESET_CONCURRENCY, Integer::parseInt));
        b.fileConcurrency(r.get(ConfigKey.FILE_CONCURRENCY, Integer::parseInt));
        b.pageSize(r.get(ConfigKey.PAGE_SIZE, Integer::parseInt));
        b.lockTtl(r.get(ConfigKey.LOCK_TTL, Values::parseDuration));
        int attempts = r.get(ConfigKey.RETRY_MAX_ATTEMPTS, Integer::parseInt);
        var base = r.get(ConfigKey.RETRY_BASE_DELAY, Values::parseDuration);
        var max = r.get(ConfigKey.RETRY_MAX_DELAY, Values::parseDuration);
        boolean honor = r.get(ConfigKey.RETRY_HONOR_RETRY_AFTER, Values::parseBoolean);
        r.check(ConfigKey.RETRY_MAX_ATTEMPTS, () -> b.retryPolicy(new RetryPolicy(attempts, base, max, honor)));
        b.spoolDirectory(r.optional(ConfigKey.SPOOL_DIR, Path::of).orElse(dataDir.resolve("spool")));
        b.maxOutboxAttempts(r.get(ConfigKey.MAX_OUTBOX_ATTEMPTS, Integer::parseInt));
        b.blobGracePeriod(r.get(ConfigKey.BLOB_GRACE_PERIOD, Values::parseDuration));
        var dw = r.get(ConfigKey.ALERT_DURATION_WARNING, Values::parseDuration);
        var dc = r.get(ConfigKey.ALERT_DURATION_CRITICAL, Values::parseDuration);
        double ew = r.get(ConfigKey.ALERT_ERROR_RATE_WARNING, Double::parseDouble);
        double ec = r.get(ConfigKey.ALERT_ERROR_RATE_CRITICAL, Double::parseDouble);
        int cw = r.get(ConfigKey.ALERT_CONSECUTIVE_FAILURES_WARNING, Integer::parseInt);
        int cc = r.get(ConfigKey.ALERT_CONSECUTIVE_FAILURES_CRITICAL, Integer::parseInt);
        r.check(ConfigKey.ALERT_DURATION_WARNING,
                () -> b.alertThresholds(new AlertThresholds(dw, dc, ew, ec, cw, cc)));
        b.maxDownloadBytesPerSecond(r.get(ConfigKey.DOWNLOAD_MAX_BYTES_PER_SECOND, Values::parseBytes));
        Duration maxAge = r.get(ConfigKey.HISTORY_MAX_AGE, Values::parseDuration);
        int maxRuns = r.get(ConfigKey.HISTORY_MAX_RUNS, Integer::parseInt);
        r.check(ConfigKey.HISTORY_MAX_AGE, () -> b.runRetention(new RunRetention(maxAge, maxRuns)));
        b.reportFilesetLimit(r.get(ConfigKey.REPORT_FILESET_LIMIT, Integer::parseInt));
        Optional<Long> maxFiles = r.optional(ConfigKey.RUN_MAX_FILES, Long::parseLong);
        Optional<Long> maxBytes = r.optional(ConfigKey.RUN_MAX_BYTES, Values::parseBytes);
        RunBudget[] budget = {RunBudget.unlimited()};
        r.check(ConfigKey.RUN_MAX_FILES, () -> budget[0] = maxFiles.isPresent()
                ? budget[0].withMaxFiles(maxFiles.get()) : budget[0]);
        r.check(ConfigKey.RUN_MAX_BYTES, () -> budget[0] = maxBytes.isPresent()
                ? budget[0].withMaxBytes(maxBytes.get()) : budget[0]);
        boolean scaleOut = r.get(ConfigKey.SCALE_OUT, Values::parseBoolean);
        BidirectionalConfig.Builder bidi = BidirectionalConfig.builder()
                .direction(r.get(ConfigKey.DIRECTION, v -> enumValue(SyncDirection.class, v)))
                .creates(r.get(ConfigKey.BIDIRECTIONAL_CREATES, Values::parseBoolean))
                .contentUpdates(r.get(ConfigKey.BIDIRECTIONAL_CONTENT_UPDATES, Values::parseBoolean))
                .deletes(r.get(ConfigKey.BIDIRECTIONAL_DELETES, Values::parseBoolean))
                .groupedDocuments(r.get(ConfigKey.BIDIRECTIONAL_GROUPED_DOCUMENTS, Values::parseBoolean))
                .conflictStrategy(r.get(ConfigKey.CONFLICT_STRATEGY, v -> enumValue(ConflictStrategy.class, v)));
        String exportFolder = r.get(ConfigKey.BIDIRECTIONAL_EXPORT_FOLDER, v -> {
            // the record's own check, so the message names this key and its source
            BidirectionalConfig.builder().exportFolder(v).build();
            return v;
        });
        b.bidirectional(bidi.exportFolder(exportFolder).build());
        SyncConfig config;
        try {
            config = b.build();
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("invalid engine configuration: " + e.getMessage(), e);
        }
        ProcessorChoice processor = r.get(ConfigKey.PROCESSOR, ProcessorChoice::parse);
        return new VsrxSyncSettings(dataDir, vsrxUrl, vsrxToken, jdbcUrl, jdbcUser, jdbcPassword, azure,
                container, webhookSecrets, config, origins, budget[0], scaleOut, processor);
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String v) {
        String name = v.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(name)) {
                return e;
            }
        }
        throw new IllegalArgumentException("expected one of " + java.util.Arrays.toString(type.getEnumConstants()));
    }

    private static Set<String> mimeTypes(String v) {
        Set<String> types = new LinkedHashSet<>();
        for (String part : v.split(",")) {
            String t = part.trim().toLowerCase(Locale.ROOT);
            if (t.isEmpty()) {
                continue;
            }
            if (!t.matches("[a-z0-9.+-]+/[a-z0-9.+-]+")) {
                throw new IllegalArgumentException("not a MIME type");
            }
            types.add(t);
        }
        if (types.isEmpty()) {
            throw new IllegalArgumentException("empty allow-list");
        }
        return types;
    }

    private static URI httpUri(String v) {
        URI uri;
        try {
            uri = new URI(v.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL", e);
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("must be an http or https URL");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("has no host");
        }
        if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("must not carry user info, a query or a fragment (the token is separate)");
        }
        return uri;
    }

    /** Parses values, turning any failure into a ConfigurationException that names key and origin only. */
    private static final class Reader2 {
        private final Map<ConfigKey, String> raw;
        private final Map<ConfigKey, Origin> origins;

        Reader2(Map<ConfigKey, String> raw, Map<ConfigKey, Origin> origins) {
            this.raw = raw;
            this.origins = origins;
        }

        <T> T get(ConfigKey key, Function<String, T> parse) {
            String v = raw.get(key);
            if (v == null) {
                v = key.defaultValue().orElseThrow(() -> new IllegalStateException("no default for " + key));
            }
            return parse(key, v, parse);
        }

        <T> Optional<T> optional(ConfigKey key, Function<String, T> parse) {
            String v = raw.get(key);
            return v == null ? Optional.empty() : Optional.of(parse(key, v, parse));
        }

        void check(ConfigKey key, Runnable r) {
            try {
                r.run();
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException("invalid value for " + key.property() + ": " + e.getMessage(), e);
            }
        }

        private <T> T parse(ConfigKey key, String v, Function<String, T> parse) {
            try {
                return parse.apply(v.trim());
            } catch (RuntimeException e) {
                Origin o = origins.getOrDefault(key, Origin.DEFAULT);
                String where = switch (o) {
                    case FILE -> "in the configuration file";
                    case ENVIRONMENT -> "in " + key.envVar();
                    case COMMAND_LINE -> "on the command line";
                    case DEFAULT -> "as default";
                };
                // Only our own parsers' messages are shown (plain IllegalArgumentException): they never
                // quote the value. JDK messages (NumberFormatException, InvalidPathException) may.
                String why = e instanceof NumberFormatException ? "not a number"
                        : e.getClass() == IllegalArgumentException.class && e.getMessage() != null ? e.getMessage()
                        : "unreadable";
                throw new ConfigurationException("invalid value for " + key.property() + " " + where + ": " + why, e);
            }
        }
    }
}
