package com.silknote.sync.core.internal;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.port.VsrxSource;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Optional;

/** Downloads through a {@link DownloadThrottle}: the bandwidth cap of {@code SyncConfig}. Listings pass. */
final class ThrottledVsrxSource implements VsrxSource {
    /** Largest read passed through at once, so one read never runs far ahead of the cap. */
    static final int MAX_READ = 64 * 1024;

    private final VsrxSource delegate;
    private final DownloadThrottle throttle;

    ThrottledVsrxSource(VsrxSource delegate, DownloadThrottle throttle) {
        this.delegate = requireNonNull(delegate, "delegate");
        this.throttle = requireNonNull(throttle, "throttle");
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
        FileContent c = delegate.openContent(fileId);
        return new FileContent(new Throttled(c.stream()), c.etag(), c.contentLength(), c.sha256());
    }

    private final class Throttled extends FilterInputStream {
        Throttled(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                pay(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, Math.min(len, MAX_READ));
            if (n > 0) {
                pay(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(Math.min(n, MAX_READ));
            pay(skipped);
            return skipped;
        }

        private void pay(long bytes) throws InterruptedIOException {
            try {
                throttle.pay(bytes);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while throttling a download");
            }
        }
    }
}
