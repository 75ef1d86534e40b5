package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * A document created in Silknote (by a user, or by the sync as a conflict copy) that is not linked to a VSRX
 * file yet: it has no {@code clientFileId} and its {@code sourceSystem} is not {@value DocumentMetadata#SOURCE_SYSTEM}.
 * With bi-directional sync on, it becomes a new VSRX file of its patient's fileset (docs/bidirectional.md §5.2).
 * Patient data (the title): {@code toString()} leaves it out.
 *
 * @param uuid           the document
 * @param patientUuid    its Silknote patient
 * @param filesetId      the patient fileset Silknote filed it under, if any
 * @param contentHash    SHA-256 of its content; the bytes are read from the blob store under this hash
 * @param size           content size in bytes
 * @param mimeType       its MIME type
 * @param title          its title (metadata {@code title}), if any; becomes the VSRX file name
 * @param sourceSystem   who made it (metadata {@code sourceSystem}); never {@value DocumentMetadata#SOURCE_SYSTEM}
 * @param groupingStatus its grouping status (metadata {@code groupingStatus}, {@value DocumentMetadata#UNGROUPED}
 *                       when absent)
 * @param updatedAt      its last modification in Silknote
 */
public record AuthoredDocument(DocumentUuid uuid, PatientUuid patientUuid, Optional<FilesetId> filesetId,
        ContentHash contentHash, long size, String mimeType, Optional<String> title, String sourceSystem,
        String groupingStatus, Instant updatedAt) {

    /** {@code sourceSystem} of the conflict copies the sync makes under {@link ConflictStrategy#KEEP_BOTH}. */
    public static final String CONFLICT_COPY = "VSRX_SYNC_CONFLICT_COPY";
    /** {@code sourceSystem} assumed for a Silknote document that names none. */
    public static final String SILKNOTE = "SILKNOTE";

    /** @throws IllegalArgumentException when size is negative or sourceSystem is {@value DocumentMetadata#SOURCE_SYSTEM} */
    public AuthoredDocument {
        requireNonNull(uuid, "uuid");
        requireNonNull(patientUuid, "patientUuid");
        requireNonNull(filesetId, "filesetId");
        requireNonNull(contentHash, "contentHash");
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0");
        }
        requireNonNull(mimeType, "mimeType");
        requireNonNull(title, "title");
        requireNonNull(sourceSystem, "sourceSystem");
        if (DocumentMetadata.SOURCE_SYSTEM.equals(sourceSystem)) {
            throw new IllegalArgumentException("a document made by the sync from VSRX is not Silknote-created");
        }
        requireNonNull(groupingStatus, "groupingStatus");
        requireNonNull(updatedAt, "updatedAt");
    }

    /** {@code true} when a Silknote user grouped it. */
    public boolean grouped() {
        return !DocumentMetadata.UNGROUPED.equals(groupingStatus);
    }

    @Override
    public String toString() {
        return "AuthoredDocument[uuid=" + uuid + ", fileset=" + filesetId.map(FilesetId::value).orElse("-")
                + ", hash=" + contentHash + ", size=" + size + ", sourceSystem=" + sourceSystem + "]";
    }
}
