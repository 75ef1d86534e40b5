package com.silknote.sync.fs;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.dedup.SpoolFiles;
import com.silknote.sync.core.exception.ContentRejectedException;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobKey;
import com.silknote.sync.core.model.BlobPutResult;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.port.BlobStore;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A content-addressed {@link BlobStore} in a local directory: the blob of hash {@code h} is the file
 * {@code <root>/}{@link BlobKey#of(ContentHash) sha256/ab/cd/<h>}, holding exactly the content. It is the
 * embedded default for hosts without Azure.
 *
 * <p><b>Writes.</b> Content is streamed into a temporary file in the blob's own directory (names starting
 * with {@code '.'}, never listed) while its SHA-256 and size are checked against the declaration; the file
 * is fsynced and only then published: {@link #putIfAbsent} with {@link Files#createLink} (fails atomically
 * when the blob exists, so concurrent writers of the same content never clobber each other, across
 * processes too), {@link #overwrite} with an atomic rename over the old file. No reader ever sees a partial
 * blob; a rejected upload leaves nothing under the blob's name.
 *
 * <p><b>After a crash.</b> Temporary files carry the writing process's id. A process killed while uploading
 * leaves its temporary file (content the ledger never referenced), one killed inside {@link #deleteIfMatch}
 * leaves the blob moved aside. The next write in that directory and {@link #list} (the orphan cleanup's walk)
 * clean up after processes that are no longer alive: an upload's file is deleted; an aside file is put back
 * when its blob is missing (the delete's outcome is unknown, so the content is kept and the collector takes
 * it again) and deleted when the blob is there (same hash, same bytes). Files of live processes are never
 * touched. Process ids are local: share a blob folder only between processes of one host.
 *
 * <p><b>ETag.</b> A digest of the file's identity (inode where the platform reports one), modification
 * time and size. Every write publishes a new file whose modification time is set from the injected clock
 * and forced to be strictly later than the version it replaces, so an overwrite always gives a new ETag.
 *
 * <p><b>Conditional delete.</b> {@link #deleteIfMatch} renames the current file aside, checks the ETag of
 * what it moved and deletes it only on a match; otherwise it links the file back. Within one JVM every
 * mutation of a key is also serialised by a per-key lock, so delete and overwrite are atomic with respect to
 * each other. Across processes sharing the directory the rename-based swap still never deletes a newer
 * version, but a reader may briefly see the blob absent while a losing delete puts it back; a writer that
 * falls back from hard links (see below) is only safe within one JVM.
 *
 * <p><b>Limits.</b> Needs a file system with atomic rename within a directory (any local POSIX file system,
 * NTFS). Without hard-link support {@code putIfAbsent} falls back to a rename that is create-if-absent only
 * within this JVM. Not for network file systems with weak rename semantics.
 */
public final class FileSystemBlobStore implements BlobStore {

    private static final Logger log = LoggerFactory.getLogger(FileSystemBlobStore.class);
    private static final String LAYOUT_ROOT = "sha256";
    private static final Pattern HEX2 = Pattern.compile("[0-9a-f]{2}");
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final int BUFFER_BYTES = 64 * 1024;
    private static final int MAX_LIMIT = 1000;
    private static final long PID = ProcessHandle.current().pid();
    private static final Pattern UPLOAD_TEMP = Pattern.compile("\\.upload-(\\d+)-\\d+\\.tmp");
    private static final Pattern DELETE_ASIDE = Pattern.compile("\\.deleting-(\\d+)-([0-9a-f]{64})-\\d+\\.tmp");

    /** Shared by every instance in the JVM, so two stores on one root still serialise per key. */
    private static final ReentrantLock[] STRIPES = new ReentrantLock[256];

    static {
        for (int i = 0; i < STRIPES.length; i++) {
            STRIPES[i] = new ReentrantLock();
        }
    }

    private final Path root;
    private final Clock clock;

    /**
     * @param root  the directory holding the {@code sha256/} tree; created on first write if missing
     * @param clock sets the modification time of written blobs
     */
    @Inject
    public FileSystemBlobStore(Path root, Clock clock) {
        this.root = requireNonNull(root, "root").toAbsolutePath().normalize();
        this.clock = requireNonNull(clock, "clock");
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder pre-filled with this store's settings. */
    public Builder newBuilder() {
        return new Builder().root(root).clock(clock);
    }

    /** The directory this store writes under. */
    public Path root() {
        return root;
    }

    /**
     * {@inheritDoc}
     *
     * @throws ContentRejectedException with {@code SIZE_MISMATCH} or {@code CHECKSUM_MISMATCH} when the
     *     content does not match its declaration; nothing is stored then
     * @throws TransientSyncException when the upload source could not be read
     * @throws PermanentSyncException when the file system failed
     */
    @Override
    public BlobPutResult putIfAbsent(BlobUpload upload) {
        requireNonNull(upload, "upload");
        Path target = pathOf(upload.hash());
        Optional<BlobInfo> existing = stat(upload.hash());
        if (existing.isPresent()) {
            log.debug("blob exists hash={}", upload.hash().shortHex());
            return new BlobPutResult(existing.get(), false);
        }
        BlobPutResult result = publish(upload, target, FileSystemBlobStore::publishIfAbsent);
        log.debug("put hash={} size={} created={}", upload.hash().shortHex(), upload.size(), result.created());
        return result;
    }

    /**
     * {@inheritDoc}
     *
     * @throws ContentRejectedException with {@code SIZE_MISMATCH} or {@code CHECKSUM_MISMATCH} when the
     *     content does not match its declaration; the stored blob, if any, is left untouched then
     * @throws TransientSyncException when the upload source could not be read
     * @throws PermanentSyncException when the file system failed
     */
    @Override
    public BlobInfo overwrite(BlobUpload upload) {
        requireNonNull(upload, "upload");
        Path target = pathOf(upload.hash());
        BlobInfo info = publish(upload, target, (temp, to) -> {
            Files.move(temp, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return true;
        }).info();
        log.debug("overwrite hash={} size={}", upload.hash().shortHex(), upload.size());
        return info;
    }

    /** Moves a verified temporary file to its target; {@code true} when the target is the new file. */
    @FunctionalInterface
    private interface Move {
        boolean move(Path temp, Path target) throws IOException;
    }

    /**
     * Writes {@code upload} to a verified temporary file, then under the target's lock gives it the target's
     * modification time, moves it into place with {@code move}, makes the directory durable and reads back
     * what is stored.
     */
    private BlobPutResult publish(BlobUpload upload, Path target, Move move) {
        recoverAbandoned(target.getParent());
        Path temp = writeVerifiedTemp(upload, target.getParent());
        ReentrantLock lock = lockFor(target);
        lock.lock();
        try {
            boolean created;
            try {
                setModifiedTime(temp, target);
                created = move.move(temp, target);
                fsyncDirectory(target.getParent());
            } catch (IOException e) {
                throw new PermanentSyncException("file system write of blob " + upload.hash() + " failed", e);
            } finally {
                deleteQuietly(temp);
            }
            BlobInfo info = stat(upload.hash()).orElseThrow(() -> new TransientSyncException(
                    "blob " + upload.hash() + " vanished right after it was written; retry"));
            return new BlobPutResult(info, created);
        } finally {
            lock.unlock();
        }
    }

    /** {@inheritDoc} @throws PermanentSyncException when the file system failed */
    @Override
    public Optional<BlobInfo> stat(ContentHash hash) {
        requireNonNull(hash, "hash");
        Path target = pathOf(hash);
        try {
            return Optional.of(info(hash, Files.readAttributes(target, BasicFileAttributes.class)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new PermanentSyncException("file system stat of blob " + hash + " failed", e);
        }
    }

    /**
     * {@inheritDoc} The stream reads the version that was current when it was opened, even if the blob is
     * overwritten or deleted while it is read.
     *
     * @throws PermanentSyncException when the blob is absent or the file system failed
     */
    @Override
    public InputStream open(ContentHash hash) {
        requireNonNull(hash, "hash");
        try {
            return Files.newInputStream(pathOf(hash));
        } catch (NoSuchFileException e) {
            throw new PermanentSyncException("blob " + hash + " does not exist", 404, e);
        } catch (IOException e) {
            throw new PermanentSyncException("file system read of blob " + hash + " failed", e);
        }
    }

    /** {@inheritDoc} @throws PermanentSyncException when the file system failed */
    @Override
    public boolean deleteIfMatch(ContentHash hash, String etag) {
        requireNonNull(hash, "hash");
        requireNonNull(etag, "etag");
        Path target = pathOf(hash);
        recoverAbandoned(target.getParent());
        ReentrantLock lock = lockFor(target);
        lock.lock();
        try {
            Optional<BlobInfo> current = stat(hash);
            if (current.isEmpty() || !current.get().etag().equals(etag)) {
                log.debug("delete refused hash={} present={}", hash.shortHex(), current.isPresent());
                return false;
            }
            // Move the file aside first so a concurrent overwrite from another process is never deleted:
            // what was moved is checked again and put back unless it is the version the caller saw.
            Path aside = Files.createTempFile(target.getParent(), ".deleting-" + PID + "-" + hash.hex() + "-", ".tmp");
            try {
                try {
                    Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (NoSuchFileException e) {
                    return false;
                }
                String movedEtag = etagOf(Files.readAttributes(aside, BasicFileAttributes.class));
                if (movedEtag.equals(etag)) {
                    Files.delete(aside);
                    fsyncDirectory(target.getParent());
                    log.debug("deleted hash={}", hash.shortHex());
                    return true;
                }
                try {
                    Files.createLink(target, aside);
                } catch (FileAlreadyExistsException e) {
                    // someone stored the same content again meanwhile: nothing to restore
                }
                fsyncDirectory(target.getParent());
                return false;
            } finally {
                deleteQuietly(aside);
            }
        } catch (IOException e) {
            throw new PermanentSyncException("file system delete of blob " + hash + " failed", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@inheritDoc} The cursor is the hex hash of the last blob of the previous page.
     *
     * @throws IllegalArgumentException when {@code limit} is outside 1..1000 or the cursor is not one this
     *     store returned
     * @throws PermanentSyncException when the file system failed
     */
    @Override
    public Page<BlobInfo> list(Optional<String> cursor, int limit) {
        requireNonNull(cursor, "cursor");
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be in 1.." + MAX_LIMIT + ", was " + limit);
        }
        String after = cursor.orElse("");
        if (!after.isEmpty() && !HEX64.matcher(after).matches()) {
            throw new IllegalArgumentException("not a cursor of this store");
        }
        Path base = root.resolve(LAYOUT_ROOT);
        List<BlobInfo> items = new ArrayList<>();
        boolean more = false;
        try {
            outer:
            for (String a : sortedNames(base, HEX2)) {
                if (!after.isEmpty() && a.compareTo(after.substring(0, 2)) < 0) {
                    continue;
                }
                for (String b : sortedNames(base.resolve(a), HEX2)) {
                    if (!after.isEmpty() && (a + b).compareTo(after.substring(0, 4)) < 0) {
                        continue;
                    }
                    recoverAbandoned(base.resolve(a).resolve(b));
                    for (String hex : sortedNames(base.resolve(a).resolve(b), HEX64)) {
                        if (!hex.startsWith(a + b) || hex.compareTo(after) <= 0) {
                            continue;
                        }
                        if (items.size() == limit) {
                            more = true;
                            break outer;
                        }
                        stat(ContentHash.ofHex(hex)).ifPresent(items::add);
                    }
                }
            }
        } catch (IOException e) {
            throw new PermanentSyncException("file system listing of blobs failed", e);
        }
        Optional<String> next = more ? Optional.of(items.get(items.size() - 1).hash().hex()) : Optional.empty();
        return new Page<>(items, next);
    }

    private Path pathOf(ContentHash hash) {
        return root.resolve(BlobKey.of(hash).value());
    }

    private static List<String> sortedNames(Path dir, Pattern pattern) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(dir)) {
            return children.map(p -> p.getFileName().toString())
                    .filter(n -> pattern.matcher(n).matches())
                    .sorted()
                    .toList();
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }

    /** Streams the content into a new temporary file beside the target, checking size and hash. */
    private Path writeVerifiedTemp(BlobUpload upload, Path dir) {
        Path temp;
        try {
            Files.createDirectories(dir);
            temp = Files.createTempFile(dir, ".upload-" + PID + "-", ".tmp");
        } catch (IOException e) {
            throw new PermanentSyncException("file system write of blob " + upload.hash() + " failed", e);
        }
        boolean ok = false;
        try {
            copyVerified(upload, temp);
            ok = true;
            return temp;
        } finally {
            if (!ok) {
                deleteQuietly(temp);
            }
        }
    }

    /**
     * Cleans up what processes that are no longer alive left in {@code dir} (see the class doc). Never throws:
     * a leftover that cannot be handled now is left for the next time. Takes a key's lock only for an aside
     * file, so call it before taking any.
     */
    private static void recoverAbandoned(Path dir) {
        List<Path> dotFiles;
        try (Stream<Path> children = Files.list(dir)) {
            dotFiles = children.filter(p -> p.getFileName().toString().startsWith(".")).toList();
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            log.debug("could not look for abandoned temporary files", e);
            return;
        }
        for (Path file : dotFiles) {
            String name = file.getFileName().toString();
            java.util.regex.Matcher upload = UPLOAD_TEMP.matcher(name);
            if (upload.matches() && SpoolFiles.deadProcess(upload.group(1))) {
                deleteQuietly(file);
                log.debug("removed a killed process's upload file");
                continue;
            }
            java.util.regex.Matcher aside = DELETE_ASIDE.matcher(name);
            if (aside.matches() && SpoolFiles.deadProcess(aside.group(1))) {
                Path target = dir.resolve(aside.group(2));
                ReentrantLock lock = lockFor(target);
                lock.lock();
                try {
                    if (!Files.exists(target) && Files.exists(file)) {
                        publishIfAbsent(file, target);
                        fsyncDirectory(dir);
                        log.debug("put back a blob a killed process had moved aside hash={}",
                                aside.group(2).substring(0, 12));
                    }
                    deleteQuietly(file);
                } catch (IOException e) {
                    log.debug("could not put back a blob moved aside", e);
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    private static void copyVerified(BlobUpload upload, Path temp) {
        MessageDigest sha256 = sha256();
        long total = 0;
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            try (InputStream in = upload.source().open()) {
                byte[] buffer = new byte[BUFFER_BYTES];
                int n;
                while ((n = in.read(buffer)) != -1) {
                    total += n;
                    if (total > upload.size()) {
                        throw new ContentRejectedException(SkipReason.SIZE_MISMATCH,
                                "content of " + upload.hash() + " is longer than the declared " + upload.size()
                                        + " bytes");
                    }
                    sha256.update(buffer, 0, n);
                    ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                    while (chunk.hasRemaining()) {
                        out.write(chunk);
                    }
                }
            } catch (IOException e) {
                throw new TransientSyncException("reading the upload source of " + upload.hash() + " failed", e);
            }
            if (total != upload.size()) {
                throw new ContentRejectedException(SkipReason.SIZE_MISMATCH,
                        "content of " + upload.hash() + " has " + total + " bytes, declared " + upload.size());
            }
            ContentHash actual = ContentHash.ofBytes(sha256.digest());
            if (!actual.equals(upload.hash())) {
                throw new ContentRejectedException(SkipReason.CHECKSUM_MISMATCH,
                        "content declared as " + upload.hash() + " hashes to " + actual);
            }
            out.force(true);
        } catch (IOException e) {
            throw new PermanentSyncException("file system write of blob " + upload.hash() + " failed", e);
        }
    }

    /**
     * Sets the temporary file's modification time from the clock, strictly after the version it replaces
     * (so the ETag changes even with a coarse or stopped clock). Called under the key's lock.
     */
    private void setModifiedTime(Path temp, Path target) throws IOException {
        Instant wanted = clock.instant();
        Optional<Instant> previous = modifiedTime(target);
        if (previous.isPresent() && !wanted.isAfter(previous.get())) {
            wanted = previous.get().plus(1, ChronoUnit.MICROS);
        }
        Files.setLastModifiedTime(temp, FileTime.from(wanted));
        if (previous.isPresent() && !Files.getLastModifiedTime(temp).toInstant().isAfter(previous.get())) {
            // the file system keeps coarse timestamps: step by whole seconds
            Files.setLastModifiedTime(temp, FileTime.from(previous.get().plusSeconds(2)));
            if (!Files.getLastModifiedTime(temp).toInstant().isAfter(previous.get())) {
                throw new IOException("cannot give the new version a later modification time");
            }
        }
    }

    private static Optional<Instant> modifiedTime(Path target) throws IOException {
        try {
            return Optional.of(Files.getLastModifiedTime(target).toInstant());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Publishes {@code temp} as {@code target} unless it exists; {@code true} when this call created it. */
    private static boolean publishIfAbsent(Path temp, Path target) throws IOException {
        try {
            Files.createLink(target, temp);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (UnsupportedOperationException | FileSystemException e) {
            if (Files.exists(target)) {
                return false;
            }
            // No hard links here: a plain rename, create-if-absent only under this JVM's per-key lock.
            try {
                Files.move(temp, target);
                return true;
            } catch (FileAlreadyExistsException exists) {
                return false;
            }
        }
    }

    private static BlobInfo info(ContentHash hash, BasicFileAttributes attributes) {
        return new BlobInfo(hash, attributes.size(), etagOf(attributes), attributes.lastModifiedTime().toInstant());
    }

    private static String etagOf(BasicFileAttributes attributes) {
        Object fileKey = attributes.fileKey();
        Instant modified = attributes.lastModifiedTime().toInstant();
        String identity = (fileKey == null ? "" : fileKey.toString()) + '|' + modified.getEpochSecond() + '.'
                + modified.getNano() + '|' + attributes.size();
        byte[] digest = sha256().digest(identity.getBytes(StandardCharsets.UTF_8));
        return "fs-" + HexFormat.of().formatHex(digest, 0, 16);
    }

    private static void fsyncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Some platforms cannot open or sync a directory; the rename itself is still atomic there.
            log.trace("directory sync not supported", e);
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.debug("could not delete a temporary blob file", e);
        }
    }

    private static ReentrantLock lockFor(Path target) {
        return STRIPES[Math.floorMod(target.hashCode(), STRIPES.length)];
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** Builds a {@link FileSystemBlobStore}. Not thread-safe. */
    public static final class Builder {
        private Path root;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** The directory holding the {@code sha256/} tree (required). */
        public Builder root(Path root) {
            this.root = requireNonNull(root, "root");
            return this;
        }

        /** The clock that sets modification times; defaults to the system UTC clock. */
        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Builds the store.
         *
         * @throws IllegalStateException when no root was set
         */
        public FileSystemBlobStore build() {
            if (root == null) {
                throw new IllegalStateException("root is required");
            }
            return new FileSystemBlobStore(root, clock);
        }
    }
}
