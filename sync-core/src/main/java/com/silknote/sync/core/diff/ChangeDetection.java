package com.silknote.sync.core.diff;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.VsrxFile;
import java.time.Instant;
import java.util.Optional;

/**
 * Change detection rules (DESIGN §2.3): the ETag when both sides have one, otherwise modifiedAt + size.
 */
public final class ChangeDetection {
    private static final String ETAG_PREFIX = "etag:";
    private static final String META_PREFIX = "meta:";

    private ChangeDetection() { }

    /**
     * The key identifying one version of a listed file: its ETag when the listing has one, otherwise its
     * modifiedAt and size. Remembered skips are keyed by it.
     *
     * @throws NullPointerException when file is null
     */
    public static String versionKey(VsrxFile file) {
        requireNonNull(file, "file");
        return versionKey(file.etag(), file.modifiedAt(), file.size());
    }

    /**
     * The version key of a file known by its parts.
     *
     * @throws NullPointerException when an argument is null
     */
    public static String versionKey(Optional<String> etag, Instant modifiedAt, long size) {
        requireNonNull(etag, "etag");
        requireNonNull(modifiedAt, "modifiedAt");
        if (etag.isPresent()) {
            return ETAG_PREFIX + etag.get();
        }
        return META_PREFIX + modifiedAt + "/" + size;
    }

    /**
     * {@code true} when the listed file is a different version than the one the mapping records. ETags
     * are compared when both sides have one (the mapping holds the ETag of the bytes downloaded);
     * otherwise modifiedAt and size.
     *
     * @throws NullPointerException when an argument is null
     */
    public static boolean versionChanged(VsrxFile listed, SyncMapping mapping) {
        requireNonNull(listed, "listed");
        requireNonNull(mapping, "mapping");
        if (listed.etag().isPresent() && mapping.etag().isPresent()) {
            return !listed.etag().get().equals(mapping.etag().get());
        }
        return !listed.modifiedAt().equals(mapping.modifiedAt()) || listed.size() != mapping.size();
    }
}
