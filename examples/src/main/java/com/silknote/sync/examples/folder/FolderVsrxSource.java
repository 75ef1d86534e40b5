package com.silknote.sync.examples.folder;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.FileGoneException;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.TransientSyncException;
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
import com.silknote.sync.core.path.PathValidator;
import com.silknote.sync.core.path.PathVerdict;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.core.port.VsrxTarget;
import com.silknote.sync.vsrx.http.VsrxFileLookup;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;

/**
 * A {@link VsrxSource} over a folder, for a VSRX-side host (served by the HTTP adapter) and for trying the
 * command line on your own files. Layout:
 *
 * <pre>
 * root/
 *   fs-0001/                    a fileset; the folder name is its (opaque) id: [A-Za-z0-9._-]{1,128}
 *     fileset.properties        patientId=..., silknotePatientUuid=... (optional), previousPatientIds=a,b
 *     notes/...                 the files; their VSRX path is "notes/..." relative to the fileset folder
 * </pre>
 *
 * <p>File ids are derived from the fileset id and the path (so they carry no patient data), ETags from
 * size and modification time, MIME types from the file extension. A file removed by hand vanishes from the
 * listing, which the engine reports and (by default) does not delete. Symbolic links and hidden files are
 * ignored (a fileset folder that is a link is neither listed nor found by id, nor are its files), so nothing
 * outside the folder is ever served.
 *
 * <p>It is also a {@link VsrxTarget} (bi-directional sync): the sync creates files (with their Silknote origin),
 * replaces content and marks files deleted, fenced and idempotent as the port requires; a file marked deleted
 * stays listed with {@code deleted=true} and its bytes are kept in {@code .vsrx-target/trash/} (see
 * {@link FolderWrites}). A created file's path must be exactly its validated form, inside {@code notes/} of an
 * existing fileset folder, and no symbolic link on the way.
 *
 * <p>Also the {@link VsrxFileLookup} the HTTP handler uses for content requests: a file is found by id in
 * an index that the listings' folder walks keep current (see {@link FolderFileIndex}), so serving content
 * costs no walk of the folder. A listing page reads only the filesets it returns; a file listing walks its
 * fileset once, for its first page, and serves the pages that follow from that walk for up to a minute
 * ({@link ListingScans}): a listing is a snapshot as of its first page.
 */
public final class FolderVsrxSource implements VsrxSource, VsrxFileLookup, VsrxTarget {
    /** Name of a fileset's description file. */
    public static final String FILESET_FILE = "fileset.properties";

    private static final Map<String, String> MIME_BY_EXTENSION = Map.of(
            "pdf", "application/pdf", "jpg", "image/jpeg", "jpeg", "image/jpeg", "png", "image/png",
            "tif", "image/tiff", "tiff", "image/tiff", "gif", "image/gif", "txt", "text/plain");

    /** Read size while hashing content: one 64 KiB read per system call. */
    private static final int HASH_BUFFER = 64 * 1024;

    /** How long a listing's first page's walk serves its continuation pages (a client reads them back to back). */
    static final Duration LISTING_REUSE = Duration.ofSeconds(60);
    /** Bounds of the walks kept for continuation pages: filesets, and files in all of them. */
    static final int LISTING_FILESETS = 16;
    static final int LISTING_FILES = 100_000;

    private final Path root;
    private final FolderFileIndex index = new FolderFileIndex(this::walkAll);
    private final FolderWrites writes;
    private final ListingScans scans;

    /**
     * @param root the folder holding one sub-folder per fileset
     * @throws NullPointerException when root is null
     */
    @Inject
    public FolderVsrxSource(Path root) {
        this(root, Clock.systemUTC());
    }

    /** With the clock that ages the walks kept for a listing's continuation pages (tests). */
    FolderVsrxSource(Path root, Clock clock) {
        this.root = requireNonNull(root, "root").toAbsolutePath().normalize();
        this.writes = new FolderWrites(this.root);
        this.scans = new ListingScans(clock, LISTING_REUSE, LISTING_FILESETS, LISTING_FILES);
    }

    /**
     * @throws com.silknote.sync.core.exception.SyncException when the folder cannot be read
     */
    @Override
    public Page<VsrxFileset> listFilesets(PageRequest request) {
        requireNonNull(request, "request");
        List<VsrxFileset> all = new ArrayList<>();
        for (String id : filesetIds()) {
            if (request.cursor().isPresent() && id.compareTo(request.cursor().get()) <= 0) {
                continue;
            }
            Optional<VsrxFileset> fs = readFileset(id);
            if (fs.isPresent() && request.changedSince().map(s -> !fs.get().updatedAt().isBefore(s)).orElse(true)) {
                all.add(fs.get());
                if (all.size() > request.limit()) {
                    break;                       // one more than the page tells whether another page follows
                }
            }
        }
        return page(all, request.limit(), f -> f.id().value());
    }

    /**
     * @throws com.silknote.sync.core.exception.SyncException when the folder cannot be read
     */
    @Override
    public Optional<VsrxFileset> findFileset(FilesetId id) {
        requireNonNull(id, "id");
        return validId(id.value()) ? readFileset(id.value()) : Optional.empty();
    }

    /**
     * @throws PermanentSyncException when the fileset does not exist
     * @throws TransientSyncException when the folder cannot be read
     */
    @Override
    public Page<VsrxFile> listFiles(FilesetId filesetId, PageRequest request) {
        requireNonNull(filesetId, "filesetId");
        requireNonNull(request, "request");
        if (filesetDir(filesetId.value())
                .filter(d -> Files.isRegularFile(d.resolve(FILESET_FILE), LinkOption.NOFOLLOW_LINKS)).isEmpty()) {
            throw new PermanentSyncException("fileset not found", 404, null);
        }
        // a continuation page reads the walk its listing's first page made (ListingScans); a first page walks
        List<VsrxFile> sorted = request.cursor().flatMap(c -> scans.recent(filesetId))
                .orElseGet(() -> scans.walk(filesetId, () -> scanFiles(filesetId)));
        List<VsrxFile> files = new ArrayList<>();
        int from = request.cursor().map(c -> ListingScans.firstAfter(sorted, c)).orElse(0);
        for (int i = from; i < sorted.size() && files.size() <= request.limit(); i++) {
            VsrxFile f = sorted.get(i);
            if (request.changedSince().map(s -> !f.modifiedAt().isBefore(s)).orElse(true)) {
                files.add(f);                    // one more than the page tells whether another page follows
            }
        }
        return page(files, request.limit(), f -> f.id().value());
    }

    /**
     * @throws FileGoneException when the file does not exist (any more)
     * @throws TransientSyncException when it cannot be read
     */
    @Override
    public FileContent openContent(VsrxFileId fileId) {
        requireNonNull(fileId, "fileId");
        FolderFileIndex.Entry entry = index.find(fileId)
                .orElseThrow(FileGoneException::notFound);
        Path file = entry.file();
        try {
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
            boolean handedOver = false;
            try {
                ContentHash sha256 = sha256(file);
                BasicFileAttributes after = Files.readAttributes(file, BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS);
                if (!sameVersion(attrs, after)) {
                    throw new TransientSyncException("a file changed while it was read", null);
                }
                FileContent content = new FileContent(in, Optional.of(etag(attrs)), OptionalLong.of(attrs.size()),
                        Optional.of(sha256));
                handedOver = true;
                return content;
            } finally {
                if (!handedOver) {
                    in.close();
                }
            }
        } catch (NoSuchFileException e) {
            index.forget(fileId, entry);
            throw new FileGoneException("file not found", 404, e);
        } catch (IOException e) {
            throw new TransientSyncException("reading a file failed", e);
        }
    }

    /**
     * The file with this id, from the index (a walk of the folder only for an id no listing has shown
     * since the file appeared), checked on disk: a file that is gone or no longer a regular file is not
     * found.
     *
     * @throws TransientSyncException when the folder or the file cannot be read
     */
    @Override
    public Optional<VsrxFile> findFile(VsrxFileId id) {
        requireNonNull(id, "id");
        Optional<FolderFileIndex.Entry> found = index.find(id);
        if (found.isEmpty()) {
            return findDeleted(id);
        }
        FolderFileIndex.Entry e = found.get();
        try {
            BasicFileAttributes attrs = Files.readAttributes(e.file(), BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (!attrs.isRegularFile()) {
                index.forget(id, e);
                return findDeleted(id);
            }
            return Optional.of(new VsrxFile(id, e.filesetId(), e.path(), attrs.size(), mimeType(e.path()),
                    attrs.lastModifiedTime().toInstant(), Optional.of(etag(attrs)), Optional.empty(), false,
                    Optional.ofNullable(writes.origins(e.filesetId()).get(id))));
        } catch (NoSuchFileException gone) {
            index.forget(id, e);
            return findDeleted(id);
        } catch (IOException ex) {
            throw new TransientSyncException("reading a file's attributes failed", ex);
        }
    }

    /** A file the sync marked deleted (it is listed as deleted), by id. */
    private Optional<VsrxFile> findDeleted(VsrxFileId id) {
        for (String fs : filesetIds()) {
            VsrxFile f = writes.deleted(FilesetId.of(fs)).get(id);
            if (f != null) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    // ---------------------------------------------------------------- VsrxTarget

    /** @throws com.silknote.sync.core.exception.StaleFencingTokenException when a higher token was seen */
    @Override
    public void fence(FencingToken token) {
        requireNonNull(token, "token");
        writes.locked(token, () -> null);
    }

    /** {@inheritDoc} */
    @Override
    public VsrxWriteResult createFile(FencingToken token, IdempotencyKey key, NewVsrxFile file, BlobUpload content) {
        requireNonNull(token, "token");
        requireNonNull(key, "key");
        requireNonNull(file, "file");
        requireNonNull(content, "content");
        return writes.locked(token, () -> {
            Optional<VsrxWriteResult> replay = writes.replay(key, "create", file.filesetId().value());
            if (replay.isPresent()) {
                return replay.get();
            }
            Path dir = filesetDir(file.filesetId().value())
                    .filter(d -> Files.isRegularFile(d.resolve(FILESET_FILE), LinkOption.NOFOLLOW_LINKS))
                    .orElseThrow(() -> new PermanentSyncException("fileset not found", 404, null));
            Path place = placeOf(dir, file.path());
            VsrxFileId id = fileId(file.filesetId(), file.path());
            if (Files.exists(place, LinkOption.NOFOLLOW_LINKS)) {
                throw new PermanentSyncException("a live file of the fileset has this path", 409, null);
            }
            writes.writeChecked(content, place, Optional.empty());
            writes.forgetDeletion(file.filesetId(), id);
            writes.rememberOrigin(file.filesetId(), id, file.origin());
            scans.forget(file.filesetId());
            scanFiles(file.filesetId());
            VsrxFile created = findFile(id).orElseThrow(() -> new TransientSyncException("a created file vanished", null));
            return writes.remember(key, "create", file.filesetId().value(), created);
        });
    }

    /** {@inheritDoc} */
    @Override
    public VsrxWriteResult replaceContent(FencingToken token, IdempotencyKey key, VsrxFileId fileId, String ifMatchEtag,
            BlobUpload content) {
        requireNonNull(token, "token");
        requireNonNull(key, "key");
        requireNonNull(fileId, "fileId");
        requireNonNull(ifMatchEtag, "ifMatchEtag");
        requireNonNull(content, "content");
        return writes.locked(token, () -> {
            Optional<VsrxWriteResult> replay = writes.replay(key, "replace", fileId.value());
            if (replay.isPresent()) {
                return replay.get();
            }
            VsrxFile current = writable(fileId);
            FolderFileIndex.Entry entry = index.find(fileId).orElseThrow();
            FolderWrites.requireEtag(current, ifMatchEtag);
            writes.writeChecked(content, entry.file(), Optional.of(current.modifiedAt()));
            scans.forget(current.filesetId());
            VsrxFile replaced = findFile(fileId).orElseThrow(() -> new TransientSyncException("a file vanished", null));
            return writes.remember(key, "replace", fileId.value(), replaced);
        });
    }

    /** {@inheritDoc} */
    @Override
    public VsrxWriteResult markDeleted(FencingToken token, IdempotencyKey key, VsrxFileId fileId, String ifMatchEtag) {
        requireNonNull(token, "token");
        requireNonNull(key, "key");
        requireNonNull(fileId, "fileId");
        requireNonNull(ifMatchEtag, "ifMatchEtag");
        return writes.locked(token, () -> {
            Optional<VsrxWriteResult> replay = writes.replay(key, "delete", fileId.value());
            if (replay.isPresent()) {
                return replay.get();
            }
            VsrxFile current = writable(fileId);
            FolderFileIndex.Entry entry = index.find(fileId).orElseThrow();
            FolderWrites.requireEtag(current, ifMatchEtag);
            VsrxFile deleted = new VsrxFile(current.id(), current.filesetId(), current.path(), current.size(),
                    current.mimeType(), current.modifiedAt(), current.etag(), current.sha256(), true, current.origin());
            writes.markDeleted(deleted, entry.file());
            scans.forget(current.filesetId());
            index.forget(fileId, entry);
            return writes.remember(key, "delete", fileId.value(), deleted);
        });
    }

    /** The live file, or 404 / 410. */
    private VsrxFile writable(VsrxFileId fileId) {
        VsrxFile f = findFile(fileId).orElseThrow(() -> new PermanentSyncException("file not found", 404, null));
        if (f.deleted()) {
            throw new PermanentSyncException("the file is deleted", 410, null);
        }
        return f;
    }

    /**
     * Where a new file goes: its path must be exactly its validated form, inside {@code notes/}, and no folder on
     * the way may be a symbolic link (nothing is ever written outside the fileset folder).
     */
    private static Path placeOf(Path dir, String path) {
        PathVerdict verdict = PathValidator.validate(path);
        if (!verdict.accepted() || !verdict.normalized().orElseThrow().equals(path) || path.contains("\\")) {
            throw new PermanentSyncException("path is not strictly inside notes/", 403, null);
        }
        Path place = dir;
        for (String part : path.split("/")) {
            if (part.startsWith(".")) {
                throw new PermanentSyncException("a hidden name is never listed", 403, null);
            }
            if (Files.isSymbolicLink(place)) {
                throw new PermanentSyncException("a folder on the path is a symbolic link", 403, null);
            }
            place = place.resolve(part);
        }
        if (!place.normalize().startsWith(dir.resolve("notes"))) {
            throw new PermanentSyncException("path is not strictly inside notes/", 403, null);
        }
        return place;
    }

    private void walkAll() {
        for (String id : filesetIds()) {
            scanFiles(FilesetId.of(id));
        }
    }

    private List<String> filesetIds() {
        List<String> ids = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path d : dirs) {
                String name = d.getFileName().toString();
                if (validId(name) && Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)
                        && Files.isRegularFile(d.resolve(FILESET_FILE), LinkOption.NOFOLLOW_LINKS)) {
                    ids.add(name);
                }
            }
        } catch (IOException e) {
            throw new TransientSyncException("listing the VSRX folder failed", e);
        }
        ids.sort(null);
        return ids;
    }

    /**
     * The folder of a fileset, when it is a real folder directly in the root: never a symbolic link, which could
     * point anywhere outside the root (the listing skips such folders, and so does every lookup by id).
     */
    private Optional<Path> filesetDir(String id) {
        Path dir = root.resolve(id);
        if (!validId(id) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        return Optional.of(dir);
    }

    private Optional<VsrxFileset> readFileset(String id) {
        Optional<Path> folder = filesetDir(id);
        if (folder.isEmpty()) {
            return Optional.empty();
        }
        Path dir = folder.get();
        Path descriptor = dir.resolve(FILESET_FILE);
        if (!Files.isRegularFile(descriptor, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(descriptor, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw new TransientSyncException("reading a fileset descriptor failed", e);
        }
        String patient = p.getProperty("patientId", "").trim();
        if (patient.isEmpty()) {
            throw new PermanentSyncException("fileset descriptor without patientId");
        }
        Optional<PatientUuid> uuid;
        try {
            String u = p.getProperty("silknotePatientUuid", "").trim();
            uuid = u.isEmpty() ? Optional.empty() : Optional.of(PatientUuid.of(u));
        } catch (IllegalArgumentException e) {
            throw new PermanentSyncException("fileset descriptor with an invalid silknotePatientUuid", e);
        }
        List<PatientId> previous = new ArrayList<>();
        for (String s : p.getProperty("previousPatientIds", "").split(",")) {
            if (!s.isBlank()) {
                previous.add(PatientId.of(s.trim()));
            }
        }
        Instant updated = latestChange(FilesetId.of(id), dir, modified(descriptor));
        return Optional.of(new VsrxFileset(FilesetId.of(id), PatientId.of(patient), uuid, previous, updated));
    }

    /**
     * The fileset's {@code updatedAt}: the latest modification time of its descriptor and of the files
     * {@link #scanFiles} lists. A fileset listing needs nothing else of the files, so it takes the times from the
     * folder walk itself (issue 12: a no-op re-sync lists every fileset, and hashing each file's id, building its
     * listing entry and refreshing the content index here doubled the VSRX side's work per file). With files
     * marked deleted (listed unless a live file has their id) it is the full scan's answer.
     */
    private Instant latestChange(FilesetId filesetId, Path dir, Instant descriptorModified) {
        if (!writes.deleted(filesetId).isEmpty()) {
            Instant updated = descriptorModified;
            for (VsrxFile f : scanFiles(filesetId)) {
                if (f.modifiedAt().isAfter(updated)) {
                    updated = f.modifiedAt();
                }
            }
            return updated;
        }
        Instant[] updated = {descriptorModified};
        walkNotes(dir.resolve("notes"), (file, attrs) -> {
            Instant m = attrs.lastModifiedTime().toInstant();
            if (m.isAfter(updated[0])) {
                updated[0] = m;
            }
        });
        return updated[0];
    }

    /**
     * Visits every regular file under {@code notes} that no hidden name (a part starting with a dot) hides, with
     * the attributes the walk read (not following links: a link is not a regular file). Nothing when
     * {@code notes} is not a folder.
     *
     * @throws TransientSyncException when the folder cannot be read
     */
    private static void walkNotes(Path notes, java.util.function.BiConsumer<Path, BasicFileAttributes> visit) {
        if (!Files.isDirectory(notes, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(notes, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                    return !d.equals(notes) && d.getFileName().toString().startsWith(".")
                            ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile() && !file.getFileName().toString().startsWith(".")) {
                        visit.accept(file, attrs);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new TransientSyncException("listing a fileset folder failed", e);
        }
    }

    private List<VsrxFile> scanFiles(FilesetId filesetId) {
        List<VsrxFile> files = new ArrayList<>();
        Map<VsrxFileId, FolderFileIndex.Entry> found = new HashMap<>();
        Optional<Path> folder = filesetDir(filesetId.value());
        if (folder.isEmpty()) {
            index.replaceFileset(filesetId, found);
            return files;
        }
        Path dir = folder.get();
        Path notes = dir.resolve("notes");
        if (!Files.isDirectory(notes, LinkOption.NOFOLLOW_LINKS)) {
            index.replaceFileset(filesetId, found);
            return files;
        }
        Map<VsrxFileId, DocumentUuid> origins = writes.origins(filesetId);
        // the attributes the walk read (one lstat per file), not a second stat for each file
        walkNotes(notes, (file, attrs) -> {
            String path = dir.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
            VsrxFileId id = fileId(filesetId, path);
            found.put(id, new FolderFileIndex.Entry(filesetId, path, file));
            files.add(new VsrxFile(id, filesetId, path, attrs.size(), mimeType(path),
                    attrs.lastModifiedTime().toInstant(), Optional.of(etag(attrs)), Optional.empty(), false,
                    Optional.ofNullable(origins.get(id))));
        });
        for (VsrxFile deleted : writes.deleted(filesetId).values()) {
            if (!found.containsKey(deleted.id())) {
                files.add(deleted);
            }
        }
        index.replaceFileset(filesetId, found);
        files.sort((a, b) -> a.id().compareTo(b.id()));
        return files;
    }

    /** The id of a file: derived from fileset id and path, so it names no patient and stays stable. */
    static VsrxFileId fileId(FilesetId filesetId, String path) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(filesetId.value().getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(path.getBytes(StandardCharsets.UTF_8));
            return VsrxFileId.of("f-" + HexFormat.of().formatHex(sha.digest(), 0, 10));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }


    private static String mimeType(String path) {
        int dot = path.lastIndexOf('.');
        String ext = dot < 0 ? "" : path.substring(dot + 1).toLowerCase(Locale.ROOT);
        return MIME_BY_EXTENSION.getOrDefault(ext, "application/octet-stream");
    }

    /**
     * The SHA-256 of the file's bytes, read once from the file (the page cache, as a rule). With the digest
     * declared, the HTTP handler streams the file itself instead of spooling a copy to learn it (issue 12:
     * the VSRX side serves at least as fast as the sync consumes), and the consumer checks the bytes it
     * received against it.
     */
    private static ContentHash sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
        byte[] buffer = new byte[HASH_BUFFER];
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            int n;
            while ((n = in.read(buffer)) != -1) {
                md.update(buffer, 0, n);
            }
        }
        return ContentHash.ofBytes(md.digest());
    }

    /** The same file (same inode where the file system has one), size and modification time. */
    private static boolean sameVersion(BasicFileAttributes a, BasicFileAttributes b) {
        return a.size() == b.size() && a.lastModifiedTime().equals(b.lastModifiedTime())
                && Objects.equals(a.fileKey(), b.fileKey());
    }

    private static String etag(BasicFileAttributes attrs) {
        return "\"" + Long.toHexString(attrs.size()) + "-" + Long.toHexString(attrs.lastModifiedTime().toMillis()) + "\"";
    }

    private static Instant modified(Path p) {
        try {
            return Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant();
        } catch (IOException e) {
            throw new TransientSyncException("reading a modification time failed", e);
        }
    }

    private static boolean validId(String id) {
        return id.matches("[A-Za-z0-9._-]{1,128}") && !id.startsWith(".");
    }

    private static <T> Page<T> page(List<T> sorted, int limit, java.util.function.Function<T, String> key) {
        if (sorted.size() <= limit) {
            return Page.last(sorted);
        }
        List<T> items = sorted.subList(0, limit);
        return new Page<>(items, Optional.of(key.apply(items.get(limit - 1))));
    }
}
