package com.silknote.sync.core.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Temporary files holding content carry the writer's process id, so what a killed process left (a patient's
 * bytes in a spool file) is removed by the next process that spools in that directory; nothing of a live process
 * is touched.
 */
class SpoolFilesTest {
    private static final long SELF = ProcessHandle.current().pid();

    @TempDir
    Path dir;

    /** The id of a process that ran and has exited. */
    private static long deadPid() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        assertThat(ProcessHandle.of(p.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        return p.pid();
    }

    private Path leftover(String name) throws IOException {
        return Files.write(dir.resolve(name), "a patient's bytes".getBytes(StandardCharsets.UTF_8));
    }

    private Set<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet());
        }
    }

    @Test
    @DisplayName("a spool file is named after this process and readable by its owner only")
    void namedAfterThisProcess() throws IOException {
        Path f = SpoolFiles.create(Optional.of(dir.resolve("spool")), "vsrx-spool-", ".part");

        assertThat(f.getParent()).isEqualTo(dir.resolve("spool"));
        assertThat(f.getFileName().toString()).matches("vsrx-spool-" + SELF + "-\\d+\\.part");
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            assertThat(Files.getPosixFilePermissions(f))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        }
    }

    @Test
    @DisplayName("the first spool in a directory removes a dead process's leftovers, and only those")
    void removesOnlyWhatDeadProcessesLeft() throws Exception {
        long dead = deadPid();
        long live = ProcessHandle.current().parent().orElseThrow().pid();
        leftover("vsrx-spool-" + dead + "-123456.part");
        leftover("vsrx-spool-" + live + "-123456.part");
        leftover("vsrx-spool-" + SELF + "-654321.part");
        leftover("vsrx-spool-987654321.part");                 // an earlier version's name: no process id
        leftover("vsrx-upload-" + dead + "-123456.tmp");       // another prefix
        leftover("notes-" + dead + "-1.part");

        Path mine = SpoolFiles.create(Optional.of(dir), "vsrx-spool-", ".part");

        assertThat(names()).containsExactlyInAnyOrder(
                "vsrx-spool-" + live + "-123456.part",
                "vsrx-spool-" + SELF + "-654321.part",
                "vsrx-spool-987654321.part",
                "vsrx-upload-" + dead + "-123456.tmp",
                "notes-" + dead + "-1.part",
                mine.getFileName().toString());
    }

    @Test
    @DisplayName("a sweep counts what it removed; a second sweep finds nothing")
    void sweepCounts() throws Exception {
        long dead = deadPid();
        leftover("vsrx-content-" + dead + "-1.spool");
        leftover("vsrx-content-" + dead + "-2.spool");

        assertThat(SpoolFiles.sweep(dir, "vsrx-content-", ".spool")).isEqualTo(2);
        assertThat(SpoolFiles.sweep(dir, "vsrx-content-", ".spool")).isZero();
        assertThat(SpoolFiles.sweep(dir.resolve("missing"), "vsrx-content-", ".spool")).isZero();
    }

    @Test
    @DisplayName("the engine's spooler sweeps its directory before its first spool file")
    void theContentSpoolerSweeps() throws Exception {
        Path spoolDir = dir.resolve("engine-spool");
        Files.createDirectories(spoolDir);
        long dead = deadPid();
        Path left = Files.write(spoolDir.resolve("vsrx-spool-" + dead + "-42.part"), new byte[] {1, 2, 3});
        ContentSpooler spooler = new ContentSpooler(Optional.of(spoolDir), 1 << 20);

        try (SpooledContent c = spooler.spool(new ByteArrayInputStream(new byte[10]), OptionalLong.of(10),
                ContentSpooler.Progress.NONE)) {
            assertThat(c.size()).isEqualTo(10);
        }

        assertThat(left).doesNotExist();
        try (Stream<Path> s = Files.list(spoolDir)) {
            assertThat(s).as("the spool itself is gone once closed").isEmpty();
        }
    }
}
