package com.silknote.sync.core.diff;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.admission.ContentSniffer;
import com.silknote.sync.core.model.ChangeDetectionMode;
import com.silknote.sync.core.model.RemovedDocumentPolicy;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.VanishedFilePolicy;
import com.silknote.sync.core.path.PathVerdict;
import java.util.Set;
import java.util.function.Function;

/**
 * The settings the diff applies.
 *
 * @param mode             change detection mode
 * @param vanished         what to do with mapped files missing from the listing
 * @param maxFileSizeBytes files listed larger than this are skipped before download
 * @param allowedMimeTypes declared MIME types accepted (lower case)
 * @param pathCheck        validates a raw listed path (normally {@code PathValidator::validate})
 * @param removedDocuments what to do with a live file whose document Silknote removed while its mapping stays
 */
public record DiffPolicy(ChangeDetectionMode mode, VanishedFilePolicy vanished, long maxFileSizeBytes,
        Set<String> allowedMimeTypes, Function<String, PathVerdict> pathCheck,
        RemovedDocumentPolicy removedDocuments) {

    public DiffPolicy {
        requireNonNull(mode, "mode");
        requireNonNull(vanished, "vanished");
        requireNonNull(removedDocuments, "removedDocuments");
        allowedMimeTypes = Set.copyOf(requireNonNull(allowedMimeTypes, "allowedMimeTypes"));
        requireNonNull(pathCheck, "pathCheck");
        if (maxFileSizeBytes < 1) {
            throw new IllegalArgumentException("maxFileSizeBytes must be >= 1");
        }
    }

    /** A policy that reports removed documents ({@link RemovedDocumentPolicy#REPORT}). */
    public DiffPolicy(ChangeDetectionMode mode, VanishedFilePolicy vanished, long maxFileSizeBytes,
            Set<String> allowedMimeTypes, Function<String, PathVerdict> pathCheck) {
        this(mode, vanished, maxFileSizeBytes, allowedMimeTypes, pathCheck, RemovedDocumentPolicy.REPORT);
    }

    /**
     * The policy of an engine configuration.
     *
     * @throws NullPointerException when an argument is null
     */
    public static DiffPolicy of(SyncConfig config, Function<String, PathVerdict> pathCheck) {
        requireNonNull(config, "config");
        return new DiffPolicy(config.changeDetection(), config.vanishedFilePolicy(), config.maxFileSizeBytes(),
                config.allowedMimeTypes(), pathCheck, config.removedDocumentPolicy());
    }

    /** {@code true} when the declared MIME type (parameters ignored, any case, common aliases mapped) is allowed. */
    public boolean mimeAllowed(String declared) {
        return allowedMimeTypes.contains(baseMimeType(declared));
    }

    /**
     * The declared MIME type in canonical form ({@code "Image/JPG; name=x"} → {@code image/jpeg}), as
     * {@link ContentSniffer#canonicalType(String)} defines it.
     *
     * @throws NullPointerException when declared is null
     */
    public static String baseMimeType(String declared) {
        return ContentSniffer.canonicalType(requireNonNull(declared, "declared"));
    }
}
