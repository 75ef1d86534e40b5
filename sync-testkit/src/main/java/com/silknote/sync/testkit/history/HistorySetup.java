package com.silknote.sync.testkit.history;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.ChangeDetectionMode;
import com.silknote.sync.core.model.MassDeleteGuard;
import com.silknote.sync.core.model.RemovedDocumentPolicy;
import com.silknote.sync.core.model.RetryPolicy;
import com.silknote.sync.core.model.SyncConfig;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * How the engine and VSRX are set up for one history, drawn from its seed, so the same histories also run
 * under the engine's other documented modes.
 *
 * @param removedDocuments what a document a Silknote user removed while its mapping stays becomes
 *                         ({@code REPORT}: a conflict; {@code RESTORE}: created again)
 * @param changeDetection  metadata (ETag, else modifiedAt and size) or full hash
 * @param guard            the mass-delete guard (the default, or one that never trips, so deletes land)
 * @param blobGrace        how long a blob at zero references waits before it is collected (zero: at once)
 * @param serverTime       whether VSRX sends its clock with every page (the {@code /v1} protocol does); only
 *                         then may its clock be far off the host's
 * @param baseSkew         VSRX's clock against the host's at the start (minutes off with {@code serverTime},
 *                         seconds without)
 */
public record HistorySetup(RemovedDocumentPolicy removedDocuments, ChangeDetectionMode changeDetection,
        MassDeleteGuard guard, Duration blobGrace, boolean serverTime, Duration baseSkew) {

    /** A guard that never trips: every deletion lands. */
    static final MassDeleteGuard PERMISSIVE_GUARD = new MassDeleteGuard(1.0, 1);

    public HistorySetup {
        requireNonNull(removedDocuments, "removedDocuments");
        requireNonNull(changeDetection, "changeDetection");
        requireNonNull(guard, "guard");
        requireNonNull(blobGrace, "blobGrace");
        requireNonNull(baseSkew, "baseSkew");
    }

    /** The design's defaults: conflicts for removed documents, metadata change detection, no server time. */
    public static HistorySetup defaults() {
        return new HistorySetup(RemovedDocumentPolicy.REPORT, ChangeDetectionMode.METADATA, MassDeleteGuard.defaults(),
                SyncConfig.defaults().blobGracePeriod(), false, Duration.ZERO);
    }

    /** The setup of {@code seed}: the defaults in about half the histories, each variation in about a quarter. */
    public static HistorySetup draw(long seed) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 0x5E70);
        boolean serverTime = r.nextBoolean();
        Duration skew = serverTime ? Duration.ofMinutes(r.nextInt(-30, 31)) : Duration.ofSeconds(r.nextInt(-10, 11));
        return new HistorySetup(
                r.nextInt(4) == 0 ? RemovedDocumentPolicy.RESTORE : RemovedDocumentPolicy.REPORT,
                r.nextInt(4) == 0 ? ChangeDetectionMode.FULL_HASH : ChangeDetectionMode.METADATA,
                r.nextInt(4) == 0 ? PERMISSIVE_GUARD : MassDeleteGuard.defaults(),
                r.nextBoolean() ? Duration.ZERO : SyncConfig.defaults().blobGracePeriod(),
                serverTime, skew);
    }

    /** The engine configuration: this setup on the design's defaults, a small size limit, one thread each. */
    public SyncConfig config() {
        return SyncConfig.builder()
                .maxFileSizeBytes(HistoryContent.MAX_FILE_SIZE)
                .retryPolicy(new RetryPolicy(2, Duration.ofMillis(100), Duration.ofSeconds(1), true))
                .filesetConcurrency(1).fileConcurrency(1).pageSize(2)
                .removedDocumentPolicy(removedDocuments).changeDetection(changeDetection).massDeleteGuard(guard)
                .blobGracePeriod(blobGrace)
                .build();
    }

    @Override
    public String toString() {
        return "removedDocuments=" + removedDocuments + " changeDetection=" + changeDetection + " guard="
                + (guard.equals(PERMISSIVE_GUARD) ? "never-trips" : "default") + " blobGrace=" + blobGrace
                + " vsrxServerTime=" + serverTime + " vsrxSkew=" + baseSkew.toSeconds() + "s";
    }
}
