package com.silknote.sync.examples.embedded;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.TransientSyncException;
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
import java.io.UncheckedIOException;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A <b>stand-in</b> for Silknote's document processing pipeline ({@code processDocuments}), so the embedded
 * default and the demo run end to end without Silknote. It streams the document's content (the copy the engine
 * still holds from the download, else the blob), cuts it into
 * fixed-size chunks and writes one pseudo-embedding per chunk (derived from the chunk's SHA-256) to the
 * vector store. Deterministic and idempotent: the same content always gives the same entries, and a second
 * call replaces them. A real host passes its own {@link DocumentProcessor} (OCR, embeddings, ...).
 */
public final class HashEmbeddingDocumentProcessor implements DocumentProcessor {
    /** Bytes per chunk. */
    public static final int CHUNK_BYTES = 4096;
    /** Dimensions of each pseudo-embedding. */
    public static final int DIMENSIONS = 8;
    private static final int SHA256_BYTES = 32;

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
     * (one entry for empty content). The entries are made while the blob streams and handed to the vector
     * store one by one ({@link VectorStore#replace(FencingToken, com.silknote.sync.core.model.DocumentUuid,
     * Iterator)}), with the run's fencing token, so a run paused here never overwrites a newer run's entries:
     * memory does not grow with the document's size.
     *
     * @throws TransientSyncException when the blob could not be read completely
     * @throws PermanentSyncException when the blob's size differs from the document's (nothing replaced)
     * @throws com.silknote.sync.core.exception.SyncException from the blob or vector store
     */
    @Override
    public void process(SilknoteDocument document, FencingToken token) {
        requireNonNull(document, "document");
        requireNonNull(token, "token");
        process(document, token, () -> blobs.open(document.contentHash()));
    }

    /**
     * As {@link #process(SilknoteDocument, FencingToken)}, reading what {@code content} opens: the engine hands
     * over the content it downloaded in the same run, so the blob store is not read again (issue 12 item 3).
     *
     * @throws TransientSyncException when the content could not be read completely
     * @throws PermanentSyncException when the content's size differs from the document's (nothing replaced)
     * @throws com.silknote.sync.core.exception.SyncException from the blob or vector store
     */
    @Override
    public void process(SilknoteDocument document, FencingToken token, ContentSource content) {
        requireNonNull(document, "document");
        requireNonNull(token, "token");
        requireNonNull(content, "content");
        try (InputStream in = content.open()) {
            vectors.replace(token, document.uuid(), new Chunks(document, in));
        } catch (IOException e) {
            throw new TransientSyncException("reading the document's content failed", e);
        } catch (UncheckedIOException e) {
            throw new TransientSyncException("reading the document's content failed", e.getCause());
        }
    }

    /**
     * One entry per chunk, read from the blob when asked for; checks the size at the end. One digest, digest
     * buffer and embedding buffer per document (each entry copies its embedding), not one per chunk.
     */
    private static final class Chunks implements Iterator<VectorEntry> {
        private final SilknoteDocument document;
        private final InputStream in;
        private final byte[] chunk = new byte[CHUNK_BYTES];
        private final MessageDigest sha = sha256();
        private final byte[] digest = new byte[SHA256_BYTES];
        private final float[] embedding = new float[DIMENSIONS];
        private VectorEntry next;
        private int ordinal;
        private long total;
        private boolean done;

        Chunks(SilknoteDocument document, InputStream in) {
            this.document = document;
            this.in = in;
        }

        @Override
        public boolean hasNext() {
            if (next == null && !done) {
                next = read();
            }
            return next != null;
        }

        @Override
        public VectorEntry next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            VectorEntry e = next;
            next = null;
            return e;
        }

        private VectorEntry read() {
            int n;
            try {
                n = in.readNBytes(chunk, 0, CHUNK_BYTES);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            total += n;
            if (n < CHUNK_BYTES) {
                done = true;
                if (total != document.size()) {
                    throw new PermanentSyncException("blob size differs from the document's size");
                }
                if (n == 0 && ordinal > 0) {
                    return null;
                }
            }
            return new VectorEntry(document.uuid(), ordinal++, document.contentHash(),
                    embed(sha, chunk, n, digest, embedding));
        }
    }

    /**
     * The pseudo-embedding of one chunk, its SHA-256 read as {@value #DIMENSIONS} numbers in [-1, 1] (the
     * digest's big-endian ints, each divided by {@code Integer.MAX_VALUE} in float arithmetic), written into
     * {@code into}, which it returns; {@code sha} is reset when it returns.
     */
    private static float[] embed(MessageDigest sha, byte[] chunk, int length, byte[] digest, float[] into) {
        sha.update(chunk, 0, length);
        try {
            sha.digest(digest, 0, SHA256_BYTES);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-256 digest did not fit", e);
        }
        for (int i = 0, at = 0; i < DIMENSIONS; i++, at += 4) {
            int bits = digest[at] << 24 | (digest[at + 1] & 0xff) << 16 | (digest[at + 2] & 0xff) << 8
                    | digest[at + 3] & 0xff;
            into[i] = bits / (float) Integer.MAX_VALUE;
        }
        return into;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
