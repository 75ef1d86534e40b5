package com.silknote.sync.testkit.fault;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobPutResult;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.port.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * A {@link BlobStore} that fails as its {@link FaultPlan} says; {@code putIfAbsent}, {@code overwrite} and
 * {@code deleteIfMatch} are effects (crash points). {@code open} supports stream faults.
 */
public final class FaultyBlobStore implements BlobStore {
    private final BlobStore delegate;
    private final FaultPlan plan;

    /** Decorates {@code delegate} with the faults of {@code plan}. */
    public FaultyBlobStore(BlobStore delegate, FaultPlan plan) {
        this.delegate = requireNonNull(delegate, "delegate");
        this.plan = requireNonNull(plan, "plan");
    }

    /** As the delegate: a fault plan does not change which digests the store uses. */
    @Override
    public boolean usesContentMd5() {
        return delegate.usesContentMd5();
    }

    /** @throws com.silknote.sync.core.exception.SyncException as the plan or the delegate says */
    @Override
    public BlobPutResult putIfAbsent(BlobUpload upload) {
        return plan.effect(Operation.BLOB_PUT_IF_ABSENT, upload.hash().hex(), () -> delegate.putIfAbsent(upload));
    }

    /** Faults as {@link #putIfAbsent}. @throws com.silknote.sync.core.exception.SyncException as the plan or the delegate says */
    @Override
    public BlobPutResult putNewIfAbsent(BlobUpload upload) {
        return plan.effect(Operation.BLOB_PUT_IF_ABSENT, upload.hash().hex(), () -> delegate.putNewIfAbsent(upload));
    }

    /** @throws com.silknote.sync.core.exception.SyncException as the plan or the delegate says */
    @Override
    public BlobInfo overwrite(BlobUpload upload) {
        return plan.effect(Operation.BLOB_OVERWRITE, upload.hash().hex(), () -> delegate.overwrite(upload));
    }

    /** @throws com.silknote.sync.core.exception.SyncException as the plan or the delegate says */
    @Override
    public Optional<BlobInfo> stat(ContentHash hash) {
        return plan.call(Operation.BLOB_STAT, hash.hex(), () -> delegate.stat(hash));
    }

    /** @throws com.silknote.sync.core.exception.SyncException as the plan or the delegate says */
    @Override
    public InputStream open(ContentHash hash) {
        requireNonNull(hash, "hash");
        Optional<Fault> fault = plan.next(Operation.BLOB_OPEN, hash.hex());
        if (fault.isPresent() && !fault.get().actsOnStream() && fault.get().kind() != Fault.Kind.LOST_RESPONSE) {
            throw fault.get().toException(Operation.BLOB_OPEN);
        }
        InputStream in = delegate.open(hash);
        if (fault.isEmpty()) {
            return in;
        }
        if (fault.get().kind() == Fault.Kind.LOST_RESPONSE) {
            try {
                in.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            throw fault.get().toException(Operation.BLOB_OPEN);
        }
        return new FaultyStream(in, fault.get());
    }

    /** @throws com.silknote.sync.core.exception.SyncException as the plan or the delegate says */
    @Override
    public boolean deleteIfMatch(ContentHash hash, String etag) {
        return plan.effect(Operation.BLOB_DELETE_IF_MATCH, hash.hex(), () -> delegate.deleteIfMatch(hash, etag));
    }

    /** @throws com.silknote.sync.core.exception.SyncException as the plan or the delegate says */
    @Override
    public Page<BlobInfo> list(Optional<String> cursor, int limit) {
        return plan.call(Operation.BLOB_LIST, "", () -> delegate.list(cursor, limit));
    }
}
