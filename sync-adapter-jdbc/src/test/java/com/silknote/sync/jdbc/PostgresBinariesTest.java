package com.silknote.sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 (read-only commands in about a second): the PostgreSQL binaries are unpacked once and a start checks
 * them by {@code stat} only; a damaged or incomplete copy is detected and unpacked again, never used. Because the
 * copy is shared by the processes of a user (a {@code status} during a {@code sync}), unpacking again must never
 * change a copy a running server uses, concurrent starts must end with one good copy, and a root another user
 * created must not stop every start (docs/startup.md, "The unpacked binaries under concurrent starts").
 */
class PostgresBinariesTest {
    @TempDir
    Path temp;

    private PostgresBinaries.Archive real;
    private final AtomicInteger opened = new AtomicInteger();
    private PostgresBinaries.Archive counting;

    @BeforeEach
    void findArchive() throws IOException {
        real = PostgresBinaries.Archive.find();
        counting = new PostgresBinaries.Archive(real.identity(), () -> {
            opened.incrementAndGet();
            return real.open();
        });
    }

    @Test
    void aSecondInstallReusesTheUnpackedCopyWithoutReadingTheArchive() throws IOException {
        Path first = PostgresBinaries.install(temp, counting);
        Path second = PostgresBinaries.install(temp, counting);

        assertThat(second).isEqualTo(first);
        assertThat(opened).hasValue(1);
        assertThat(first.resolve("bin/postgres")).isExecutable();
        assertThat(PostgresBinaries.intact(first)).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(temp))).isEqualTo("rwx------");
    }

    @Test
    void aTruncatedBinaryIsDetectedAndUnpackedAgain() throws IOException {
        Path dir = PostgresBinaries.install(temp, counting);
        Path postgres = dir.resolve("bin/postgres");
        long size = Files.size(postgres);
        try (var ch = Files.newByteChannel(postgres, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(size / 2);
        }
        assertThat(PostgresBinaries.intact(dir)).isFalse();

        Path again = PostgresBinaries.install(temp, counting);

        assertThat(opened).hasValue(2);
        assertThat(Files.size(again.resolve("bin/postgres"))).isEqualTo(size);
        assertThat(PostgresBinaries.intact(again)).isTrue();
    }

    @Test
    void aRewrittenFileOfTheSameSizeOrAMissingFileIsDetected() throws IOException {
        Path dir = PostgresBinaries.install(temp, counting);
        Path pgCtl = dir.resolve("bin/pg_ctl");
        byte[] bytes = Files.readAllBytes(pgCtl);
        bytes[bytes.length / 2] ^= 1;
        Files.write(pgCtl, bytes);
        Files.setLastModifiedTime(pgCtl, FileTime.fromMillis(Files.getLastModifiedTime(pgCtl).toMillis() + 1000));
        assertThat(PostgresBinaries.intact(dir)).isFalse();

        Path again = PostgresBinaries.install(temp, counting);
        assertThat(PostgresBinaries.intact(again)).isTrue();
        try (InputStream in = Files.newInputStream(again.resolve("bin/pg_ctl"))) {
            assertThat(in.readAllBytes()).isNotEqualTo(bytes);
        }

        String someLibrary;
        try (var lines = Files.lines(again.resolve(PostgresBinaries.MANIFEST), StandardCharsets.UTF_8)) {
            someLibrary = lines.map(l -> l.split(" ", 3)[2]).filter(p -> p.startsWith("lib/")).findFirst().orElseThrow();
        }
        Files.delete(again.resolve(someLibrary));
        assertThat(PostgresBinaries.intact(again)).isFalse();
        assertThat(PostgresBinaries.intact(PostgresBinaries.install(temp, counting))).isTrue();
        assertThat(opened).hasValue(3);
    }

    @Test
    void anUnpackingCutShortLeavesNothingThatPassesTheCheck() throws IOException {
        PostgresBinaries.Archive cut = new PostgresBinaries.Archive(real.identity(), () -> {
            InputStream in = real.open();
            return new InputStream() {
                private long left = 2_000_000;

                @Override
                public int read() throws IOException {
                    return left-- > 0 ? in.read() : fail();
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (left <= 0) {
                        return fail();
                    }
                    int n = in.read(b, off, (int) Math.min(len, left));
                    left -= Math.max(n, 0);
                    return n;
                }

                private int fail() throws IOException {
                    throw new IOException("simulated crash while unpacking");
                }
            };
        });
        try {
            PostgresBinaries.install(temp, cut);
        } catch (IOException expected) {
            // the unpacking failed mid-way
        }
        assertThat(PostgresBinaries.intact(temp.resolve("pg-" + real.identity()))).isFalse();
        try (var left = Files.list(temp)) {
            // the temporary copy is gone; only the lock file that serialises unpacking stays
            assertThat(left.map(p -> p.getFileName().toString())).containsOnly(".lock");
        }
        assertThat(PostgresBinaries.intact(PostgresBinaries.install(temp, counting))).isTrue();
    }

    @Test
    @DisplayName("issue 12, binaries shared by the processes of a user: a damaged copy is unpacked again beside the copy a running server uses, never over it")
    void aServerStartedFromACopyKeepsRunningWhenThatCopyIsUnpackedAgain() throws Exception {
        Path bins = temp.resolve("bins");
        Path data = temp.resolve("data");
        Path used;
        Path again;
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.builder().dataDirectory(data).binariesRoot(bins)
                .start()) {
            used = PostgresBinaries.install(bins, counting);
            assertThat(opened).hasValue(0); // the copy the server started from
            Object postgresFile = Files.readAttributes(used.resolve("bin/postgres"),
                    java.nio.file.attribute.BasicFileAttributes.class).fileKey();
            Object pgCtlFile = Files.readAttributes(used.resolve("bin/pg_ctl"),
                    java.nio.file.attribute.BasicFileAttributes.class).fileKey();
            List<String> before = listing(used);
            // another process finds the copy damaged (a file's time changed) while this server runs from it
            Path share = used.resolve(firstListed(used, "share/"));
            Files.setLastModifiedTime(share, FileTime.fromMillis(Files.getLastModifiedTime(share).toMillis() + 1000));

            again = PostgresBinaries.install(bins, counting);

            assertThat(opened).hasValue(1);
            assertThat(PostgresBinaries.intact(again)).isTrue();
            // the old copy is neither removed nor rewritten: same files, the very same inodes
            assertThat(listing(used)).isEqualTo(before);
            assertThat(Files.readAttributes(used.resolve("bin/postgres"),
                    java.nio.file.attribute.BasicFileAttributes.class).fileKey()).isEqualTo(postgresFile);
            assertThat(Files.readAttributes(used.resolve("bin/pg_ctl"),
                    java.nio.file.attribute.BasicFileAttributes.class).fileKey()).isEqualTo(pgCtlFile);
            // the server still answers a new session that loads a library from its installation
            try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(),
                    server.password().value()); Statement s = c.createStatement()) {
                s.execute("DO $$ BEGIN PERFORM 1; END $$");
                try (ResultSet rs = s.executeQuery("SELECT 42")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt(1)).isEqualTo(42);
                }
            }
        }
        // stopped with the pg_ctl of the copy it started from
        assertThat(data.resolve("postmaster.pid")).doesNotExist();
        // the next start, with no program running from the old copy any more, removes it and reads no archive
        assertThat(PostgresBinaries.install(bins, counting)).isEqualTo(again);
        assertThat(used).doesNotExist();
        assertThat(opened).hasValue(1);
    }

    @Test
    @DisplayName("issue 12, binaries shared by the processes of a user: concurrent first starts, and concurrent starts over a damaged copy, unpack one copy")
    void concurrentInstallsUnpackOnceAndEveryReturnedCopyStaysIntact() throws Exception {
        int threads = 3;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Path> first = installConcurrently(pool, threads);
            assertThat(opened).hasValue(1);
            assertThat(new HashSet<>(first)).hasSize(1);
            for (Path p : first) {
                assertThat(PostgresBinaries.intact(p)).isTrue();
            }

            Path lib = first.get(0).resolve(firstListed(first.get(0), "lib/"));
            Files.setLastModifiedTime(lib, FileTime.fromMillis(Files.getLastModifiedTime(lib).toMillis() + 1000));
            List<Path> second = installConcurrently(pool, threads);
            assertThat(opened).hasValue(2);
            assertThat(new HashSet<>(second)).hasSize(1);
            for (Path p : second) {
                assertThat(PostgresBinaries.intact(p)).isTrue(); // none removed by a later unpacking
            }
            assertThat(PostgresBinaries.install(temp, counting)).isEqualTo(second.get(0));
            assertThat(opened).hasValue(2);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @DisplayName("issue 12, binaries shared by the processes of a user: processes starting at once unpack one copy (the lock file), all use it")
    void concurrentProcessesUnpackOnce() throws Exception {
        Path root = temp.resolve("shared");
        List<Process> children = new ArrayList<>();
        List<BufferedReader> outputs = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                        InstallBinariesChild.class.getName(), root.toString())
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                children.add(p);
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8));
                outputs.add(out);
                assertThat(out.readLine()).isEqualTo("ready");
            }
            for (Process p : children) {
                p.getOutputStream().write('\n');
                p.getOutputStream().flush(); // all start unpacking together, with this JVM
            }
            Path mine = PostgresBinaries.install(root, counting);
            Set<Path> got = new HashSet<>(List.of(mine));
            for (int i = 0; i < children.size(); i++) {
                String line = outputs.get(i).readLine();
                assertThat(children.get(i).waitFor()).isZero();
                assertThat(line).isNotNull();
                got.add(Path.of(line));
            }
            assertThat(got).containsExactly(mine);
            assertThat(PostgresBinaries.intact(mine)).isTrue();
            try (Stream<Path> copies = Files.list(root)) {
                assertThat(copies.filter(Files::isDirectory)).containsExactly(mine); // one copy on disk
            }
        } finally {
            children.forEach(Process::destroyForcibly);
        }
    }

    @Test
    @DisplayName("issue 12, binaries shared by the processes of a user: a folder that belongs to another user is never used; the per-user fallback is")
    void aFolderOwnedBySomeoneElseFallsBackToOurOwn() throws IOException {
        Path foreign = temp.resolve("foreign");
        Files.createDirectory(foreign);
        Path ours = temp.resolve("cache").resolve("vsrx-sync-pg");
        PostgresBinaries.OwnerCheck check = dir -> !dir.equals(foreign);

        Path dir = PostgresBinaries.install(foreign, counting, check, ours);

        assertThat(dir).startsWith(ours);
        assertThat(PostgresBinaries.intact(dir)).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ours))).isEqualTo("rwx------");
        try (var inForeign = Files.list(foreign)) {
            assertThat(inForeign).isEmpty(); // nothing written where another user could replace it
        }
        // when the fallback too is someone else's, the start fails rather than run binaries it does not own
        assertThatThrownBy(() -> PostgresBinaries.install(foreign, counting, d -> false, ours))
                .isInstanceOf(IOException.class);
    }

    private List<Path> installConcurrently(ExecutorService pool, int threads) throws Exception {
        CyclicBarrier go = new CyclicBarrier(threads);
        List<Future<Path>> futures = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            futures.add(pool.submit(() -> {
                go.await();
                return PostgresBinaries.install(temp, counting);
            }));
        }
        List<Path> paths = new ArrayList<>();
        for (Future<Path> f : futures) {
            paths.add(f.get());
        }
        return paths;
    }

    private static String firstListed(Path dir, String prefix) throws IOException {
        try (var lines = Files.lines(dir.resolve(PostgresBinaries.MANIFEST), StandardCharsets.UTF_8)) {
            return lines.map(l -> l.split(" ", 3)[2]).filter(p -> p.startsWith(prefix)).findFirst().orElseThrow();
        }
    }

    private static List<String> listing(Path dir) throws IOException {
        Set<String> all = new java.util.TreeSet<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.forEach(p -> all.add(dir.relativize(p).toString()));
        }
        return new ArrayList<>(all);
    }
}
