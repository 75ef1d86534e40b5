package com.silknote.sync.testkit.history;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.FileGoneException;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.testkit.TestClock;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The VSRX of a {@link RandomHistoryScenario}: a {@link VsrxSource} whose every file keeps the history of its
 * states, so the scenario's reference model can tell what the engine could have seen. Unlike the testkit's
 * {@code InMemoryVsrxSource} it lets a history do what real deployments do and the engine must survive:
 *
 * <ul>
 *   <li>a server clock skewed against the host's ({@link #setSkew}); every VSRX time comes from it, and
 *       pages carry it when {@link #setSendsServerTime} says so;</li>
 *   <li>server-side change tracking: {@code changedSince} filters by when VSRX last changed an item, not by
 *       the file's {@code modifiedAt}, which an edit may leave as it was;</li>
 *   <li>edits that keep the ETag or the modification time, listings whose {@code sha256} is stale or lies,
 *       declared sizes and MIME types that lie;</li>
 *   <li>file ids moving to another fileset, files vanishing from and returning to the listing, deleted files
 *       coming back, filesets removed from the listing, per-fileset outages;</li>
 *   <li>hooks on content downloads, to change files while a run is between listing and download.</li>
 * </ul>
 * Ids are the caller's. Thread-safe.
 */
public final class HistoryVsrx implements VsrxSource {

    /** What the listing declares as a file's SHA-256. */
    public enum ShaClaim {
        /** Nothing. */
        NONE,
        /** The true hash of the current content. */
        TRUE
    }

    /**
     * One state of a file, as VSRX held it between two changes. {@code seq} orders states of all files.
     *
     * @param seq          global order of changes
     * @param id           file id
     * @param filesetId    the fileset it was in
     * @param path         raw path
     * @param declaredMime the listing's MIME type
     * @param content      index into {@link HistoryContent}
     * @param hash         SHA-256 of the content
     * @param declaredSize the listing's size
     * @param etag         ETag of the listing and of served content; empty for a file without ETags
     * @param modifiedAt   the file's modification time (VSRX clock)
     * @param listedSha256 what the listing declares as SHA-256
     * @param deleted      marked deleted
     * @param listed       in the listing (a vanished file is not)
     */
    public record FileState(long seq, VsrxFileId id, FilesetId filesetId, String path, String declaredMime,
            int content, ContentHash hash, long declaredSize, Optional<String> etag, Instant modifiedAt,
            Optional<ContentHash> listedSha256, boolean deleted, boolean listed) {

        /** What metadata-based change detection compares: the ETag, or modifiedAt and size without one. */
        public String versionKey() {
            return etag.orElseGet(() -> modifiedAt + "/" + declaredSize);
        }

        /** The true size of the content. */
        public long size() {
            return HistoryContent.content(content).size();
        }

        VsrxFile view() {
            return new VsrxFile(id, filesetId, path, declaredSize, declaredMime, modifiedAt, etag, listedSha256,
                    deleted);
        }

        @Override
        public String toString() {
            return id + "@" + seq + "[fs=" + filesetId + ", " + HistoryContent.content(content) + ", path=" + path
                    + ", mime=" + declaredMime + ", size=" + declaredSize + ", etag=" + etag.orElse("-")
                    + ", sha=" + listedSha256.map(ContentHash::shortHex).orElse("-") + (deleted ? ", deleted" : "")
                    + (listed ? "" : ", vanished") + "]";
        }
    }

    /** A fileset as VSRX holds it now. */
    public record FilesetState(FilesetId id, PatientId patientId, Optional<PatientUuid> link,
            List<PatientId> previousPatientIds, Instant updatedAt, boolean listed, boolean outage) {

        public List<PatientId> patientIdHistory() {
            List<PatientId> all = new ArrayList<>(previousPatientIds);
            all.add(patientId);
            return List.copyOf(all);
        }

        VsrxFileset view() {
            return new VsrxFileset(id, patientId, link, previousPatientIds, updatedAt);
        }
    }

    /** Called on every content download, on the downloading thread, outside this source's lock. */
    public interface DownloadHook {
        /** Before the bytes to serve are captured: a change made here is what the caller gets. */
        default void beforeCapture(int download, VsrxFileId file) { }

        /** After the bytes were captured: a change made here is not what the caller gets. */
        default void afterCapture(int download, VsrxFileId file) { }
    }

    private static final class FilesetRow {
        FilesetState state;

        FilesetRow(FilesetState state) {
            this.state = state;
        }
    }

    private static final class FileRow {
        final List<FileState> states = new ArrayList<>();
        ShaClaim claim;
        Optional<ContentHash> fixedClaim = Optional.empty();
        Instant changedAt;

        FileState now() {
            return states.get(states.size() - 1);
        }
    }

    private final TestClock host;
    private final TreeMap<FilesetId, FilesetRow> filesets = new TreeMap<>();
    private final TreeMap<VsrxFileId, FileRow> files = new TreeMap<>();
    /** Files whose bytes the store lost while the index lists them ({@link #setContentLost}). */
    private final Set<VsrxFileId> lostContent = new java.util.TreeSet<>();
    private Duration skew = Duration.ZERO;
    private boolean sendsServerTime;
    private long seq;
    private long nextEtag = 1;
    private int downloads;
    private DownloadHook hook = new DownloadHook() { };

    /** A VSRX with nothing in it, whose clock is {@code host} plus a skew. */
    public HistoryVsrx(TestClock host) {
        this.host = requireNonNull(host, "host");
    }

    // ------------------------------------------------------------------ clock

    /** VSRX's clock: the host's plus the skew. */
    public synchronized Instant now() {
        return host.instant().plus(skew);
    }

    /** Sets how far VSRX's clock is ahead of (positive) or behind (negative) the host's. */
    public synchronized void setSkew(Duration skew) {
        this.skew = requireNonNull(skew, "skew");
    }

    public synchronized Duration skew() {
        return skew;
    }

    /** Whether every listing page carries VSRX's clock ({@link Page#serverTime()}), as the {@code /v1} protocol does. */
    public synchronized void setSendsServerTime(boolean sends) {
        this.sendsServerTime = sends;
    }

    private <T> Page<T> stamped(Page<T> page) {
        return sendsServerTime ? page.withServerTime(now()) : page;
    }

    // ------------------------------------------------------------------ filesets

    /** Creates a fileset. @throws IllegalArgumentException when the id is taken */
    public synchronized void addFileset(FilesetId id, PatientId patientId, Optional<PatientUuid> link,
            List<PatientId> previous) {
        if (filesets.containsKey(id)) {
            throw new IllegalArgumentException("fileset exists: " + id);
        }
        filesets.put(id, new FilesetRow(new FilesetState(id, patientId, link, List.copyOf(previous), now(), true,
                false)));
    }

    /** Links (or re-links) a fileset to a Silknote patient; empty unlinks it. */
    public synchronized void link(FilesetId id, Optional<PatientUuid> link) {
        FilesetState s = fileset(id);
        put(new FilesetState(id, s.patientId(), link, s.previousPatientIds(), now(), s.listed(), s.outage()));
    }

    /** Removes a fileset from (false) or returns it to (true) the listing; its files go and come with it. */
    public synchronized void setListed(FilesetId id, boolean listed) {
        FilesetState s = fileset(id);
        put(new FilesetState(id, s.patientId(), s.link(), s.previousPatientIds(), now(), listed, s.outage()));
    }

    /** While on, listing the fileset's files and downloading them fails transiently (503). */
    public synchronized void setOutage(FilesetId id, boolean outage) {
        FilesetState s = fileset(id);
        put(new FilesetState(id, s.patientId(), s.link(), s.previousPatientIds(), s.updatedAt(), s.listed(),
                outage));
    }

    private void put(FilesetState s) {
        filesets.get(s.id()).state = s;
    }

    /** A fileset's state. @throws IllegalArgumentException when unknown */
    public synchronized FilesetState fileset(FilesetId id) {
        FilesetRow row = filesets.get(requireNonNull(id, "id"));
        if (row == null) {
            throw new IllegalArgumentException("unknown fileset " + id);
        }
        return row.state;
    }

    public synchronized boolean hasFileset(FilesetId id) {
        return filesets.containsKey(id);
    }

    /** Every fileset ever created, listed or not, in id order. */
    public synchronized List<FilesetId> filesetIds() {
        return List.copyOf(filesets.keySet());
    }

    // ------------------------------------------------------------------ files

    /**
     * Creates a file.
     *
     * @param declaredSize the listing's size; empty for the true size
     * @param declaredMime the listing's MIME type
     */
    public synchronized void addFile(VsrxFileId id, FilesetId filesetId, String path, String declaredMime, int content,
            boolean withEtag, ShaClaim claim, OptionalLong declaredSize) {
        if (files.containsKey(id)) {
            throw new IllegalArgumentException("file exists: " + id);
        }
        fileset(filesetId);
        FileRow row = new FileRow();
        row.claim = claim;
        HistoryContent.Content c = HistoryContent.content(content);
        Instant now = now();
        FileState s = new FileState(++seq, id, filesetId, path, declaredMime, content, c.hash(),
                declaredSize.orElse(c.size()), withEtag ? Optional.of(etag()) : Optional.empty(), now,
                Optional.empty(), false, true);
        row.states.add(withClaim(row, s));
        row.changedAt = now;
        files.put(id, row);
        touchFileset(filesetId, now);
    }

    /**
     * Replaces a file's content. {@code newEtag == false} models a VSRX that keeps the ETag although the bytes
     * changed; {@code newMtime == false} one that keeps the modification time.
     */
    public synchronized void edit(VsrxFileId id, int content, boolean newEtag, boolean newMtime) {
        FileRow row = row(id);
        FileState s = row.now();
        HistoryContent.Content c = HistoryContent.content(content);
        long declared = s.declaredSize() == s.size() ? c.size() : s.declaredSize();
        change(row, new FileState(0, id, s.filesetId(), s.path(), s.declaredMime(), content, c.hash(), declared,
                newEtag && s.etag().isPresent() ? Optional.of(etag()) : s.etag(),
                newMtime ? now() : s.modifiedAt(), s.listedSha256(), s.deleted(), s.listed()));
    }

    /** Renames a file; ETag and content stay. */
    public synchronized void rename(VsrxFileId id, String path, boolean newMtime) {
        FileRow row = row(id);
        FileState s = row.now();
        change(row, new FileState(0, id, s.filesetId(), path, s.declaredMime(), s.content(), s.hash(), s.declaredSize(),
                s.etag(), newMtime ? now() : s.modifiedAt(), s.listedSha256(), s.deleted(), s.listed()));
    }

    /** Marks a file deleted ({@code true}) or brings it back ({@code false}, as a new version). */
    public synchronized void setDeleted(VsrxFileId id, boolean deleted) {
        FileRow row = row(id);
        FileState s = row.now();
        change(row, new FileState(0, id, s.filesetId(), s.path(), s.declaredMime(), s.content(), s.hash(),
                s.declaredSize(), !deleted && s.etag().isPresent() ? Optional.of(etag()) : s.etag(), now(),
                s.listedSha256(), deleted, s.listed()));
    }

    /** Drops a file from the listing without marking it deleted ({@code false}), or lists it again. */
    /**
     * VSRX's store loses a file's bytes ({@code true}) while its index still lists it, or has them again: its
     * content requests answer 404 {@code file_not_found} meanwhile (a deleted or unlisted file still answers as
     * such). Not a change of the file's state: its listing stays as it is.
     */
    public synchronized void setContentLost(VsrxFileId id, boolean lost) {
        row(id);
        if (lost) {
            lostContent.add(id);
        } else {
            lostContent.remove(id);
        }
    }

    /** Whether VSRX does not serve the file's bytes ({@link #setContentLost}). */
    public synchronized boolean contentLost(VsrxFileId id) {
        return lostContent.contains(id);
    }

    public synchronized void setFileListed(VsrxFileId id, boolean listed) {
        FileRow row = row(id);
        FileState s = row.now();
        change(row, new FileState(0, id, s.filesetId(), s.path(), s.declaredMime(), s.content(), s.hash(),
                s.declaredSize(), s.etag(), s.modifiedAt(), s.listedSha256(), s.deleted(), listed));
    }

    /** Moves a file id to another fileset (another patient); everything else stays. */
    public synchronized void move(VsrxFileId id, FilesetId to) {
        fileset(to);
        FileRow row = row(id);
        FileState s = row.now();
        Instant now = now();
        touchFileset(s.filesetId(), now);
        change(row, new FileState(0, id, to, s.path(), s.declaredMime(), s.content(), s.hash(), s.declaredSize(),
                s.etag(), s.modifiedAt(), s.listedSha256(), s.deleted(), s.listed()));
    }

    /**
     * Makes the listing declare {@code claim} as the file's SHA-256 from now on, whatever the content
     * (stale after the next edit, or a lie at once); empty goes back to the file's {@link ShaClaim}.
     */
    public synchronized void fixSha256Claim(VsrxFileId id, Optional<ContentHash> claim) {
        FileRow row = row(id);
        row.fixedClaim = requireNonNull(claim, "claim");
        FileState s = row.now();
        change(row, s);
    }

    private FileState withClaim(FileRow row, FileState s) {
        Optional<ContentHash> listed = row.fixedClaim.isPresent() ? row.fixedClaim
                : row.claim == ShaClaim.TRUE ? Optional.of(s.hash()) : Optional.empty();
        return new FileState(s.seq(), s.id(), s.filesetId(), s.path(), s.declaredMime(), s.content(), s.hash(),
                s.declaredSize(), s.etag(), s.modifiedAt(), listed, s.deleted(), s.listed());
    }

    private void change(FileRow row, FileState next) {
        FileState s = withClaim(row, new FileState(++seq, next.id(), next.filesetId(), next.path(),
                next.declaredMime(), next.content(), next.hash(), next.declaredSize(), next.etag(), next.modifiedAt(),
                next.listedSha256(), next.deleted(), next.listed()));
        row.states.add(s);
        Instant now = now();
        row.changedAt = now;
        touchFileset(s.filesetId(), now);
    }

    private void touchFileset(FilesetId id, Instant now) {
        FilesetState f = fileset(id);
        put(new FilesetState(id, f.patientId(), f.link(), f.previousPatientIds(), now, f.listed(), f.outage()));
    }

    private String etag() {
        return String.format("e-%05d", nextEtag++);
    }

    private FileRow row(VsrxFileId id) {
        FileRow row = files.get(requireNonNull(id, "id"));
        if (row == null) {
            throw new IllegalArgumentException("unknown file " + id);
        }
        return row;
    }

    // ------------------------------------------------------------------ inspection

    public synchronized boolean hasFile(VsrxFileId id) {
        return files.containsKey(id);
    }

    /** A file's current state. @throws IllegalArgumentException when unknown */
    public synchronized FileState file(VsrxFileId id) {
        return row(id).now();
    }

    /** Every file ever created, in id order. */
    public synchronized List<VsrxFileId> fileIds() {
        return List.copyOf(files.keySet());
    }

    /** The global sequence number of the latest change. */
    public synchronized long seq() {
        return seq;
    }

    /**
     * Every state a correct engine may hold for a file when a run that started at {@code fromSeq} ends: the
     * state at {@code fromSeq} and all later ones (a change during the run may or may not have been seen), and
     * every earlier state with the same {@link FileState#versionKey()} as one of those (a change that keeps
     * the ETag, or the modification time and size, is invisible to metadata change detection, even when the
     * file returns to an old version key with other bytes).
     */
    public synchronized List<FileState> statesSince(VsrxFileId id, long fromSeq) {
        List<FileState> states = row(id).states;
        int at = -1;
        for (int i = 0; i < states.size() && states.get(i).seq() <= fromSeq; i++) {
            at = i;
        }
        if (at < 0) {
            return List.copyOf(states);
        }
        List<FileState> window = states.subList(at, states.size());
        java.util.Set<String> keys = new java.util.HashSet<>();
        window.forEach(x -> keys.add(x.versionKey()));
        List<FileState> out = new ArrayList<>();
        for (int i = 0; i < at; i++) {
            if (keys.contains(states.get(i).versionKey())) {
                out.add(states.get(i));
            }
        }
        out.addAll(window);
        return List.copyOf(out);
    }

    /** Every state a file has had, oldest first. */
    public synchronized List<FileState> history(VsrxFileId id) {
        return List.copyOf(row(id).states);
    }

    /** Content downloads served so far. */
    public synchronized int downloads() {
        return downloads;
    }

    /** Sets the hook called on every download (replacing the previous one). */
    public synchronized void setDownloadHook(DownloadHook hook) {
        this.hook = requireNonNull(hook, "hook");
    }

    // ------------------------------------------------------------------ VsrxSource

    @Override
    public synchronized Page<VsrxFileset> listFilesets(PageRequest request) {
        requireNonNull(request, "request");
        List<FilesetState> rows = new ArrayList<>();
        for (FilesetRow r : filesets.values()) {
            FilesetState s = r.state;
            if (s.listed() && request.changedSince().map(t -> !s.updatedAt().isBefore(t)).orElse(true)) {
                rows.add(s);
            }
        }
        return stamped(page(rows, request, s -> s.id().value(), FilesetState::view));
    }

    @Override
    public synchronized Optional<VsrxFileset> findFileset(FilesetId id) {
        requireNonNull(id, "id");
        FilesetRow r = filesets.get(id);
        return r == null || !r.state.listed() ? Optional.empty() : Optional.of(r.state.view());
    }

    /**
     * @throws PermanentSyncException (404) for an unknown or unlisted fileset
     * @throws TransientSyncException during the fileset's outage
     */
    @Override
    public synchronized Page<VsrxFile> listFiles(FilesetId filesetId, PageRequest request) {
        requireNonNull(filesetId, "filesetId");
        requireNonNull(request, "request");
        FilesetRow fs = filesets.get(filesetId);
        if (fs == null || !fs.state.listed()) {
            throw new PermanentSyncException("fileset not found", 404, null);
        }
        if (fs.state.outage()) {
            throw new TransientSyncException("fileset unavailable (simulated outage)");
        }
        List<FileRow> rows = new ArrayList<>();
        for (FileRow r : files.values()) {
            FileState s = r.now();
            if (s.filesetId().equals(filesetId) && s.listed()
                    && request.changedSince().map(t -> !r.changedAt.isBefore(t)).orElse(true)) {
                rows.add(r);
            }
        }
        return stamped(page(rows, request, r -> r.now().id().value(), r -> r.now().view()));
    }

    /**
     * @throws FileGoneException 404 for an unknown or vanished file (or one of an unlisted fileset), 410 for a deleted one
     * @throws TransientSyncException during its fileset's outage
     */
    @Override
    public FileContent openContent(VsrxFileId fileId) {
        requireNonNull(fileId, "fileId");
        DownloadHook h;
        int n;
        synchronized (this) {
            h = hook;
            n = ++downloads;
        }
        h.beforeCapture(n, fileId);
        FileContent served;
        synchronized (this) {
            FileRow row = files.get(fileId);
            if (row == null || !row.now().listed() || !filesets.get(row.now().filesetId()).state.listed()) {
                throw FileGoneException.notFound();
            }
            if (row.now().deleted()) {
                throw FileGoneException.deleted();
            }
            if (filesets.get(row.now().filesetId()).state.outage()) {
                throw new TransientSyncException("file unavailable (simulated outage)");
            }
            if (lostContent.contains(fileId)) {
                throw FileGoneException.notFound();
            }
            FileState s = row.now();
            byte[] bytes = HistoryContent.content(s.content()).bytes();
            served = new FileContent(new ByteArrayInputStream(bytes), s.etag(), OptionalLong.of(bytes.length),
                    Optional.of(s.hash()));
        }
        h.afterCapture(n, fileId);
        return served;
    }

    private static <R, V> Page<V> page(List<R> rows, PageRequest request, java.util.function.Function<R, String> key,
            java.util.function.Function<R, V> view) {
        String after = request.cursor().map(HistoryVsrx::decode).orElse(null);
        Predicate<R> include = r -> after == null || key.apply(r).compareTo(after) > 0;
        List<V> items = new ArrayList<>();
        String last = null;
        boolean more = false;
        for (R r : rows) {
            if (!include.test(r)) {
                continue;
            }
            if (items.size() == request.limit()) {
                more = true;
                break;
            }
            items.add(view.apply(r));
            last = key.apply(r);
        }
        return new Page<>(items, more ? Optional.of(encode(last)) : Optional.empty());
    }

    private static String encode(String id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(id.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String cursor) {
        try {
            return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new PermanentSyncException("invalid cursor", 400, e);
        }
    }
}
