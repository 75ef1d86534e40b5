package com.silknote.sync.examples.folder;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.VsrxFile;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The latest folder walks of filesets, each sorted by file id, for the continuation pages of a file listing.
 *
 * <p>A page of a fileset's files needs the whole fileset walked (file ids are hashes of the paths, so the walk's
 * order is not the listing's): without these, each page walked the fileset again, O(files² / page size) per listing
 * (a fileset of 3,903 files cost 8 walks for its 8 pages). A first page (no cursor) always walks and keeps its walk
 * here; a continuation page of the same fileset reuses it while it is younger than the reuse window, so a listing
 * read page after page is one walk and a snapshot as of its first page (a file added by hand meanwhile is listed by
 * the next listing). A walk's age counts from its start; a walk is not kept over one that started later, nor when
 * a write through the source forgot a walk while it ran, so a continuation page never reads a folder state older
 * than its listing's first page or than a write. Bounded in filesets and in files; a walk larger than the file
 * bound is not kept. Thread-safe.
 */
final class ListingScans {
    private final Clock clock;
    private final Duration reuse;
    private final int maxFilesets;
    private final int maxFiles;
    private final LinkedHashMap<FilesetId, Scan> scans = new LinkedHashMap<>(16, 0.75f, true);
    private int files;
    private long forgets;

    private record Scan(List<VsrxFile> sorted, Instant at) { }

    ListingScans(Clock clock, Duration reuse, int maxFilesets, int maxFiles) {
        this.clock = requireNonNull(clock, "clock");
        this.reuse = requireNonNull(reuse, "reuse");
        if (reuse.isNegative() || maxFilesets < 1 || maxFiles < 1) {
            throw new IllegalArgumentException("reuse must not be negative, the bounds positive");
        }
        this.maxFilesets = maxFilesets;
        this.maxFiles = maxFiles;
    }

    /**
     * The fileset's kept walk when it is younger than the reuse window (a clock that went back since counts as
     * expired); an expired walk is forgotten.
     */
    synchronized Optional<List<VsrxFile>> recent(FilesetId filesetId) {
        Scan s = scans.get(filesetId);
        if (s == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (now.isBefore(s.at()) || !now.isBefore(s.at().plus(reuse))) {
            remove(filesetId);
            return Optional.empty();
        }
        return Optional.of(s.sorted());
    }

    /**
     * Walks the fileset with {@code walker} (outside this object's lock) and keeps the walk, sorted by file id, in
     * place of the fileset's earlier one, unless a walk that started later is kept by then or a write was forgotten
     * while it ran (either would make the kept walk older than what a client already saw).
     *
     * @return the walk
     */
    List<VsrxFile> walk(FilesetId filesetId, Supplier<List<VsrxFile>> walker) {
        long forgetsBefore;
        Instant started;
        synchronized (this) {
            forgetsBefore = forgets;
            started = clock.instant();
        }
        List<VsrxFile> sorted = walker.get();
        synchronized (this) {
            Scan kept = scans.get(filesetId);
            if (forgets == forgetsBefore && (kept == null || !kept.at().isAfter(started))) {
                keep(filesetId, sorted, started);
            }
        }
        return sorted;
    }

    private void keep(FilesetId filesetId, List<VsrxFile> sorted, Instant started) {
        remove(filesetId);
        if (sorted.size() > maxFiles) {
            return;
        }
        scans.put(filesetId, new Scan(List.copyOf(sorted), started));
        files += sorted.size();
        Iterator<Map.Entry<FilesetId, Scan>> eldest = scans.entrySet().iterator();
        while (scans.size() > maxFilesets || files > maxFiles) {
            files -= eldest.next().getValue().sorted().size();
            eldest.remove();
        }
    }

    /** Forgets the fileset's walk, if any, and keeps no walk that was under way meanwhile (a write happened). */
    synchronized void forget(FilesetId filesetId) {
        forgets++;
        remove(filesetId);
    }

    private void remove(FilesetId filesetId) {
        Scan s = scans.remove(filesetId);
        if (s != null) {
            files -= s.sorted().size();
        }
    }

    /** Filesets whose walk is kept (for tests). */
    synchronized int size() {
        return scans.size();
    }

    /** Files in all kept walks (for tests). */
    synchronized int files() {
        return files;
    }

    /** The index of the first file whose id sorts after {@code cursor} in a list sorted by file id. */
    static int firstAfter(List<VsrxFile> sorted, String cursor) {
        int lo = 0;
        int hi = sorted.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted.get(mid).id().value().compareTo(cursor) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
