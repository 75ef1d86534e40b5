package com.silknote.sync.core;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.internal.Cleanup;
import com.silknote.sync.core.internal.OperationRunner;
import com.silknote.sync.core.model.CleanupReport;
import com.silknote.sync.core.model.CleanupRequest;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.OperationListener;
import com.silknote.sync.core.port.Sleeper;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.core.port.VsrxSource;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The orphan cleanup (DESIGN rule 14). Finds, and unless it is a dry run removes, what no sync will ever
 * reach again:
 *
 * <ul>
 *   <li>documents without a valid patient fileset record (their references are released, their vectors
 *       purged); with a VSRX source, not those of a fileset VSRX still lists linked to a Silknote patient, whose
 *       record the next sync writes again;</li>
 *   <li>mappings without documents (a Silknote user removed the document; the reference is released, and
 *       the next sync treats a file VSRX still lists as new);</li>
 *   <li>outbox rows of documents that no longer exist;</li>
 *   <li>vector entries without documents;</li>
 *   <li>blobs without references: zero-reference rows, rows a stopped collection left {@code DELETING}, and
 *       blobs uploaded by a run that stopped before its commit (they have no row at all);</li>
 *   <li>remembered skips of files VSRX no longer lists (only with a VSRX source).</li>
 * </ul>
 *
 * <p>Nothing younger than {@link SyncConfig#blobGracePeriod()} is touched (by its own time: a document's or a
 * mapping's last write, a blob's last modification in the blob store, a row's last update). A real run takes
 * the {@code vsrx-sync} lock like a sync (refused while one runs, touching nothing), writes only with its
 * fencing token, audits every removal, and deletes blobs by the collector protocol of DESIGN §4, so a sync on
 * another host that references a blob meanwhile never loses it. A dry run takes no lock and changes nothing:
 * it lists counts and bytes per class. Immutable and thread-safe.
 *
 * <pre>{@code
 * OrphanCleanup cleanup = OrphanCleanup.builder().documents(store).blobs(blobs).vectors(vectors).lock(lock)
 *         .source(vsrx).build();
 * CleanupReport dry = cleanup.run(CleanupRequest.dryRunOnly());
 * CleanupReport done = cleanup.run(CleanupRequest.removing());
 * }</pre>
 */
public final class OrphanCleanup {
    private final DocumentStore documents;
    private final BlobStore blobs;
    private final VectorStore vectors;
    private final SyncLock lock;
    private final Optional<VsrxSource> source;
    private final SyncConfig config;
    private final OperationListener listener;
    private final Clock clock;
    private final Sleeper sleeper;
    private final RandomGenerator random;
    private final Cleanup cleanup;

    /**
     * Constructor for dependency-injection containers; {@link #builder()} is the other way in.
     *
     * @param source VSRX, to find skips of files it no longer lists; empty to leave skips alone
     * @param config its {@code blobGracePeriod}, lock ttl and retry policy are used
     * @throws NullPointerException when any argument is null
     */
    @Inject
    public OrphanCleanup(DocumentStore documents, BlobStore blobs, VectorStore vectors, SyncLock lock,
            Optional<VsrxSource> source, SyncConfig config, OperationListener listener, Clock clock, Sleeper sleeper,
            RandomGenerator random) {
        this.documents = requireNonNull(documents, "documents");
        this.blobs = requireNonNull(blobs, "blobs");
        this.vectors = requireNonNull(vectors, "vectors");
        this.lock = requireNonNull(lock, "lock");
        this.source = requireNonNull(source, "source");
        this.config = requireNonNull(config, "config");
        this.listener = requireNonNull(listener, "listener");
        this.clock = requireNonNull(clock, "clock");
        this.sleeper = requireNonNull(sleeper, "sleeper");
        this.random = requireNonNull(random, "random");
        this.cleanup = new Cleanup(new OperationRunner(documents, lock, config, listener, clock, sleeper, random),
                blobs, vectors, source);
    }

    /** A new builder with the defaults ({@link SyncConfig#defaults()}, no VSRX source, system clock). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder pre-filled with this instance's parts. */
    public Builder newBuilder() {
        Builder b = new Builder();
        b.documents = documents;
        b.blobs = blobs;
        b.vectors = vectors;
        b.lock = lock;
        b.source = source;
        b.config = config;
        b.listener = listener;
        b.clock = clock;
        b.sleeper = sleeper;
        b.random = random;
        return b;
    }

    /**
     * Runs one cleanup. Returns {@code ALREADY_IN_PROGRESS} without touching anything while a sync holds the
     * lock; {@code FAILED} when the lease was lost or a backend failed (what it committed before stays).
     *
     * @throws NullPointerException when request is null
     */
    public CleanupReport run(CleanupRequest request) {
        return cleanup.run(requireNonNull(request, "request"));
    }

    /** Builds an {@link OrphanCleanup}. Documents, blobs, vectors and lock are required. */
    public static final class Builder {
        private DocumentStore documents;
        private BlobStore blobs;
        private VectorStore vectors;
        private SyncLock lock;
        private Optional<VsrxSource> source = Optional.empty();
        private SyncConfig config = SyncConfig.defaults();
        private OperationListener listener = OperationListener.NONE;
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = Sleeper.SYSTEM;
        private RandomGenerator random;

        private Builder() { }

        // Each setter: @throws NullPointerException when the argument is null.

        public Builder documents(DocumentStore v) { documents = requireNonNull(v, "documents"); return this; }
        public Builder blobs(BlobStore v) { blobs = requireNonNull(v, "blobs"); return this; }
        public Builder vectors(VectorStore v) { vectors = requireNonNull(v, "vectors"); return this; }
        public Builder lock(SyncLock v) { lock = requireNonNull(v, "lock"); return this; }
        /** VSRX, to forget skips of files it no longer lists. */
        public Builder source(VsrxSource v) { source = Optional.of(requireNonNull(v, "source")); return this; }
        public Builder config(SyncConfig v) { config = requireNonNull(v, "config"); return this; }
        public Builder listener(OperationListener v) { listener = requireNonNull(v, "listener"); return this; }
        public Builder clock(Clock v) { clock = requireNonNull(v, "clock"); return this; }
        public Builder sleeper(Sleeper v) { sleeper = requireNonNull(v, "sleeper"); return this; }
        public Builder random(RandomGenerator v) { random = requireNonNull(v, "random"); return this; }

        /** @throws IllegalStateException when a required part is missing */
        public OrphanCleanup build() {
            if (documents == null || blobs == null || vectors == null || lock == null) {
                throw new IllegalStateException("documents, blobs, vectors and lock are required");
            }
            return new OrphanCleanup(documents, blobs, vectors, lock, source, config, listener, clock, sleeper,
                    random != null ? random : new SplittableRandom());
        }
    }
}
