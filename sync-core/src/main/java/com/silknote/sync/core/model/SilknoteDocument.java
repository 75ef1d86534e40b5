package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A Silknote document made from exactly one VSRX file. Found by {@link #clientFileId()}.
 *
 * @param uuid         derived from the VSRX file id ({@link DocumentUuid#forVsrxFile})
 * @param patientUuid  the Silknote patient (patient data)
 * @param filesetId    the VSRX fileset the file came from
 * @param clientFileId the VSRX file id
 * @param contentHash  SHA-256 of the content; the blob is {@link BlobKey#of(ContentHash)}
 * @param size         content size in bytes
 * @param mimeType     verified MIME type
 * @param metadata     sync metadata
 * @param updatedAt    last time the sync wrote the document
 */
public record SilknoteDocument(
        DocumentUuid uuid,
        PatientUuid patientUuid,
        FilesetId filesetId,
        VsrxFileId clientFileId,
        ContentHash contentHash,
        long size,
        String mimeType,
        DocumentMetadata metadata,
        Instant updatedAt) {

    public SilknoteDocument {
        requireNonNull(uuid, "uuid");
        requireNonNull(patientUuid, "patientUuid");
        requireNonNull(filesetId, "filesetId");
        requireNonNull(clientFileId, "clientFileId");
        requireNonNull(contentHash, "contentHash");
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0");
        }
        requireNonNull(mimeType, "mimeType");
        requireNonNull(metadata, "metadata");
        requireNonNull(updatedAt, "updatedAt");
    }

    public BlobKey blobKey() {
        return BlobKey.of(contentHash);
    }

    @Override
    public String toString() {
        return "SilknoteDocument[uuid=" + uuid + ", fileset=" + filesetId + ", clientFileId=" + clientFileId
                + ", hash=" + contentHash + ", size=" + size + "]";
    }
}
