package com.silknote.sync.examples.folder;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.ConcurrentUpdateException;
import com.silknote.sync.core.exception.ContentRejectedException;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.IdempotencyKey;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.model.VsrxWriteResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * What the folder source keeps to be a {@link com.silknote.sync.core.port.VsrxTarget} (bi-directional sync), all in
 * the hidden folder {@code .vsrx-target/} of the root, which no listing shows:
 *
 * <pre>
 * .vsrx-target/
 *   lock                         held (a file lock) while one write runs: writes are serialised across processes
 *   fence                        the fencing high-water mark
 *   keys/&lt;sha256 of key&gt;       each idempotency key with its first answer
 *   origins/&lt;fileset&gt;/&lt;file id&gt;  the Silknote origin of a file the sync created
 *   deleted/&lt;fileset&gt;/&lt;file id&gt;  a file marked deleted: how it was listed (it stays listed, {@code deleted=true})
 *   trash/&lt;file id&gt;-&lt;n&gt;          its bytes: marking a file deleted never destroys them
 * </pre>
 *
 * Content is written to a hidden temp file next to its place while it is counted and hashed, and moved into
 * place only when it matches the declared size and SHA-256. Every replace moves the file's modification time
 * forward, so its ETag (size and modification time) always changes.
 */
final class FolderWrites {
    static final String DIR = ".vsrx-target";
    private static final Object IN_PROCESS = new Object();

    private final Path root;
    private final Path state;

    FolderWrites(Path root) {
        this.root = requireNonNull(root, "root");
        this.state = root.resolve(DIR);
    }

    /** The Silknote origins of a fileset's files the sync created, by file id (one directory read). */
    Map<VsrxFileId, DocumentUuid> origins(FilesetId fileset) {
        Map<VsrxFileId, DocumentUuid> out = new HashMap<>();
        Path dir = state.resolve("origins").resolve(fileset.value());
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                if (!name.startsWith(".")) {
                    VsrxFile.parseOrigin(Files.readString(p, StandardCharsets.UTF_8).trim())
                            .ifPresent(o -> out.put(VsrxFileId.of(name), o));
                }
            }
        } catch (IOException e) {
            throw new TransientSyncException("reading file origins failed", e);
        }
        return out;
    }

    /** The files of a fileset marked deleted, by id, as they are listed. */
    Map<VsrxFileId, VsrxFile> deleted(FilesetId fileset) {
        Map<VsrxFileId, VsrxFile> out = new HashMap<>();
        Path dir = state.resolve("deleted").resolve(fileset.value());
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path p : files) {
                if (!p.getFileName().toString().startsWith(".")) {
                    VsrxFile f = readFile(p);
                    out.put(f.id(), f);
                }
            }
        } catch (IOException e) {
            throw new TransientSyncException("reading deleted files failed", e);
        }
        return out;
    }

    /** Runs {@code write} with writes serialised in this process and across processes, after the fencing check. */
    <T> T locked(FencingToken token, Supplier<T> write) {
        synchronized (IN_PROCESS) {
            try {
                Files.createDirectories(state);
                try (FileChannel ch = FileChannel.open(state.resolve("lock"), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE); FileLock lock = ch.lock()) {
                    checkToken(token);
                    return write.get();
                }
            } catch (IOException e) {
                throw new TransientSyncException("the VSRX folder's write state cannot be used", e);
            }
        }
    }

    private void checkToken(FencingToken token) throws IOException {
        Path fence = state.resolve("fence");
        long mark = Files.isRegularFile(fence) ? Long.parseLong(Files.readString(fence).trim()) : -1;
        if (token.value() < mark) {
            throw new StaleFencingTokenException("fencing token " + token.value()
                    + " is older than the VSRX folder's high-water mark " + mark);
        }
        if (token.value() > mark) {
            replace(fence, Long.toString(token.value()));
        }
    }

    /** The first answer to {@code key}, when it was used before for the same kind of write on the same target. */
    Optional<VsrxWriteResult> replay(IdempotencyKey key, String kind, String target) {
        Path p = keyFile(key);
        if (!Files.isRegularFile(p)) {
            return Optional.empty();
        }
        Properties props = load(p);
        if (!kind.equals(props.getProperty("kind")) || !target.equals(props.getProperty("target"))) {
            throw new PermanentSyncException("idempotency key used before for another write", 422, null);
        }
        return Optional.of(new VsrxWriteResult(fromProperties(props), true));
    }

    /** Remembers {@code answer} under {@code key}. */
    VsrxWriteResult remember(IdempotencyKey key, String kind, String target, VsrxFile answer) {
        Properties props = toProperties(answer);
        props.setProperty("kind", kind);
        props.setProperty("target", target);
        store(keyFile(key), props);
        return new VsrxWriteResult(answer, false);
    }

    void rememberOrigin(FilesetId fileset, VsrxFileId id, DocumentUuid origin) {
        replaceQuietly(state.resolve("origins").resolve(fileset.value()).resolve(id.value()), VsrxFile.originOf(origin));
    }

    /** Moves a live file's bytes to the trash and records how it is listed from now on. */
    void markDeleted(VsrxFile deleted, Path file) {
        try {
            Path trash = state.resolve("trash");
            Files.createDirectories(trash);
            Path target = trash.resolve(deleted.id().value() + "-" + System.nanoTime());
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
            store(state.resolve("deleted").resolve(deleted.filesetId().value()).resolve(deleted.id().value()),
                    toProperties(deleted));
        } catch (IOException e) {
            throw new TransientSyncException("marking a file deleted failed", e);
        }
    }

    /** Forgets a deletion mark (a new file was created at the path of a deleted one: the same id). */
    void forgetDeletion(FilesetId fileset, VsrxFileId id) {
        try {
            Files.deleteIfExists(state.resolve("deleted").resolve(fileset.value()).resolve(id.value()));
        } catch (IOException e) {
            throw new TransientSyncException("updating deleted files failed", e);
        }
    }

    /**
     * Writes the upload to {@code place} (creating its folders), through a hidden temp file that is moved into
     * place only once size and SHA-256 match; then moves the modification time to at least {@code notBefore} + 1 ms.
     */
    void writeChecked(BlobUpload upload, Path place, Optional<Instant> notBefore) {
        Path tmp = null;
        try {
            Files.createDirectories(place.getParent());
            tmp = place.getParent().resolve(".vsrx-upload-" + System.nanoTime() + ".tmp");
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long n = 0;
            try (InputStream in = upload.source().open(); OutputStream out = Files.newOutputStream(tmp)) {
                byte[] buf = new byte[64 * 1024];
                int r;
                while ((r = in.read(buf)) >= 0) {
                    sha.update(buf, 0, r);
                    out.write(buf, 0, r);
                    n += r;
                    if (n > upload.size()) {
                        break;
                    }
                }
            }
            if (n != upload.size()) {
                throw new ContentRejectedException(SkipReason.SIZE_MISMATCH, "upload size differs from the declared size");
            }
            if (!ContentHash.ofBytes(sha.digest()).equals(upload.hash())) {
                throw new ContentRejectedException(SkipReason.CHECKSUM_MISMATCH,
                        "upload SHA-256 differs from the declared one");
            }
            Instant now = Instant.ofEpochMilli(Files.getLastModifiedTime(tmp).toMillis());
            if (notBefore.isPresent() && !now.isAfter(notBefore.get())) {
                Files.setLastModifiedTime(tmp, FileTime.from(notBefore.get().plusMillis(1)));
            }
            try {
                Files.move(tmp, place, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, place, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new TransientSyncException("writing a file failed", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a hidden temp file, never listed
                }
            }
        }
    }

    /** Refuses a write planned from another ETag. */
    static void requireEtag(VsrxFile current, String ifMatch) {
        if (current.etag().isEmpty() || !current.etag().get().equals(ifMatch)) {
            throw new ConcurrentUpdateException("the file's ETag is not the one the write was planned from");
        }
    }

    // ---- storage

    private Path keyFile(IdempotencyKey key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(key.value().getBytes(StandardCharsets.UTF_8));
            return state.resolve("keys").resolve(HexFormat.of().formatHex(d));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    private static Properties toProperties(VsrxFile f) {
        Properties p = new Properties();
        p.setProperty("id", f.id().value());
        p.setProperty("filesetId", f.filesetId().value());
        p.setProperty("path", f.path());
        p.setProperty("size", Long.toString(f.size()));
        p.setProperty("mimeType", f.mimeType());
        p.setProperty("modifiedAt", f.modifiedAt().toString());
        f.etag().ifPresent(e -> p.setProperty("etag", e));
        f.sha256().ifPresent(h -> p.setProperty("sha256", h.hex()));
        p.setProperty("deleted", Boolean.toString(f.deleted()));
        f.origin().ifPresent(o -> p.setProperty("origin", VsrxFile.originOf(o)));
        return p;
    }

    private static VsrxFile fromProperties(Properties p) {
        return new VsrxFile(VsrxFileId.of(p.getProperty("id")), FilesetId.of(p.getProperty("filesetId")),
                p.getProperty("path"), Long.parseLong(p.getProperty("size")), p.getProperty("mimeType"),
                Instant.parse(p.getProperty("modifiedAt")), Optional.ofNullable(p.getProperty("etag")),
                Optional.ofNullable(p.getProperty("sha256")).map(ContentHash::ofHex),
                Boolean.parseBoolean(p.getProperty("deleted")),
                Optional.ofNullable(p.getProperty("origin")).flatMap(VsrxFile::parseOrigin));
    }

    private static VsrxFile readFile(Path p) {
        return fromProperties(load(p));
    }

    private static Properties load(Path p) {
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
            props.load(r);
        } catch (IOException e) {
            throw new TransientSyncException("reading the VSRX folder's write state failed", e);
        }
        return props;
    }

    private static void store(Path p, Properties props) {
        try {
            Files.createDirectories(p.getParent());
            Path tmp = p.resolveSibling("." + p.getFileName() + ".tmp");
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                props.store(w, null);
            }
            Files.move(tmp, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new TransientSyncException("writing the VSRX folder's write state failed", e);
        }
    }

    private static void replace(Path p, String content) throws IOException {
        Files.createDirectories(p.getParent());
        Path tmp = p.resolveSibling("." + p.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void replaceQuietly(Path p, String content) {
        try {
            replace(p, content);
        } catch (IOException e) {
            throw new UncheckedIOException("writing the VSRX folder's write state failed", e);
        }
    }
}
