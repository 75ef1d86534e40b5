package com.silknote.sync.examples.embedded;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentProcessor;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.FilesetClaims;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.core.port.VsrxSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The Silknote side of a sync, opened and ready: ledger, lock, blobs, vectors and processing, plus the
 * resources (database pool, embedded PostgreSQL) to close after use. Made by {@link EmbeddedDefault}
 * from configuration, or by hand for tests and custom hosts.
 */
public final class Backends implements AutoCloseable {
    private final DocumentStore documents;
    private final SyncLock lock;
    private final BlobStore blobs;
    private final VectorStore vectors;
    private final DocumentProcessor processor;
    private final SyncConfig config;
    private final Optional<FilesetClaims> claims;
    private final List<AutoCloseable> resources;

    /**
     * Backends of a single worker (no scale-out).
     *
     * @param resources closed in reverse order by {@link #close()}
     * @throws NullPointerException when an argument is null
     */
    public Backends(DocumentStore documents, SyncLock lock, BlobStore blobs, VectorStore vectors,
            DocumentProcessor processor, SyncConfig config, List<? extends AutoCloseable> resources) {
        this(documents, lock, blobs, vectors, processor, Optional.empty(), config, resources);
    }

    /**
     * @param claims    scale-out claims of the same ledger as {@code documents}; empty for a single worker
     * @param resources closed in reverse order by {@link #close()}
     * @throws NullPointerException when an argument is null
     */
    public Backends(DocumentStore documents, SyncLock lock, BlobStore blobs, VectorStore vectors,
            DocumentProcessor processor, Optional<FilesetClaims> claims, SyncConfig config,
            List<? extends AutoCloseable> resources) {
        this.documents = requireNonNull(documents, "documents");
        this.lock = requireNonNull(lock, "lock");
        this.blobs = requireNonNull(blobs, "blobs");
        this.vectors = requireNonNull(vectors, "vectors");
        this.processor = requireNonNull(processor, "processor");
        this.claims = requireNonNull(claims, "claims");
        this.config = requireNonNull(config, "config");
        this.resources = List.copyOf(requireNonNull(resources, "resources"));
    }

    public DocumentStore documents() {
        return documents;
    }

    public SyncLock lock() {
        return lock;
    }

    public BlobStore blobs() {
        return blobs;
    }

    public VectorStore vectors() {
        return vectors;
    }

    public DocumentProcessor processor() {
        return processor;
    }

    public SyncConfig config() {
        return config;
    }

    /**
     * A {@link VsrxSync} builder with every Silknote-side part and the configuration set; add the
     * listener, clock etc. as needed and {@code build()}.
     *
     * @throws NullPointerException when source is null
     */
    public VsrxSync.Builder syncBuilder(VsrxSource source) {
        VsrxSync.Builder b = VsrxSync.builder().source(requireNonNull(source, "source")).documents(documents)
                .lock(lock).blobs(blobs).vectors(vectors).processor(processor).config(config);
        claims.ifPresent(b::claims);
        return b;
    }

    /** Scale-out claims, when runs share their filesets with other processes. */
    public Optional<FilesetClaims> claims() {
        return claims;
    }

    /** Closes the resources, newest first; the first failure is rethrown after all were tried. */
    @Override
    public void close() {
        RuntimeException first = null;
        List<AutoCloseable> reversed = new ArrayList<>(resources);
        java.util.Collections.reverse(reversed);
        for (AutoCloseable r : reversed) {
            try {
                r.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof RuntimeException re ? re : new IllegalStateException("closing failed", e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
