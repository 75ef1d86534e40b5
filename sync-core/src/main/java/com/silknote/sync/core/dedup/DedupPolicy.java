package com.silknote.sync.core.dedup;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.ContentHash;
import java.util.Optional;

/** The dedup decision (DESIGN §2.4, §2.12). Pure. */
public final class DedupPolicy {

    /** What to do with downloaded content. */
    public enum Decision {
        /** The document already holds exactly these bytes: metadata-only, no upload, no re-processing. */
        SAME_CONTENT,
        /** New bytes for the document: ensure the content-addressed blob exists (upload when absent). */
        NEW_CONTENT
    }

    private DedupPolicy() { }

    /**
     * Decides from the downloaded content's hash and the hash the document holds (if any).
     *
     * @throws NullPointerException when an argument is null
     */
    public static Decision decide(ContentHash downloaded, Optional<ContentHash> current) {
        requireNonNull(downloaded, "downloaded");
        requireNonNull(current, "current");
        return current.filter(downloaded::equals).isPresent() ? Decision.SAME_CONTENT : Decision.NEW_CONTENT;
    }
}
