package com.silknote.sync.core.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.exception.ContentRejectedException;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.SkipReason;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN rules 7 and 12 and issue 12 item 4: the spooler's limits at their exact values — the size limit read no
 * further than one byte past it, the memory budget used to its last byte, the head of the content for the type
 * check, and content that outgrows its declared length on the way.
 */
class ContentSpoolerLimitsTest {
    @TempDir
    Path dir;

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static ContentHash sha(byte[] b) throws Exception {
        return ContentHash.ofBytes(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** Counts the bytes handed out and hands out at most {@code chunk} per read. */
    private static final class Counting extends FilterInputStream {
        long read;
        private final int chunk;

        Counting(byte[] content, int chunk) {
            super(new ByteArrayInputStream(content));
            this.chunk = chunk;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, Math.min(len, chunk));
            if (n > 0) {
                read += n;
            }
            return n;
        }
    }

    @Test
    @DisplayName("rule 7: a stream over the limit is read no further than one byte past it")
    void readsAtMostOneBytePastTheLimit() {
        ContentSpooler spooler = new ContentSpooler(Optional.of(dir), 10);
        Counting in = new Counting(new byte[100_000], Integer.MAX_VALUE);
        assertThatThrownBy(() -> spooler.spool(in, OptionalLong.empty(), ContentSpooler.Progress.NONE))
                .isInstanceOfSatisfying(ContentRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(SkipReason.TOO_LARGE));
        assertThat(in.read).isEqualTo(11);
        // in pieces: each read asks for no more than what is left below the limit, plus one byte
        Counting pieces = new Counting(new byte[100_000], 5);
        assertThatThrownBy(() -> spooler.spool(pieces, OptionalLong.empty(), ContentSpooler.Progress.NONE))
                .isInstanceOf(ContentRejectedException.class);
        assertThat(pieces.read).isEqualTo(11);
    }

    @Test
    @DisplayName("rule 7: an undeclared stream of exactly the limit, a whole buffer long, is accepted")
    void undeclaredStreamOfExactlyTheLimit() throws Exception {
        byte[] content = random(ContentSpooler.BUFFER_SIZE, 1);
        ContentSpooler spooler = new ContentSpooler(Optional.of(dir), ContentSpooler.BUFFER_SIZE);
        try (SpooledContent s = spooler.spool(new ByteArrayInputStream(content), OptionalLong.empty(),
                ContentSpooler.Progress.NONE)) {
            assertThat(s.size()).isEqualTo(content.length);
            assertThat(s.hash()).isEqualTo(sha(content));
        }
    }

    @Test
    @DisplayName("rule 7: a limit of zero bytes accepts empty content only")
    void zeroLimit() throws Exception {
        ContentSpooler spooler = new ContentSpooler(Optional.of(dir), 0);
        assertThat(spooler.directory()).contains(dir);
        try (SpooledContent s = spooler.spool(new ByteArrayInputStream(new byte[0]), OptionalLong.of(0),
                ContentSpooler.Progress.NONE)) {
            assertThat(s.size()).isZero();
            assertThat(s.head()).isEmpty();
        }
        assertThatThrownBy(() -> spooler.spool(new ByteArrayInputStream(new byte[1]), OptionalLong.empty(),
                ContentSpooler.Progress.NONE)).isInstanceOf(ContentRejectedException.class);
        assertThatThrownBy(() -> new ContentSpooler(Optional.of(dir), -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("rule 7: the head holds the first bytes read, up to HEAD_SIZE, whatever the declared length")
    void headOfTheContent() throws Exception {
        ContentSpooler spooler = new ContentSpooler(Optional.of(dir), 10_000_000);
        byte[] small = random(5, 2);
        try (SpooledContent s = spooler.spool(new ByteArrayInputStream(small), OptionalLong.empty(),
                ContentSpooler.Progress.NONE)) {
            assertThat(s.head()).isEqualTo(small);
        }
        byte[] large = random(300_000, 3);
        try (SpooledContent s = spooler.spool(new Counting(large, 100), OptionalLong.of(1000),
                ContentSpooler.Progress.NONE)) {
            assertThat(s.head()).isEqualTo(java.util.Arrays.copyOf(large, ContentSpooler.HEAD_SIZE));
        }
    }

    @Test
    @DisplayName("issue 12 item 4: content that fits the memory budget exactly is held in memory")
    void budgetUsedToItsLastByte() throws Exception {
        byte[] content = random(1000, 4);
        ContentSpooler spooler = new ContentSpooler(Optional.of(dir), 10_000, true, 1000);
        try (SpooledContent s = spooler.spool(new ByteArrayInputStream(content), OptionalLong.of(1000),
                ContentSpooler.Progress.NONE)) {
            assertThat(s.inMemory()).isTrue();
            assertThat(spooler.memoryAvailable()).isZero();
            assertThat(s.toString()).isEqualTo("SpooledContent[hash=" + sha(content) + ", size=1000, in memory]");
        }
        assertThat(spooler.memoryAvailable()).isEqualTo(1000);
    }

    @Test
    @DisplayName("issue 12 item 4: content read in small pieces past its declared length keeps every byte")
    void heldBytesMoveToTheFile() throws Exception {
        byte[] content = random(3000, 5);
        ContentSpooler spooler = new ContentSpooler(Optional.of(dir), 10_000, true, 1 << 20);
        try (SpooledContent s = spooler.spool(new Counting(content, 100), OptionalLong.of(1000),
                ContentSpooler.Progress.NONE)) {
            assertThat(s.inMemory()).isFalse();
            assertThat(s.toString()).isEqualTo("SpooledContent[hash=" + sha(content) + ", size=3000]");
            try (InputStream in = s.open()) {
                assertThat(in.readAllBytes()).isEqualTo(content);
            }
        }
    }
}
