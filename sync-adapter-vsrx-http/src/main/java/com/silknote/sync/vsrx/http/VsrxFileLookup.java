package com.silknote.sync.vsrx.http;

import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import java.util.Optional;

/**
 * Finds one file by id on the VSRX side, so {@link VsrxHttpHandler} can check a file's path (it must lie
 * inside {@code notes/}) and state before serving its content. It is called once per content request, so
 * it should cost O(1): a primary-key read, an index lookup. A host's data port may implement this next to
 * {@link com.silknote.sync.core.port.VsrxSource} (the handler then uses it) or hand one to
 * {@link VsrxHttpHandler.Builder#fileLookup}; the command line's folder source keeps an id index. Without
 * one the handler walks every listing per download: O(all files) per request, O(files²) per sync, which
 * is only fit for demos and tests.
 */
@FunctionalInterface
public interface VsrxFileLookup {
    /**
     * The file with this id, deleted ones included.
     *
     * @return empty when VSRX does not know the file
     * @throws com.silknote.sync.core.exception.SyncException when the lookup fails
     */
    Optional<VsrxFile> findFile(VsrxFileId id);
}
