package com.silknote.sync.core;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.internal.Migration;
import com.silknote.sync.core.internal.OperationRunner;
import com.silknote.sync.core.model.MigrationCandidate;
import com.silknote.sync.core.model.MigrationReport;
import com.silknote.sync.core.model.MigrationRequest;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.OperationListener;
import com.silknote.sync.core.port.Sleeper;
import com.silknote.sync.core.port.SyncLock;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The manual re-booking migration (DESIGN rule 13). Re-booking a patient in VSRX gives a new patient id and a
 * new fileset while the old one stays; the sync never moves documents by itself. This operation moves the
 * documents of the old patient fileset to the new one of the same Silknote patient:
 *
 * <ul>
 *   <li>{@link #candidates()} lists the pairs: old and new fileset of one Silknote patient where the new
 *       fileset's patient-id history holds the old fileset's patient id (both must have been synced);</li>
 *   <li>{@link #migrate(MigrationRequest)} moves them in one transaction, fenced like a sync (it takes the
 *       {@code vsrx-sync} lock and is refused while a sync holds it), conditional on what it read, one audit
 *       row per document; a second run finds nothing left to move and changes nothing. Dry run first.</li>
 * </ul>
 *
 * <p>The moved documents keep their uuids, VSRX file ids and mappings: their files still live in the old
 * VSRX fileset, whose sync keeps updating and deleting them where they are now (they carry
 * {@code migratedFrom}). Immutable and thread-safe.
 *
 * <pre>{@code
 * RebookingMigration migration = RebookingMigration.builder().documents(store).lock(lock).build();
 * for (MigrationCandidate c : migration.candidates()) { ... }
 * MigrationReport dry = migration.migrate(new MigrationRequest(old, fresh, true));
 * MigrationReport done = migration.migrate(new MigrationRequest(old, fresh, false));
 * }</pre>
 */
public final class RebookingMigration {
    private final DocumentStore documents;
    private final SyncLock lock;
    private final SyncConfig config;
    private final OperationListener listener;
    private final Clock clock;
    private final Sleeper sleeper;
    private final RandomGenerator random;
    private final Migration migration;

    /**
     * Constructor for dependency-injection containers; {@link #builder()} is the other way in.
     *
     * @param config its lock ttl and retry policy are used
     * @throws NullPointerException when any argument is null
     */
    @Inject
    public RebookingMigration(DocumentStore documents, SyncLock lock, SyncConfig config, OperationListener listener,
            Clock clock, Sleeper sleeper, RandomGenerator random) {
        this.documents = requireNonNull(documents, "documents");
        this.lock = requireNonNull(lock, "lock");
        this.config = requireNonNull(config, "config");
        this.listener = requireNonNull(listener, "listener");
        this.clock = requireNonNull(clock, "clock");
        this.sleeper = requireNonNull(sleeper, "sleeper");
        this.random = requireNonNull(random, "random");
        this.migration = new Migration(new OperationRunner(documents, lock, config, listener, clock, sleeper, random));
    }

    /** A new builder with the defaults ({@link SyncConfig#defaults()}, system clock, real sleeper). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder pre-filled with this instance's parts. */
    public Builder newBuilder() {
        Builder b = new Builder();
        b.documents = documents;
        b.lock = lock;
        b.config = config;
        b.listener = listener;
        b.clock = clock;
        b.sleeper = sleeper;
        b.random = random;
        return b;
    }

    /**
     * The re-booking pairs Silknote holds (old → new fileset of one Silknote patient), with the number of
     * documents the old one holds now; reads every fileset record.
     *
     * @throws com.silknote.sync.core.exception.SyncException when the store cannot be read
     */
    public List<MigrationCandidate> candidates() {
        return migration.candidates();
    }

    /**
     * Moves (or, in a dry run, lists) the documents of {@code request.from()} to {@code request.to()}. Returns
     * {@code ALREADY_IN_PROGRESS} without touching anything while a sync holds the lock, {@code REFUSED} when
     * the filesets are not a candidate pair, {@code FAILED} when the lock or the store failed or the ledger
     * changed since it was read (nothing moved then).
     *
     * @throws NullPointerException when request is null
     */
    public MigrationReport migrate(MigrationRequest request) {
        return migration.migrate(requireNonNull(request, "request"));
    }

    /** Builds a {@link RebookingMigration}. Documents and lock are required. */
    public static final class Builder {
        private DocumentStore documents;
        private SyncLock lock;
        private SyncConfig config = SyncConfig.defaults();
        private OperationListener listener = OperationListener.NONE;
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = Sleeper.SYSTEM;
        private RandomGenerator random;

        private Builder() { }

        // Each setter: @throws NullPointerException when the argument is null.

        public Builder documents(DocumentStore v) { documents = requireNonNull(v, "documents"); return this; }
        public Builder lock(SyncLock v) { lock = requireNonNull(v, "lock"); return this; }
        public Builder config(SyncConfig v) { config = requireNonNull(v, "config"); return this; }
        public Builder listener(OperationListener v) { listener = requireNonNull(v, "listener"); return this; }
        public Builder clock(Clock v) { clock = requireNonNull(v, "clock"); return this; }
        public Builder sleeper(Sleeper v) { sleeper = requireNonNull(v, "sleeper"); return this; }
        public Builder random(RandomGenerator v) { random = requireNonNull(v, "random"); return this; }

        /** @throws IllegalStateException when documents or lock is missing */
        public RebookingMigration build() {
            if (documents == null || lock == null) {
                throw new IllegalStateException("documents and lock are required");
            }
            return new RebookingMigration(documents, lock, config, listener, clock, sleeper,
                    random != null ? random : new SplittableRandom());
        }
    }
}
