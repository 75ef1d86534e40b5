package com.silknote.sync.testkit.fault;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentProcessor;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.testkit.SilknoteSimulator;

/**
 * The ports of a {@link SilknoteSimulator}, each wrapped in its {@code Faulty*} decorator driven by one
 * {@link FaultPlan}: what a crash-point sweep hands to the engine.
 *
 * <pre>{@code
 * int effects = cleanRunEffects();                       // run once with FaultPlan.none()
 * for (int n = 1; n <= effects; n++) {
 *     var silknote = new SilknoteSimulator(clock);
 *     var plan = FaultPlan.crashAfterEffect(n);
 *     var ports = FaultySilknote.wrap(silknote, plan);
 *     assertThatThrownBy(() -> engine(ports).run(request)).isInstanceOf(SimulatedCrash.class);
 *     silknote.lock().forceExpiry("vsrx-sync");
 *     engine(FaultySilknote.wrap(silknote, FaultPlan.none())).run(request);    // resume
 *     assertThat(silknote.snapshot().timeless()).isEqualTo(clean.snapshot().timeless());
 * }
 * }</pre>
 * The processor inside the simulator writes to the simulator's own vector store, so processing is one
 * effect ({@link Operation#PROCESS}) however many vector writes it makes.
 *
 * @param documents the faulty document store
 * @param blobs     the faulty blob store
 * @param vectors   the faulty vector store
 * @param processor the faulty processor
 * @param lock      the lock, dying with the plan
 * @param plan      the plan driving them all
 */
public record FaultySilknote(DocumentStore documents, BlobStore blobs, VectorStore vectors,
        DocumentProcessor processor, SyncLock lock, FaultPlan plan) {

    public FaultySilknote {
        requireNonNull(documents, "documents");
        requireNonNull(blobs, "blobs");
        requireNonNull(vectors, "vectors");
        requireNonNull(processor, "processor");
        requireNonNull(lock, "lock");
        requireNonNull(plan, "plan");
    }

    /** Wraps every port of {@code silknote} with {@code plan}. */
    public static FaultySilknote wrap(SilknoteSimulator silknote, FaultPlan plan) {
        requireNonNull(silknote, "silknote");
        requireNonNull(plan, "plan");
        return new FaultySilknote(new FaultyDocumentStore(silknote.documents(), plan),
                new FaultyBlobStore(silknote.blobs(), plan), new FaultyVectorStore(silknote.vectors(), plan),
                new FaultyDocumentProcessor(silknote.processor(), plan), new FaultySyncLock(silknote.lock(), plan),
                plan);
    }
}
