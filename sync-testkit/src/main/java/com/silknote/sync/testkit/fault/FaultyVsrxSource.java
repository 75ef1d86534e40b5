package com.silknote.sync.testkit.fault;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.testkit.TestHashes;
import java.util.Optional;

/**
 * A {@link VsrxSource} that fails as its {@link FaultPlan} says (operations {@code LIST_FILESETS},
 * {@code FIND_FILESET}, {@code LIST_FILES}, {@code OPEN_CONTENT}); otherwise it passes calls to the
 * delegate. Content faults act on the returned stream (reset or early end after some bytes, the declared
 * length unchanged) or on its declared digest (a wrong SHA-256).
 */
public final class FaultyVsrxSource implements VsrxSource {
    private final VsrxSource delegate;
    private final FaultPlan plan;

    /** Decorates {@code delegate} with the faults of {@code plan}. */
    public FaultyVsrxSource(VsrxSource delegate, FaultPlan plan) {
        this.delegate = requireNonNull(delegate, "delegate");
        this.plan = requireNonNull(plan, "plan");
    }

    /** @throws com.silknote.sync.core.exception.SyncException as the plan or the delegate says */
    @Override
    public Page<VsrxFileset> listFilesets(PageRequest request) {
        return plan.call(Operation.LIST_FILESETS, "", () -> delegate.listFilesets(request));
    }

    /** @throws com.silknote.sync.core.exception.SyncException as the plan or the delegate says */
    @Override
    public Optional<VsrxFileset> findFileset(FilesetId id) {
        return plan.call(Operation.FIND_FILESET, id.value(), () -> delegate.findFileset(id));
    }

    /** @throws com.silknote.sync.core.exception.SyncException as the plan or the delegate says */
    @Override
    public Page<VsrxFile> listFiles(FilesetId filesetId, PageRequest request) {
        return plan.call(Operation.LIST_FILES, filesetId.value(), () -> delegate.listFiles(filesetId, request));
    }

    /** @throws com.silknote.sync.core.exception.SyncException as the plan or the delegate says */
    @Override
    public FileContent openContent(VsrxFileId fileId) {
        requireNonNull(fileId, "fileId");
        Optional<Fault> fault = plan.next(Operation.OPEN_CONTENT, fileId.value());
        if (fault.isPresent() && !fault.get().actsOnStream() && fault.get().kind() != Fault.Kind.LOST_RESPONSE) {
            throw fault.get().toException(Operation.OPEN_CONTENT);
        }
        FileContent content = delegate.openContent(fileId);
        if (fault.isEmpty()) {
            return content;
        }
        Fault f = fault.get();
        return switch (f.kind()) {
            case LOST_RESPONSE -> {
                content.close();
                throw f.toException(Operation.OPEN_CONTENT);
            }
            case WRONG_CHECKSUM -> new FileContent(content.stream(), content.etag(), content.contentLength(),
                    Optional.of(TestHashes.different(content.sha256().orElse(TestHashes.sha256("wrong checksum")))));
            default -> new FileContent(new FaultyStream(content.stream(), f), content.etag(), content.contentLength(),
                    content.sha256());
        };
    }
}
