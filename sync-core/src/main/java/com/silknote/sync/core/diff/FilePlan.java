package com.silknote.sync.core.diff;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;

/**
 * The diff's decision for one file. Holds patient data (the listed path): {@code toString()} shows ids
 * and codes only.
 *
 * <p>A value with the accessors of a record: {@link #fileId()}, {@link #action()}, {@link #file()},
 * {@link #mapping()}, {@link #document()}, {@link #skipReason()}, {@link #detail()},
 * {@link #normalizedPath()}; equal when all of them are equal. Absent parts are stored as {@code null} and
 * wrapped on access, so a plan of a million files holds no {@code Optional}s.
 */
public final class FilePlan {
    private final VsrxFileId fileId;
    private final PlanAction action;
    private final VsrxFile file;
    private final SyncMapping mapping;
    private final SilknoteDocument document;
    private final SkipReason skipReason;
    private final String detail;
    private final String normalizedPath;

    /**
     * A plan for one file.
     *
     * @param fileId         the VSRX file
     * @param action         what to do
     * @param file           the listed file; empty when it vanished from the listing
     * @param mapping        the existing mapping, if any
     * @param document       the existing document (by client file id), if any
     * @param skipReason     set when {@code action == SKIP}
     * @param detail         a log-safe reason code, if any
     * @param normalizedPath the validated path to store as {@code originalPath}; set for files to write
     * @throws NullPointerException     when an argument is null
     * @throws IllegalArgumentException when a skip reason is set for an action other than SKIP, or missing
     *                                  for SKIP
     */
    public FilePlan(VsrxFileId fileId, PlanAction action, Optional<VsrxFile> file, Optional<SyncMapping> mapping,
            Optional<SilknoteDocument> document, Optional<SkipReason> skipReason, Optional<String> detail,
            Optional<String> normalizedPath) {
        this(fileId, action, requireNonNull(file, "file").orElse(null),
                requireNonNull(mapping, "mapping").orElse(null), requireNonNull(document, "document").orElse(null),
                requireNonNull(skipReason, "skipReason").orElse(null), requireNonNull(detail, "detail").orElse(null),
                requireNonNull(normalizedPath, "normalizedPath").orElse(null));
    }

    /** The diff's constructor: absent parts are {@code null}. */
    FilePlan(VsrxFileId fileId, PlanAction action, VsrxFile file, SyncMapping mapping, SilknoteDocument document,
            SkipReason skipReason, String detail, String normalizedPath) {
        this.fileId = requireNonNull(fileId, "fileId");
        this.action = requireNonNull(action, "action");
        if ((action == PlanAction.SKIP) != (skipReason != null)) {
            throw new IllegalArgumentException("a skip reason is set exactly for SKIP");
        }
        this.file = file;
        this.mapping = mapping;
        this.document = document;
        this.skipReason = skipReason;
        this.detail = detail;
        this.normalizedPath = normalizedPath;
    }

    /** The VSRX file. */
    public VsrxFileId fileId() {
        return fileId;
    }

    /** What to do. */
    public PlanAction action() {
        return action;
    }

    /** The listed file; empty when it vanished from the listing. */
    public Optional<VsrxFile> file() {
        return Optional.ofNullable(file);
    }

    /** The existing mapping, if any. */
    public Optional<SyncMapping> mapping() {
        return Optional.ofNullable(mapping);
    }

    /** The existing document (by client file id), if any. */
    public Optional<SilknoteDocument> document() {
        return Optional.ofNullable(document);
    }

    /** Set when {@code action == SKIP}. */
    public Optional<SkipReason> skipReason() {
        return Optional.ofNullable(skipReason);
    }

    /** A log-safe reason code, if any. */
    public Optional<String> detail() {
        return Optional.ofNullable(detail);
    }

    /** The validated path to store as {@code originalPath}; set for files to write. */
    public Optional<String> normalizedPath() {
        return Optional.ofNullable(normalizedPath);
    }

    /** The listed file. @throws java.util.NoSuchElementException when the file vanished from the listing */
    public VsrxFile listed() {
        if (file == null) {
            throw new NoSuchElementException("No value present");
        }
        return file;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return o instanceof FilePlan p && fileId.equals(p.fileId) && action == p.action
                && Objects.equals(file, p.file) && Objects.equals(mapping, p.mapping)
                && Objects.equals(document, p.document) && skipReason == p.skipReason
                && Objects.equals(detail, p.detail) && Objects.equals(normalizedPath, p.normalizedPath);
    }

    @Override
    public int hashCode() {
        return Objects.hash(fileId, action, file, mapping, document, skipReason, detail, normalizedPath);
    }

    @Override
    public String toString() {
        return "FilePlan[file=" + fileId + ", action=" + action + (skipReason != null ? ", reason=" + skipReason : "")
                + (detail != null ? ", detail=" + detail : "") + "]";
    }
}
