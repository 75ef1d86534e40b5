package com.silknote.sync.core.diff;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import java.util.Optional;

/**
 * The diff's decision for one file. Holds patient data (the listed path): {@code toString()} shows ids
 * and codes only.
 *
 * @param fileId         the VSRX file
 * @param action         what to do
 * @param file           the listed file; empty when it vanished from the listing
 * @param mapping        the existing mapping, if any
 * @param document       the existing document (by client file id), if any
 * @param skipReason     set when {@code action == SKIP}
 * @param detail         a log-safe reason code, if any
 * @param normalizedPath the validated path to store as {@code originalPath}; set for files to write
 */
public record FilePlan(VsrxFileId fileId, PlanAction action, Optional<VsrxFile> file, Optional<SyncMapping> mapping,
        Optional<SilknoteDocument> document, Optional<SkipReason> skipReason, Optional<String> detail,
        Optional<String> normalizedPath) {

    public FilePlan {
        requireNonNull(fileId, "fileId");
        requireNonNull(action, "action");
        requireNonNull(file, "file");
        requireNonNull(mapping, "mapping");
        requireNonNull(document, "document");
        requireNonNull(skipReason, "skipReason");
        requireNonNull(detail, "detail");
        requireNonNull(normalizedPath, "normalizedPath");
        if ((action == PlanAction.SKIP) != skipReason.isPresent()) {
            throw new IllegalArgumentException("a skip reason is set exactly for SKIP");
        }
    }

    /** The listed file. @throws java.util.NoSuchElementException when the file vanished from the listing */
    public VsrxFile listed() {
        return file.orElseThrow();
    }

    @Override
    public String toString() {
        return "FilePlan[file=" + fileId + ", action=" + action + skipReason.map(r -> ", reason=" + r).orElse("")
                + detail.map(d -> ", detail=" + d).orElse("") + "]";
    }
}
