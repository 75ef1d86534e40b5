package com.silknote.sync.examples.folder;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.VsrxFileId;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where each file id of a {@link FolderVsrxSource} lives, so a lookup by id (a content request) costs one
 * map access instead of a walk of the folder. Filled by the folder walks the listings do anyway: every walk
 * of a fileset replaces that fileset's entries, so files added, renamed or removed since are picked up by
 * its next listing. An id not in the index (a file created since its fileset was last listed, or an unknown
 * id) costs one walk of every fileset; concurrent misses share one walk. Entries name real files at indexing
 * time only: the caller checks the file again when it uses it, and {@link #forget}s it when it is gone.
 * Thread-safe.
 */
final class FolderFileIndex {

    /** Where a file was found: its fileset, its VSRX path ({@code notes/...}) and the file. */
    record Entry(FilesetId filesetId, String path, Path file) {
        Entry {
            requireNonNull(filesetId, "filesetId");
            requireNonNull(path, "path");
            requireNonNull(file, "file");
        }
    }

    private final Runnable walkAll;
    private final Map<VsrxFileId, Entry> byId = new HashMap<>();
    private final Map<FilesetId, Set<VsrxFileId>> byFileset = new HashMap<>();
    private final Object walkLock = new Object();
    private long walks;

    /** @param walkAll walks every fileset, each walk calling {@link #replaceFileset} */
    FolderFileIndex(Runnable walkAll) {
        this.walkAll = requireNonNull(walkAll, "walkAll");
    }

    /** What one walk of a fileset found: replaces everything the index knew of that fileset. */
    synchronized void replaceFileset(FilesetId filesetId, Map<VsrxFileId, Entry> found) {
        requireNonNull(filesetId, "filesetId");
        Set<VsrxFileId> before = byFileset.remove(filesetId);
        if (before != null) {
            for (VsrxFileId id : before) {
                Entry e = byId.get(id);
                if (e != null && e.filesetId().equals(filesetId)) {
                    byId.remove(id);
                }
            }
        }
        byId.putAll(found);
        byFileset.put(filesetId, Set.copyOf(found.keySet()));
    }

    /** Where the file is, walking the folder once when the id is not indexed. */
    Optional<Entry> find(VsrxFileId id) {
        requireNonNull(id, "id");
        long seen;
        synchronized (this) {
            Entry e = byId.get(id);
            if (e != null) {
                return Optional.of(e);
            }
            seen = walks;
        }
        synchronized (walkLock) {
            synchronized (this) {
                if (walks != seen) {            // a walk finished since the miss: it is as fresh as ours would be
                    return Optional.ofNullable(byId.get(id));
                }
            }
            walkAll.run();
            synchronized (this) {
                walks++;
                return Optional.ofNullable(byId.get(id));
            }
        }
    }

    /** Drops an entry whose file turned out to be gone (or no longer a regular file). */
    synchronized void forget(VsrxFileId id, Entry entry) {
        if (byId.remove(id, entry)) {
            Set<VsrxFileId> ids = byFileset.get(entry.filesetId());
            if (ids != null && ids.contains(id)) {
                Set<VsrxFileId> rest = new java.util.HashSet<>(ids);
                rest.remove(id);
                byFileset.put(entry.filesetId(), Set.copyOf(rest));
            }
        }
    }
}
