package com.silknote.sync.core;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.admission.ContentSniffer;
import com.silknote.sync.core.internal.SyncEngine;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.path.PathValidator;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentProcessor;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.FilesetClaims;
import com.silknote.sync.core.port.Sleeper;
import com.silknote.sync.core.port.SyncListener;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.core.port.VsrxTarget;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The sync engine: keeps Silknote in step with VSRX. Immutable and thread-safe; one instance serves any
 * number of calls, while the {@code vsrx-sync} lock lets only one run proceed at a time (across hosts).
 *
 * <pre>{@code
 * VsrxSync sync = VsrxSync.builder()
 *         .source(vsrx).documents(store).blobs(blobs).vectors(vectors).processor(processor).lock(lock)
 *         .build();
 * SyncResult result = sync.run(SyncRequest.full());
 * }</pre>
 *
 * <p><b>Scale-out.</b> With {@link Builder#claims(FilesetClaims) claims} of the same ledger, N instances (threads
 * or hosts) share one run's filesets: the call that takes the lock coordinates and works, the others join its
 * run as workers ({@link SyncResult.Status#JOINED}) instead of answering "already in progress". Dry runs and
 * single-fileset runs never scale out.
 */
public final class VsrxSync {
    private final VsrxSource source;
    private final DocumentStore documents;
    private final BlobStore blobs;
    private final VectorStore vectors;
    private final DocumentProcessor processor;
    private final SyncLock lock;
    private final Optional<FilesetClaims> claims;
    private final SyncListener listener;
    private final SyncConfig config;
    private final Clock clock;
    private final Sleeper sleeper;
    private final RandomGenerator random;
    private final SyncEngine engine;
    private final Optional<VsrxTarget> target;

    /**
     * Constructor for dependency-injection containers; {@link #builder()} is the other way in.
     *
     * @param claims scale-out claims of the same ledger as {@code documents} ({@code JdbcLedger.filesetClaims()});
     *               empty for a single worker (Spring injects {@code Optional} as it is, Guice through
     *               {@code OptionalBinder}, Dagger through {@code @BindsOptionalOf})
     * @throws NullPointerException when any argument is null
     */
    @Inject
    public VsrxSync(VsrxSource source, DocumentStore documents, BlobStore blobs, VectorStore vectors,
            DocumentProcessor processor, SyncLock lock, Optional<FilesetClaims> claims, SyncListener listener,
            SyncConfig config, Clock clock, Sleeper sleeper, RandomGenerator random) {
        this(source, documents, blobs, vectors, processor, lock, claims, listener, config, clock, sleeper, random,
                Optional.empty());
    }

    private VsrxSync(VsrxSource source, DocumentStore documents, BlobStore blobs, VectorStore vectors,
            DocumentProcessor processor, SyncLock lock, Optional<FilesetClaims> claims, SyncListener listener,
            SyncConfig config, Clock clock, Sleeper sleeper, RandomGenerator random, Optional<VsrxTarget> target) {
        this.target = requireNonNull(target, "target");
        this.source = requireNonNull(source, "source");
        this.documents = requireNonNull(documents, "documents");
        this.blobs = requireNonNull(blobs, "blobs");
        this.vectors = requireNonNull(vectors, "vectors");
        this.processor = requireNonNull(processor, "processor");
        this.lock = requireNonNull(lock, "lock");
        this.claims = requireNonNull(claims, "claims");
        this.listener = requireNonNull(listener, "listener");
        this.config = requireNonNull(config, "config");
        this.clock = requireNonNull(clock, "clock");
        this.sleeper = requireNonNull(sleeper, "sleeper");
        this.random = requireNonNull(random, "random");
        this.engine = new SyncEngine(source, documents, blobs, vectors, processor, lock, claims, listener, config,
                clock, sleeper, random, PathValidator::validate, ContentSniffer::agrees, target);
    }

    /** A new builder with the defaults ({@link SyncConfig#defaults()}, system clock, real sleeper). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder pre-filled with this instance's parts. */
    public Builder newBuilder() {
        Builder b = new Builder();
        b.source = source;
        b.documents = documents;
        b.blobs = blobs;
        b.vectors = vectors;
        b.processor = processor;
        b.lock = lock;
        b.claims = claims.orElse(null);
        b.listener = listener;
        b.config = config;
        b.clock = clock;
        b.sleeper = sleeper;
        b.random = random;
        b.target = target.orElse(null);
        return b;
    }

    /** This engine's configuration. */
    public SyncConfig config() {
        return config;
    }

    /**
     * Runs one sync. Returns {@code {success:false, error:"Sync already in progress"}} without touching
     * anything when another run holds the lock (with scale-out claims: unless that run is open to workers,
     * which this call then joins).
     *
     * <p>A fileset's failure (transient failures exhausted, a store error, the mass-delete guard) is
     * reported in the result and the run goes on with the next fileset; {@code success} is {@code true}
     * only when every fileset completed. A run that loses its lease stops before its next write and
     * reports {@code success == false}. A run that reaches its {@link SyncRequest#budget() budget} stops at a
     * fileset boundary ({@link SyncResult.Status#STOPPED}). An {@link Error} thrown by a port (a crash)
     * propagates unchanged.
     *
     * @throws NullPointerException when request is null
     * @throws com.silknote.sync.core.exception.SyncException when the lock backend cannot be reached
     */
    public SyncResult run(SyncRequest request) {
        requireNonNull(request, "request");
        return engine.run(request);
    }

    /**
     * Runs one sync that {@code control} can stop at a fileset boundary: once a stop is requested it starts
     * no further fileset, lets the filesets in flight commit, saves its resume state and returns
     * {@link SyncResult.Status#STOPPED} (the next run resumes). Otherwise as {@link #run(SyncRequest)}.
     *
     * @throws NullPointerException when an argument is null
     * @throws com.silknote.sync.core.exception.SyncException when the lock backend cannot be reached
     */
    public SyncResult run(SyncRequest request, RunControl control) {
        requireNonNull(request, "request");
        requireNonNull(control, "control");
        return engine.run(request, control::stopReason);
    }

    /** Builds a {@link VsrxSync}. Source, documents, blobs, vectors, processor and lock are required. */
    public static final class Builder {
        private VsrxSource source;
        private DocumentStore documents;
        private BlobStore blobs;
        private VectorStore vectors;
        private DocumentProcessor processor;
        private SyncLock lock;
        private FilesetClaims claims;
        private SyncListener listener = SyncListener.NONE;
        private SyncConfig config = SyncConfig.defaults();
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = Sleeper.SYSTEM;
        private RandomGenerator random;
        private VsrxTarget target;

        private Builder() { }

        // Each setter: @throws NullPointerException when the argument is null.

        public Builder source(VsrxSource v) { source = requireNonNull(v, "source"); return this; }
        public Builder documents(DocumentStore v) { documents = requireNonNull(v, "documents"); return this; }
        public Builder blobs(BlobStore v) { blobs = requireNonNull(v, "blobs"); return this; }
        public Builder vectors(VectorStore v) { vectors = requireNonNull(v, "vectors"); return this; }
        public Builder processor(DocumentProcessor v) { processor = requireNonNull(v, "processor"); return this; }
        /**
         * A hook called once per created or updated document after its fileset committed, for work that writes
         * nothing a stale run could overwrite (counting, notifying). It gets neither the run's fencing token nor
         * the downloaded content: a pipeline that writes results (vectors, OCR text) is a
         * {@link DocumentProcessor} and fences those writes with the token (DESIGN rule 10).
         */
        public Builder processor(java.util.function.Consumer<SilknoteDocument> hook) {
            requireNonNull(hook, "processor");
            return processor(new DocumentProcessor() {
                @Override
                public void process(SilknoteDocument document, FencingToken token) {
                    hook.accept(document);
                }

                @Override
                public String toString() {
                    return "DocumentProcessor(hook)";
                }
            });
        }
        public Builder lock(SyncLock v) { lock = requireNonNull(v, "lock"); return this; }
        /** Scale-out: claims of the same ledger as the document store (see the class comment). */
        public Builder claims(FilesetClaims v) { claims = requireNonNull(v, "claims"); return this; }
        public Builder listener(SyncListener v) { listener = requireNonNull(v, "listener"); return this; }
        public Builder config(SyncConfig v) { config = requireNonNull(v, "config"); return this; }
        public Builder clock(Clock v) { clock = requireNonNull(v, "clock"); return this; }
        public Builder sleeper(Sleeper v) { sleeper = requireNonNull(v, "sleeper"); return this; }
        public Builder random(RandomGenerator v) { random = requireNonNull(v, "random"); return this; }
        /**
         * The VSRX write port for bi-directional sync (docs/bidirectional.md); used only when
         * {@link SyncConfig#bidirectional()} is enabled, and required then.
         */
        public Builder target(VsrxTarget v) { target = requireNonNull(v, "target"); return this; }

        /**
         * @throws IllegalStateException    when a required part is missing
         * @throws IllegalArgumentException when bi-directional sync is enabled without a {@link #target}
         */
        public VsrxSync build() {
            if (source == null || documents == null || blobs == null || vectors == null || processor == null
                    || lock == null) {
                throw new IllegalStateException(
                        "source, documents, blobs, vectors, processor and lock are required");
            }
            RandomGenerator r = random != null ? random : new SplittableRandom();
            return new VsrxSync(source, documents, blobs, vectors, processor, lock, Optional.ofNullable(claims),
                    listener, config, clock, sleeper, r, Optional.ofNullable(target));
        }
    }
}
