package com.silknote.sync.core.internal;

import com.silknote.sync.core.model.FilesetId;
import java.util.Arrays;

/**
 * The fileset ids a listing returned, kept compactly as a sorted array of 64-bit hashes (8 bytes per id,
 * so 100,000 filesets take under a megabyte). Membership may err only one way: an id not listed is taken
 * for listed when its hash collides with a listed one (probability about n²/2⁶⁵). Not thread-safe; fill,
 * {@link #seal()}, then query.
 */
final class ListedIds {
    private long[] hashes = new long[64];
    private int size;
    private boolean sealed;

    void add(FilesetId id) {
        if (sealed) {
            throw new IllegalStateException("sealed");
        }
        if (size == hashes.length) {
            hashes = Arrays.copyOf(hashes, size * 2);
        }
        hashes[size++] = hash(id.value());
    }

    void seal() {
        if (!sealed) {
            Arrays.sort(hashes, 0, size);
            sealed = true;
        }
    }

    boolean contains(FilesetId id) {
        if (!sealed) {
            throw new IllegalStateException("not sealed");
        }
        return Arrays.binarySearch(hashes, 0, size, hash(id.value())) >= 0;
    }

    int size() {
        return size;
    }

    /** FNV-1a over the UTF-16 units, finished with the SplitMix64 mixer. */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 30;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 27;
        h *= 0x94d049bb133111ebL;
        h ^= h >>> 31;
        return h;
    }
}
