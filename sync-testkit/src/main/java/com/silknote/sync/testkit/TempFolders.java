package com.silknote.sync.testkit;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * <p>Removal runs in one shutdown hook, and nothing is known about the order of hooks: a folder that a running
 * server still uses (an embedded PostgreSQL's data directory) should instead be removed with
 * {@link #deleteWhenStopped(Path, Path, Duration)} in the hook that stops the server.
 */
public final class TempFolders {
    private static final Deque<Path> AT_EXIT = new ConcurrentLinkedDeque<>();
    private static boolean hooked;

    /**
     * Registers the removal hook on first need, not when the class loads: a class first loaded inside a shutdown
     * hook (a fixture's hook calling {@link #deleteWhenStopped}) cannot register one, and failing its static
     * initializer there would leave everything in place.
     */
    private static synchronized void hookOnce() {
        if (!hooked) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                for (Path p; (p = AT_EXIT.pollLast()) != null; ) {
                    deleteRecursively(p);
                }
            }, "temp-folders-cleanup"));
            hooked = true;
        }
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
        requireNonNull(path, "path");
        hookOnce();
        AT_EXIT.add(path);
        return path;
    }

    /**
     * Removes a stopped server's folder: waits until {@code pidFile} (the server's own, e.g. PostgreSQL's
     * {@code postmaster.pid}) is gone, for at most {@code max}, then removes {@code path} as
     * {@link #deleteRecursively(Path)} does. For shutdown hooks: a server library may stop its server from a hook of
     * its own, running beside the caller's, so closing it again can return before the server let go of its files.
     */
    public static void deleteWhenStopped(Path path, Path pidFile, Duration max) {
        requireNonNull(pidFile, "pidFile");
        long deadline = System.nanoTime() + requireNonNull(max, "max").toNanos();
        while (Files.exists(pidFile) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        deleteRecursively(path);
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
