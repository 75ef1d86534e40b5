package com.silknote.sync.vsrx.http;

import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import java.util.Optional;

/**
 * Finds one file by id on the VSRX side, so {@link VsrxHttpHandler} can check a file's path (it must lie
 * inside {@code notes/}) and state before serving its content. A host's data port may implement this
 * next to {@link com.silknote.sync.core.port.VsrxSource}; the handler then uses it. Without one the
 * handler scans the listings, which is fine for demos and tests but costs a full listing per download.
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
