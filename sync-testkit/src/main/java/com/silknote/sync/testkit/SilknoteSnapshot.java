package com.silknote.sync.testkit;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.OutboxEntry;
import com.silknote.sync.core.model.PatientFilesetRecord;
import com.silknote.sync.core.model.PermanentSkip;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.SyncState;
import com.silknote.sync.core.model.VectorEntry;
import com.silknote.sync.core.model.VsrxFileId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The whole Silknote state at one moment, as a value: two snapshots are {@code equals} when the states
 * are the same. Taken by {@link SilknoteSimulator#snapshot()}.
 *
 * <p>A "crashed then resumed" run and a clean run differ in when they wrote things; {@link #timeless()}
 * replaces every instant the sync stamps (document {@code updatedAt}, mapping {@code syncedAt}, fileset
 * {@code lastSyncedAt}, skip {@code skippedAt}, outbox {@code createdAt}, {@code lastCompleteSync}) with
 * {@link Instant#EPOCH} so such snapshots compare equal when their content is. VSRX times (mapping
 * {@code modifiedAt}) are kept. Blob ETags, ref-row times, outbox ids and attempt counts and run history are
 * never part of a snapshot.
 *
 * @param documents  documents by uuid
 * @param mappings   mappings by VSRX file id
 * @param filesets   patient fileset records by fileset id
 * @param blobRefs   reference rows by hash, as {@code "LIVE:2"} / {@code "DELETING:0"}
 * @param blobs      hashes of the blobs stored (by name)
 * @param vectors    vector entries by document
 * @param skips      remembered skips by file id
 * @param outbox     pending and parked post-commit work (document, action, hash, parked), sorted
 * @param state      the resume state
 */
public record SilknoteSnapshot(
        SortedMap<DocumentUuid, SilknoteDocument> documents,
        SortedMap<VsrxFileId, SyncMapping> mappings,
        SortedMap<FilesetId, PatientFilesetRecord> filesets,
        SortedMap<ContentHash, String> blobRefs,
        SortedSet<ContentHash> blobs,
        SortedMap<DocumentUuid, List<VectorEntry>> vectors,
        SortedMap<VsrxFileId, PermanentSkip> skips,
        List<PendingWork> outbox,
        SyncState state) {

    /** One piece of post-commit work, without its store-assigned id. */
    public record PendingWork(DocumentUuid document, OutboxEntry.Action action, ContentHash contentHash,
            boolean parked) implements Comparable<PendingWork> {
        private static final Comparator<PendingWork> ORDER = Comparator.comparing(PendingWork::document)
                .thenComparing(PendingWork::action).thenComparing(PendingWork::contentHash)
                .thenComparing(PendingWork::parked);

        public PendingWork {
            requireNonNull(document, "document");
            requireNonNull(action, "action");
            requireNonNull(contentHash, "contentHash");
        }

        @Override
        public int compareTo(PendingWork o) {
            return ORDER.compare(this, o);
        }
    }

    public SilknoteSnapshot {
        documents = Collections.unmodifiableSortedMap(new TreeMap<>(requireNonNull(documents, "documents")));
        mappings = Collections.unmodifiableSortedMap(new TreeMap<>(requireNonNull(mappings, "mappings")));
        filesets = Collections.unmodifiableSortedMap(new TreeMap<>(requireNonNull(filesets, "filesets")));
        blobRefs = Collections.unmodifiableSortedMap(new TreeMap<>(requireNonNull(blobRefs, "blobRefs")));
        blobs = Collections.unmodifiableSortedSet(new TreeSet<>(requireNonNull(blobs, "blobs")));
        TreeMap<DocumentUuid, List<VectorEntry>> v = new TreeMap<>();
        requireNonNull(vectors, "vectors").forEach((k, e) -> v.put(k, List.copyOf(e)));
        vectors = Collections.unmodifiableSortedMap(v);
        skips = Collections.unmodifiableSortedMap(new TreeMap<>(requireNonNull(skips, "skips")));
        List<PendingWork> o = new ArrayList<>(requireNonNull(outbox, "outbox"));
        Collections.sort(o);
        outbox = List.copyOf(o);
        requireNonNull(state, "state");
    }

    static String refLabel(BlobRef r) {
        return r.state() + ":" + r.refCount();
    }

    /** This snapshot with every sync-stamped instant set to {@link Instant#EPOCH} (see the class doc). */
    public SilknoteSnapshot timeless() {
        Instant t = Instant.EPOCH;
        TreeMap<DocumentUuid, SilknoteDocument> d = new TreeMap<>();
        documents.forEach((k, x) -> d.put(k, new SilknoteDocument(x.uuid(), x.patientUuid(), x.filesetId(),
                x.clientFileId(), x.contentHash(), x.size(), x.mimeType(), x.metadata(), t)));
        TreeMap<VsrxFileId, SyncMapping> m = new TreeMap<>();
        mappings.forEach((k, x) -> m.put(k, new SyncMapping(x.vsrxFileId(), x.silknoteDocumentUuid(),
                x.clientFileId(), x.filesetId(), x.etag(), x.modifiedAt(), x.size(), x.contentHash(), t)));
        TreeMap<FilesetId, PatientFilesetRecord> f = new TreeMap<>();
        filesets.forEach((k, x) -> f.put(k, new PatientFilesetRecord(x.filesetId(), x.patientUuid(),
                x.patientIdHistory(), t)));
        TreeMap<VsrxFileId, PermanentSkip> s = new TreeMap<>();
        skips.forEach((k, x) -> s.put(k, new PermanentSkip(x.fileId(), x.filesetId(), x.version(), x.reason(), t)));
        SyncState st = new SyncState(state.lastCompleteSync().map(i -> t), state.partialSyncState());
        return new SilknoteSnapshot(d, m, f, blobRefs, blobs, vectors, s, outbox, st);
    }

    /** A short, log-safe summary (counts only). */
    @Override
    public String toString() {
        return "SilknoteSnapshot[documents=" + documents.size() + ", mappings=" + mappings.size() + ", filesets="
                + filesets.size() + ", blobRefs=" + blobRefs.size() + ", blobs=" + blobs.size() + ", vectorDocs="
                + vectors.size() + ", skips=" + skips.size() + ", outbox=" + outbox.size() + ", state="
                + state.toJson().length() + " chars]";
    }

    /** The differences to {@code other}, one line per differing part (keys only, no patient data). */
    public List<String> differencesTo(SilknoteSnapshot other) {
        requireNonNull(other, "other");
        List<String> out = new ArrayList<>();
        diff(out, "documents", documents, other.documents);
        diff(out, "mappings", mappings, other.mappings);
        diff(out, "filesets", filesets, other.filesets);
        diff(out, "blobRefs", blobRefs, other.blobRefs);
        if (!blobs.equals(other.blobs)) {
            out.add("blobs: " + blobs + " vs " + other.blobs);
        }
        diff(out, "vectors", vectors, other.vectors);
        diff(out, "skips", skips, other.skips);
        if (!outbox.equals(other.outbox)) {
            out.add("outbox: " + outbox + " vs " + other.outbox);
        }
        if (!state.equals(other.state)) {
            out.add("state: " + state.toJson() + " vs " + other.state.toJson());
        }
        return out;
    }

    private static <K, V> void diff(List<String> out, String part, Map<K, V> a, Map<K, V> b) {
        TreeSet<String> keys = new TreeSet<>();
        a.forEach((k, v) -> {
            if (!Optional.ofNullable(b.get(k)).equals(Optional.of(v))) {
                keys.add(String.valueOf(k));
            }
        });
        b.keySet().stream().filter(k -> !a.containsKey(k)).forEach(k -> keys.add(String.valueOf(k)));
        if (!keys.isEmpty()) {
            out.add(part + " differ at " + keys);
        }
    }
}
