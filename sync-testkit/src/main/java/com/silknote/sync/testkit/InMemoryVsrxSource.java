package com.silknote.sync.testkit;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.FileGoneException;
import com.silknote.sync.core.exception.ConcurrentUpdateException;
import com.silknote.sync.core.exception.ContentRejectedException;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.IdempotencyKey;
import com.silknote.sync.core.model.NewVsrxFile;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.PageRequest;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxFileset;
import com.silknote.sync.core.model.VsrxWriteResult;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.path.PathValidator;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.core.port.VsrxTarget;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A scriptable, in-memory VSRX. Tests build filesets and files, change them between (or during) runs and
 * read counters afterwards ("a second run downloads nothing").
 *
 * <p>Behaviour, as the {@link VsrxSource} port describes it:
 * <ul>
 *   <li>Ids are deterministic: filesets {@code fs-000001, fs-000002, ...}, files {@code file-000001, ...},
 *       so id order is creation order.</li>
 *   <li>Listings are in id order, cursor-paginated (an opaque cursor), honour {@code limit} and
 *       {@code changedSince} (inclusive: fileset {@code updatedAt}, file {@code modifiedAt}).</li>
 *   <li>Every content change gives a file a new ETag ({@code etag-<n>}, from a store-wide counter), unless
 *       it was created without one. Any change to a file also moves its fileset's {@code updatedAt}.</li>
 *   <li>A deleted file stays listed with {@code deleted == true}; its content is no longer served.
 *       {@link #removeFromListing} makes a file vanish entirely.</li>
 *   <li>Unknown filesets (in {@code listFiles}) give {@link PermanentSyncException} with status 404;
 *       unknown or vanished files (in {@code openContent}) {@link FileGoneException} with status 404, deleted
 *       ones with status 410.</li>
 *   <li>Every listing page carries the source's clock as {@link Page#serverTime()}.</li>
 * </ul>
 * Times come from VSRX's own clock: the injected {@link Clock} shifted by {@link #setClockSkew(Duration)}
 * (none by default), so tests can put VSRX's clock behind or ahead of the host's. Thread-safe.
 *
 * <p>It is also the testkit's in-memory {@link VsrxTarget}, with the semantics the port describes: a fencing
 * high-water mark, idempotency keys remembered forever with their first answer, {@code If-Match} on replace and
 * delete, content checked against its declared size and SHA-256, paths checked by {@link PathValidator}, a live
 * path taken once per fileset. Files it creates carry their Silknote origin and list their SHA-256.
 * {@link #beforeWrite} lets a test pause or crash a writer between its plan and the write.
 */
public final class InMemoryVsrxSource implements VsrxSource, VsrxTarget {

    private static final class FilesetRow {
        final FilesetId id;
        PatientId patientId;
        Optional<PatientUuid> silknotePatientUuid;
        List<PatientId> previousPatientIds;
        Instant updatedAt;

        FilesetRow(FilesetId id, PatientId patientId, Optional<PatientUuid> uuid, List<PatientId> previous,
                Instant updatedAt) {
            this.id = id;
            this.patientId = patientId;
            this.silknotePatientUuid = uuid;
            this.previousPatientIds = List.copyOf(previous);
            this.updatedAt = updatedAt;
        }

        VsrxFileset view() {
            return new VsrxFileset(id, patientId, silknotePatientUuid, previousPatientIds, updatedAt);
        }
    }

    private static final class FileRow {
        final VsrxFileId id;
        FilesetId filesetId;
        String path;
        String mimeType;
        byte[] content;
        ContentHash hash;
        Instant modifiedAt;
        final boolean hasEtag;
        String etag;
        boolean listSha256;
        boolean serveSha256;
        boolean deleted;
        boolean listed = true;
        OptionalLong declaredSize = OptionalLong.empty();
        Optional<ContentHash> declaredSha256 = Optional.empty();
        Optional<String> declaredMime = Optional.empty();
        Optional<DocumentUuid> origin = Optional.empty();

        FileRow(VsrxFileId id, FilesetId filesetId, boolean hasEtag) {
            this.id = id;
            this.filesetId = filesetId;
            this.hasEtag = hasEtag;
        }

        VsrxFile view() {
            Optional<ContentHash> sha = declaredSha256.isPresent() ? declaredSha256
                    : (listSha256 ? Optional.of(hash) : Optional.empty());
            return new VsrxFile(id, filesetId, path, declaredSize.orElse(content.length),
                    declaredMime.orElse(mimeType), modifiedAt,
                    hasEtag ? Optional.of(etag) : Optional.empty(), sha, deleted, origin);
        }
    }

    /** What a write did, remembered under its idempotency key. */
    private record Remembered(String kind, String target, VsrxFile answer) { }

    private final Clock clock;
    private volatile Duration skew = Duration.ZERO;
    private final Object lock = new Object();
    private final TreeMap<FilesetId, FilesetRow> filesets = new TreeMap<>();
    private final TreeMap<VsrxFileId, FileRow> files = new TreeMap<>();
    private final Map<VsrxFileId, List<Runnable>> beforeOpenHooks = new HashMap<>();
    private final Map<VsrxFileId, List<Runnable>> afterOpenHooks = new HashMap<>();
    private final Map<VsrxFileId, Long> downloadsByFile = new HashMap<>();
    private long nextFileset = 1;
    private long nextFile = 1;
    private long nextEtag = 1;
    private long downloads;
    private long listFilesetsCalls;
    private long listFilesCalls;
    private long findFilesetCalls;
    private final AtomicLong bytesServed = new AtomicLong();
    private FencingToken highWater;
    private final Map<IdempotencyKey, Remembered> keys = new HashMap<>();
    private final List<Runnable> beforeWriteHooks = new ArrayList<>();
    private long writes;
    private long refusedWrites;

    /**
     * A VSRX with no filesets.
     *
     * @param clock source of {@code updatedAt} and {@code modifiedAt}
     */
    @Inject
    public InMemoryVsrxSource(Clock clock) {
        this.clock = requireNonNull(clock, "clock");
    }

    // ------------------------------------------------------------------ VSRX's clock

    /** Shifts VSRX's clock against the injected one: negative = VSRX is behind the host. */
    public void setClockSkew(Duration skew) {
        this.skew = requireNonNull(skew, "skew");
    }

    /** VSRX's clock now: the injected clock plus the skew. */
    public Instant now() {
        return clock.instant().plus(skew);
    }

    // ------------------------------------------------------------------ scripting: filesets

    /** Creates a fileset not yet linked to a Silknote patient. */
    public FilesetId addFileset(PatientId patientId) {
        return addFileset(patientId, Optional.empty(), List.of());
    }

    /** Creates a fileset not yet linked to a Silknote patient. */
    public FilesetId addFileset(String patientId) {
        return addFileset(PatientId.of(patientId));
    }

    /** Creates a fileset linked to the Silknote patient {@code silknotePatient}. */
    public FilesetId addFileset(PatientId patientId, PatientUuid silknotePatient) {
        return addFileset(patientId, Optional.of(requireNonNull(silknotePatient, "silknotePatient")), List.of());
    }

    /** Creates a fileset with full control over its link and re-booking history. */
    public FilesetId addFileset(PatientId patientId, Optional<PatientUuid> silknotePatient,
            List<PatientId> previousPatientIds) {
        requireNonNull(patientId, "patientId");
        requireNonNull(silknotePatient, "silknotePatient");
        requireNonNull(previousPatientIds, "previousPatientIds");
        synchronized (lock) {
            FilesetId id = FilesetId.of(String.format("fs-%06d", nextFileset++));
            filesets.put(id, new FilesetRow(id, patientId, silknotePatient, previousPatientIds, now()));
            return id;
        }
    }

    /** Links a fileset to a Silknote patient (or re-links it). */
    public void linkPatient(FilesetId filesetId, PatientUuid silknotePatient) {
        requireNonNull(silknotePatient, "silknotePatient");
        synchronized (lock) {
            FilesetRow row = fileset(filesetId);
            row.silknotePatientUuid = Optional.of(silknotePatient);
            row.updatedAt = now();
        }
    }

    /** Removes the link of a fileset to its Silknote patient. */
    public void unlinkPatient(FilesetId filesetId) {
        synchronized (lock) {
            FilesetRow row = fileset(filesetId);
            row.silknotePatientUuid = Optional.empty();
            row.updatedAt = now();
        }
    }

    /**
     * Re-books the patient of a fileset: VSRX creates a <em>new</em> fileset with {@code newPatientId},
     * the same Silknote link, and the old fileset's patient-id history as {@code previousPatientIds}. The
     * old fileset and its files stay as they are; the new one starts empty.
     *
     * @return the new fileset's id
     */
    public FilesetId rebook(FilesetId filesetId, PatientId newPatientId) {
        requireNonNull(newPatientId, "newPatientId");
        synchronized (lock) {
            FilesetRow old = fileset(filesetId);
            return addFileset(newPatientId, old.silknotePatientUuid, old.view().patientIdHistory());
        }
    }

    // ------------------------------------------------------------------ scripting: files

    /**
     * Adds a file with an ETag, whose listing declares no SHA-256 and whose content is served with its
     * SHA-256 digest.
     *
     * @return the new file's id
     */
    public VsrxFileId addFile(FilesetId filesetId, String path, String mimeType, byte[] content) {
        return newFile(filesetId).path(path).mimeType(mimeType).content(content).add();
    }

    /** Adds a file whose content is the UTF-8 encoding of {@code text}. */
    public VsrxFileId addFile(FilesetId filesetId, String path, String mimeType, String text) {
        return addFile(filesetId, path, mimeType, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Adds a file that has no ETag (change detection falls back to modifiedAt and size). */
    public VsrxFileId addFileWithoutEtag(FilesetId filesetId, String path, String mimeType, byte[] content) {
        return newFile(filesetId).path(path).mimeType(mimeType).content(content).withoutEtag().add();
    }

    /** Starts a file with full control over its options; finish with {@link FileBuilder#add()}. */
    public FileBuilder newFile(FilesetId filesetId) {
        return new FileBuilder(requireNonNull(filesetId, "filesetId"));
    }

    /** Builds one file of a fileset. Not thread-safe; {@link #add()} is. */
    public final class FileBuilder {
        private final FilesetId filesetId;
        private String path = "notes/file.txt";
        private String mimeType = "text/plain";
        private byte[] content = new byte[0];
        private boolean etag = true;
        private boolean listSha256;
        private boolean serveSha256 = true;
        private Optional<Instant> modifiedAt = Optional.empty();
        private Optional<DocumentUuid> origin = Optional.empty();

        private FileBuilder(FilesetId filesetId) {
            this.filesetId = filesetId;
        }

        /** The raw path (not validated: tests plant bad ones). Default {@code notes/file.txt}. */
        public FileBuilder path(String path) {
            this.path = requireNonNull(path, "path");
            return this;
        }

        /** The true MIME type. Default {@code text/plain}. */
        public FileBuilder mimeType(String mimeType) {
            this.mimeType = requireNonNull(mimeType, "mimeType");
            return this;
        }

        /** The content (copied). Default empty. */
        public FileBuilder content(byte[] content) {
            this.content = requireNonNull(content, "content").clone();
            return this;
        }

        /** The file has no ETag, in the listing or on its content. */
        public FileBuilder withoutEtag() {
            this.etag = false;
            return this;
        }

        /** Whether the listing declares the content's SHA-256 (default no). */
        public FileBuilder listSha256(boolean list) {
            this.listSha256 = list;
            return this;
        }

        /** Whether the content is served with its SHA-256 digest (default yes). */
        public FileBuilder serveSha256(boolean serve) {
            this.serveSha256 = serve;
            return this;
        }

        /** modifiedAt of the file; default the clock's now. */
        public FileBuilder modifiedAt(Instant modifiedAt) {
            this.modifiedAt = Optional.of(requireNonNull(modifiedAt, "modifiedAt"));
            return this;
        }

        /**
         * The Silknote document the file was written for (as {@code createFile} records it), for files the sync
         * wrote with options {@code createFile} does not offer (no ETag, no listed SHA-256). Default none.
         */
        public FileBuilder origin(DocumentUuid origin) {
            this.origin = Optional.of(requireNonNull(origin, "origin"));
            return this;
        }

        /**
         * Adds the file.
         *
         * @return its id
         * @throws IllegalArgumentException when the fileset is unknown
         */
        public VsrxFileId add() {
            synchronized (lock) {
                FilesetRow fs = fileset(filesetId);
                VsrxFileId id = VsrxFileId.of(String.format("file-%06d", nextFile++));
                FileRow row = new FileRow(id, filesetId, etag);
                row.path = path;
                row.mimeType = mimeType;
                row.listSha256 = listSha256;
                row.serveSha256 = serveSha256;
                row.origin = origin;
                setContent(row, content);
                Instant now = now();
                row.modifiedAt = modifiedAt.orElse(now);
                files.put(id, row);
                fs.updatedAt = now;
                return id;
            }
        }
    }

    /** Replaces a file's content: new ETag, new modifiedAt. */
    public void modifyFile(VsrxFileId fileId, byte[] newContent) {
        requireNonNull(newContent, "newContent");
        synchronized (lock) {
            FileRow row = file(fileId);
            setContent(row, newContent.clone());
            touched(row);
        }
    }

    /** Replaces a file's content with the UTF-8 encoding of {@code text}. */
    public void modifyFile(VsrxFileId fileId, String text) {
        modifyFile(fileId, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Rewrites a file with the same bytes: new ETag and modifiedAt, same content (a metadata-only change). */
    public void touchFile(VsrxFileId fileId) {
        synchronized (lock) {
            FileRow row = file(fileId);
            setContent(row, row.content);
            touched(row);
        }
    }

    /** Changes a file's path (a rename): new modifiedAt, same content and ETag. */
    public void renameFile(VsrxFileId fileId, String newPath) {
        requireNonNull(newPath, "newPath");
        synchronized (lock) {
            FileRow row = file(fileId);
            row.path = newPath;
            touched(row);
        }
    }

    /** Marks a file deleted: it stays listed with {@code deleted == true}; its content is gone. */
    public void deleteFile(VsrxFileId fileId) {
        synchronized (lock) {
            FileRow row = file(fileId);
            row.deleted = true;
            touched(row);
        }
    }

    /**
     * Moves a file, keeping its id, to another fileset (a VSRX bug or an operator's repair): it is listed in
     * {@code toFileset} from now on; both filesets' {@code updatedAt} move.
     */
    public void moveFile(VsrxFileId fileId, FilesetId toFileset) {
        synchronized (lock) {
            FileRow row = file(fileId);
            FilesetRow target = fileset(toFileset);
            FilesetRow source = fileset(row.filesetId);
            row.filesetId = toFileset;
            Instant now = now();
            row.modifiedAt = now;
            source.updatedAt = now;
            target.updatedAt = now;
        }
    }

    /**
     * Removes a fileset from VSRX altogether: no longer listed, {@code findFileset} finds nothing and its
     * files are gone (listing it is a 404).
     */
    public void removeFileset(FilesetId filesetId) {
        synchronized (lock) {
            fileset(filesetId);
            filesets.remove(filesetId);
            files.values().removeIf(f -> f.filesetId.equals(filesetId));
        }
    }

    /** Makes a file vanish: no longer listed, content not served, not marked deleted. */
    public void removeFromListing(VsrxFileId fileId) {
        synchronized (lock) {
            FileRow row = file(fileId);
            row.listed = false;
            fileset(row.filesetId).updatedAt = now();
        }
    }

    /** Makes the listing lie about the size (the served bytes stay as they are). */
    public void setDeclaredSize(VsrxFileId fileId, long size) {
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0");
        }
        synchronized (lock) {
            file(fileId).declaredSize = OptionalLong.of(size);
        }
    }

    /** Makes the listing declare {@code sha256} (true or not; the served bytes stay as they are). */
    public void setDeclaredSha256(VsrxFileId fileId, ContentHash sha256) {
        requireNonNull(sha256, "sha256");
        synchronized (lock) {
            file(fileId).declaredSha256 = Optional.of(sha256);
        }
    }

    /** Makes the listing declare {@code mimeType} (the served bytes stay as they are). */
    public void setDeclaredMime(VsrxFileId fileId, String mimeType) {
        requireNonNull(mimeType, "mimeType");
        synchronized (lock) {
            file(fileId).declaredMime = Optional.of(mimeType);
        }
    }

    /**
     * Runs {@code action} once, on the next {@link #openContent} of the file, <em>after</em> the content to
     * serve was captured: the caller gets the old bytes and old ETag while the file has already changed
     * (models "file modified during the download"). The action runs on the caller's thread, outside the
     * source's lock, and may script this source.
     */
    public void onOpen(VsrxFileId fileId, Runnable action) {
        requireNonNull(fileId, "fileId");
        requireNonNull(action, "action");
        synchronized (lock) {
            afterOpenHooks.computeIfAbsent(fileId, k -> new ArrayList<>()).add(action);
        }
    }

    /**
     * Runs {@code action} once, on the next {@link #openContent} of the file, <em>before</em> the content
     * is captured: the caller gets the bytes and ETag as the action left them (models "file modified
     * between listing and download").
     */
    public void beforeOpen(VsrxFileId fileId, Runnable action) {
        requireNonNull(fileId, "fileId");
        requireNonNull(action, "action");
        synchronized (lock) {
            beforeOpenHooks.computeIfAbsent(fileId, k -> new ArrayList<>()).add(action);
        }
    }

    // ------------------------------------------------------------------ inspection

    /** The file as the listing shows it now (vanished ones included). */
    public Optional<VsrxFile> findFile(VsrxFileId fileId) {
        requireNonNull(fileId, "fileId");
        synchronized (lock) {
            FileRow row = files.get(fileId);
            return row == null ? Optional.empty() : Optional.of(row.view());
        }
    }

    /** The true current content of a file (a copy). */
    public byte[] content(VsrxFileId fileId) {
        synchronized (lock) {
            return file(fileId).content.clone();
        }
    }

    /** SHA-256 of the true current content of a file. */
    public ContentHash contentHash(VsrxFileId fileId) {
        synchronized (lock) {
            return file(fileId).hash;
        }
    }

    /** All fileset ids, in id order. */
    public List<FilesetId> filesetIds() {
        synchronized (lock) {
            return List.copyOf(filesets.keySet());
        }
    }

    /** The listed files of a fileset (deleted included, vanished excluded), in id order. */
    public List<VsrxFile> listedFiles(FilesetId filesetId) {
        synchronized (lock) {
            fileset(filesetId);
            return files.values().stream().filter(f -> f.listed && f.filesetId.equals(filesetId))
                    .map(FileRow::view).toList();
        }
    }

    /** Successful {@link #openContent} calls so far. */
    public long downloads() {
        synchronized (lock) {
            return downloads;
        }
    }

    /** Successful {@link #openContent} calls of one file so far. */
    public long downloads(VsrxFileId fileId) {
        synchronized (lock) {
            return downloadsByFile.getOrDefault(fileId, 0L);
        }
    }

    /** Bytes actually read by callers from served content streams. */
    public long bytesServed() {
        return bytesServed.get();
    }

    /** {@link #listFilesets} plus {@link #listFiles} calls so far. */
    public long listingCalls() {
        synchronized (lock) {
            return listFilesetsCalls + listFilesCalls;
        }
    }

    /** {@link #listFilesets} calls so far. */
    public long listFilesetsCalls() {
        synchronized (lock) {
            return listFilesetsCalls;
        }
    }

    /** {@link #listFiles} calls so far. */
    public long listFilesCalls() {
        synchronized (lock) {
            return listFilesCalls;
        }
    }

    /** {@link #findFileset} calls so far. */
    public long findFilesetCalls() {
        synchronized (lock) {
            return findFilesetCalls;
        }
    }

    /** Sets every counter back to zero. */
    public void resetCounters() {
        synchronized (lock) {
            downloads = 0;
            downloadsByFile.clear();
            listFilesetsCalls = 0;
            listFilesCalls = 0;
            findFilesetCalls = 0;
            bytesServed.set(0);
        }
    }

    // ------------------------------------------------------------------ VsrxSource

    /** @throws PermanentSyncException (400) for a cursor this source did not issue */
    @Override
    public Page<VsrxFileset> listFilesets(PageRequest request) {
        requireNonNull(request, "request");
        synchronized (lock) {
            listFilesetsCalls++;
            return page(filesets, request, FilesetId::of, FilesetId::value,
                    r -> request.changedSince().map(s -> !r.updatedAt.isBefore(s)).orElse(true), FilesetRow::view);
        }
    }

    @Override
    public Optional<VsrxFileset> findFileset(FilesetId id) {
        requireNonNull(id, "id");
        synchronized (lock) {
            findFilesetCalls++;
            FilesetRow row = filesets.get(id);
            return row == null ? Optional.empty() : Optional.of(row.view());
        }
    }

    /**
     * @throws PermanentSyncException (404) when the fileset is unknown; (400) for a foreign cursor
     */
    @Override
    public Page<VsrxFile> listFiles(FilesetId filesetId, PageRequest request) {
        requireNonNull(filesetId, "filesetId");
        requireNonNull(request, "request");
        synchronized (lock) {
            listFilesCalls++;
            if (!filesets.containsKey(filesetId)) {
                throw new PermanentSyncException("fileset not found", 404, null);
            }
            return page(files, request, VsrxFileId::of, VsrxFileId::value,
                    r -> r.listed && r.filesetId.equals(filesetId)
                            && request.changedSince().map(s -> !r.modifiedAt.isBefore(s)).orElse(true),
                    FileRow::view);
        }
    }

    /**
     * Serves the current bytes with their ETag, length and (unless disabled for the file) SHA-256.
     *
     * @throws FileGoneException 404 when the file is unknown or vanished, 410 when it is marked deleted
     */
    @Override
    public FileContent openContent(VsrxFileId fileId) {
        requireNonNull(fileId, "fileId");
        runHooks(beforeOpenHooks, fileId);
        FileContent served;
        synchronized (lock) {
            FileRow row = files.get(fileId);
            if (row == null || !row.listed) {
                throw FileGoneException.notFound();
            }
            if (row.deleted) {
                throw FileGoneException.deleted();
            }
            downloads++;
            downloadsByFile.merge(fileId, 1L, Long::sum);
            byte[] bytes = row.content;
            served = new FileContent(new CountingStream(new ByteArrayInputStream(bytes), bytesServed),
                    row.hasEtag ? Optional.of(row.etag) : Optional.empty(), OptionalLong.of(bytes.length),
                    row.serveSha256 ? Optional.of(row.hash) : Optional.empty());
        }
        runHooks(afterOpenHooks, fileId);
        return served;
    }

    // ------------------------------------------------------------------ VsrxTarget

    /** @throws StaleFencingTokenException when a higher token was seen */
    @Override
    public void fence(FencingToken token) {
        requireNonNull(token, "token");
        synchronized (lock) {
            checkToken(token);
        }
    }

    /**
     * @throws StaleFencingTokenException when a higher token was seen
     * @throws PermanentSyncException 422 for a key used for another write, 404 for an unknown fileset, 403 for a
     *         path outside {@code notes/}, 409 for a path a live file of the fileset has
     * @throws ContentRejectedException when the content does not match its declared size or SHA-256
     */
    @Override
    public VsrxWriteResult createFile(FencingToken token, IdempotencyKey key, NewVsrxFile file, BlobUpload content) {
        requireNonNull(token, "token");
        requireNonNull(key, "key");
        requireNonNull(file, "file");
        requireNonNull(content, "content");
        runBeforeWrite();
        byte[] bytes = readVerified(content);
        synchronized (lock) {
            checkToken(token);
            Optional<VsrxWriteResult> replay = replay(key, "create", file.filesetId().value());
            if (replay.isPresent()) {
                return replay.get();
            }
            FilesetRow fs = filesets.get(file.filesetId());
            if (fs == null) {
                throw refused("fileset not found", 404);
            }
            if (!PathValidator.validate(file.path()).accepted()) {
                throw refused("path is not strictly inside notes/", 403);
            }
            boolean taken = files.values().stream().anyMatch(f -> f.listed && !f.deleted
                    && f.filesetId.equals(file.filesetId()) && f.path.equals(file.path()));
            if (taken) {
                throw refused("a live file of the fileset has this path", 409);
            }
            VsrxFileId id = VsrxFileId.of(String.format("file-%06d", nextFile++));
            FileRow row = new FileRow(id, file.filesetId(), true);
            row.path = file.path();
            row.mimeType = content.contentType();
            row.listSha256 = true;
            row.serveSha256 = true;
            row.origin = Optional.of(file.origin());
            setContent(row, bytes);
            Instant now = now();
            row.modifiedAt = now;
            files.put(id, row);
            fs.updatedAt = now;
            return applied(key, "create", file.filesetId().value(), row);
        }
    }

    /**
     * @throws StaleFencingTokenException when a higher token was seen
     * @throws ConcurrentUpdateException when the ETag is not {@code ifMatchEtag}
     * @throws PermanentSyncException 422 for a key used for another write, 404 for an unknown file, 410 for a
     *         deleted one
     * @throws ContentRejectedException when the content does not match its declared size or SHA-256
     */
    @Override
    public VsrxWriteResult replaceContent(FencingToken token, IdempotencyKey key, VsrxFileId fileId,
            String ifMatchEtag, BlobUpload content) {
        requireNonNull(token, "token");
        requireNonNull(key, "key");
        requireNonNull(fileId, "fileId");
        requireNonNull(ifMatchEtag, "ifMatchEtag");
        requireNonNull(content, "content");
        runBeforeWrite();
        byte[] bytes = readVerified(content);
        synchronized (lock) {
            checkToken(token);
            Optional<VsrxWriteResult> replay = replay(key, "replace", fileId.value());
            if (replay.isPresent()) {
                return replay.get();
            }
            FileRow row = writable(fileId, ifMatchEtag);
            setContent(row, bytes);
            row.mimeType = content.contentType();
            row.declaredSize = OptionalLong.empty();
            row.declaredSha256 = Optional.empty();
            row.declaredMime = Optional.empty();
            touched(row);
            return applied(key, "replace", fileId.value(), row);
        }
    }

    /**
     * @throws StaleFencingTokenException when a higher token was seen
     * @throws ConcurrentUpdateException when the ETag is not {@code ifMatchEtag}
     * @throws PermanentSyncException 422 for a key used for another write, 404 for an unknown file, 410 for a
     *         deleted one
     */
    @Override
    public VsrxWriteResult markDeleted(FencingToken token, IdempotencyKey key, VsrxFileId fileId, String ifMatchEtag) {
        requireNonNull(token, "token");
        requireNonNull(key, "key");
        requireNonNull(fileId, "fileId");
        requireNonNull(ifMatchEtag, "ifMatchEtag");
        runBeforeWrite();
        synchronized (lock) {
            checkToken(token);
            Optional<VsrxWriteResult> replay = replay(key, "delete", fileId.value());
            if (replay.isPresent()) {
                return replay.get();
            }
            FileRow row = writable(fileId, ifMatchEtag);
            row.deleted = true;
            touched(row);
            return applied(key, "delete", fileId.value(), row);
        }
    }

    /** The highest fencing token seen by a write or a fence, if any. */
    public Optional<FencingToken> highWaterMark() {
        synchronized (lock) {
            return Optional.ofNullable(highWater);
        }
    }

    /** Writes applied so far (creates, replaces, deletes; not replays, not refusals). */
    public long writes() {
        synchronized (lock) {
            return writes;
        }
    }

    /** Writes refused for a stale fencing token so far. */
    public long staleWritesRefused() {
        synchronized (lock) {
            return refusedWrites;
        }
    }

    /**
     * Runs {@code action} once, at the start of the next write (create, replace or delete), before anything is
     * checked: a test pauses a writer there, or changes the file under it. Runs on the writer's thread,
     * outside the source's lock.
     */
    public void beforeWrite(Runnable action) {
        requireNonNull(action, "action");
        synchronized (lock) {
            beforeWriteHooks.add(action);
        }
    }

    private void runBeforeWrite() {
        List<Runnable> toRun;
        synchronized (lock) {
            toRun = List.copyOf(beforeWriteHooks);
            beforeWriteHooks.clear();
        }
        toRun.forEach(Runnable::run);
    }

    private void checkToken(FencingToken token) {
        if (highWater != null && token.compareTo(highWater) < 0) {
            refusedWrites++;
            throw new StaleFencingTokenException("fencing token " + token.value()
                    + " is older than VSRX's high-water mark " + highWater.value());
        }
        if (highWater == null || token.compareTo(highWater) > 0) {
            highWater = token;
        }
    }

    private Optional<VsrxWriteResult> replay(IdempotencyKey key, String kind, String target) {
        Remembered r = keys.get(key);
        if (r == null) {
            return Optional.empty();
        }
        if (!r.kind().equals(kind) || !r.target().equals(target)) {
            throw refused("idempotency key used before for another write", 422);
        }
        return Optional.of(new VsrxWriteResult(r.answer(), true));
    }

    private VsrxWriteResult applied(IdempotencyKey key, String kind, String target, FileRow row) {
        VsrxFile answer = row.view();
        keys.put(key, new Remembered(kind, target, answer));
        writes++;
        return new VsrxWriteResult(answer, false);
    }

    private FileRow writable(VsrxFileId fileId, String ifMatchEtag) {
        FileRow row = files.get(fileId);
        if (row == null || !row.listed) {
            throw refused("file not found", 404);
        }
        if (row.deleted) {
            throw refused("the file is deleted", 410);
        }
        if (!row.hasEtag || !row.etag.equals(ifMatchEtag)) {
            throw new ConcurrentUpdateException("the file's ETag is not the one the write was planned from");
        }
        return row;
    }

    private static PermanentSyncException refused(String message, int status) {
        return new PermanentSyncException(message, status, null);
    }

    /** The upload's bytes, checked against its declared size and SHA-256. */
    private static byte[] readVerified(BlobUpload content) {
        byte[] bytes;
        try (InputStream in = content.source().open()) {
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, content.size() + 1));
        } catch (IOException e) {
            throw new UncheckedIOException("reading the upload failed", e);
        }
        if (bytes.length != content.size()) {
            throw new ContentRejectedException(SkipReason.SIZE_MISMATCH, "upload size differs from the declared size");
        }
        if (!sha256(bytes).equals(content.hash())) {
            throw new ContentRejectedException(SkipReason.CHECKSUM_MISMATCH, "upload SHA-256 differs from the declared one");
        }
        return bytes;
    }

    // ------------------------------------------------------------------ internals

    private void runHooks(Map<VsrxFileId, List<Runnable>> hooks, VsrxFileId fileId) {
        List<Runnable> toRun;
        synchronized (lock) {
            toRun = hooks.remove(fileId);
        }
        if (toRun != null) {
            toRun.forEach(Runnable::run);
        }
    }

    private <K extends Comparable<K>, R, V> Page<V> page(NavigableMap<K, R> rows, PageRequest request,
            Function<String, K> parse, Function<K, String> format, java.util.function.Predicate<R> filter,
            Function<R, V> view) {
        NavigableMap<K, R> tail = rows;
        if (request.cursor().isPresent()) {
            K after = parse.apply(decodeCursor(request.cursor().get()));
            tail = rows.tailMap(after, false);
        }
        List<V> items = new ArrayList<>();
        K last = null;
        boolean more = false;
        for (Map.Entry<K, R> e : tail.entrySet()) {
            if (!filter.test(e.getValue())) {
                continue;
            }
            if (items.size() == request.limit()) {
                more = true;
                break;
            }
            items.add(view.apply(e.getValue()));
            last = e.getKey();
        }
        return new Page<>(items, more ? Optional.of(encodeCursor(format.apply(last))) : Optional.empty(),
                Optional.of(now()));
    }

    private static String encodeCursor(String lastId) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("after:" + lastId).getBytes(StandardCharsets.UTF_8));
    }

    private static String decodeCursor(String cursor) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (!s.startsWith("after:") || s.length() == "after:".length()) {
                throw new PermanentSyncException("invalid cursor", 400, null);
            }
            return s.substring("after:".length());
        } catch (IllegalArgumentException e) {
            throw new PermanentSyncException("invalid cursor", 400, e);
        }
    }

    private void setContent(FileRow row, byte[] content) {
        row.content = content;
        row.hash = sha256(content);
        row.etag = String.format("etag-%06d", nextEtag++);
    }

    private void touched(FileRow row) {
        Instant now = now();
        row.modifiedAt = now;
        fileset(row.filesetId).updatedAt = now;
    }

    private FilesetRow fileset(FilesetId id) {
        requireNonNull(id, "filesetId");
        FilesetRow row = filesets.get(id);
        if (row == null) {
            throw new IllegalArgumentException("unknown fileset " + id);
        }
        return row;
    }

    private FileRow file(VsrxFileId id) {
        requireNonNull(id, "fileId");
        FileRow row = files.get(id);
        if (row == null) {
            throw new IllegalArgumentException("unknown file " + id);
        }
        return row;
    }

    private static ContentHash sha256(byte[] bytes) {
        return TestHashes.sha256(bytes);
    }

    private static final class CountingStream extends FilterInputStream {
        private final AtomicLong counter;

        CountingStream(InputStream in, AtomicLong counter) {
            super(in);
            this.counter = counter;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counter.incrementAndGet();
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                counter.addAndGet(n);
            }
            return n;
        }
    }
}
