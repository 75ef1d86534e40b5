package com.silknote.sync.core.port;

import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.IdempotencyKey;
import com.silknote.sync.core.model.NewVsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxWriteResult;

/**
 * VSRX as the target of bi-directional sync: the writes the sync makes to patient filesets
 * (docs/bidirectional.md §5). Beside {@link VsrxSource}; implemented over HTTP on the Silknote side
 * ({@code HttpVsrxTarget}) and by the VSRX side itself for the server handler to serve. The
 * {@code VsrxTargetContract} of the testkit states every rule below as a test.
 *
 * <p><b>Fencing.</b> Every write takes the writer's {@link FencingToken}. The target keeps the highest token it
 * has seen, <em>persistently</em> (it survives a restart of the VSRX side), and refuses a write or a
 * {@link #fence} with a lower one with {@link com.silknote.sync.core.exception.StaleFencingTokenException},
 * changing nothing. A write or fence with a higher token raises the mark. Writes and the mark are serialised:
 * a lower-token write in flight when the mark rises either completes before or is refused.
 *
 * <p><b>Idempotency.</b> Every write takes an {@link IdempotencyKey}. The target remembers each key with the
 * first answer it gave (at least as long as the file exists; the testkit and folder implementations forever)
 * and answers a repeated key with that answer ({@link VsrxWriteResult#replayed()} {@code true}), changing
 * nothing: a repeated create returns the first file, a repeated replace or delete is a no-op. The fencing check
 * comes first. A key used before for another kind of write, another fileset or another file is refused with
 * {@link com.silknote.sync.core.exception.PermanentSyncException} (status 422).
 *
 * <p><b>Conditions.</b> Replace and delete carry the ETag the caller planned from ({@code If-Match}); a file whose
 * ETag differs is refused with {@link com.silknote.sync.core.exception.ConcurrentUpdateException}. A successful
 * replace always gives the file a new ETag.
 *
 * <p><b>Content</b> is streamed from {@link BlobUpload#source()} and checked against its declared size and
 * SHA-256 before anything becomes visible: a mismatch is refused with
 * {@link com.silknote.sync.core.exception.ContentRejectedException} and nothing is written.
 *
 * <p>Other errors: {@link com.silknote.sync.core.exception.PermanentSyncException} with status 404 for an
 * unknown fileset or file, 410 to replace or delete a file already deleted (with a new key), 403 for a path
 * not strictly inside {@code notes/}, 409 for a path a live file of the fileset already has;
 * {@link com.silknote.sync.core.exception.TransientSyncException} for timeouts, 429 and 5xx. Implementations do
 * not retry: the engine owns the one retry layer, and retries with the same key.
 */
public interface VsrxTarget {

    /**
     * Raises the high-water mark to {@code token} (no-op when it is there already). A bi-directional run calls
     * it right after taking its lease, so a paused holder with an older token can no longer write.
     *
     * @throws com.silknote.sync.core.exception.StaleFencingTokenException when a higher token was seen
     * @throws com.silknote.sync.core.exception.SyncException on other failures
     */
    void fence(FencingToken token);

    /**
     * Creates a file in a fileset with the given content and Silknote origin.
     *
     * @return the new file (or, for a repeated key, the file the first create made)
     * @throws com.silknote.sync.core.exception.SyncException as described on the interface
     */
    VsrxWriteResult createFile(FencingToken token, IdempotencyKey key, NewVsrxFile file, BlobUpload content);

    /**
     * Replaces a live file's content if its ETag is still {@code ifMatchEtag}; the file gets a new ETag and
     * {@code modifiedAt}, keeps its path and origin, and its MIME type becomes the upload's.
     *
     * @return the file as the replace left it
     * @throws com.silknote.sync.core.exception.SyncException as described on the interface
     */
    VsrxWriteResult replaceContent(FencingToken token, IdempotencyKey key, VsrxFileId fileId, String ifMatchEtag,
            BlobUpload content);

    /**
     * Marks a live file deleted if its ETag is still {@code ifMatchEtag}: it stays listed with
     * {@code deleted == true}; its content is no longer served. Nothing is destroyed by this call.
     *
     * @return the file as the delete left it
     * @throws com.silknote.sync.core.exception.SyncException as described on the interface
     */
    VsrxWriteResult markDeleted(FencingToken token, IdempotencyKey key, VsrxFileId fileId, String ifMatchEtag);
}
