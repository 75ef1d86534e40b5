package com.silknote.sync.jdbc;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * Names of the tables and columns that hold documents and sync mappings, so the adapter can write into a
 * schema that already exists (the Silknote backend's own document table) instead of its own.
 * {@link #defaults()} names the adapter's own tables ({@code vsrx_sync_document}, {@code vsrx_sync_mapping}).
 * Every other table (blob references, outbox, state, lock, ...) is always the adapter's own.
 *
 * <p>Names are plain SQL identifiers (lower case letters, digits, underscores), a table optionally
 * qualified by a schema ({@code silknote.documents}). They are validated, never quoted. The required
 * column types and keys are listed in {@code docs/schema.md}.
 *
 * @param documentTable          documents table; primary key on {@code documentUuid}, unique {@code documentClientFileId}
 * @param documentUuid           {@code uuid}: the document uuid
 * @param documentPatientUuid    {@code uuid}: the Silknote patient
 * @param documentFilesetId      {@code text}: the VSRX fileset the file came from
 * @param documentClientFileId   {@code text}: the VSRX file id
 * @param documentContentHash    {@code text}/{@code char(64)}: SHA-256, lower-case hex
 * @param documentSize           {@code bigint}: size in bytes
 * @param documentMimeType       {@code text}: MIME type
 * @param documentMetadata       {@code jsonb}: sync metadata (merged into what is there, other keys kept)
 * @param documentUpdatedAt      {@code timestamptz}: last write (by the sync or, for bi-directional sync, by Silknote)
 * @param documentChangeSeq      {@code bigint}: the change sequence of bi-directional sync, stamped by the
 *                               trigger {@code vsrx_sync_stamp_change} (only read when bi-directional sync is on;
 *                               see docs/schema.md)
 * @param mappingTable           mappings table; primary key on {@code mappingVsrxFileId}
 * @param mappingVsrxFileId      {@code text}: the VSRX file id (also the document's client file id)
 * @param mappingDocumentUuid    {@code uuid}: the document
 * @param mappingFilesetId       {@code text}: the fileset
 * @param mappingEtag            {@code text}, nullable: ETag of the bytes last synced
 * @param mappingModifiedAt      {@code timestamptz}: the file's modifiedAt (to the microsecond)
 * @param mappingModifiedAtNanos {@code integer}: nano-of-second of modifiedAt, so it round-trips exactly
 * @param mappingSize            {@code bigint}: size last synced
 * @param mappingContentHash     {@code text}/{@code char(64)}: hash last synced
 * @param mappingSyncedAt        {@code timestamptz}: when the mapping was written
 */
public record SchemaMapping(
        String documentTable,
        String documentUuid,
        String documentPatientUuid,
        String documentFilesetId,
        String documentClientFileId,
        String documentContentHash,
        String documentSize,
        String documentMimeType,
        String documentMetadata,
        String documentUpdatedAt,
        String documentChangeSeq,
        String mappingTable,
        String mappingVsrxFileId,
        String mappingDocumentUuid,
        String mappingFilesetId,
        String mappingEtag,
        String mappingModifiedAt,
        String mappingModifiedAtNanos,
        String mappingSize,
        String mappingContentHash,
        String mappingSyncedAt) {

    private static final Pattern TABLE = Pattern.compile("[a-z_][a-z0-9_]{0,62}(\\.[a-z_][a-z0-9_]{0,62})?");
    private static final Pattern COLUMN = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    /**
     * Validates every name.
     *
     * @throws IllegalArgumentException when a name is not a plain lower-case SQL identifier
     * @throws NullPointerException     when a name is null
     */
    public SchemaMapping {
        table(documentTable, "documentTable");
        column(documentUuid, "documentUuid");
        column(documentPatientUuid, "documentPatientUuid");
        column(documentFilesetId, "documentFilesetId");
        column(documentClientFileId, "documentClientFileId");
        column(documentContentHash, "documentContentHash");
        column(documentSize, "documentSize");
        column(documentMimeType, "documentMimeType");
        column(documentMetadata, "documentMetadata");
        column(documentUpdatedAt, "documentUpdatedAt");
        column(documentChangeSeq, "documentChangeSeq");
        table(mappingTable, "mappingTable");
        column(mappingVsrxFileId, "mappingVsrxFileId");
        column(mappingDocumentUuid, "mappingDocumentUuid");
        column(mappingFilesetId, "mappingFilesetId");
        column(mappingEtag, "mappingEtag");
        column(mappingModifiedAt, "mappingModifiedAt");
        column(mappingModifiedAtNanos, "mappingModifiedAtNanos");
        column(mappingSize, "mappingSize");
        column(mappingContentHash, "mappingContentHash");
        column(mappingSyncedAt, "mappingSyncedAt");
    }

    /** The adapter's own tables, created by its migrations. */
    public static SchemaMapping defaults() {
        return new SchemaMapping("vsrx_sync_document", "uuid", "patient_uuid", "fileset_id", "client_file_id",
                "content_hash", "size", "mime_type", "metadata", "updated_at", "change_seq",
                "vsrx_sync_mapping", "vsrx_file_id", "document_uuid", "fileset_id", "etag", "modified_at",
                "modified_at_nanos", "size", "content_hash", "synced_at");
    }

    /** A builder starting from {@link #defaults()}. */
    public static Builder builder() {
        return new Builder(defaults());
    }

    /** A builder pre-filled with this mapping. */
    public Builder newBuilder() {
        return new Builder(this);
    }

    private static void table(String name, String what) {
        requireNonNull(name, what);
        if (!TABLE.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " is not a plain lower-case SQL table name");
        }
    }

    private static void column(String name, String what) {
        requireNonNull(name, what);
        if (!COLUMN.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " is not a plain lower-case SQL column name");
        }
    }

    /** Builds a {@link SchemaMapping}; every name starts at its default. */
    public static final class Builder {
        private String documentTable;
        private String documentUuid;
        private String documentPatientUuid;
        private String documentFilesetId;
        private String documentClientFileId;
        private String documentContentHash;
        private String documentSize;
        private String documentMimeType;
        private String documentMetadata;
        private String documentUpdatedAt;
        private String documentChangeSeq;
        private String mappingTable;
        private String mappingVsrxFileId;
        private String mappingDocumentUuid;
        private String mappingFilesetId;
        private String mappingEtag;
        private String mappingModifiedAt;
        private String mappingModifiedAtNanos;
        private String mappingSize;
        private String mappingContentHash;
        private String mappingSyncedAt;

        private Builder(SchemaMapping m) {
            documentTable = m.documentTable;
            documentUuid = m.documentUuid;
            documentPatientUuid = m.documentPatientUuid;
            documentFilesetId = m.documentFilesetId;
            documentClientFileId = m.documentClientFileId;
            documentContentHash = m.documentContentHash;
            documentSize = m.documentSize;
            documentMimeType = m.documentMimeType;
            documentMetadata = m.documentMetadata;
            documentUpdatedAt = m.documentUpdatedAt;
            documentChangeSeq = m.documentChangeSeq;
            mappingTable = m.mappingTable;
            mappingVsrxFileId = m.mappingVsrxFileId;
            mappingDocumentUuid = m.mappingDocumentUuid;
            mappingFilesetId = m.mappingFilesetId;
            mappingEtag = m.mappingEtag;
            mappingModifiedAt = m.mappingModifiedAt;
            mappingModifiedAtNanos = m.mappingModifiedAtNanos;
            mappingSize = m.mappingSize;
            mappingContentHash = m.mappingContentHash;
            mappingSyncedAt = m.mappingSyncedAt;
        }

        /** Documents table name. @return this builder */
        public Builder documentTable(String v) { documentTable = v; return this; }
        /** @return this builder */
        public Builder documentUuid(String v) { documentUuid = v; return this; }
        /** @return this builder */
        public Builder documentPatientUuid(String v) { documentPatientUuid = v; return this; }
        /** @return this builder */
        public Builder documentFilesetId(String v) { documentFilesetId = v; return this; }
        /** @return this builder */
        public Builder documentClientFileId(String v) { documentClientFileId = v; return this; }
        /** @return this builder */
        public Builder documentContentHash(String v) { documentContentHash = v; return this; }
        /** @return this builder */
        public Builder documentSize(String v) { documentSize = v; return this; }
        /** @return this builder */
        public Builder documentMimeType(String v) { documentMimeType = v; return this; }
        /** @return this builder */
        public Builder documentMetadata(String v) { documentMetadata = v; return this; }
        /** @return this builder */
        public Builder documentUpdatedAt(String v) { documentUpdatedAt = v; return this; }
        /** The change-sequence column (bi-directional sync only). @return this builder */
        public Builder documentChangeSeq(String v) { documentChangeSeq = v; return this; }
        /** Mappings table name. @return this builder */
        public Builder mappingTable(String v) { mappingTable = v; return this; }
        /** @return this builder */
        public Builder mappingVsrxFileId(String v) { mappingVsrxFileId = v; return this; }
        /** @return this builder */
        public Builder mappingDocumentUuid(String v) { mappingDocumentUuid = v; return this; }
        /** @return this builder */
        public Builder mappingFilesetId(String v) { mappingFilesetId = v; return this; }
        /** @return this builder */
        public Builder mappingEtag(String v) { mappingEtag = v; return this; }
        /** @return this builder */
        public Builder mappingModifiedAt(String v) { mappingModifiedAt = v; return this; }
        /** @return this builder */
        public Builder mappingModifiedAtNanos(String v) { mappingModifiedAtNanos = v; return this; }
        /** @return this builder */
        public Builder mappingSize(String v) { mappingSize = v; return this; }
        /** @return this builder */
        public Builder mappingContentHash(String v) { mappingContentHash = v; return this; }
        /** @return this builder */
        public Builder mappingSyncedAt(String v) { mappingSyncedAt = v; return this; }

        /**
         * The mapping.
         *
         * @throws IllegalArgumentException when a name is not a plain lower-case SQL identifier
         */
        public SchemaMapping build() {
            return new SchemaMapping(documentTable, documentUuid, documentPatientUuid, documentFilesetId,
                    documentClientFileId, documentContentHash, documentSize, documentMimeType, documentMetadata,
                    documentUpdatedAt, documentChangeSeq, mappingTable, mappingVsrxFileId, mappingDocumentUuid,
                    mappingFilesetId,
                    mappingEtag, mappingModifiedAt, mappingModifiedAtNanos, mappingSize, mappingContentHash,
                    mappingSyncedAt);
        }
    }
}
