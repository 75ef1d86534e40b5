package com.silknote.sync.examples.embedded;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobPutResult;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.port.BlobStore;
import java.io.InputStream;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A blob store built on its first use (issue 12: a no-op re-run or a command that never reads a blob should not
 * pay for building a blob-store client and checking its container). A failed build is not remembered: the next
 * use tries again, and the failure reaches the caller of that use.
 */
final class LazyBlobStore implements BlobStore {
    private final Supplier<BlobStore> factory;
    private final boolean usesContentMd5;
    private volatile BlobStore built;

    /**
     * @param usesContentMd5 what the built store answers to {@link #usesContentMd5()}, so asking does not build it
     */
    LazyBlobStore(Supplier<BlobStore> factory, boolean usesContentMd5) {
        this.factory = requireNonNull(factory, "factory");
        this.usesContentMd5 = usesContentMd5;
    }

    /** {@code true} once the store has been built. */
    boolean isBuilt() {
        return built != null;
    }

    private BlobStore store() {
        BlobStore b = built;
        if (b == null) {
            synchronized (this) {
                b = built;
                if (b == null) {
                    b = requireNonNull(factory.get(), "factory result");
                    built = b;
                }
            }
        }
        return b;
    }

    @Override
    public BlobPutResult putIfAbsent(BlobUpload upload) {
        return store().putIfAbsent(upload);
    }

    @Override
    public BlobPutResult putNewIfAbsent(BlobUpload upload) {
        return store().putNewIfAbsent(upload);
    }

    @Override
    public boolean usesContentMd5() {
        return usesContentMd5;
    }

    @Override
    public BlobInfo overwrite(BlobUpload upload) {
        return store().overwrite(upload);
    }

    @Override
    public Optional<BlobInfo> stat(ContentHash hash) {
        return store().stat(hash);
    }

    @Override
    public InputStream open(ContentHash hash) {
        return store().open(hash);
    }

    @Override
    public boolean deleteIfMatch(ContentHash hash, String etag) {
        return store().deleteIfMatch(hash, etag);
    }

    @Override
    public Page<BlobInfo> list(Optional<String> cursor, int limit) {
        return store().list(cursor, limit);
    }

    @Override
    public String toString() {
        return "LazyBlobStore[" + (isBuilt() ? "built" : "not built") + "]";
    }
}
