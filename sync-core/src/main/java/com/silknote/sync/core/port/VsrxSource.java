package com.silknote.sync.core.port;

import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import java.util.Optional;

/**
 * VSRX, the source of patient filesets and their files. Implemented over HTTP on the Silknote side
 * ({@code HttpVsrxSource}) and by the VSRX side itself for the server handler to serve.
 *
 * <p>Listings are cursor-paginated and return items in a stable order (filesets by id, files by id).
 * A cursor is opaque. Deleted files stay in the listing with {@code deleted == true}.
 *
 * <p>Errors: {@link com.silknote.sync.core.exception.TransientSyncException} for timeouts, resets, 429
 * and 5xx (with {@code retryAfter}); {@link com.silknote.sync.core.exception.MalformedResponseException}
 * for anything that breaks the protocol; {@link com.silknote.sync.core.exception.PermanentSyncException}
 * for the rest (401, 403, 404 ...). Implementations do not retry themselves: the engine owns the single
 * retry layer.
 */
public interface VsrxSource {

    /**
     * One page of filesets, ordered by id.
     *
     * @throws com.silknote.sync.core.exception.SyncException on failure, as described on the interface
     */
    Page<VsrxFileset> listFilesets(PageRequest request);

    /**
     * One fileset by id.
     *
     * @return empty when VSRX does not know it
     * @throws com.silknote.sync.core.exception.SyncException on failure
     */
    Optional<VsrxFileset> findFileset(FilesetId id);

    /**
     * One page of a fileset's files (deleted ones included), ordered by id.
     *
     * @throws com.silknote.sync.core.exception.PermanentSyncException when the fileset does not exist
     * @throws com.silknote.sync.core.exception.SyncException on other failures
     */
    Page<VsrxFile> listFiles(FilesetId filesetId, PageRequest request);

    /**
     * Opens a file's content. The returned {@link FileContent} carries the ETag, length and digest of the
     * bytes actually served. The caller closes it. A stream that ends early or fails while reading throws
     * {@link java.io.IOException} from {@code read}.
     *
     * @throws com.silknote.sync.core.exception.FileGoneException when the file does not exist, is no longer
     *         listed or is marked deleted: the engine skips it for this run ({@code SkipReason.GONE}) and
     *         commits the rest of its fileset
     * @throws com.silknote.sync.core.exception.PermanentSyncException on other permanent failures (the
     *         fileset fails)
     * @throws com.silknote.sync.core.exception.SyncException on other failures
     */
    FileContent openContent(VsrxFileId fileId);
}
