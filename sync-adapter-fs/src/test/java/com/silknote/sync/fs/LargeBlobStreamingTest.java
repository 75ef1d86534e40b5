package com.silknote.sync.fs;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes and reads content three times larger than this JVM's whole heap (the {@code bounded-heap}
 * surefire execution runs it with {@code -Xmx64m}): it passes only if nothing buffers the content whole.
 */
@Tag("bounded-heap")
class LargeBlobStreamingTest {

    private static final long SIZE = 192L * 1024 * 1024;

    @TempDir
    Path root;

    private static InputStream generated() {
        return new InputStream() {
            private final SplittableRandom random = new SplittableRandom(42);
            private long remaining = SIZE;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (remaining == 0) {
                    return -1;
                }
                int n = (int) Math.min(len, remaining);
                byte[] chunk = new byte[n];
                random.nextBytes(chunk);
                System.arraycopy(chunk, 0, b, off, n);
                remaining -= n;
                return n;
            }
        };
    }

    private static ContentHash hashOf(InputStream in) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[64 * 1024];
        try (in) {
            int n;
            while ((n = in.read(buffer)) != -1) {
                d.update(buffer, 0, n);
            }
        }
        return ContentHash.ofBytes(d.digest());
    }

    @Test
    void streamsContentLargerThanTheHeapInAndOut() throws Exception {
        assertThat(Runtime.getRuntime().maxMemory()).as("run with a heap smaller than the content")
                .isLessThan(SIZE / 2);
        BlobUpload upload = new BlobUpload(hashOf(generated()), SIZE, "application/pdf",
                LargeBlobStreamingTest::generated);
        FileSystemBlobStore store = FileSystemBlobStore.builder().root(root).clock(Clock.systemUTC()).build();

        assertThat(store.putIfAbsent(upload).info().size()).isEqualTo(SIZE);
        assertThat(hashOf(store.open(upload.hash()))).isEqualTo(upload.hash());
    }
}
