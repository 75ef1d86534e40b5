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
 * @param origin     the Silknote document the sync created this file from (listed as
 *                   {@code origin = silknote:<uuid>}); empty for every other file. A file with an origin is never
 *                   imported as a new document (docs/bidirectional.md §5.1)
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
        boolean deleted,
        Optional<DocumentUuid> origin) {

    /** How a Silknote origin is written on the wire and in listings: {@code silknote:<document-uuid>}. */
    public static final String SILKNOTE_ORIGIN_PREFIX = "silknote:";

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
        requireNonNull(origin, "origin");
    }

    /** A file without a Silknote origin (every file VSRX itself made). */
    public VsrxFile(VsrxFileId id, FilesetId filesetId, String path, long size, String mimeType, Instant modifiedAt,
            Optional<String> etag, Optional<ContentHash> sha256, boolean deleted) {
        this(id, filesetId, path, size, mimeType, modifiedAt, etag, sha256, deleted, Optional.empty());
    }

    /** The Silknote document uuid named by an origin string {@code silknote:<uuid>}; empty for any other origin. */
    public static Optional<DocumentUuid> parseOrigin(String origin) {
        if (origin == null || !origin.startsWith(SILKNOTE_ORIGIN_PREFIX)) {
            return Optional.empty();
        }
        String u = origin.substring(SILKNOTE_ORIGIN_PREFIX.length());
        if (!u.matches("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")) {
            return Optional.empty();
        }
        return Optional.of(DocumentUuid.of(u));
    }

    /** The origin string of a Silknote document: {@code silknote:<uuid>}. */
    public static String originOf(DocumentUuid document) {
        return SILKNOTE_ORIGIN_PREFIX + document.value();
    }

    @Override
    public String toString() {
        return "VsrxFile[id=" + id + ", fileset=" + filesetId + ", size=" + size + ", deleted=" + deleted
                + origin.map(o -> ", origin=" + o).orElse("") + "]";
    }
}
