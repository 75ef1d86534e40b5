package com.silknote.sync.jdbc;

import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentMetadata;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.PatientFilesetRecord;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.VsrxFileId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Sample domain values for the adapter's tests. */
final class Samples {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final PatientUuid PATIENT = new PatientUuid(UUID.fromString("0f6c1f7e-3d1a-4b8e-9a57-2c4d8e1f0a11"));

    private Samples() {
    }

    static ContentHash hash(String seed) {
        try {
            return ContentHash.ofBytes(MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static SilknoteDocument document(FilesetId fileset, String fileId, ContentHash hash) {
        VsrxFileId id = VsrxFileId.of(fileId);
        return new SilknoteDocument(DocumentUuid.forVsrxFile(id), PATIENT, fileset, id, hash, 1234, "application/pdf",
                DocumentMetadata.synced(id, "notes/" + fileId + ".pdf", List.of(PatientId.of("P-OLD"), PatientId.of("P-1"))),
                T0);
    }

    static SyncMapping mapping(FilesetId fileset, String fileId, ContentHash hash, Instant modifiedAt) {
        VsrxFileId id = VsrxFileId.of(fileId);
        return new SyncMapping(id, DocumentUuid.forVsrxFile(id), id, fileset, Optional.of("\"etag-" + fileId + "\""),
                modifiedAt, 1234, hash, T0);
    }

    static PatientFilesetRecord fileset(FilesetId id) {
        return new PatientFilesetRecord(id, PATIENT, List.of(PatientId.of("P-OLD"), PatientId.of("P-1")), T0);
    }
}
