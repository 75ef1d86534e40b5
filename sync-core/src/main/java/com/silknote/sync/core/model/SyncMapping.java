package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * Maps one VSRX file to its Silknote document, with what change detection needs.
 *
 * @param vsrxFileId           the VSRX file id
 * @param silknoteDocumentUuid the document (derived from the file id)
 * @param clientFileId         equals {@code vsrxFileId}; Silknote finds the document by it
 * @param filesetId            the fileset of the file
 * @param etag                 ETag of the bytes last synced (from the download, not the listing)
 * @param modifiedAt           the file's modifiedAt when last synced
 * @param size                 size of the bytes last synced
 * @param contentHash          SHA-256 of the bytes last synced
 * @param syncedAt             when the mapping was last written
 */
public record SyncMapping(
        VsrxFileId vsrxFileId,
        DocumentUuid silknoteDocumentUuid,
        VsrxFileId clientFileId,
        FilesetId filesetId,
        Optional<String> etag,
        Instant modifiedAt,
        long size,
        ContentHash contentHash,
        Instant syncedAt) {

    public SyncMapping {
        requireNonNull(vsrxFileId, "vsrxFileId");
        requireNonNull(silknoteDocumentUuid, "silknoteDocumentUuid");
        requireNonNull(clientFileId, "clientFileId");
        requireNonNull(filesetId, "filesetId");
        requireNonNull(etag, "etag");
        requireNonNull(modifiedAt, "modifiedAt");
        requireNonNull(contentHash, "contentHash");
        requireNonNull(syncedAt, "syncedAt");
        if (!vsrxFileId.equals(clientFileId)) {
            throw new IllegalArgumentException("clientFileId must equal vsrxFileId");
        }
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0");
        }
    }
}
