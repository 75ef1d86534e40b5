package com.silknote.sync.testkit;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.VectorEntry;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.ContentSource;
import com.silknote.sync.core.port.DocumentProcessor;
import com.silknote.sync.core.port.VectorStore;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A stand-in for Silknote's ingest pipeline: reads the document's content (the copy the engine hands over, or
 * else the blob through a {@link BlobStore}), verifies it against the document's hash, and replaces the document's vector entries with ones derived
 * deterministically from the content ({@link #expectedEntries}): one entry per started
 * {@value #CHUNK_BYTES}-byte chunk (one for empty content), each a {@value #DIMENSIONS}-dimension
 * embedding computed from the chunk's SHA-256. Idempotent: processing the same document and content twice
 * leaves the same entries. Counts calls per document. Thread-safe.
 */
public final class InMemoryDocumentProcessor implements DocumentProcessor {

    /** Bytes per chunk; one vector entry per chunk. */
    public static final int CHUNK_BYTES = 256;
    /** Dimensions of each embedding. */
    public static final int DIMENSIONS = 8;

    private final BlobStore blobs;
    private final VectorStore vectors;
    private final Map<DocumentUuid, Long> calls = new HashMap<>();
    private long totalCalls;

    /** A processor reading from {@code blobs} and writing to {@code vectors}. */
    @Inject
    public InMemoryDocumentProcessor(BlobStore blobs, VectorStore vectors) {
        this.blobs = requireNonNull(blobs, "blobs");
        this.vectors = requireNonNull(vectors, "vectors");
    }

    /**
     * Reads the blob from the blob store.
     *
     * @throws PermanentSyncException when the blob is missing, unreadable or does not match the document's
     *         content hash
     */
    @Override
    public void process(SilknoteDocument document, FencingToken token) {
        requireNonNull(document, "document");
        requireNonNull(token, "token");
        process(document, token, () -> blobs.open(document.contentHash()));
    }

    /**
     * Reads what {@code content} opens (issue 12 item 3: the engine's held copy, or the blob store).
     *
     * @throws PermanentSyncException when the content is unreadable or does not match the document's hash
     */
    @Override
    public void process(SilknoteDocument document, FencingToken token, ContentSource content) {
        requireNonNull(document, "document");
        requireNonNull(token, "token");
        requireNonNull(content, "content");
        synchronized (calls) {
            calls.merge(document.uuid(), 1L, Long::sum);
            totalCalls++;
        }
        byte[] bytes;
        try (InputStream in = content.open()) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new PermanentSyncException("reading the document's content failed", e);
        }
        if (!TestHashes.sha256(bytes).equals(document.contentHash())) {
            throw new PermanentSyncException("content does not match the document's hash");
        }
        vectors.replace(token, document.uuid(), expectedEntries(document.uuid(), bytes));
    }

    /** The entries processing {@code content} as document {@code document} produces. */
    public static List<VectorEntry> expectedEntries(DocumentUuid document, byte[] content) {
        requireNonNull(document, "document");
        requireNonNull(content, "content");
        ContentHash hash = TestHashes.sha256(content);
        List<VectorEntry> out = new ArrayList<>();
        int chunks = Math.max(1, (content.length + CHUNK_BYTES - 1) / CHUNK_BYTES);
        for (int i = 0; i < chunks; i++) {
            byte[] chunk = Arrays.copyOfRange(content, i * CHUNK_BYTES, Math.min(content.length, (i + 1) * CHUNK_BYTES));
            out.add(new VectorEntry(document, i, hash, embed(chunk)));
        }
        return out;
    }

    /** How often {@code document} was processed. */
    public long processCount(DocumentUuid document) {
        requireNonNull(document, "document");
        synchronized (calls) {
            return calls.getOrDefault(document, 0L);
        }
    }

    /** Process calls per document. */
    public Map<DocumentUuid, Long> processCounts() {
        synchronized (calls) {
            return Collections.unmodifiableMap(new TreeMap<>(calls));
        }
    }

    /** All process calls so far. */
    public long totalProcessCalls() {
        synchronized (calls) {
            return totalCalls;
        }
    }

    /** Sets the counters back to zero. */
    public void resetCounters() {
        synchronized (calls) {
            calls.clear();
            totalCalls = 0;
        }
    }

    private static float[] embed(byte[] chunk) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(chunk);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
        float[] v = new float[DIMENSIONS];
        for (int i = 0; i < DIMENSIONS; i++) {
            v[i] = ((digest[i] & 0xff) - 127.5f) / 127.5f;
        }
        return v;
    }
}
