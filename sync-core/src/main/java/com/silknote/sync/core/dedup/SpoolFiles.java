package com.silknote.sync.core.dedup;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Temporary files that hold file content for a moment (a download's spool, an upload's body), named after the
 * process that writes them: {@code <prefix><pid>-<random><suffix>}. A process killed while one is open leaves it
 * behind with a patient's bytes in it; the first file a process creates in a directory with a prefix removes the
 * leftovers there of processes that are no longer alive (never its own, never a live process's, and never a file
 * whose name does not carry a process id). Files are created readable by their owner only (the JDK's temporary
 * files are {@code rw-------} on POSIX file systems).
 */
public final class SpoolFiles {
    private static final Logger log = LoggerFactory.getLogger(SpoolFiles.class);
    private static final long PID = ProcessHandle.current().pid();
    /** The directories and prefixes swept by this process: once each. */
    private static final Set<String> SWEPT = ConcurrentHashMap.newKeySet();

    private SpoolFiles() {
    }

    /**
     * Creates an empty temporary file in {@code directory} (created when missing; empty: the JVM's temporary-file
     * directory), removing first, once per directory and prefix, what dead processes left there.
     *
     * @throws IOException when the file cannot be created
     */
    public static Path create(Optional<Path> directory, String prefix, String suffix) throws IOException {
        requireNonNull(directory, "directory");
        requireNonNull(prefix, "prefix");
        requireNonNull(suffix, "suffix");
        Path dir = directory.isPresent() ? directory.get() : Paths.get(System.getProperty("java.io.tmpdir"));
        if (directory.isPresent()) {
            Files.createDirectories(dir);
        }
        if (SWEPT.add(dir.toAbsolutePath().normalize() + "\u0000" + prefix + "\u0000" + suffix)) {
            sweep(dir, prefix, suffix);
        }
        return Files.createTempFile(dir, prefix + PID + "-", suffix);
    }

    /**
     * Removes the files {@code <prefix><pid>-<random><suffix>} in {@code dir} whose process is not this one and
     * no longer alive; returns how many. Failures are logged at debug and skipped.
     */
    public static int sweep(Path dir, String prefix, String suffix) {
        Pattern name = Pattern.compile(Pattern.quote(prefix) + "(\\d+)-\\d+" + Pattern.quote(suffix));
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, prefix + "*" + suffix)) {
            for (Path f : files) {
                Matcher m = name.matcher(f.getFileName().toString());
                if (m.matches() && deadProcess(m.group(1))) {
                    try {
                        if (Files.deleteIfExists(f)) {
                            removed++;
                        }
                    } catch (IOException e) {
                        log.debug("could not remove a temporary file a dead process left", e);
                    }
                }
            }
        } catch (IOException e) {
            log.debug("could not list the temporary-file directory", e);
        }
        if (removed > 0) {
            log.info("removed temporary files that stopped processes left behind count={}", removed);
        }
        return removed;
    }

    /**
     * {@code true} when {@code pid} names a process that is not this one and no longer alive: what it left in a
     * shared directory is nobody's. A name that is not a number is never a dead process's.
     */
    public static boolean deadProcess(String pid) {
        long id;
        try {
            id = Long.parseLong(pid);
        } catch (NumberFormatException e) {
            return false;
        }
        return id != PID && !ProcessHandle.of(id).map(ProcessHandle::isAlive).orElse(false);
    }
}
