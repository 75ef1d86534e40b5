package com.silknote.sync.testkit.history;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.BidirectionalConfig;
import com.silknote.sync.core.model.ConflictStrategy;
import com.silknote.sync.core.model.MassDeleteGuard;
import com.silknote.sync.core.model.RetryPolicy;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncDirection;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * How the engine is set up for one bi-directional history, drawn from its seed (docs/bidirectional.md §1).
 *
 * @param strategy         the conflict strategy of the whole history
 * @param deletes          whether documents removed in Silknote mark their VSRX files deleted
 * @param groupedDocuments whether documents a Silknote user grouped are pushed too
 * @param guard            the mass-delete guard (the default, or one that never trips)
 * @param blobGrace        how long a blob at zero references waits before it is collected (zero: at once)
 */
public record BidiSetup(ConflictStrategy strategy, boolean deletes, boolean groupedDocuments, MassDeleteGuard guard,
        Duration blobGrace) {

    public BidiSetup {
        requireNonNull(strategy, "strategy");
        requireNonNull(guard, "guard");
        requireNonNull(blobGrace, "blobGrace");
    }

    /** The setup of {@code seed}: every strategy equally often, deletes and grouped documents on in half. */
    public static BidiSetup draw(long seed) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 0xB1D1);
        ConflictStrategy[] all = ConflictStrategy.values();
        return new BidiSetup(all[r.nextInt(all.length)], r.nextBoolean(), r.nextBoolean(),
                r.nextInt(3) == 0 ? HistorySetup.PERMISSIVE_GUARD : MassDeleteGuard.defaults(),
                r.nextBoolean() ? Duration.ZERO : SyncConfig.defaults().blobGracePeriod());
    }

    /** The engine configuration: bi-directional with this setup, one thread each, small pages. */
    public SyncConfig config() {
        return SyncConfig.builder()
                .maxFileSizeBytes(HistoryContent.MAX_FILE_SIZE)
                .retryPolicy(new RetryPolicy(2, Duration.ofMillis(100), Duration.ofSeconds(1), true))
                .filesetConcurrency(1).fileConcurrency(1).pageSize(2)
                .massDeleteGuard(guard).blobGracePeriod(blobGrace)
                .bidirectional(BidirectionalConfig.builder().direction(SyncDirection.BIDIRECTIONAL)
                        .deletes(deletes).groupedDocuments(groupedDocuments).conflictStrategy(strategy).build())
                .build();
    }

    @Override
    public String toString() {
        return "strategy=" + strategy + " deletes=" + deletes + " groupedDocuments=" + groupedDocuments + " guard="
                + (guard.equals(HistorySetup.PERMISSIVE_GUARD) ? "never-trips" : "default") + " blobGrace=" + blobGrace;
    }
}
