package com.silknote.sync.core.port;

import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobPutResult;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.Page;
import java.io.InputStream;
import java.util.Optional;

/**
 * Content-addressed blob storage (Azure Blob Storage in production). A blob's name is
 * {@link com.silknote.sync.core.model.BlobKey#of(ContentHash)}; names and metadata carry no patient data.
 * Content is streamed, never held whole in memory.
 *
 * <p>Errors: {@link com.silknote.sync.core.exception.TransientSyncException} for throttling, timeouts and
 * 5xx; {@link com.silknote.sync.core.exception.ContentRejectedException} with
 * {@code CHECKSUM_MISMATCH}/{@code SIZE_MISMATCH} when the uploaded bytes do not match the declared hash
 * or size (nothing is left stored under that name); {@link com.silknote.sync.core.exception.PermanentSyncException}
 * for the rest.
 */
public interface BlobStore {

    /**
     * Stores the content under its hash unless a blob of that name exists ({@code If-None-Match: *}).
     * Two concurrent callers with the same content never clobber each other: one creates, the other gets
     * {@code created == false} and the existing blob's info.
     *
     * @throws com.silknote.sync.core.exception.SyncException as described on the interface
     */
    BlobPutResult putIfAbsent(BlobUpload upload);

    /**
     * {@link #putIfAbsent} for content the caller expects to be new (just downloaded content that its
     * document did not have): same guarantees and result, but an implementation may send the content
     * first and look at an existing blob only when the conditional create is refused, instead of asking
     * first. The source may then be read even when the blob exists. The default calls
     * {@link #putIfAbsent}.
     *
     * @throws com.silknote.sync.core.exception.SyncException as described on the interface
     */
    default BlobPutResult putNewIfAbsent(BlobUpload upload) {
        return putIfAbsent(upload);
    }

    /**
     * {@code true} when this store uses {@link BlobUpload#md5()} (Azure sends it as {@code Content-MD5}): the
     * engine then computes it while spooling, in the pass that computes the SHA-256. {@code false} (the
     * default) spares that work for a store that has no use for it.
     */
    default boolean usesContentMd5() {
        return false;
    }

    /**
     * Writes the content even if the blob exists, giving it a new ETag. Used to revive a blob a collector
     * has marked for deletion.
     *
     * @throws com.silknote.sync.core.exception.SyncException as described on the interface
     */
    BlobInfo overwrite(BlobUpload upload);

    /** What is stored under the hash, if anything. @throws com.silknote.sync.core.exception.SyncException on failure */
    Optional<BlobInfo> stat(ContentHash hash);

    /**
     * Opens the content for reading; the caller closes the stream.
     *
     * @throws com.silknote.sync.core.exception.PermanentSyncException when absent
     */
    InputStream open(ContentHash hash);

    /**
     * Deletes the blob only if its current ETag equals {@code etag} ({@code If-Match}).
     *
     * @return {@code true} when deleted; {@code false} when absent or the ETag differs
     * @throws com.silknote.sync.core.exception.SyncException on other failures
     */
    boolean deleteIfMatch(ContentHash hash, String etag);

    /**
     * One page of stored blobs in name order (for orphan cleanup).
     *
     * @param cursor from the previous page, empty for the first
     * @param limit  at most this many (1..1000)
     */
    Page<BlobInfo> list(Optional<String> cursor, int limit);
}
