package com.silknote.sync.vsrx.http;

import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.port.VsrxSource;
import java.util.Optional;

/** Finds a file by walking every listing of a {@link VsrxSource}: O(all files); for demos and tests. */
final class ScanningFileLookup implements VsrxFileLookup {
    private final VsrxSource source;

    ScanningFileLookup(VsrxSource source) {
        this.source = source;
    }

    @Override
    public Optional<VsrxFile> findFile(VsrxFileId id) {
        PageRequest fsReq = PageRequest.first(PageRequest.MAX_LIMIT);
        while (true) {
            Page<VsrxFileset> filesets = source.listFilesets(fsReq);
            for (VsrxFileset fs : filesets.items()) {
                PageRequest fReq = PageRequest.first(PageRequest.MAX_LIMIT);
                while (true) {
                    Page<VsrxFile> files = source.listFiles(fs.id(), fReq);
                    for (VsrxFile f : files.items()) {
                        if (f.id().equals(id)) {
                            return Optional.of(f);
                        }
                    }
                    if (files.isLast()) {
                        break;
                    }
                    fReq = fReq.next(files.nextCursor().orElseThrow());
                }
            }
            if (filesets.isLast()) {
                return Optional.empty();
            }
            fsReq = fsReq.next(filesets.nextCursor().orElseThrow());
        }
    }
}
