package com.silknote.sync.testkit.reliability;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.OutboxEntry;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PatientFilesetRecord;
import com.silknote.sync.core.model.PermanentSkip;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.VectorEntry;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.testkit.SilknoteSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
 * The state of any Silknote, read through its ports, as a {@link SilknoteSnapshot} (so snapshots of real
 * stores compare with each other and with the in-memory simulator's), plus the simulator's invariants
 * checked on such a snapshot.
 *
 * <p>What the ports cannot show is not in the snapshot: parked outbox entries (ports list pending ones
 * only) and reference rows of content that no document, mapping, stored blob or unreferenced-row listing
 * names. {@link #countMismatches} closes that gap with the backend's raw row counts.
 */
public final class Snapshots {
    private static final int PAGE = 1000;

    private Snapshots() {
    }

    /** The state of {@code backend} through its ports. */
    public static SilknoteSnapshot read(SilknoteBackend backend) {
        requireNonNull(backend, "backend");
        return read(backend.documents(), backend.blobs(), backend.vectors());
    }

    /**
     * The state behind the three ports: every fileset Silknote records with its documents, mappings and
     * skips; every stored blob; the reference rows of every hash named anywhere; every document's vector
     * entries; the pending outbox; the resume state.
     */
    public static SilknoteSnapshot read(DocumentStore documents, BlobStore blobs, VectorStore vectors) {
        requireNonNull(documents, "documents");
        requireNonNull(blobs, "blobs");
        requireNonNull(vectors, "vectors");
        TreeMap<DocumentUuid, SilknoteDocument> docs = new TreeMap<>();
        TreeMap<VsrxFileId, SyncMapping> mappings = new TreeMap<>();
        TreeMap<FilesetId, PatientFilesetRecord> filesets = new TreeMap<>();
        TreeMap<VsrxFileId, PermanentSkip> skips = new TreeMap<>();
        Optional<String> cursor = Optional.empty();
        do {
            Page<FilesetId> page = documents.filesets(cursor, PAGE);
            for (FilesetId fs : page.items()) {
                documents.findFileset(fs).ifPresent(r -> filesets.put(fs, r));
                documents.documents(fs).forEach(d -> docs.put(d.uuid(), d));
                documents.mappings(fs).forEach(m -> mappings.put(m.vsrxFileId(), m));
                skips.putAll(documents.permanentSkips(fs));
            }
            cursor = page.nextCursor();
        } while (cursor.isPresent());

        TreeSet<ContentHash> stored = new TreeSet<>();
        cursor = Optional.empty();
        do {
            Page<BlobInfo> page = blobs.list(cursor, PAGE);
            page.items().forEach(b -> stored.add(b.hash()));
            cursor = page.nextCursor();
        } while (cursor.isPresent());

        Set<ContentHash> named = new TreeSet<>(stored);
        docs.values().forEach(d -> named.add(d.contentHash()));
        mappings.values().forEach(m -> named.add(m.contentHash()));
        documents.unreferencedBlobs(10_000).forEach(r -> named.add(r.hash()));
        TreeMap<ContentHash, String> refs = new TreeMap<>();
        for (ContentHash h : named) {
            documents.findBlobRef(h).ifPresent(r -> refs.put(h, r.state() + ":" + r.refCount()));
        }

        TreeMap<DocumentUuid, List<VectorEntry>> vectorEntries = new TreeMap<>();
        cursor = Optional.empty();
        do {
            Page<DocumentUuid> page = vectors.documents(cursor, PAGE);
            for (DocumentUuid d : page.items()) {
                List<VectorEntry> entries = vectors.entries(d);
                if (!entries.isEmpty()) {
                    vectorEntries.put(d, entries);
                }
            }
            cursor = page.nextCursor();
        } while (cursor.isPresent());

        List<SilknoteSnapshot.PendingWork> work = new ArrayList<>();
        long after = 0;
        while (true) {
            List<OutboxEntry> page = documents.pendingOutbox(after, PAGE);
            for (OutboxEntry e : page) {
                work.add(new SilknoteSnapshot.PendingWork(e.document(), e.action(), e.contentHash(), false));
                after = Math.max(after, e.id());
            }
            if (page.size() < PAGE) {
                break;
            }
        }
        return new SilknoteSnapshot(docs, mappings, filesets, refs, stored, vectorEntries, skips, work,
                documents.loadState());
    }

    /**
     * The snapshot's sizes against the backend's raw row counts (parts the backend does not count are
     * skipped); one line per difference. A difference is state the ports do not show: a parked outbox
     * entry, a reference row nothing names, a document of a fileset without a record, a temporary blob file.
     */
    public static List<String> countMismatches(SilknoteSnapshot snapshot, Map<String, Long> raw) {
        requireNonNull(snapshot, "snapshot");
        requireNonNull(raw, "raw");
        Map<String, Long> seen = new HashMap<>();
        seen.put("documents", (long) snapshot.documents().size());
        seen.put("mappings", (long) snapshot.mappings().size());
        seen.put("blobRefs", (long) snapshot.blobRefs().size());
        seen.put("skips", (long) snapshot.skips().size());
        seen.put("outbox", (long) snapshot.outbox().size());
        seen.put("blobs", (long) snapshot.blobs().size());
        seen.put("vectorDocuments", (long) snapshot.vectors().size());
        List<String> out = new ArrayList<>();
        raw.forEach((part, count) -> {
            Long through = seen.get(part);
            if (through != null && !through.equals(count)) {
                out.add(part + ": " + count + " in the backend, " + through + " through the ports");
            }
        });
        return out;
    }

    /**
     * The invariants of a consistent Silknote (those of
     * {@link com.silknote.sync.testkit.SilknoteSimulator#invariantViolations()}) on a snapshot, reading blob
     * content through {@code blobs}; one log-safe line per violation, empty when consistent.
     */
    public static List<String> invariantViolations(SilknoteSnapshot s, BlobStore blobs) {
        requireNonNull(s, "s");
        requireNonNull(blobs, "blobs");
        List<String> out = new ArrayList<>();
        Set<DocumentUuid> pendingWork = new HashSet<>();
        s.outbox().forEach(w -> pendingWork.add(w.document()));
        Map<ContentHash, Long> referencing = new HashMap<>();
        Set<DocumentUuid> removedBySilknote = new HashSet<>();
        Set<VsrxFileId> documentedFiles = new HashSet<>();
        s.documents().values().forEach(d -> documentedFiles.add(d.clientFileId()));
        s.mappings().values().stream().filter(m -> !s.documents().containsKey(m.silknoteDocumentUuid()))
                .forEach(m -> removedBySilknote.add(m.silknoteDocumentUuid()));
        Map<ContentHash, Optional<String>> contentCheck = new HashMap<>();

        for (SilknoteDocument d : s.documents().values()) {
            SyncMapping m = s.mappings().get(d.clientFileId());
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
            PatientFilesetRecord fs = s.filesets().get(d.filesetId());
            if (fs == null) {
                out.add("document " + d.uuid() + " has no patient fileset record " + d.filesetId());
            } else if (!fs.patientUuid().equals(d.patientUuid()) && d.metadata().untouchedBySilknoteUser()) {
                out.add("document " + d.uuid() + " belongs to another patient than its fileset " + d.filesetId());
            }
            contentCheck.computeIfAbsent(d.contentHash(), h -> checkContent(blobs, h, d.size()))
                    .ifPresent(problem -> out.add("document " + d.uuid() + ": " + problem));
        }
        for (SyncMapping m : s.mappings().values()) {
            referencing.merge(m.contentHash(), 1L, Long::sum);
            if (!s.documents().containsKey(m.silknoteDocumentUuid()) && documentedFiles.contains(m.vsrxFileId())) {
                out.add("mapping of file " + m.vsrxFileId() + " names missing document " + m.silknoteDocumentUuid());
            }
            if (!s.blobs().contains(m.contentHash())) {
                out.add("mapping of file " + m.vsrxFileId() + " references missing blob " + m.contentHash());
            }
        }
        for (Map.Entry<ContentHash, String> r : s.blobRefs().entrySet()) {
            String[] label = r.getValue().split(":");
            long count = Long.parseLong(label[1]);
            long expected = referencing.getOrDefault(r.getKey(), 0L);
            if (count != expected) {
                out.add("blob ref " + r.getKey() + " counts " + count + " but " + expected + " file ids reference it");
            }
            if (label[0].equals(BlobRef.State.DELETING.name()) && count != 0) {
                out.add("blob ref " + r.getKey() + " is DELETING with count " + count);
            }
        }
        for (Map.Entry<ContentHash, Long> e : referencing.entrySet()) {
            String label = s.blobRefs().get(e.getKey());
            if (label == null) {
                out.add("blob " + e.getKey() + " is referenced by " + e.getValue() + " file ids but has no ref row");
            } else if (!label.startsWith(BlobRef.State.LIVE.name() + ":")) {
                out.add("blob " + e.getKey() + " is referenced but its row is " + label);
            }
        }
        for (Map.Entry<DocumentUuid, List<VectorEntry>> e : s.vectors().entrySet()) {
            if (pendingWork.contains(e.getKey())) {
                continue;
            }
            SilknoteDocument d = s.documents().get(e.getKey());
            if (d == null && removedBySilknote.contains(e.getKey())) {
                continue;
            }
            if (d == null) {
                out.add("vector entries for missing document " + e.getKey());
            } else if (e.getValue().stream().anyMatch(v -> !v.contentHash().equals(d.contentHash()))) {
                out.add("vector entries of document " + e.getKey() + " were computed from other content");
            }
        }
        return out;
    }

    /** Empty when the blob exists with {@code size} bytes hashing to {@code hash}; else what is wrong. */
    private static Optional<String> checkContent(BlobStore blobs, ContentHash hash, long size) {
        if (blobs.stat(hash).isEmpty()) {
            return Optional.of("references missing blob " + hash);
        }
        try (InputStream in = blobs.open(hash);
                DigestInputStream digest = new DigestInputStream(in, MessageDigest.getInstance("SHA-256"))) {
            long n = digest.transferTo(java.io.OutputStream.nullOutputStream());
            ContentHash actual = ContentHash.ofBytes(digest.getMessageDigest().digest());
            if (n != size || !actual.equals(hash)) {
                return Optional.of("blob " + hash + " does not hold its content (" + n + " bytes)");
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("reading blob " + hash.shortHex() + " failed", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
