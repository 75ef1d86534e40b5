package com.silknote.sync.testkit.history;

import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.PatientFilesetRecord;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.SyncState;
import com.silknote.sync.core.model.VectorEntry;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.TestHashes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Silknote as the ports show it, read for every file id and content a history ever used: what the checks
 * compare. Two ledgers are equal when nothing was written between them (times included).
 *
 * @param documents      document by the file id it came from
 * @param strayDocuments documents found through a fileset whose clientFileId is not a known file, or whose
 *                       uuid is not the one derived from it
 * @param mappings       mapping by file id
 * @param refs           reference row by content hash
 * @param blobs          stored blob by content hash
 * @param intactBlobs    hashes whose stored bytes hash to the name
 * @param vectors        vector entries by file id (of the document derived from it), non-empty only
 * @param filesets       Silknote's fileset records
 * @param state          the resume state
 */
record Ledger(Map<VsrxFileId, SilknoteDocument> documents, List<String> strayDocuments,
        Map<VsrxFileId, SyncMapping> mappings, Map<ContentHash, BlobRef> refs, Map<ContentHash, BlobInfo> blobs,
        TreeSet<ContentHash> intactBlobs, Map<VsrxFileId, List<VectorEntry>> vectors,
        Map<FilesetId, PatientFilesetRecord> filesets, SyncState state) {

    static Ledger read(SilknoteStores s, Collection<VsrxFileId> files, Collection<FilesetId> filesets) {
        TreeMap<VsrxFileId, SilknoteDocument> docs = new TreeMap<>();
        TreeMap<VsrxFileId, SyncMapping> mappings = new TreeMap<>();
        TreeMap<VsrxFileId, List<VectorEntry>> vectors = new TreeMap<>();
        List<String> stray = new ArrayList<>();
        for (VsrxFileId f : files) {
            Optional<SilknoteDocument> byClient = s.documents().findDocumentByClientFileId(f);
            Optional<SilknoteDocument> byUuid = s.documents().findDocument(DocumentUuid.forVsrxFile(f));
            byClient.ifPresent(d -> docs.put(f, d));
            if (!byClient.equals(byUuid)) {
                stray.add("file " + f + ": document by clientFileId " + byClient.map(SilknoteDocument::uuid)
                        + " differs from the one with its derived uuid " + byUuid.map(SilknoteDocument::uuid));
            }
            s.documents().findMapping(f).ifPresent(m -> mappings.put(f, m));
            List<VectorEntry> v = s.vectors().entries(DocumentUuid.forVsrxFile(f));
            if (!v.isEmpty()) {
                vectors.put(f, v);
            }
        }
        TreeMap<FilesetId, PatientFilesetRecord> records = new TreeMap<>();
        for (FilesetId fs : filesets) {
            s.documents().findFileset(fs).ifPresent(r -> records.put(fs, r));
            for (SilknoteDocument d : s.documents().documents(fs)) {
                if (!files.contains(d.clientFileId()) || !docs.containsKey(d.clientFileId())
                        || !docs.get(d.clientFileId()).uuid().equals(d.uuid())) {
                    stray.add("document " + d.uuid() + " of fileset " + fs + " for file " + d.clientFileId()
                            + " is not the file's document");
                }
            }
        }
        TreeMap<ContentHash, BlobRef> refs = new TreeMap<>();
        TreeMap<ContentHash, BlobInfo> blobs = new TreeMap<>();
        TreeSet<ContentHash> intact = new TreeSet<>();
        for (HistoryContent.Content c : HistoryContent.all()) {
            s.documents().findBlobRef(c.hash()).ifPresent(r -> refs.put(c.hash(), r));
            Optional<BlobInfo> info = s.blobs().stat(c.hash());
            if (info.isPresent()) {
                blobs.put(c.hash(), info.get());
                try (InputStream in = s.blobs().open(c.hash())) {
                    if (TestHashes.sha256(in.readAllBytes()).equals(c.hash())) {
                        intact.add(c.hash());
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return new Ledger(docs, List.copyOf(stray), mappings, refs, blobs, intact, vectors, records,
                s.documents().loadState());
    }

    /** The parts that differ from {@code other}, by key, ignoring the resume state; empty when equal. */
    List<String> writesSince(Ledger other) {
        List<String> out = new ArrayList<>();
        diff(out, "documents", other.documents, documents);
        diff(out, "mappings", other.mappings, mappings);
        diff(out, "blob refs", other.refs, refs);
        diff(out, "blobs", other.blobs, blobs);
        diff(out, "vectors", other.vectors, vectors);
        diff(out, "fileset records", other.filesets, filesets);
        return out;
    }

    private static <K, V> void diff(List<String> out, String what, Map<K, V> before, Map<K, V> after) {
        TreeSet<String> keys = new TreeSet<>();
        before.forEach((k, v) -> {
            if (!v.equals(after.get(k))) {
                keys.add(String.valueOf(k));
            }
        });
        after.keySet().stream().filter(k -> !before.containsKey(k)).forEach(k -> keys.add(String.valueOf(k)));
        if (!keys.isEmpty()) {
            out.add(what + " changed at " + keys);
        }
    }

    static Ledger empty() {
        return new Ledger(Map.of(), List.of(), Map.of(), Map.of(), Map.of(), new TreeSet<>(), Map.of(), Map.of(),
                SyncState.initial());
    }
}
