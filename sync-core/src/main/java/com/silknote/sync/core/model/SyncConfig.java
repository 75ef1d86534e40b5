package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Engine configuration. Immutable and validated; {@link #defaults()} holds every default of the design.
 *
 * @param maxFileSizeBytes     larger files are skipped (checked on the listing and while streaming)
 * @param allowedMimeTypes     MIME allow-list; declared type and sniffed magic bytes must agree
 * @param changeDetection      how changes are detected
 * @param vanishedFilePolicy   what to do with mapped files missing from a listing
 * @param massDeleteGuard      the mass-delete guard
 * @param retryPolicy          retries of transient failures (one layer per call path)
 * @param filesetConcurrency   filesets processed at once (>= 1)
 * @param fileConcurrency      downloads/uploads in flight at once, shared by all filesets (>= 1)
 * @param pageSize             listing page size (1..1000)
 * @param lockTtl              lease duration of the {@code vsrx-sync} lock; renewed at a third of it
 * @param spoolDirectory       where downloads are spooled; empty = the JVM's temp directory
 * @param alertThresholds      alert thresholds
 * @param maxOutboxAttempts    attempts of post-commit work before it is parked and reported
 * @param blobGracePeriod      a zero-reference blob younger than this is not collected
 * @param removedDocumentPolicy what to do with a file whose document a Silknote user removed while its
 *                             mapping stays
 * @param watermarkOverlap     incremental runs ask for changes since {@code lastCompleteSync} minus this, so
 *                             a change made around the mark (clock skew, an edit during the run) is listed
 * @param maxDownloadBytesPerSecond cap on the bytes per second downloaded from VSRX by one engine, shared by all
 *                             its file threads (a token bucket on the injected clock and sleeper); 0 = no cap
 * @param runRetention         how long the run history keeps runs; applied by the engine after each run
 * @param reportFilesetLimit   at most this many fileset reports are kept in a {@link SyncReport} (the run
 *                             history stores all of them); failed and blocked ones first
 * @param bidirectional        the Silknote → VSRX direction of docs/bidirectional.md; off by default (one-way)
 */
public record SyncConfig(
        long maxFileSizeBytes,
        Set<String> allowedMimeTypes,
        ChangeDetectionMode changeDetection,
        VanishedFilePolicy vanishedFilePolicy,
        MassDeleteGuard massDeleteGuard,
        RetryPolicy retryPolicy,
        int filesetConcurrency,
        int fileConcurrency,
        int pageSize,
        Duration lockTtl,
        Optional<Path> spoolDirectory,
        AlertThresholds alertThresholds,
        int maxOutboxAttempts,
        Duration blobGracePeriod,
        RemovedDocumentPolicy removedDocumentPolicy,
        Duration watermarkOverlap,
        long maxDownloadBytesPerSecond,
        RunRetention runRetention,
        int reportFilesetLimit,
        BidirectionalConfig bidirectional) {

    public static final String LOCK_NAME = "vsrx-sync";
    public static final long DEFAULT_MAX_FILE_SIZE = 100L * 1024 * 1024;
    /** Default of {@link #reportFilesetLimit()}. */
    public static final int DEFAULT_REPORT_FILESET_LIMIT = 1000;
    public static final Set<String> DEFAULT_MIME_TYPES =
            Set.of("application/pdf", "image/jpeg", "image/png", "image/tiff", "image/gif", "text/plain");

    public SyncConfig {
        if (maxFileSizeBytes < 1) {
            throw new IllegalArgumentException("maxFileSizeBytes must be >= 1");
        }
        requireNonNull(allowedMimeTypes, "allowedMimeTypes");
        TreeSet<String> normalized = new TreeSet<>();
        for (String t : allowedMimeTypes) {
            normalized.add(requireNonNull(t, "mime type").trim().toLowerCase(Locale.ROOT));
        }
        allowedMimeTypes = Set.copyOf(normalized);
        requireNonNull(changeDetection, "changeDetection");
        requireNonNull(vanishedFilePolicy, "vanishedFilePolicy");
        requireNonNull(massDeleteGuard, "massDeleteGuard");
        requireNonNull(retryPolicy, "retryPolicy");
        if (filesetConcurrency < 1 || filesetConcurrency > 256) {
            throw new IllegalArgumentException("filesetConcurrency must be in 1..256, was " + filesetConcurrency);
        }
        if (fileConcurrency < 1 || fileConcurrency > 1024) {
            throw new IllegalArgumentException("fileConcurrency must be in 1..1024, was " + fileConcurrency);
        }
        if (pageSize < 1 || pageSize > PageRequest.MAX_LIMIT) {
            throw new IllegalArgumentException("pageSize must be in 1.." + PageRequest.MAX_LIMIT);
        }
        requireNonNull(lockTtl, "lockTtl");
        if (lockTtl.compareTo(Duration.ofSeconds(3)) < 0) {
            throw new IllegalArgumentException("lockTtl must be >= 3s");
        }
        requireNonNull(spoolDirectory, "spoolDirectory");
        requireNonNull(alertThresholds, "alertThresholds");
        if (maxOutboxAttempts < 1) {
            throw new IllegalArgumentException("maxOutboxAttempts must be >= 1");
        }
        requireNonNull(blobGracePeriod, "blobGracePeriod");
        if (blobGracePeriod.isNegative()) {
            throw new IllegalArgumentException("blobGracePeriod must not be negative");
        }
        requireNonNull(removedDocumentPolicy, "removedDocumentPolicy");
        requireNonNull(watermarkOverlap, "watermarkOverlap");
        if (watermarkOverlap.isNegative()) {
            throw new IllegalArgumentException("watermarkOverlap must not be negative");
        }
        if (maxDownloadBytesPerSecond < 0) {
            throw new IllegalArgumentException("maxDownloadBytesPerSecond must be >= 0 (0 = no cap)");
        }
        requireNonNull(runRetention, "runRetention");
        if (reportFilesetLimit < 1 || reportFilesetLimit > 100_000) {
            throw new IllegalArgumentException("reportFilesetLimit must be in 1..100000, was " + reportFilesetLimit);
        }
        requireNonNull(bidirectional, "bidirectional");
    }

    public static SyncConfig defaults() {
        return new SyncConfig(DEFAULT_MAX_FILE_SIZE, DEFAULT_MIME_TYPES, ChangeDetectionMode.METADATA,
                VanishedFilePolicy.REPORT, MassDeleteGuard.defaults(), RetryPolicy.defaults(), 2, 8, 500,
                Duration.ofMinutes(5), Optional.empty(), AlertThresholds.defaults(), 5, Duration.ofHours(1),
                RemovedDocumentPolicy.REPORT, Duration.ofMinutes(2), 0, RunRetention.defaults(),
                DEFAULT_REPORT_FILESET_LIMIT, BidirectionalConfig.defaults());
    }

    public static Builder builder() {
        return new Builder(defaults());
    }

    public Builder newBuilder() {
        return new Builder(this);
    }

    /** Builder pre-filled with the defaults (or with an existing config's values). */
    public static final class Builder {
        private long maxFileSizeBytes;
        private Set<String> allowedMimeTypes;
        private ChangeDetectionMode changeDetection;
        private VanishedFilePolicy vanishedFilePolicy;
        private MassDeleteGuard massDeleteGuard;
        private RetryPolicy retryPolicy;
        private int filesetConcurrency;
        private int fileConcurrency;
        private int pageSize;
        private Duration lockTtl;
        private Optional<Path> spoolDirectory;
        private AlertThresholds alertThresholds;
        private int maxOutboxAttempts;
        private Duration blobGracePeriod;
        private RemovedDocumentPolicy removedDocumentPolicy;
        private Duration watermarkOverlap;
        private long maxDownloadBytesPerSecond;
        private RunRetention runRetention;
        private int reportFilesetLimit;
        private BidirectionalConfig bidirectional;

        private Builder(SyncConfig c) {
            maxFileSizeBytes = c.maxFileSizeBytes;
            allowedMimeTypes = c.allowedMimeTypes;
            changeDetection = c.changeDetection;
            vanishedFilePolicy = c.vanishedFilePolicy;
            massDeleteGuard = c.massDeleteGuard;
            retryPolicy = c.retryPolicy;
            filesetConcurrency = c.filesetConcurrency;
            fileConcurrency = c.fileConcurrency;
            pageSize = c.pageSize;
            lockTtl = c.lockTtl;
            spoolDirectory = c.spoolDirectory;
            alertThresholds = c.alertThresholds;
            maxOutboxAttempts = c.maxOutboxAttempts;
            blobGracePeriod = c.blobGracePeriod;
            removedDocumentPolicy = c.removedDocumentPolicy;
            watermarkOverlap = c.watermarkOverlap;
            maxDownloadBytesPerSecond = c.maxDownloadBytesPerSecond;
            runRetention = c.runRetention;
            reportFilesetLimit = c.reportFilesetLimit;
            bidirectional = c.bidirectional;
        }

        public Builder maxFileSizeBytes(long v) { maxFileSizeBytes = v; return this; }
        public Builder allowedMimeTypes(Set<String> v) { allowedMimeTypes = requireNonNull(v, "allowedMimeTypes"); return this; }
        public Builder changeDetection(ChangeDetectionMode v) { changeDetection = requireNonNull(v, "changeDetection"); return this; }
        public Builder vanishedFilePolicy(VanishedFilePolicy v) { vanishedFilePolicy = requireNonNull(v, "vanishedFilePolicy"); return this; }
        public Builder massDeleteGuard(MassDeleteGuard v) { massDeleteGuard = requireNonNull(v, "massDeleteGuard"); return this; }
        public Builder retryPolicy(RetryPolicy v) { retryPolicy = requireNonNull(v, "retryPolicy"); return this; }
        public Builder filesetConcurrency(int v) { filesetConcurrency = v; return this; }
        public Builder fileConcurrency(int v) { fileConcurrency = v; return this; }
        public Builder pageSize(int v) { pageSize = v; return this; }
        public Builder lockTtl(Duration v) { lockTtl = requireNonNull(v, "lockTtl"); return this; }
        public Builder spoolDirectory(Path v) { spoolDirectory = Optional.of(requireNonNull(v, "spoolDirectory")); return this; }
        public Builder alertThresholds(AlertThresholds v) { alertThresholds = requireNonNull(v, "alertThresholds"); return this; }
        public Builder maxOutboxAttempts(int v) { maxOutboxAttempts = v; return this; }
        public Builder blobGracePeriod(Duration v) { blobGracePeriod = requireNonNull(v, "blobGracePeriod"); return this; }
        public Builder removedDocumentPolicy(RemovedDocumentPolicy v) { removedDocumentPolicy = requireNonNull(v, "removedDocumentPolicy"); return this; }
        public Builder watermarkOverlap(Duration v) { watermarkOverlap = requireNonNull(v, "watermarkOverlap"); return this; }
        public Builder maxDownloadBytesPerSecond(long v) { maxDownloadBytesPerSecond = v; return this; }
        public Builder runRetention(RunRetention v) { runRetention = requireNonNull(v, "runRetention"); return this; }
        public Builder reportFilesetLimit(int v) { reportFilesetLimit = v; return this; }
        public Builder bidirectional(BidirectionalConfig v) { bidirectional = requireNonNull(v, "bidirectional"); return this; }

        /** @throws IllegalArgumentException when a value is out of range */
        public SyncConfig build() {
            return new SyncConfig(maxFileSizeBytes, allowedMimeTypes, changeDetection, vanishedFilePolicy,
                    massDeleteGuard, retryPolicy, filesetConcurrency, fileConcurrency, pageSize, lockTtl,
                    spoolDirectory, alertThresholds, maxOutboxAttempts, blobGracePeriod, removedDocumentPolicy,
                    watermarkOverlap, maxDownloadBytesPerSecond, runRetention, reportFilesetLimit, bidirectional);
        }
    }
}
