package com.silknote.sync.micrometer;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.RunMetrics;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.port.SyncListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Publishes the monitoring figures of every sync run (DESIGN rule 15) and the alert levels the engine
 * evaluated as Micrometer meters. It only maps: thresholds and alerts are decided in the core. Fileset and
 * file counts are taken from the streamed {@link #filesetFinished} events as filesets finish, so a run over
 * any number of filesets costs constant memory and, with scale-out, each process counts the filesets it
 * synced itself (a sum over processes counts each once); the per-run figures and alerts are taken from the
 * run's {@link SyncReport} when the run finishes. Meter names, tags and units are listed in
 * {@code docs/metrics.md}.
 *
 * <p>Every meter is registered when the listener is made, so a scrape shows each series (at zero, or NaN
 * for the per-run gauges) before the first run. Tags are bounded enums only (run outcome, fileset outcome,
 * file action, skip reason, alert kind and severity), plus the constant tags given to the builder; never a
 * fileset, file or patient id. A dry run is counted in {@code vsrx.sync.run.duration} with
 * {@code outcome=dry_run} and changes nothing else: its figures describe a plan, not work done.
 *
 * <pre>{@code
 * MicrometerSyncListener metrics = MicrometerSyncListener.builder().registry(meterRegistry).build();
 * VsrxSync sync = VsrxSync.builder()...listener(SyncListener.composite(List.of(progress, metrics))).build();
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class MicrometerSyncListener implements SyncListener {
    /** Prefix of every meter name. */
    public static final String PREFIX = "vsrx.sync";

    /** Tag keys this listener sets itself; constant tags must use other keys. */
    static final Set<String> OWN_TAG_KEYS = Set.of("outcome", "action", "reason", "kind", "severity");

    /** Alert level gauge values. */
    static final int LEVEL_NONE = 0;
    static final int LEVEL_WARNING = 1;
    static final int LEVEL_CRITICAL = 2;

    /** The figures of the last finished run (not a dry run) that the gauges show. */
    private record LastRun(double averageFilesetSeconds, double filesPerMinute, double errorRatePercent,
            double storageGrowthBytes, double consecutiveFailedRuns, double finishedEpochSeconds) { }

    private final Map<String, Timer> runDuration = new HashMap<>();
    private final Map<FilesetOutcome, Counter> filesets = new EnumMap<>(FilesetOutcome.class);
    private final Map<FileAction, Counter> files = new EnumMap<>(FileAction.class);
    private final Map<SkipReason, Counter> skipped = new EnumMap<>(SkipReason.class);
    private final Map<Alert.Kind, Map<Alert.Severity, Counter>> alerts = new EnumMap<>(Alert.Kind.class);
    private final Map<Alert.Kind, Integer> alertLevels = new EnumMap<>(Alert.Kind.class);
    private final Counter storageGrowth;
    private final Counter downloaded;
    /** Runs under way that are dry runs: their fileset events count nothing. */
    private final Set<RunId> dryRuns = ConcurrentHashMap.newKeySet();
    private volatile LastRun last;
    private volatile double lastSuccessEpochSeconds = Double.NaN;

    /**
     * Constructor for dependency-injection containers: meters without constant tags. {@link #builder()} is
     * the other way in, and the one to use when two engines report to one registry.
     *
     * @throws NullPointerException  when registry is null
     * @throws IllegalStateException when a listener with the same constant tags is already bound to registry
     */
    @Inject
    public MicrometerSyncListener(MeterRegistry registry) {
        this(registry, Tags.empty());
    }

    private MicrometerSyncListener(MeterRegistry registry, Tags tags) {
        requireNonNull(registry, "registry");
        requireNonNull(tags, "tags");
        String probe = PREFIX + ".consecutive.failed.runs";
        if (registry.find(probe).gauges().stream().anyMatch(g -> Tags.of(g.getId().getTags()).equals(tags))) {
            throw new IllegalStateException("a MicrometerSyncListener with the same tags is already bound to this "
                    + "registry; give each engine its own constant tags");
        }
        for (String outcome : new String[] {"succeeded", "failed", "dry_run"}) {
            runDuration.put(outcome, Timer.builder(PREFIX + ".run.duration")
                    .description("Wall time of a sync run")
                    .tags(tags).tag("outcome", outcome)
                    .register(registry));
        }
        for (FilesetOutcome o : FilesetOutcome.values()) {
            filesets.put(o, Counter.builder(PREFIX + ".filesets")
                    .description("Filesets a run finished, by outcome")
                    .tags(tags).tag("outcome", tagValue(o))
                    .register(registry));
        }
        for (FileAction a : FileAction.values()) {
            files.put(a, Counter.builder(PREFIX + ".files")
                    .description("Files a run finished, by action")
                    .tags(tags).tag("action", tagValue(a))
                    .register(registry));
        }
        for (SkipReason r : SkipReason.values()) {
            skipped.put(r, Counter.builder(PREFIX + ".files.skipped")
                    .description("Skipped files, by reason")
                    .tags(tags).tag("reason", tagValue(r))
                    .register(registry));
        }
        for (Alert.Kind k : Alert.Kind.values()) {
            Map<Alert.Severity, Counter> bySeverity = new EnumMap<>(Alert.Severity.class);
            for (Alert.Severity s : Alert.Severity.values()) {
                bySeverity.put(s, Counter.builder(PREFIX + ".alerts")
                        .description("Alerts raised, by kind and severity")
                        .tags(tags).tag("kind", tagValue(k)).tag("severity", tagValue(s))
                        .register(registry));
            }
            alerts.put(k, bySeverity);
            alertLevels.put(k, LEVEL_NONE);
            Gauge.builder(PREFIX + ".alert.level", this, l -> l.alertLevel(k))
                    .description("Alert level of the last run: 0 none, 1 warning, 2 critical")
                    .tags(tags).tag("kind", tagValue(k))
                    .strongReference(true)
                    .register(registry);
        }
        storageGrowth = Counter.builder(PREFIX + ".storage.growth")
                .description("New unique bytes stored (blobs uploaded; dedup hits excluded)")
                .baseUnit("bytes").tags(tags)
                .register(registry);
        downloaded = Counter.builder(PREFIX + ".downloaded")
                .description("Bytes downloaded from VSRX")
                .baseUnit("bytes").tags(tags)
                .register(registry);
        TimeGauge.builder(PREFIX + ".run.fileset.duration.average", this, TimeUnit.SECONDS,
                        l -> l.lastRun(LastRun::averageFilesetSeconds))
                .description("Average wall time per worked fileset in the last run")
                .tags(tags).strongReference(true).register(registry);
        gauge(registry, tags, ".run.files.per.minute", null, "File syncs per minute in the last run",
                LastRun::filesPerMinute);
        gauge(registry, tags, ".run.error.rate", "percent",
                "Failed files per 100 file syncs in the last run", LastRun::errorRatePercent);
        gauge(registry, tags, ".run.storage.growth", "bytes", "New unique bytes stored by the last run",
                LastRun::storageGrowthBytes);
        gauge(registry, tags, ".consecutive.failed.runs", null,
                "Failed runs in a row, the last one included (0 after a successful run)",
                LastRun::consecutiveFailedRuns);
        gauge(registry, tags, ".last.run.timestamp", "seconds", "When the last run finished (Unix time)",
                LastRun::finishedEpochSeconds);
        Gauge.builder(PREFIX + ".last.success.timestamp", this, l -> l.lastSuccessEpochSeconds)
                .description("When the last successful run finished (Unix time)")
                .baseUnit("seconds").tags(tags).strongReference(true).register(registry);
    }

    private void gauge(MeterRegistry registry, Tags tags, String suffix, String unit, String description,
            ToDoubleFunction<LastRun> figure) {
        Gauge.builder(PREFIX + suffix, this, l -> l.lastRun(figure))
                .description(description)
                .baseUnit(unit)
                .tags(tags)
                .strongReference(true)
                .register(registry);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void runStarted(RunId runId, boolean dryRun) {
        if (dryRun) {
            dryRuns.add(runId);
        }
    }

    /** Counts the fileset and its files (a dry run's count nothing). */
    @Override
    public void filesetFinished(RunId runId, FilesetReport report) {
        if (dryRuns.contains(runId)) {
            return;
        }
        filesets.get(report.outcome()).increment();
        for (FileAction a : FileAction.values()) {
            long n = report.count(a); // unchanged files are counted in the report, not listed
            if (n > 0) {
                files.get(a).increment(n);
            }
        }
        for (FileReport file : report.files()) {
            file.skipReason().ifPresent(r -> skipped.get(r).increment());
        }
    }

    /** Maps the finished run's figures and alerts onto the meters. */
    @Override
    public void runFinished(SyncReport report) {
        RunMetrics m = report.metrics();
        boolean succeeded = report.status() == SyncResult.Status.COMPLETED;
        if (report.dryRun()) {
            dryRuns.remove(report.runId());
            runDuration.get("dry_run").record(m.duration());
            return;
        }
        synchronized (this) {
            runDuration.get(succeeded ? "succeeded" : "failed").record(m.duration());
            storageGrowth.increment(m.newUniqueBytes());
            downloaded.increment(m.bytesDownloaded());
            Map<Alert.Kind, Integer> levels = new EnumMap<>(Alert.Kind.class);
            for (Alert.Kind k : Alert.Kind.values()) {
                levels.put(k, LEVEL_NONE);
            }
            for (Alert a : report.alerts()) {
                alerts.get(a.kind()).get(a.severity()).increment();
                levels.merge(a.kind(), level(a.severity()), Math::max);
            }
            alertLevels.putAll(levels);
            double finished = seconds(report.finishedAt().getEpochSecond(), report.finishedAt().getNano());
            last = new LastRun(seconds(m.averageFilesetDuration()), m.filesPerMinute(), m.errorRate() * 100,
                    m.newUniqueBytes(), m.consecutiveFailedRuns(), finished);
            if (succeeded) {
                lastSuccessEpochSeconds = finished;
            }
        }
    }

    private synchronized double alertLevel(Alert.Kind kind) {
        return alertLevels.get(kind);
    }

    private double lastRun(ToDoubleFunction<LastRun> figure) {
        LastRun l = last;
        return l == null ? Double.NaN : figure.applyAsDouble(l);
    }

    private static int level(Alert.Severity s) {
        return s == Alert.Severity.CRITICAL ? LEVEL_CRITICAL : LEVEL_WARNING;
    }

    private static double seconds(Duration d) {
        return seconds(d.getSeconds(), d.getNano());
    }

    private static double seconds(long seconds, int nanos) {
        return seconds + nanos / 1e9;
    }

    static String tagValue(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return "MicrometerSyncListener";
    }

    /** Builds a {@link MicrometerSyncListener}; the registry is required. */
    public static final class Builder {
        private MeterRegistry registry;
        private Tags tags = Tags.empty();

        private Builder() { }

        /** Where the meters are registered. */
        public Builder registry(MeterRegistry v) {
            registry = requireNonNull(v, "registry");
            return this;
        }

        /**
         * Constant tags added to every meter, to tell two engines in one registry apart
         * ({@code engine=primary}). Never a fileset, file or patient id.
         *
         * @throws IllegalArgumentException when a key is one this listener sets itself
         *         ({@code outcome, action, reason, kind, severity})
         */
        public Builder tags(Iterable<Tag> v) {
            Tags t = Tags.of(requireNonNull(v, "tags"));
            for (Tag tag : t) {
                if (OWN_TAG_KEYS.contains(tag.getKey())) {
                    throw new IllegalArgumentException("tag key '" + tag.getKey() + "' is set by the listener itself");
                }
            }
            tags = t;
            return this;
        }

        /**
         * @throws IllegalStateException when the registry is missing, or a listener with the same tags is
         *         already bound to it
         */
        public MicrometerSyncListener build() {
            if (registry == null) {
                throw new IllegalStateException("registry is required");
            }
            return new MicrometerSyncListener(registry, tags);
        }
    }
}
