package com.silknote.sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 (read-only commands in about a second): the PostgreSQL binaries are unpacked once and a start checks
 * them by {@code stat} only; a damaged or incomplete copy is detected and unpacked again, never used.
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
            assertThat(left).isEmpty(); // the temporary copy is gone
        }
        assertThat(PostgresBinaries.intact(PostgresBinaries.install(temp, counting))).isTrue();
    }
}
