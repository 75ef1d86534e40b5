package com.silknote.sync.testkit;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.port.VsrxSource;
import java.util.Optional;

/**
 * A {@link VsrxSource} that forwards every call to another one: the base of test decorators that script, count or
 * fail single calls (override those, keep the rest), e.g. to answer one file's content request with a failure.
 */
public class ForwardingVsrxSource implements VsrxSource {
    private final VsrxSource delegate;

    /** @param delegate the source every call goes to */
    public ForwardingVsrxSource(VsrxSource delegate) {
        this.delegate = requireNonNull(delegate, "delegate");
    }

    @Override
    public Page<VsrxFileset> listFilesets(PageRequest request) {
        return delegate.listFilesets(request);
    }

    @Override
    public Optional<VsrxFileset> findFileset(FilesetId id) {
        return delegate.findFileset(id);
    }

    @Override
    public Page<VsrxFile> listFiles(FilesetId filesetId, PageRequest request) {
        return delegate.listFiles(filesetId, request);
    }

    @Override
    public FileContent openContent(VsrxFileId fileId) {
        return delegate.openContent(fileId);
    }
}
