package com.silknote.sync.testkit;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobPutResult;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.port.BlobStore;
import java.io.InputStream;
import java.util.Optional;

/**
 * A {@link BlobStore} that forwards every call, {@link #putNewIfAbsent} and {@link #usesContentMd5} included, to
 * another one: the base of test decorators that pause, count or fail single calls (override those, keep the rest),
 * e.g. to hold a fileset between its existence check of a blob and its commit while the run's collector works.
 */
public class ForwardingBlobStore implements BlobStore {
    private final BlobStore delegate;

    /** @param delegate the store every call goes to */
    public ForwardingBlobStore(BlobStore delegate) {
        this.delegate = requireNonNull(delegate, "delegate");
    }

    @Override
    public BlobPutResult putIfAbsent(BlobUpload upload) {
        return delegate.putIfAbsent(upload);
    }

    @Override
    public BlobPutResult putNewIfAbsent(BlobUpload upload) {
        return delegate.putNewIfAbsent(upload);
    }

    @Override
    public boolean usesContentMd5() {
        return delegate.usesContentMd5();
    }

    @Override
    public BlobInfo overwrite(BlobUpload upload) {
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
