package com.silknote.sync.core;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.internal.Check;
import com.silknote.sync.core.internal.OperationRunner;
import com.silknote.sync.core.model.CheckReport;
import com.silknote.sync.core.model.CheckRequest;
import com.silknote.sync.core.model.RepairReport;
import com.silknote.sync.core.model.RepairRequest;
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
 * The consistency check and repair (issue 11). {@link #check} compares the ledger, the blob store and the
 * vector store and reports each finding by opaque id and {@link com.silknote.sync.core.model.FindingClass}: a
 * document without its blob, a blob whose size (always) or bytes ({@code verifyContent}, streams every blob)
 * do not match its hash, a reference count that differs from the references (per file id: the mapping's hash,
 * else the document's), a mapping without a document, a document without a mapping, post-commit work parked
 * or pending for longer than a threshold, vector entries of deleted documents, reference rows left
 * {@code DELETING}. It only reads and takes no lock (a note says when a sync holds it).
 *
 * <p>{@link #repair} takes the {@code vsrx-sync} lock like a sync (refused while one runs, touching nothing),
 * checks again and fixes what is safe: recounts references (fenced, conditional, counted at commit), queues
 * parked work again, fetches a missing or damaged blob again from VSRX by a document's file id (only bytes that
 * hash to the document's hash are stored; needs a VSRX source), purges vector entries of deleted documents. Each
 * fix is audited; what it leaves (to the orphan cleanup, to the next sync, to a person) is reported with the
 * reason. Immutable and thread-safe.
 */
public final class ConsistencyCheck {
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
    private final Check check;

    /**
     * Constructor for dependency-injection containers; {@link #builder()} is the other way in.
     *
     * @param source VSRX, to fetch missing or damaged blobs again; empty to report them only
     * @param config its lock ttl, retry policy, spool directory and size limit are used
     * @throws NullPointerException when any argument is null
     */
    @Inject
    public ConsistencyCheck(DocumentStore documents, BlobStore blobs, VectorStore vectors, SyncLock lock,
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
        this.check = new Check(new OperationRunner(documents, lock, config, listener, clock, sleeper, random), blobs,
                vectors, lock, source);
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
     * Checks; reads only. A backend failure ends it with a {@code FAILED} report.
     *
     * @throws NullPointerException when request is null
     */
    public CheckReport check(CheckRequest request) {
        return check.check(requireNonNull(request, "request"));
    }

    /**
     * Repairs what is safe and reports the rest. {@code ALREADY_IN_PROGRESS} (nothing touched) while a sync
     * holds the lock; {@code FAILED} when the lease was lost or a backend failed (fixes made before stay).
     *
     * @throws NullPointerException when request is null
     */
    public RepairReport repair(RepairRequest request) {
        return check.repair(requireNonNull(request, "request"));
    }

    /** Builds a {@link ConsistencyCheck}. Documents, blobs, vectors and lock are required. */
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
        /** VSRX, to fetch missing or damaged blobs again. */
        public Builder source(VsrxSource v) { source = Optional.of(requireNonNull(v, "source")); return this; }
        public Builder config(SyncConfig v) { config = requireNonNull(v, "config"); return this; }
        public Builder listener(OperationListener v) { listener = requireNonNull(v, "listener"); return this; }
        public Builder clock(Clock v) { clock = requireNonNull(v, "clock"); return this; }
        public Builder sleeper(Sleeper v) { sleeper = requireNonNull(v, "sleeper"); return this; }
        public Builder random(RandomGenerator v) { random = requireNonNull(v, "random"); return this; }

        /** @throws IllegalStateException when a required part is missing */
        public ConsistencyCheck build() {
            if (documents == null || blobs == null || vectors == null || lock == null) {
                throw new IllegalStateException("documents, blobs, vectors and lock are required");
            }
            return new ConsistencyCheck(documents, blobs, vectors, lock, source, config, listener, clock, sleeper,
                    random != null ? random : new SplittableRandom());
        }
    }
}
