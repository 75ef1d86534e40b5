package com.silknote.sync.testkit.engine;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.port.VsrxSource;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A VSRX whose content downloads fail transiently a scripted number of times per file. */
final class FlakyVsrxSource implements VsrxSource {
    private final VsrxSource delegate;
    private final Map<VsrxFileId, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
    private volatile Optional<Duration> retryAfter = Optional.empty();
    final AtomicInteger failuresThrown = new AtomicInteger();

    FlakyVsrxSource(VsrxSource delegate) {
        this.delegate = requireNonNull(delegate, "delegate");
    }

    void failDownloads(VsrxFileId file, int times) {
        failuresLeft.put(file, new AtomicInteger(times));
    }

    void retryAfter(Duration d) {
        retryAfter = Optional.of(d);
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
        AtomicInteger left = failuresLeft.get(fileId);
        if (left != null && left.getAndDecrement() > 0) {
            failuresThrown.incrementAndGet();
            throw new TransientSyncException("503 from VSRX", retryAfter.orElse(null), null);
        }
        return delegate.openContent(fileId);
    }
}
