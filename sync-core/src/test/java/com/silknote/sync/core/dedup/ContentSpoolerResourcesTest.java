package com.silknote.sync.core.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 (bounded resources while streaming, DESIGN rule 7's one pass): what spooling holds besides the
 * bytes — the one read buffer, sized by the declared length but never above {@link ContentSpooler#BUFFER_SIZE},
 * and no file descriptor left open on a spool file once spooling returned or failed. Descriptors are read from
 * Linux's {@code /proc/self/fd} (the build runs on Linux): a descriptor the spooler leaves open would only be
 * closed when the garbage collector happens to find its stream, and a busy sync would run out of them.
 */
class ContentSpoolerResourcesTest {
    private static final Path FDS = Path.of("/proc/self/fd");

    @TempDir
    Path dir;

    /** The descriptors of this process open on a file in {@link #dir} (a deleted file's link ends "(deleted)"). */
    private List<String> descriptorsIntoDir() throws IOException {
        assertThat(FDS).as("the descriptor count needs Linux's /proc/self/fd").isDirectory();
        List<String> into = new ArrayList<>();
        try (Stream<Path> fds = Files.list(FDS)) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith(dir.toString())) {
                        into.add(target);
                    }
                } catch (IOException closedMeanwhile) {
                    // a descriptor of the listing itself, or one another thread closed: not a spool's
                }
            }
        }
        return into;
    }

    /** Hands out {@code content} and keeps the length of every buffer and read size it was asked to fill. */
    private static final class Recording extends InputStream {
        private final InputStream in;
        final List<Integer> bufferLengths = new ArrayList<>();
        final List<Integer> readSizes = new ArrayList<>();

        Recording(byte[] content) {
            this.in = new ByteArrayInputStream(content);
        }

        @Override
        public int read() throws IOException {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            bufferLengths.add(b.length);
            readSizes.add(len);
            return in.read(b, off, len);
        }
    }

    @Test
    @DisplayName("issue 12: a large file is read through one buffer of BUFFER_SIZE bytes, a small one through a buffer its declared length plus one")
    void theReadBufferIsBoundedAndSizedByTheDeclaredLength() throws Exception {
        ContentSpooler spooler = new ContentSpooler(Optional.of(dir), 10L << 20);
        int large = 3 * ContentSpooler.BUFFER_SIZE + 17;
        Recording big = new Recording(new byte[large]);
        try (SpooledContent s = spooler.spool(big, OptionalLong.of(large), ContentSpooler.Progress.NONE)) {
            assertThat(s.size()).isEqualTo(large);
        }
        assertThat(big.bufferLengths).as("never a buffer as large as the declared length").isNotEmpty()
                .allMatch(n -> n == ContentSpooler.BUFFER_SIZE);
        assertThat(big.readSizes).allMatch(n -> n <= ContentSpooler.BUFFER_SIZE);

        Recording small = new Recording(new byte[1000]);
        try (SpooledContent s = spooler.spool(small, OptionalLong.of(1000), ContentSpooler.Progress.NONE)) {
            assertThat(s.size()).isEqualTo(1000);
        }
        assertThat(small.bufferLengths).as("the declared length and one byte to notice more").isNotEmpty()
                .allMatch(n -> n == 1001);
    }

    @Test
    @DisplayName("issue 12: a file spool leaves no descriptor open on its file once spooling returned")
    void aFileSpoolLeavesNoDescriptorOpen() throws Exception {
        ContentSpooler spooler = new ContentSpooler(Optional.of(dir), 1 << 20);
        assertThat(descriptorsIntoDir()).isEmpty();
        byte[] content = new byte[5000];
        try (SpooledContent s = spooler.spool(new ByteArrayInputStream(content), OptionalLong.of(5000),
                ContentSpooler.Progress.NONE)) {
            assertThat(s.inMemory()).isFalse();
            assertThat(descriptorsIntoDir()).as("the spool's writer is closed when spooling returns").isEmpty();
            try (InputStream in = s.open()) {
                assertThat(in.readAllBytes()).isEqualTo(content);
            }
        }
        assertThat(descriptorsIntoDir()).isEmpty();
    }

    @Test
    @DisplayName("issue 12 / rule 7: a spool that fails after writing its file deletes the file and leaves no descriptor open on it")
    void aFailedSpoolLeavesNoDescriptorOpen() throws Exception {
        ContentSpooler spooler = new ContentSpooler(Optional.of(dir), 1 << 20);
        InputStream failing = new InputStream() {
            private int reads;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (++reads > 2) {
                    throw new IOException("connection reset");
                }
                return Math.min(len, 100);
            }
        };

        assertThatThrownBy(() -> spooler.spool(failing, OptionalLong.empty(), ContentSpooler.Progress.NONE))
                .isInstanceOf(IOException.class).hasMessage("connection reset");

        assertThat(descriptorsIntoDir()).as("not even on the deleted file").isEmpty();
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left).isEmpty();
        }
    }
}
