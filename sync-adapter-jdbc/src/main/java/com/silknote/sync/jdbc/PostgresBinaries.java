package com.silknote.sync.jdbc;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.ConfigurationException;
import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tukaani.xz.XZInputStream;

/**
 * The PostgreSQL binaries of the embedded default, unpacked once from the zonky binaries archive on the class
 * path into a private directory and reused by every later start.
 *
 * <p>A start must not pay for reading the 15 MB archive: the directory is named after the archive's
 * <em>identity</em>, taken from the jar's central directory (entry name, size and CRC-32, no decompression),
 * and holds a manifest written at unpacking that lists every file with its size and modification time. A start
 * checks the manifest with one {@code stat} per file; a missing, resized or rewritten file (a truncated copy, a
 * partly cleaned cache) fails the check and the binaries are unpacked again. Only when the archive is not a
 * jar entry (an unusual class path) is its content hashed for the identity.
 *
 * <p>Unpacking goes to a temporary sibling that is renamed into place when complete, so a crash mid-way never
 * leaves a directory that passes the check, and two processes unpacking at once both end with one good copy.
 */
final class PostgresBinaries {
    /** Manifest in the unpacked directory: one line per file, {@code size mtime-millis path}. */
    static final String MANIFEST = ".vsrx-sync-manifest";
    /** Property naming the directory the binaries are unpacked under (default: see {@link #defaultRoot()}). */
    static final String ROOT_PROPERTY = "vsrx.sync.postgres.binaries";

    private static final Logger LOG = LoggerFactory.getLogger(PostgresBinaries.class);
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");

    private PostgresBinaries() {
    }

    /** The default root: {@value #ROOT_PROPERTY} when set, else {@code <tmp>/vsrx-sync-pg-<user>}. */
    static Path defaultRoot() {
        String configured = System.getProperty(ROOT_PROPERTY, "");
        if (!configured.isBlank()) {
            return Path.of(configured);
        }
        String user = System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9_.-]", "_");
        return Path.of(System.getProperty("java.io.tmpdir"), "vsrx-sync-pg-" + user);
    }

    /**
     * The installation directory (holding {@code bin/}, {@code lib/}, {@code share/}) for the archive on the
     * class path, unpacking it under {@code root} first when no intact copy is there.
     *
     * @throws ConfigurationException when no archive is on the class path or it cannot be unpacked
     */
    static Path install(Path root) {
        requireNonNull(root, "root");
        try {
            Archive archive = Archive.find();
            return install(root, archive);
        } catch (IOException | UncheckedIOException e) {
            throw new ConfigurationException("the embedded PostgreSQL binaries could not be unpacked", e);
        }
    }

    static Path install(Path root, Archive archive) throws IOException {
        createPrivate(root);
        Path dir = root.resolve("pg-" + archive.identity());
        if (intact(dir)) {
            return dir;
        }
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            LOG.warn("embedded PostgreSQL binaries were incomplete or changed; unpacking them again");
            moveAsideAndDelete(dir);
        }
        Path tmp = root.resolve("pg-" + archive.identity() + ".tmp-" + ProcessHandle.current().pid() + "-"
                + System.nanoTime());
        try {
            Files.createDirectory(tmp, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
            try (InputStream in = archive.open()) {
                unpack(in, tmp);
            }
            writeManifest(tmp);
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException | AtomicMoveNotSupportedException raced) {
                // another process put its copy in place first: use it when it is intact
                if (!intact(dir)) {
                    throw new IOException("embedded PostgreSQL binaries of a concurrent start are not intact");
                }
            }
            LOG.info("embedded PostgreSQL binaries unpacked");
            return dir;
        } finally {
            deleteTree(tmp);
        }
    }

    /** {@code true} when {@code dir} holds a manifest and every file it lists has its size and time. */
    static boolean intact(Path dir) {
        List<String> lines;
        try {
            lines = Files.readAllLines(dir.resolve(MANIFEST), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
        if (lines.isEmpty()) {
            return false;
        }
        try {
            for (String line : lines) {
                String[] f = line.split(" ", 3);
                if (f.length != 3) {
                    return false;
                }
                BasicFileAttributes a = Files.readAttributes(dir.resolve(f[2]), BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS);
                if (!a.isRegularFile() || a.size() != Long.parseLong(f[0])
                        || a.lastModifiedTime().toMillis() != Long.parseLong(f[1])) {
                    return false;
                }
            }
            return Files.isExecutable(dir.resolve("bin/postgres")) && Files.isExecutable(dir.resolve("bin/pg_ctl"))
                    && Files.isExecutable(dir.resolve("bin/initdb"));
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    private static void writeManifest(Path dir) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted()::iterator) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (a.isRegularFile()) {
                    lines.add(a.size() + " " + a.lastModifiedTime().toMillis() + " " + dir.relativize(p));
                }
            }
        }
        Files.write(dir.resolve(MANIFEST), lines, StandardCharsets.UTF_8);
    }

    /** Unpacks a {@code .txz} into {@code target}, refusing entries that would land outside it. */
    static void unpack(InputStream txz, Path target) throws IOException {
        Path base = target.toAbsolutePath().normalize();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(new BufferedInputStream(txz)))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                Path out = base.resolve(e.getName()).normalize();
                if (!out.startsWith(base)) {
                    throw new IOException("the PostgreSQL archive holds an entry outside its directory");
                }
                if (e.isDirectory()) {
                    Files.createDirectories(out);
                } else if (e.isSymbolicLink()) {
                    Path link = Path.of(e.getLinkName());
                    if (link.isAbsolute() || !out.getParent().resolve(link).normalize().startsWith(base)) {
                        throw new IOException("the PostgreSQL archive holds a link outside its directory");
                    }
                    Files.createDirectories(out.getParent());
                    Files.createSymbolicLink(out, link);
                } else if (e.isLink()) {
                    Path existing = base.resolve(e.getLinkName()).normalize();
                    if (!existing.startsWith(base)) {
                        throw new IOException("the PostgreSQL archive holds a link outside its directory");
                    }
                    Files.createDirectories(out.getParent());
                    Files.createLink(out, existing);
                } else if (e.isFile()) {
                    Files.createDirectories(out.getParent());
                    try (OutputStream o = Files.newOutputStream(out)) {
                        tar.transferTo(o);
                    }
                    boolean executable = (e.getMode() & 0100) != 0 || base.relativize(out).startsWith("bin");
                    Files.setPosixFilePermissions(out, PosixFilePermissions.fromString(executable ? "rwx------"
                            : "rw-------"));
                } else {
                    throw new IOException("the PostgreSQL archive holds an unsupported entry type");
                }
            }
        }
    }

    private static void moveAsideAndDelete(Path dir) throws IOException {
        Path aside = dir.resolveSibling(dir.getFileName() + ".broken-" + ProcessHandle.current().pid() + "-"
                + System.nanoTime());
        try {
            Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException gone) {
            return; // another process moved it first
        }
        deleteTree(aside);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void createPrivate(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            Files.createDirectories(root.getParent() == null ? root : root.getParent());
            try {
                Files.createDirectory(root, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
            } catch (FileAlreadyExistsException e) {
                // made at the same moment by another process
            }
        }
        // binaries that another user could replace would run as this user: the root must be ours alone
        String owner = Files.getOwner(root, LinkOption.NOFOLLOW_LINKS).getName();
        if (!owner.equals(System.getProperty("user.name"))) {
            throw new IOException("the PostgreSQL binaries directory belongs to another user");
        }
        Files.setPosixFilePermissions(root, OWNER_ONLY_DIR);
    }

    /** The binaries archive on the class path and how to name it without reading it. */
    record Archive(String identity, Opener opener) {
        /** Opens the archive's bytes. */
        interface Opener {
            InputStream open() throws IOException;
        }

        InputStream open() throws IOException {
            return opener.open();
        }

        /** The archive of this platform: by its jar entry when zonky's usual resource is there, else zonky's. */
        static Archive find() throws IOException {
            String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
            String arch = System.getProperty("os.arch", "");
            String system = os.contains("win") ? "windows" : os.contains("mac") ? "darwin" : "linux";
            String machine = "amd64".equals(arch) || "x86_64".equals(arch) ? "x86_64" : arch;
            ClassLoader loader = PostgresBinaries.class.getClassLoader();
            String name = "postgres-" + system + "-" + machine + ".txz";
            URL url = loader.getResource(name);
            if (url != null && "jar".equals(url.getProtocol())) {
                URLConnection c = url.openConnection();
                if (c instanceof JarURLConnection jar) {
                    JarEntry entry = jar.getJarEntry();
                    if (entry != null && entry.getSize() > 0 && entry.getCrc() != -1) {
                        String id = digest(name + "\0" + entry.getSize() + "\0" + Long.toHexString(entry.getCrc()));
                        return new Archive(id, () -> url.openStream());
                    }
                }
            }
            // any other platform or class path: zonky finds the archive; name it by its content
            String sysName = system.substring(0, 1).toUpperCase(Locale.ROOT) + system.substring(1);
            try (InputStream in = new DigestInputStream(DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(sysName,
                    machine), sha256())) {
                in.transferTo(OutputStream.nullOutputStream());
                String id = HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest())
                        .substring(0, 32);
                return new Archive(id, () -> DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(sysName, machine));
            }
        }

        private static String digest(String s) {
            return HexFormat.of().formatHex(sha256().digest(s.getBytes(StandardCharsets.UTF_8))).substring(0, 32);
        }

        private static MessageDigest sha256() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public String toString() {
            return "Archive[" + identity + "]";
        }
    }
}
