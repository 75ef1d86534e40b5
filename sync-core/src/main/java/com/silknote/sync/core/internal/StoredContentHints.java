package com.silknote.sync.core.internal;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.ContentHash;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Content one run has seen confirmed in the blob store (created or found there), so that the next file with the
 * same content asks the store first ({@code BlobStore.putIfAbsent}: one metadata request) instead of sending all
 * of its bytes only to have them refused ({@code putNewIfAbsent}: the whole body, a refusal, then the same
 * question). Duplicates within a run (a form letter in many patients' files) then cost the blob store what they
 * cost a plain uploader that skips known content, not a second upload (issue 12: no more blob-store work than the
 * raw upload).
 *
 * <p>Only a hint, never a decision: both put forms end with the content stored under its hash, so a hint that is
 * wrong (the blob was collected or removed behind the run's back since) costs one request and nothing else, and a
 * hint that is missing costs the refused upload it would have saved. That is why it may forget: it is a
 * direct-mapped table of a fixed number of slots, a newer hash replacing an older one in its slot, so its memory
 * does not grow with the number of files in a run. A hit compares the whole hash: it never answers for other
 * content. Thread-safe (the run's filesets share it).
 */
final class StoredContentHints {
    /**
     * Slots of the table. A filled slot keeps a hash alive (about 140 bytes with its hex string): under 5 MiB
     * when every slot is filled, whatever the number of files in the run.
     */
    static final int DEFAULT_SLOTS = 1 << 15;

    private final AtomicReferenceArray<ContentHash> slots;

    StoredContentHints() {
        this(DEFAULT_SLOTS);
    }

    StoredContentHints(int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("slots must be at least 1, was " + slots);
        }
        this.slots = new AtomicReferenceArray<>(slots);
    }

    /** {@code true} when this run saw {@code hash} stored and has not forgotten it since. */
    boolean probablyStored(ContentHash hash) {
        requireNonNull(hash, "hash");
        return hash.equals(slots.get(slot(hash)));
    }

    /** Remembers that the blob store confirmed {@code hash} (created it or found it). */
    void stored(ContentHash hash) {
        requireNonNull(hash, "hash");
        slots.set(slot(hash), hash);
    }

    private int slot(ContentHash hash) {
        return Math.floorMod(hash.hashCode(), slots.length());
    }
}
