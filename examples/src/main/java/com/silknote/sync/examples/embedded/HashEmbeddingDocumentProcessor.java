package com.silknote.sync.examples.embedded;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.VectorEntry;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentProcessor;
import com.silknote.sync.core.port.VectorStore;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * A <b>stand-in</b> for Silknote's document processing pipeline ({@code processDocuments}), so the embedded
 * default and the demo run end to end without Silknote. It streams the document's blob, cuts it into
 * fixed-size chunks and writes one pseudo-embedding per chunk (derived from the chunk's SHA-256) to the
 * vector store. Deterministic and idempotent: the same content always gives the same entries, and a second
 * call replaces them. A real host passes its own {@link DocumentProcessor} (OCR, embeddings, ...).
 */
public final class HashEmbeddingDocumentProcessor implements DocumentProcessor {
    /** Bytes per chunk. */
    public static final int CHUNK_BYTES = 4096;
    /** Dimensions of each pseudo-embedding. */
    public static final int DIMENSIONS = 8;

    private final BlobStore blobs;
    private final VectorStore vectors;

    /**
     * @throws NullPointerException when an argument is null
     */
    @Inject
    public HashEmbeddingDocumentProcessor(BlobStore blobs, VectorStore vectors) {
        this.blobs = requireNonNull(blobs, "blobs");
        this.vectors = requireNonNull(vectors, "vectors");
    }

    /**
     * Replaces the document's vector entries with one per {@value #CHUNK_BYTES}-byte chunk of its content
     * (one entry for empty content).
     *
     * @throws TransientSyncException when the blob could not be read completely
     * @throws com.silknote.sync.core.exception.SyncException from the blob or vector store
     */
    @Override
    public void process(SilknoteDocument document) {
        requireNonNull(document, "document");
        List<VectorEntry> entries = new ArrayList<>();
        byte[] chunk = new byte[CHUNK_BYTES];
        long total = 0;
        try (InputStream in = blobs.open(document.contentHash())) {
            int ordinal = 0;
            while (true) {
                int n = in.readNBytes(chunk, 0, CHUNK_BYTES);
                if (n == 0 && ordinal > 0) {
                    break;
                }
                total += n;
                entries.add(new VectorEntry(document.uuid(), ordinal++, document.contentHash(), embed(chunk, n)));
                if (n < CHUNK_BYTES) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new TransientSyncException("reading the document's blob failed", e);
        }
        if (total != document.size()) {
            throw new PermanentSyncException("blob size differs from the document's size");
        }
        vectors.replace(document.uuid(), entries);
    }

    /** The pseudo-embedding of one chunk: its SHA-256 read as {@value #DIMENSIONS} numbers in [-1, 1]. */
    static float[] embed(byte[] chunk, int length) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
        sha.update(chunk, 0, length);
        ByteBuffer digest = ByteBuffer.wrap(sha.digest());
        float[] v = new float[DIMENSIONS];
        for (int i = 0; i < DIMENSIONS; i++) {
            v[i] = digest.getInt() / (float) Integer.MAX_VALUE;
        }
        return v;
    }
}
