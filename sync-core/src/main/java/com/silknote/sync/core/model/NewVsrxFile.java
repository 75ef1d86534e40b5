package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

/**
 * A file the sync asks VSRX to create ({@link com.silknote.sync.core.port.VsrxTarget#createFile}). The path
 * is patient data: {@code toString()} leaves it out.
 *
 * @param filesetId the fileset to create it in
 * @param path      its path, strictly inside {@code notes/} (the VSRX side refuses others)
 * @param mimeType  its MIME type
 * @param origin    the Silknote document it is created from; listed as {@code origin = silknote:<uuid>}
 */
public record NewVsrxFile(FilesetId filesetId, String path, String mimeType, DocumentUuid origin) {
    public NewVsrxFile {
        requireNonNull(filesetId, "filesetId");
        requireNonNull(path, "path");
        requireNonNull(mimeType, "mimeType");
        requireNonNull(origin, "origin");
    }

    @Override
    public String toString() {
        return "NewVsrxFile[fileset=" + filesetId + ", origin=" + origin + "]";
    }
}
