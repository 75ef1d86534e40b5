package com.silknote.sync.testkit;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.OutboxEntry;
import com.silknote.sync.core.model.PatientFilesetRecord;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.VectorEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One in-memory Silknote: a document store, blob store, vector store, document processor, sync lock and
 * fileset claims, all on one {@link TestClock}. Adds a comparable {@link #snapshot()} of the whole state and
 * an invariant checker.
 *
 * <pre>{@code
 * var clock = TestClock.at("2026-01-01T00:00:00Z");
 * var silknote = new SilknoteSimulator(clock);
 * var sync = VsrxSync.builder().source(vsrx).documents(silknote.documents()).blobs(silknote.blobs())
 *         .vectors(silknote.vectors()).processor(silknote.processor()).lock(silknote.lock())
 *         .clock(clock).sleeper(clock).build();
 * ...
 * silknote.assertInvariants();
 * }</pre>
 */
public final class SilknoteSimulator {

    private final TestClock clock;
    private final InMemoryDocumentStore documents;
    private final InMemoryBlobStore blobs;
    private final InMemoryVectorStore vectors;
    private final InMemoryDocumentProcessor processor;
    private final InMemorySyncLock lock;
    private final InMemoryFilesetClaims claims;

    /** A fresh, empty Silknote on {@code clock}. */
    public SilknoteSimulator(TestClock clock) {
        this.clock = requireNonNull(clock, "clock");
        this.documents = new InMemoryDocumentStore(clock);
        this.blobs = new InMemoryBlobStore(clock);
        this.vectors = new InMemoryVectorStore();
        this.processor = new InMemoryDocumentProcessor(blobs, vectors);
        this.lock = new InMemorySyncLock(clock, "silknote-1");
        this.claims = documents.filesetClaims();
    }

    public TestClock clock() {
        return clock;
    }

    public InMemoryDocumentStore documents() {
        return documents;
    }

    public InMemoryBlobStore blobs() {
        return blobs;
    }

    public InMemoryVectorStore vectors() {
        return vectors;
    }

    public InMemoryDocumentProcessor processor() {
        return processor;
    }

    public InMemorySyncLock lock() {
        return lock;
    }

    public InMemoryFilesetClaims claims() {
        return claims;
    }

    /** The whole state now, as a value. */
    public SilknoteSnapshot snapshot() {
        TreeMap<ContentHash, String> refs = new TreeMap<>();
        documents.allBlobRefs().forEach((h, r) -> refs.put(h, SilknoteSnapshot.refLabel(r)));
        List<SilknoteSnapshot.PendingWork> work = new ArrayList<>();
        for (OutboxEntry e : documents.allPendingOutbox()) {
            work.add(new SilknoteSnapshot.PendingWork(e.document(), e.action(), e.contentHash(), false));
        }
        for (OutboxEntry e : documents.parkedOutbox()) {
            work.add(new SilknoteSnapshot.PendingWork(e.document(), e.action(), e.contentHash(), true));
        }
        return new SilknoteSnapshot(new TreeMap<>(documents.allDocuments()), new TreeMap<>(documents.allMappings()),
                new TreeMap<>(documents.allFilesets()), refs, new TreeSet<>(blobs.all().keySet()),
                new TreeMap<>(vectors.all()), new TreeMap<>(documents.allSkips()), work, documents.loadState());
    }

    /**
     * Checks the invariants of a consistent Silknote and throws {@link AssertionError} listing every
     * violation. See {@link #invariantViolations()}.
     *
     * @throws AssertionError when an invariant is broken
     */
    public void assertInvariants() {
        List<String> violations = invariantViolations();
        if (!violations.isEmpty()) {
            throw new AssertionError("Silknote invariants broken (" + violations.size() + "):\n  "
                    + String.join("\n  ", violations));
        }
    }

    /**
     * Like {@link #assertInvariants()}, and also requires that no post-commit work is pending (parked
     * entries are allowed: they are reported, not retried).
     *
     * @throws AssertionError when an invariant is broken or work is pending
     */
    public void assertQuiescent() {
        List<String> violations = new ArrayList<>(invariantViolations());
        documents.allPendingOutbox().forEach(e -> violations.add("pending outbox entry " + e.id() + " "
                + e.action() + " for document " + e.document()));
        if (!violations.isEmpty()) {
            throw new AssertionError("Silknote not quiescent (" + violations.size() + "):\n  "
                    + String.join("\n  ", violations));
        }
    }

    /**
     * The broken invariants, one log-safe line each (ids and hash prefixes only); empty when consistent:
     * <ol>
     *   <li>every document has a mapping (by its clientFileId) naming it, with equal hash and size;</li>
     *   <li>every mapping names its document, or none when a Silknote user removed the document (a reported
     *       conflict); a mapping's blob exists either way;</li>
     *   <li>every document has its patient fileset record, for the same patient unless a user modified the
     *       document (it then stays with its patient, a reported conflict, when the fileset is re-linked);</li>
     *   <li>every document's blob exists, with that size and bytes that hash to it;</li>
     *   <li>references are held per file id (issue 9 item 3): each reference row's count equals the number of
     *       file ids whose mapping's hash (else document's) it is; those hashes have a {@code LIVE} row, and a
     *       {@code DELETING} row has count 0;</li>
     *   <li>no vector entries for a missing document (except one a user removed while its mapping stays),
     *       nor entries computed from other content than the document's, unless post-commit work for that
     *       document is still pending (not parked).</li>
     * </ol>
     */
    public List<String> invariantViolations() {
        Map<DocumentUuid, SilknoteDocument> docs = documents.allDocuments();
        Map<com.silknote.sync.core.model.VsrxFileId, SyncMapping> mappings = documents.allMappings();
        Map<com.silknote.sync.core.model.FilesetId, PatientFilesetRecord> filesets = documents.allFilesets();
        Map<ContentHash, BlobRef> refs = documents.allBlobRefs();
        Set<DocumentUuid> pendingWork = new HashSet<>();
        documents.allPendingOutbox().forEach(e -> pendingWork.add(e.document()));
        List<String> out = new ArrayList<>();
        Map<ContentHash, Long> referencing = new HashMap<>();
        Set<DocumentUuid> removedBySilknote = new HashSet<>();
        mappings.values().stream().filter(m -> !docs.containsKey(m.silknoteDocumentUuid()))
                .forEach(m -> removedBySilknote.add(m.silknoteDocumentUuid()));

        for (SilknoteDocument d : docs.values()) {
            SyncMapping m = mappings.get(d.clientFileId());
            if (m == null) {
                out.add("document " + d.uuid() + " has no mapping");
                referencing.merge(d.contentHash(), 1L, Long::sum);
            } else if (!m.silknoteDocumentUuid().equals(d.uuid())) {
                out.add("mapping of file " + d.clientFileId() + " names " + m.silknoteDocumentUuid()
                        + ", not document " + d.uuid());
            } else if (!m.contentHash().equals(d.contentHash()) || m.size() != d.size()) {
                out.add("document " + d.uuid() + " has hash " + d.contentHash() + "/" + d.size()
                        + " but its mapping " + m.contentHash() + "/" + m.size());
            }
            PatientFilesetRecord fs = filesets.get(d.filesetId());
            if (fs == null) {
                out.add("document " + d.uuid() + " has no patient fileset record " + d.filesetId());
            } else if (!fs.patientUuid().equals(d.patientUuid()) && d.metadata().untouchedBySilknoteUser()) {
                out.add("document " + d.uuid() + " belongs to another patient than its fileset " + d.filesetId());
            }
            Optional<byte[]> bytes = blobs.rawBytes(d.contentHash());
            if (bytes.isEmpty()) {
                out.add("document " + d.uuid() + " references missing blob " + d.contentHash());
            } else if (bytes.get().length != d.size() || !TestHashes.sha256(bytes.get()).equals(d.contentHash())) {
                out.add("blob " + d.contentHash() + " of document " + d.uuid() + " does not hold its content");
            }
        }
        for (SyncMapping m : mappings.values()) {
            referencing.merge(m.contentHash(), 1L, Long::sum);
            SilknoteDocument d = docs.get(m.silknoteDocumentUuid());
            if (d == null && documents.findDocumentByClientFileId(m.vsrxFileId()).isPresent()) {
                out.add("mapping of file " + m.vsrxFileId() + " names missing document " + m.silknoteDocumentUuid());
            }
            if (d == null && blobs.rawBytes(m.contentHash()).isEmpty()) {
                out.add("mapping of file " + m.vsrxFileId() + " references missing blob " + m.contentHash());
            }
        }
        for (BlobRef r : refs.values()) {
            long expected = referencing.getOrDefault(r.hash(), 0L);
            if (r.refCount() != expected) {
                out.add("blob ref " + r.hash() + " counts " + r.refCount() + " but " + expected
                        + " file ids reference it");
            }
            if (r.state() == BlobRef.State.DELETING && r.refCount() != 0) {
                out.add("blob ref " + r.hash() + " is DELETING with count " + r.refCount());
            }
        }
        for (Map.Entry<ContentHash, Long> e : referencing.entrySet()) {
            BlobRef r = refs.get(e.getKey());
            if (r == null) {
                out.add("blob " + e.getKey() + " is referenced by " + e.getValue() + " file ids but has no ref row");
            } else if (r.state() != BlobRef.State.LIVE) {
                out.add("blob " + e.getKey() + " is referenced but its row is " + r.state());
            }
        }
        for (Map.Entry<DocumentUuid, List<VectorEntry>> e : vectors.all().entrySet()) {
            if (pendingWork.contains(e.getKey())) {
                continue;
            }
            SilknoteDocument d = docs.get(e.getKey());
            if (d == null && removedBySilknote.contains(e.getKey())) {
                continue; // the document a user removed: its entries are the orphan cleanup's
            }
            if (d == null) {
                out.add("vector entries for missing document " + e.getKey());
            } else if (e.getValue().stream().anyMatch(v -> !v.contentHash().equals(d.contentHash()))) {
                out.add("vector entries of document " + e.getKey() + " were computed from other content");
            }
        }
        return out;
    }
}
