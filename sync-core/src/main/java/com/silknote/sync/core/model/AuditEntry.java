package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One change to record in the append-only audit log, written in the same unit of work as the change
 * ({@link com.silknote.sync.core.port.DocumentStore.UnitOfWork#audit}). The store adds the time, the fencing
 * token and, where it knows it, the lock holder. Ids, content hashes and reason codes only: never a patient
 * id, a path or a file name, so {@code detail} is restricted to {@code [A-Za-z0-9._:=>,+-]}, which no path
 * (it would need a {@code /}) passes.
 *
 * @param runId         the sync run or operation that made the change
 * @param action        what was done
 * @param document      the document concerned, if any
 * @param fileId        the VSRX file concerned, if any
 * @param filesetId     the patient fileset the document belongs to after the change
 * @param fromFilesetId the fileset it belonged to before, when the change moved it (migration)
 * @param beforeHash    content hash before the change, if there was content
 * @param afterHash     content hash after the change, if there is content
 * @param detail        a reason code ({@code document-removed-in-silknote}, {@code refCount:3>2}), if any
 */
public record AuditEntry(RunId runId, AuditAction action, Optional<DocumentUuid> document,
        Optional<VsrxFileId> fileId, Optional<FilesetId> filesetId, Optional<FilesetId> fromFilesetId,
        Optional<ContentHash> beforeHash, Optional<ContentHash> afterHash, Optional<String> detail) {

    /** Characters a detail may hold; at most 200 of them. */
    public static final Pattern DETAIL = Pattern.compile("[A-Za-z0-9._:=>,+-]{1,200}");

    /** @throws IllegalArgumentException when {@code detail} holds other characters than {@link #DETAIL} allows */
    public AuditEntry {
        requireNonNull(runId, "runId");
        requireNonNull(action, "action");
        requireNonNull(document, "document");
        requireNonNull(fileId, "fileId");
        requireNonNull(filesetId, "filesetId");
        requireNonNull(fromFilesetId, "fromFilesetId");
        requireNonNull(beforeHash, "beforeHash");
        requireNonNull(afterHash, "afterHash");
        requireNonNull(detail, "detail");
        if (detail.isPresent() && !DETAIL.matcher(detail.get()).matches()) {
            throw new IllegalArgumentException("audit detail must be a reason code of [A-Za-z0-9._:=>,+-]{1,200}");
        }
    }

    /** A builder for an entry of {@code action} by {@code runId}. */
    public static Builder of(RunId runId, AuditAction action) {
        return new Builder(runId, action);
    }

    /** This entry with another detail. @throws IllegalArgumentException as the constructor */
    public AuditEntry withDetail(String newDetail) {
        return new AuditEntry(runId, action, document, fileId, filesetId, fromFilesetId, beforeHash, afterHash,
                Optional.of(newDetail));
    }

    /** Builds an {@link AuditEntry}; every part but run id and action is optional. */
    public static final class Builder {
        private final RunId runId;
        private final AuditAction action;
        private Optional<DocumentUuid> document = Optional.empty();
        private Optional<VsrxFileId> fileId = Optional.empty();
        private Optional<FilesetId> filesetId = Optional.empty();
        private Optional<FilesetId> fromFilesetId = Optional.empty();
        private Optional<ContentHash> beforeHash = Optional.empty();
        private Optional<ContentHash> afterHash = Optional.empty();
        private Optional<String> detail = Optional.empty();

        private Builder(RunId runId, AuditAction action) {
            this.runId = requireNonNull(runId, "runId");
            this.action = requireNonNull(action, "action");
        }

        // Each setter: @throws NullPointerException when the argument is null.

        public Builder document(DocumentUuid v) { document = Optional.of(requireNonNull(v, "document")); return this; }
        public Builder fileId(VsrxFileId v) { fileId = Optional.of(requireNonNull(v, "fileId")); return this; }
        public Builder fileset(FilesetId v) { filesetId = Optional.of(requireNonNull(v, "fileset")); return this; }
        public Builder fromFileset(FilesetId v) { fromFilesetId = Optional.of(requireNonNull(v, "fromFileset")); return this; }
        public Builder before(ContentHash v) { beforeHash = Optional.of(requireNonNull(v, "before")); return this; }
        public Builder before(Optional<ContentHash> v) { beforeHash = requireNonNull(v, "before"); return this; }
        public Builder after(ContentHash v) { afterHash = Optional.of(requireNonNull(v, "after")); return this; }
        public Builder after(Optional<ContentHash> v) { afterHash = requireNonNull(v, "after"); return this; }
        public Builder detail(String v) { detail = Optional.of(requireNonNull(v, "detail")); return this; }
        public Builder detail(Optional<String> v) { detail = requireNonNull(v, "detail"); return this; }

        /** @throws IllegalArgumentException when the detail is not a reason code */
        public AuditEntry build() {
            return new AuditEntry(runId, action, document, fileId, filesetId, fromFilesetId, beforeHash, afterHash,
                    detail);
        }
    }
}
