package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * One VSRX file as listed by the source. The path is patient data: {@code toString()} leaves it out.
 *
 * @param id         VSRX file id
 * @param filesetId  the fileset it belongs to
 * @param path       raw path as VSRX gives it; must live under {@code notes/} (checked by the engine)
 * @param size       declared size in bytes
 * @param mimeType   declared MIME type
 * @param modifiedAt last modification time
 * @param etag       the listing's ETag; empty when VSRX has none for the file
 * @param sha256     declared content hash, if VSRX provides one
 * @param deleted    {@code true} only when VSRX marked the file deleted; the only signal that deletes
 */
public record VsrxFile(
        VsrxFileId id,
        FilesetId filesetId,
        String path,
        long size,
        String mimeType,
        Instant modifiedAt,
        Optional<String> etag,
        Optional<ContentHash> sha256,
        boolean deleted) {

    public VsrxFile {
        requireNonNull(id, "id");
        requireNonNull(filesetId, "filesetId");
        requireNonNull(path, "path");
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0, was " + size);
        }
        requireNonNull(mimeType, "mimeType");
        requireNonNull(modifiedAt, "modifiedAt");
        requireNonNull(etag, "etag");
        requireNonNull(sha256, "sha256");
    }

    @Override
    public String toString() {
        return "VsrxFile[id=" + id + ", fileset=" + filesetId + ", size=" + size + ", deleted=" + deleted + "]";
    }
}
