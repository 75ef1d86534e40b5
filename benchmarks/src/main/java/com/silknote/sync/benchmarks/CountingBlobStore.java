package com.silknote.sync.benchmarks;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobPutResult;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.port.BlobStore;
import java.io.InputStream;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/** Counts the writes that reach a {@link BlobStore} (uploads attempted, blobs created, bytes created). */
final class CountingBlobStore implements BlobStore {
    private final BlobStore delegate;
    private final AtomicLong putCalls = new AtomicLong();
    private final AtomicLong created = new AtomicLong();
    private final AtomicLong createdBytes = new AtomicLong();
    private final AtomicLong overwrites = new AtomicLong();
    private final AtomicLong putNanos = new AtomicLong();

    CountingBlobStore(BlobStore delegate) {
        this.delegate = requireNonNull(delegate, "delegate");
    }

    long putCalls() {
        return putCalls.get();
    }

    long created() {
        return created.get();
    }

    long createdBytes() {
        return createdBytes.get();
    }

    /** Time spent in {@code putIfAbsent}, summed over all threads. */
    long putNanos() {
        return putNanos.get();
    }

    long overwrites() {
        return overwrites.get();
    }

    void reset() {
        putCalls.set(0);
        created.set(0);
        createdBytes.set(0);
        overwrites.set(0);
        putNanos.set(0);
    }

    @Override
    public boolean usesContentMd5() {
        return delegate.usesContentMd5();
    }

    @Override
    public BlobPutResult putIfAbsent(BlobUpload upload) {
        return counted(upload, false);
    }

    @Override
    public BlobPutResult putNewIfAbsent(BlobUpload upload) {
        return counted(upload, true);
    }

    private BlobPutResult counted(BlobUpload upload, boolean expectNew) {
        putCalls.incrementAndGet();
        long t0 = System.nanoTime();
        BlobPutResult r = expectNew ? delegate.putNewIfAbsent(upload) : delegate.putIfAbsent(upload);
        putNanos.addAndGet(System.nanoTime() - t0);
        if (r.created()) {
            created.incrementAndGet();
            createdBytes.addAndGet(upload.size());
        }
        return r;
    }

    @Override
    public BlobInfo overwrite(BlobUpload upload) {
        overwrites.incrementAndGet();
        return delegate.overwrite(upload);
    }

    @Override
    public Optional<BlobInfo> stat(ContentHash hash) {
        return delegate.stat(hash);
    }

    @Override
    public InputStream open(ContentHash hash) {
        return delegate.open(hash);
    }

    @Override
    public boolean deleteIfMatch(ContentHash hash, String etag) {
        return delegate.deleteIfMatch(hash, etag);
    }

    @Override
    public Page<BlobInfo> list(Optional<String> cursor, int limit) {
        return delegate.list(cursor, limit);
    }
}
