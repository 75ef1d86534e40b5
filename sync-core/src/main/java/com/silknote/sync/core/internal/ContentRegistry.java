package com.silknote.sync.core.internal;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.ContentHash;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Closes the in-process window of the GC race: content a fileset is about to reference (from before its
 * existence check of the blob until its commit) is never collected, and a fileset waits while the
 * collector is working on the same content. Across processes the store's ETag protocol
 * ({@link com.silknote.sync.core.model.BlobRef}) and the post-commit check of the engine apply. Thread-safe.
 */
final class ContentRegistry {
    private final Map<ContentHash, Integer> inUse = new HashMap<>();
    private final Set<ContentHash> collecting = new HashSet<>();

    /** Marks content as about to be referenced; waits while it is being collected. */
    synchronized void enter(ContentHash hash) throws InterruptedException {
        requireNonNull(hash, "hash");
        while (collecting.contains(hash)) {
            wait();
        }
        inUse.merge(hash, 1, Integer::sum);
    }

    /** Ends one {@link #enter}. */
    synchronized void leave(ContentHash hash) {
        inUse.computeIfPresent(hash, (h, n) -> n <= 1 ? null : n - 1);
    }

    /** Starts collecting unless the content is in use or already being collected. */
    synchronized boolean tryBeginCollect(ContentHash hash) {
        if (inUse.containsKey(hash) || collecting.contains(hash)) {
            return false;
        }
        collecting.add(hash);
        return true;
    }

    synchronized void endCollect(ContentHash hash) {
        collecting.remove(hash);
        notifyAll();
    }
}
