package com.silknote.sync.testkit.reliability;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentProcessor;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.testkit.InMemoryDocumentProcessor;
import com.silknote.sync.testkit.SilknoteSimulator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One Silknote made of real or in-memory stores, as the reliability scenarios see it: the ports the engine
 * writes to, lock clients of any number of hosts on one lock namespace, a way to expire a lease inside the
 * backend (what a crashed holder's lease does after its ttl), and row counts read past the adapters.
 *
 * <p>An adapter test returns a fresh, empty one (its own schema, container or folder) from the scenario's
 * factory; the scenario reads its state through the ports ({@link Snapshots#read(SilknoteBackend)}) and
 * checks that against {@link #rawCounts()}.
 */
public interface SilknoteBackend {

    /** The ledger. */
    DocumentStore documents();

    /** Content storage. */
    BlobStore blobs();

    /** Vector entries per document. */
    VectorStore vectors();

    /**
     * Silknote's processing stand-in: reads {@link #blobs()}, writes entries derived from the content to
     * {@link #vectors()} ({@link InMemoryDocumentProcessor}). One instance per backend.
     */
    DocumentProcessor processor();

    /** A lock client of one more host on this backend's lock namespace; {@code holderId} is log-safe. */
    SyncLock newLock(String holderId);

    /** Expires the current lease of {@code name} inside the backend, as its ttl running out would. */
    void forceExpiry(String name);

    /**
     * Row counts read directly from the backend, past the adapters, by part: {@code documents},
     * {@code mappings}, {@code blobRefs}, {@code skips}, {@code outbox} (pending and parked), {@code blobs}
     * (stored objects, temporary files included), {@code vectorDocuments}. A part the backend cannot count is
     * absent; the default knows none.
     */
    default Map<String, Long> rawCounts() {
        return Map.of();
    }

    /** The in-memory Silknote of {@code simulator} as a backend (lock clients share its lock). */
    static SilknoteBackend of(SilknoteSimulator simulator) {
        requireNonNull(simulator, "simulator");
        return new SilknoteBackend() {
            @Override
            public DocumentStore documents() {
                return simulator.documents();
            }

            @Override
            public BlobStore blobs() {
                return simulator.blobs();
            }

            @Override
            public VectorStore vectors() {
                return simulator.vectors();
            }

            @Override
            public DocumentProcessor processor() {
                return simulator.processor();
            }

            @Override
            public SyncLock newLock(String holderId) {
                return simulator.lock().newHolder(holderId);
            }

            @Override
            public void forceExpiry(String name) {
                simulator.lock().forceExpiry(name);
            }

            @Override
            public Map<String, Long> rawCounts() {
                Map<String, Long> counts = new LinkedHashMap<>();
                counts.put("documents", (long) simulator.documents().allDocuments().size());
                counts.put("mappings", (long) simulator.documents().allMappings().size());
                counts.put("blobRefs", (long) simulator.documents().allBlobRefs().size());
                counts.put("skips", (long) simulator.documents().allSkips().size());
                counts.put("outbox", (long) simulator.documents().allPendingOutbox().size()
                        + simulator.documents().parkedOutbox().size());
                counts.put("blobs", (long) simulator.blobs().all().size());
                counts.put("vectorDocuments", (long) simulator.vectors().all().size());
                return counts;
            }
        };
    }
}
