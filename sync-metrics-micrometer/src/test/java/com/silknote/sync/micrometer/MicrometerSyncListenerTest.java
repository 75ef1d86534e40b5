package com.silknote.sync.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FileReport;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.MassDeleteGuard;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.RetryPolicy;
import com.silknote.sync.core.model.RunMetrics;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncReport;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.port.SyncListener;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.testkit.SilknoteSimulator;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.fault.Fault;
import com.silknote.sync.testkit.fault.FaultPlan;
import com.silknote.sync.testkit.fault.FaultyVsrxSource;
import com.silknote.sync.testkit.fault.Operation;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * DESIGN rule 15 and issue 11 (metrics and alerts): every figure of a run and every alert level reaches
 * Micrometer, equal to the run's report, with bounded tags and no patient data. Driven by the real engine on
 * the testkit's in-memory VSRX and Silknote.
 */
class MicrometerSyncListenerTest {
    private static final byte[] PDF = "%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"
            .getBytes(StandardCharsets.US_ASCII);

    private final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
    private final InMemoryVsrxSource vsrx = new InMemoryVsrxSource(clock);
    private final SilknoteSimulator silknote = new SilknoteSimulator(clock);
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final MicrometerSyncListener metrics = MicrometerSyncListener.builder().registry(registry).build();
    private SyncConfig config = SyncConfig.builder()
            .retryPolicy(new RetryPolicy(2, Duration.ofMillis(100), Duration.ofSeconds(1), true))
            .filesetConcurrency(2).fileConcurrency(4).pageSize(10)
            .build();
    private long seed = 7;

    private SyncResult run(VsrxSource source, SyncRequest request) {
        VsrxSync sync = VsrxSync.builder().source(source).documents(silknote.documents()).blobs(silknote.blobs())
                .vectors(silknote.vectors()).processor(silknote.processor()).lock(silknote.lock())
                .listener(metrics).config(config).clock(clock).sleeper(clock)
                .random(new SplittableRandom(seed++)).build();
        return sync.run(request);
    }

    private SyncResult run() {
        return run(vsrx, SyncRequest.full());
    }

    private SyncResult run(FaultPlan plan) {
        return run(new FaultyVsrxSource(vsrx, plan), SyncRequest.full());
    }

    private FilesetId linkedFileset(String patient) {
        return vsrx.addFileset(PatientId.of(patient),
                new PatientUuid(UUID.nameUUIDFromBytes(patient.getBytes(StandardCharsets.UTF_8))));
    }

    private double counter(String name, String... tags) {
        return registry.get(MicrometerSyncListener.PREFIX + name).tags(tags).counter().count();
    }

    private double gauge(String name, String... tags) {
        return registry.get(MicrometerSyncListener.PREFIX + name).tags(tags).gauge().value();
    }

    private double alertLevel(Alert.Kind kind) {
        return gauge(".alert.level", "kind", kind.name().toLowerCase(Locale.ROOT));
    }

    private static SyncReport report(SyncResult r) {
        return r.report().orElseThrow(() -> new AssertionError("no report: " + r));
    }

    @Test
    @DisplayName("rule 15: every figure of a run equals its report: duration, average per fileset, files per "
            + "minute, error rate, storage growth, bytes downloaded, outcomes, actions, skip reasons, alerts")
    void figuresOfARunEqualItsReport() {
        FilesetId a = linkedFileset("P-a");
        FilesetId b = linkedFileset("P-b");
        FilesetId c = linkedFileset("P-c");
        vsrx.addFile(a, "notes/a1.txt", "text/plain", "first letter");
        vsrx.addFile(a, "notes/a2.txt", "text/plain", "shared letter");
        vsrx.addFile(a, "notes/a3.pdf", "application/pdf", PDF);
        vsrx.addFile(b, "notes/b1.txt", "text/plain", "shared letter"); // dedup: downloaded, not stored again
        vsrx.addFile(b, "notes/b2.exe", "application/x-msdownload", "MZ not allowed"); // UNSUPPORTED_TYPE
        VsrxFileId broken = vsrx.addFile(c, "notes/c1.txt", "text/plain", "never arrives");
        vsrx.addFile(c, "notes/c2.txt", "text/plain", "arrives");
        FaultPlan plan = FaultPlan.seeded(1).on(Operation.OPEN_CONTENT).key(broken).always()
                .thenFail(Fault.serviceUnavailable());

        SyncReport report = report(run(plan));

        RunMetrics m = report.metrics();
        assertThat(report.count(FileAction.FAILED)).isPositive();
        assertThat(m.newUniqueBytes()).isPositive().isLessThan(m.bytesDownloaded());
        var timer = registry.get("vsrx.sync.run.duration").tags("outcome", "failed").timer();
        assertThat(timer.count()).isEqualTo(1);
        assertThat(timer.totalTime(TimeUnit.NANOSECONDS)).isEqualTo(m.duration().toNanos());
        assertThat(registry.get("vsrx.sync.run.duration").tags("outcome", "succeeded").timer().count()).isZero();
        assertThat(gauge(".run.fileset.duration.average"))
                .isCloseTo(m.averageFilesetDuration().toNanos() / 1e9, within(1e-9));
        assertThat(gauge(".run.files.per.minute")).isEqualTo(m.filesPerMinute());
        assertThat(gauge(".run.error.rate")).isCloseTo(m.errorRate() * 100, within(1e-9)).isPositive();
        assertThat(gauge(".run.storage.growth")).isEqualTo(m.newUniqueBytes());
        assertThat(counter(".storage.growth")).isEqualTo(m.newUniqueBytes());
        assertThat(counter(".downloaded")).isEqualTo(m.bytesDownloaded());
        assertThat(gauge(".consecutive.failed.runs")).isEqualTo(m.consecutiveFailedRuns()).isEqualTo(1);
        assertThat(gauge(".last.run.timestamp")).isCloseTo(report.finishedAt().toEpochMilli() / 1e3, within(1e-3));
        assertThat(gauge(".last.success.timestamp")).isNaN();
        for (FilesetOutcome o : FilesetOutcome.values()) {
            assertThat(counter(".filesets", "outcome", o.name().toLowerCase(Locale.ROOT))).as(o.name())
                    .isEqualTo(report.filesets().stream().filter(f -> f.outcome() == o).count());
        }
        for (FileAction act : FileAction.values()) {
            assertThat(counter(".files", "action", act.name().toLowerCase(Locale.ROOT))).as(act.name())
                    .isEqualTo(report.count(act));
        }
        assertThat(counter(".files.skipped", "reason", "unsupported_type")).isEqualTo(1);
        assertThat(counter(".filesets", "outcome", "failed")).isEqualTo(1);
        assertThat(report.alerts()).isNotEmpty();
        for (Alert alert : report.alerts()) {
            assertThat(alertLevel(alert.kind())).isEqualTo(alert.severity() == Alert.Severity.CRITICAL ? 2 : 1);
            assertThat(counter(".alerts", "kind", alert.kind().name().toLowerCase(Locale.ROOT),
                    "severity", alert.severity().name().toLowerCase(Locale.ROOT))).isEqualTo(1);
        }
        assertThat(report.alerts()).extracting(Alert::kind).contains(Alert.Kind.ERROR_RATE);
        assertThat(alertLevel(Alert.Kind.SYNC_DURATION)).isZero();
    }

    @Test
    @DisplayName("rule 15: counters add up over runs; gauges show the last run; a clean run clears the alert levels")
    void countersAccumulateAndGaugesFollowTheLastRun() {
        FilesetId a = linkedFileset("P-a");
        VsrxFileId f1 = vsrx.addFile(a, "notes/a1.txt", "text/plain", "one");
        vsrx.addFile(a, "notes/a2.txt", "text/plain", "two");
        FaultPlan plan = FaultPlan.seeded(2).on(Operation.OPEN_CONTENT).key(f1).always()
                .thenFail(Fault.serviceUnavailable());
        SyncReport first = report(run(plan));
        assertThat(alertLevel(Alert.Kind.ERROR_RATE)).isEqualTo(2);

        SyncResult second = run();
        SyncReport secondReport = report(second);

        assertThat(second.success()).isTrue();
        assertThat(counter(".downloaded"))
                .isEqualTo(first.metrics().bytesDownloaded() + secondReport.metrics().bytesDownloaded());
        assertThat(counter(".files", "action", "created"))
                .isEqualTo(first.count(FileAction.CREATED) + secondReport.count(FileAction.CREATED));
        assertThat(gauge(".run.error.rate")).isZero();
        assertThat(gauge(".consecutive.failed.runs")).isZero();
        assertThat(alertLevel(Alert.Kind.ERROR_RATE)).isZero();
        assertThat(counter(".alerts", "kind", "error_rate", "severity", "critical")).isEqualTo(1);
        assertThat(gauge(".last.success.timestamp"))
                .isCloseTo(secondReport.finishedAt().toEpochMilli() / 1e3, within(1e-3));
        assertThat(registry.get("vsrx.sync.run.duration").tags("outcome", "succeeded").timer().count()).isEqualTo(1);
        assertThat(registry.get("vsrx.sync.run.duration").tags("outcome", "failed").timer().count()).isEqualTo(1);
    }

    @Test
    @DisplayName("rule 15: consecutive failed runs climb to a warning at 3 and a critical alert at 5, and reset")
    void consecutiveFailures() {
        FilesetId a = linkedFileset("P-a");
        VsrxFileId f = vsrx.addFile(a, "notes/a1.txt", "text/plain", "one");
        linkedFileset("P-b");
        List<Double> levels = new ArrayList<>();
        List<Double> counts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            FaultPlan plan = FaultPlan.seeded(i).on(Operation.OPEN_CONTENT).key(f).always()
                    .thenFail(Fault.serviceUnavailable());
            assertThat(run(plan).success()).isFalse();
            levels.add(alertLevel(Alert.Kind.CONSECUTIVE_FAILURES));
            counts.add(gauge(".consecutive.failed.runs"));
        }
        assertThat(counts).containsExactly(1.0, 2.0, 3.0, 4.0, 5.0);
        assertThat(levels).containsExactly(0.0, 0.0, 1.0, 1.0, 2.0);
        assertThat(counter(".alerts", "kind", "consecutive_failures", "severity", "warning")).isEqualTo(2);
        assertThat(counter(".alerts", "kind", "consecutive_failures", "severity", "critical")).isEqualTo(1);

        assertThat(run().success()).isTrue();

        assertThat(gauge(".consecutive.failed.runs")).isZero();
        assertThat(alertLevel(Alert.Kind.CONSECUTIVE_FAILURES)).isZero();
    }

    /** Advances the clock while listing, as a slow VSRX would. */
    private VsrxSource slowListing(Duration delay) {
        return new VsrxSource() {
            @Override
            public Page<VsrxFileset> listFilesets(PageRequest request) {
                clock.advance(delay);
                return vsrx.listFilesets(request);
            }

            @Override
            public java.util.Optional<VsrxFileset> findFileset(FilesetId id) {
                return vsrx.findFileset(id);
            }

            @Override
            public Page<com.silknote.sync.core.model.VsrxFile> listFiles(FilesetId filesetId, PageRequest request) {
                return vsrx.listFiles(filesetId, request);
            }

            @Override
            public com.silknote.sync.core.model.FileContent openContent(VsrxFileId fileId) {
                return vsrx.openContent(fileId);
            }
        };
    }

    @Test
    @DisplayName("rule 15: a run of 300 s is a duration warning (level 1), of 600 s a critical alert (level 2)")
    void durationAlertLevels() {
        config = config.newBuilder().lockTtl(Duration.ofHours(1)).build(); // the slow run keeps its lease
        FilesetId a = linkedFileset("P-a");
        vsrx.addFile(a, "notes/a1.txt", "text/plain", "one");

        assertThat(run(slowListing(Duration.ofSeconds(400)), SyncRequest.full()).success()).isTrue();
        assertThat(alertLevel(Alert.Kind.SYNC_DURATION)).isEqualTo(1);
        assertThat(registry.get("vsrx.sync.run.duration").tags("outcome", "succeeded").timer()
                .max(TimeUnit.SECONDS)).isGreaterThanOrEqualTo(400);

        run(slowListing(Duration.ofSeconds(700)), SyncRequest.full());
        assertThat(alertLevel(Alert.Kind.SYNC_DURATION)).isEqualTo(2);

        run();
        assertThat(alertLevel(Alert.Kind.SYNC_DURATION)).isZero();
        assertThat(counter(".alerts", "kind", "sync_duration", "severity", "warning")).isEqualTo(1);
        assertThat(counter(".alerts", "kind", "sync_duration", "severity", "critical")).isEqualTo(1);
    }

    @Test
    @DisplayName("rule 5 and 15: a tripped mass-delete guard is a critical alert and a blocked fileset")
    void massDeleteGuard() {
        config = config.newBuilder().massDeleteGuard(new MassDeleteGuard(0.5, 2)).build();
        FilesetId a = linkedFileset("P-a");
        List<VsrxFileId> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(vsrx.addFile(a, "notes/a" + i + ".txt", "text/plain", "letter " + i));
        }
        assertThat(run().success()).isTrue();
        for (int i = 0; i < 3; i++) {
            vsrx.deleteFile(ids.get(i));
        }

        SyncReport report = report(run());

        assertThat(report.filesets()).extracting(FilesetReport::outcome)
                .containsExactly(FilesetOutcome.MASS_DELETE_BLOCKED);
        assertThat(alertLevel(Alert.Kind.MASS_DELETE_GUARD)).isEqualTo(2);
        assertThat(counter(".alerts", "kind", "mass_delete_guard", "severity", "critical")).isEqualTo(1);
        assertThat(counter(".filesets", "outcome", "mass_delete_blocked")).isEqualTo(1);
        assertThat(counter(".files", "action", "deleted")).isZero();
    }

    @Test
    @DisplayName("a dry run is timed as dry_run and changes no other meter: its figures are a plan, not work")
    void dryRunOnlyTimed() {
        FilesetId a = linkedFileset("P-a");
        vsrx.addFile(a, "notes/a1.txt", "text/plain", "one");
        Set<String> before = snapshot();

        SyncResult r = run(vsrx, SyncRequest.full().asDryRun());

        assertThat(report(r).dryRun()).isTrue();
        assertThat(registry.get("vsrx.sync.run.duration").tags("outcome", "dry_run").timer().count()).isEqualTo(1);
        Set<String> after = snapshot();
        after.removeIf(s -> s.startsWith("vsrx.sync.run.duration"));
        before.removeIf(s -> s.startsWith("vsrx.sync.run.duration"));
        assertThat(after).isEqualTo(before);
        assertThat(gauge(".run.files.per.minute")).isNaN();
    }

    /** Every meter as "name{tags}=measurements", to compare registries before and after. */
    private Set<String> snapshot() {
        Set<String> out = new HashSet<>();
        for (Meter meter : registry.getMeters()) {
            List<String> values = new ArrayList<>();
            meter.measure().forEach(ms -> values.add(ms.getStatistic() + "=" + ms.getValue()));
            out.add(meter.getId().getName() + meter.getId().getTags() + values);
        }
        return out;
    }

    @Test
    @DisplayName("issue 11: tag cardinality is bounded and no tag carries a fileset, file or patient id or a path")
    void boundedTagsWithoutPatientData() {
        Set<String> idsBefore = meterIds();
        List<String> planted = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String patient = "CANARY-PATIENT-" + i;
            FilesetId fs = linkedFileset(patient);
            String path = "notes/canary-path-" + i + ".txt";
            VsrxFileId file = vsrx.addFile(fs, path, "text/plain", "content " + i);
            planted.add(patient);
            planted.add(path);
            planted.add(fs.value());
            planted.add(file.value());
        }

        run();
        run();

        assertThat(meterIds()).isEqualTo(idsBefore);
        Set<String> tagValues = registry.getMeters().stream().flatMap(m -> m.getId().getTags().stream())
                .map(Tag::getValue).collect(Collectors.toSet());
        for (String p : planted) {
            assertThat(tagValues).noneMatch(v -> v.contains(p));
        }
        assertThat(registry.getMeters()).allMatch(m -> m.getId().getName().startsWith("vsrx.sync."));
        int expected = 3 + FilesetOutcome.values().length + FileAction.values().length + SkipReason.values().length
                + Alert.Kind.values().length * (1 + Alert.Severity.values().length) + 2 + 7;
        assertThat(registry.getMeters()).hasSize(expected);
    }

    private Set<String> meterIds() {
        return registry.getMeters().stream().map(m -> m.getId().toString()).collect(Collectors.toSet());
    }

    @Test
    @DisplayName("two engines in one registry are told apart by constant tags; the same tags twice are refused")
    void constantTags() {
        MeterRegistry shared = new SimpleMeterRegistry();
        MicrometerSyncListener primary = MicrometerSyncListener.builder().registry(shared)
                .tags(Tags.of("engine", "primary")).build();
        MicrometerSyncListener.builder().registry(shared).tags(Tags.of("engine", "secondary")).build();

        FilesetId a = linkedFileset("P-a");
        vsrx.addFile(a, "notes/a1.txt", "text/plain", "one");
        SyncReport r = report(run());
        r.filesets().forEach(f -> primary.filesetFinished(r.runId(), f));
        primary.runFinished(r);

        assertThat(shared.get("vsrx.sync.files").tags("engine", "primary", "action", "created").counter().count())
                .isEqualTo(1);
        assertThat(shared.get("vsrx.sync.files").tags("engine", "secondary", "action", "created").counter().count())
                .isZero();
        assertThat(shared.get("vsrx.sync.consecutive.failed.runs").tags("engine", "secondary").gauge().value())
                .isNaN();
        assertThatThrownBy(() -> MicrometerSyncListener.builder().registry(shared)
                .tags(Tags.of("engine", "primary")).build()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new MicrometerSyncListener(registry)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void builderChecksItsInput() {
        assertThatThrownBy(() -> MicrometerSyncListener.builder().build()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> MicrometerSyncListener.builder().tags(Tags.of("kind", "x")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MicrometerSyncListener.builder().registry(null))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    @DisplayName("before the first run: counters at 0, alert levels 0, per-run gauges NaN (no data yet)")
    void beforeTheFirstRun() {
        assertThat(counter(".files", "action", "created")).isZero();
        for (Alert.Kind k : Alert.Kind.values()) {
            assertThat(alertLevel(k)).isZero();
        }
        for (String g : List.of(".run.files.per.minute", ".run.error.rate", ".run.storage.growth",
                ".consecutive.failed.runs", ".last.run.timestamp", ".last.success.timestamp",
                ".run.fileset.duration.average")) {
            assertThat(gauge(g)).as(g).isNaN();
        }
    }

    @Test
    @DisplayName("issue 11: counts come from the streamed fileset events, so a report that keeps only some "
            + "fileset reports (a bounded report) still counts every fileset and file")
    void countsEveryFilesetOfABoundedReport() {
        config = config.newBuilder().reportFilesetLimit(2).build();
        for (int i = 0; i < 7; i++) {
            FilesetId f = linkedFileset("P-" + i);
            vsrx.addFile(f, "notes/a.txt", "text/plain", "letter " + i);
            vsrx.addFile(f, "notes/b.exe", "application/x-msdownload", "MZ " + i);
        }

        SyncReport report = report(run());

        assertThat(report.filesets()).hasSize(2);
        assertThat(report.omittedFilesets()).isEqualTo(5);
        assertThat(counter(".filesets", "outcome", "completed")).isEqualTo(7)
                .isEqualTo(report.totals().filesets(FilesetOutcome.COMPLETED));
        assertThat(counter(".files", "action", "created")).isEqualTo(7)
                .isEqualTo(report.totals().files(FileAction.CREATED));
        assertThat(counter(".files.skipped", "reason", "unsupported_type")).isEqualTo(7);

        // issue 12: a no-op run's unchanged files are counted in its fileset reports, not listed
        SyncReport again = report(run());
        assertThat(counter(".files", "action", "unchanged")).isEqualTo(7)
                .isEqualTo(again.totals().files(FileAction.UNCHANGED));
    }

    @Test
    @DisplayName("issue 11: works next to another listener through SyncListener.composite")
    void composesWithOtherListeners() {
        FilesetId a = linkedFileset("P-a");
        vsrx.addFile(a, "notes/a1.txt", "text/plain", "one");
        List<FileReport> seen = new ArrayList<>();
        SyncListener progress = new SyncListener() {
            @Override
            public void fileFinished(com.silknote.sync.core.model.RunId runId, FilesetId filesetId, FileReport file) {
                synchronized (seen) {
                    seen.add(file);
                }
            }
        };
        VsrxSync sync = VsrxSync.builder().source(vsrx).documents(silknote.documents()).blobs(silknote.blobs())
                .vectors(silknote.vectors()).processor(silknote.processor()).lock(silknote.lock())
                .listener(SyncListener.composite(List.of(progress, metrics))).config(config).clock(clock)
                .sleeper(clock).random(new SplittableRandom(1)).build();

        sync.run(SyncRequest.full());

        assertThat(seen).hasSize(1);
        assertThat(counter(".files", "action", "created")).isEqualTo(1);
    }
}
