package com.silknote.sync.testkit;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.stream.Stream;

/**
 * Temporary files and folders that outlive one test (a JVM-wide ledger's data directory, a blob store folder
 * shared by a test class, a child process's log), removed when the JVM exits. JUnit's {@code @TempDir} covers
 * what lives within one test; this covers the rest, so repeated test runs do not fill the temp directory with
 * database clusters and blob folders.
 *
 * <p>Removal runs in one shutdown hook, after nothing else is known about the order of hooks: a folder that
 * a running server still uses (an embedded PostgreSQL's data directory) should instead be removed with
 * {@link #deleteRecursively(Path)} in the same hook that stops the server, after it stopped.
 */
public final class TempFolders {
    private static final Deque<Path> AT_EXIT = new ConcurrentLinkedDeque<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Path p; (p = AT_EXIT.pollLast()) != null; ) {
                deleteRecursively(p);
            }
        }, "temp-folders-cleanup"));
    }

    private TempFolders() {
    }

    /** A new folder in the temp directory named {@code prefix...}, removed with its content when the JVM exits. */
    public static Path create(String prefix) {
        requireNonNull(prefix, "prefix");
        try {
            return deleteAtExit(Files.createTempDirectory(prefix));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes {@code path} (a file, or a folder with its content) when the JVM exits; returns it. */
    public static Path deleteAtExit(Path path) {
        AT_EXIT.add(requireNonNull(path, "path"));
        return path;
    }

    /**
     * Removes {@code path} and everything under it now, as far as it can (files made read-only by a store
     * included); what cannot be removed stays. A missing path is no error.
     */
    public static void deleteRecursively(Path path) {
        requireNonNull(path, "path");
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> all = Files.walk(path)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    p.toFile().setWritable(true);
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort: a file still held open elsewhere stays
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // best effort: the folder changed while it was walked
        }
    }
}
