package com.silknote.sync.azure;

import static java.util.Objects.requireNonNull;

import com.azure.core.util.Context;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.models.BlobDownloadResponse;
import com.azure.storage.blob.models.BlobRange;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.TransientSyncException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a blob one block at a time, each block a ranged GET streamed straight into one buffer the stream
 * keeps for its whole life: the heap it needs is one block, whatever the blob's size.
 *
 * <p>The SDK's {@code BlobInputStream} needs several times that per block (it reads the block's response into
 * a list of copies, then gathers them into a growing array, while still holding the previous block): with
 * 4 MiB blocks that came close to 64 MiB of heap for one open stream. It also asked for the blob's properties
 * before the first block; here the first block is read when the stream is opened (an absent blob fails then,
 * as {@code BlobStore.open} promises) and its {@code Content-Range} gives the size.
 *
 * <p>Within a block the SDK resumes a broken response from where it broke ({@code DownloadRetryOptions}'
 * defaults). A block that still fails, or a response longer or shorter than asked for, fails the read with an
 * {@link IOException}. Not thread-safe, like any {@code InputStream}.
 */
final class BlockDownloadStream extends InputStream {

    private static final Pattern TOTAL = Pattern.compile("^bytes (?:\\d+-\\d+|\\*)/(\\d+)$");

    /** The first block's buffer starts this small and grows: most blobs are much smaller than a block. */
    private static final int FIRST_BUFFER = 64 * 1024;

    private final BlobClient blob;
    private final Duration timeout;
    private final Clock clock;
    private final int blockSize;
    private byte[] buffer;
    /** Offset in the blob of {@code buffer[0]}. */
    private long bufferStart;
    private int pos;
    private int limit;
    /** The blob's size, from the first block's {@code Content-Range}. */
    private long size;
    private boolean closed;

    private BlockDownloadStream(BlobClient blob, int blockSize, Duration timeout, Clock clock) {
        this.blob = requireNonNull(blob, "blob");
        this.timeout = requireNonNull(timeout, "timeout");
        this.clock = requireNonNull(clock, "clock");
        if (blockSize < 1) {
            throw new IllegalArgumentException("blockSize must be positive, was " + blockSize);
        }
        this.blockSize = blockSize;
    }

    /**
     * Reads the first block. SDK failures are left to the caller to translate (a 404 means the blob is
     * absent).
     *
     * @throws RuntimeException what the SDK throws
     */
    static BlockDownloadStream open(BlobClient blob, int blockSize, Duration timeout, Clock clock) {
        BlockDownloadStream in = new BlockDownloadStream(blob, blockSize, timeout, clock);
        in.first();
        return in;
    }

    private void first() {
        Sink sink = new Sink(new byte[Math.min(blockSize, FIRST_BUFFER)], blockSize);
        BlobDownloadResponse response;
        try {
            response = download(sink, 0, blockSize);
        } catch (RuntimeException e) {
            if (AzureErrors.status(e) == 416) {
                // A range of an empty blob cannot be satisfied; the blob is there (absent would be 404).
                size = 0;
                buffer = new byte[0];
                return;
            }
            throw e;
        }
        size = totalOf(response, sink.count);
        buffer = sink.bytes;
        limit = sink.count;
        long expected = Math.min(size, blockSize);
        if (limit != expected) {
            throw new TransientSyncException("azure download returned " + limit + " bytes of a block of " + expected);
        }
    }

    private BlobDownloadResponse download(Sink sink, long offset, long count) {
        return blob.downloadStreamWithResponse(sink, new BlobRange(offset, count), null, null, false, timeout,
                Context.NONE);
    }

    /** The total size from {@code Content-Range: bytes a-b/total}; the body's length when the whole blob came. */
    private static long totalOf(BlobDownloadResponse response, int received) {
        String range = response.getDeserializedHeaders().getContentRange();
        if (range == null) {
            return received;
        }
        Matcher m = TOTAL.matcher(range.trim());
        if (!m.matches()) {
            throw new PermanentSyncException("azure download returned an unreadable Content-Range");
        }
        return Long.parseLong(m.group(1));
    }

    /** Reads the next block into the buffer; false at the end of the blob. */
    private boolean fill() throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        long next = bufferStart + limit;
        if (next >= size) {
            return false;
        }
        int count = (int) Math.min(blockSize, size - next);
        if (buffer.length < count) {
            buffer = new byte[count];
        }
        Sink sink = new Sink(buffer, count);
        try {
            download(sink, next, count);
        } catch (RuntimeException e) {
            throw new IOException(AzureErrors.translate(e, "download block", clock).getMessage(), e);
        }
        if (sink.count != count) {
            throw new IOException("azure download returned " + sink.count + " bytes of a block of " + count);
        }
        bufferStart = next;
        pos = 0;
        limit = count;
        return true;
    }

    @Override
    public int read() throws IOException {
        if (pos == limit && !fill()) {
            return -1;
        }
        return buffer[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (pos == limit && !fill()) {
            return -1;
        }
        int n = Math.min(len, limit - pos);
        System.arraycopy(buffer, pos, b, off, n);
        pos += n;
        return n;
    }

    /** Skips within the block held, and over whole blocks without downloading them. */
    @Override
    public long skip(long n) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        if (n <= 0) {
            return 0;
        }
        long position = bufferStart + pos;
        long skipped = Math.min(n, size - position);
        long target = position + skipped;
        if (target <= bufferStart + limit) {
            pos = (int) (target - bufferStart);
        } else {
            bufferStart = target;
            pos = 0;
            limit = 0;
        }
        return skipped;
    }

    @Override
    public int available() {
        return closed ? 0 : limit - pos;
    }

    @Override
    public void close() {
        closed = true;
        buffer = new byte[0];
        pos = 0;
        limit = 0;
    }

    /**
     * Takes a response body into a buffer that grows, by doubling, up to {@code capacity}; more than that is
     * refused.
     */
    private static final class Sink extends OutputStream {
        private byte[] bytes;
        private final int capacity;
        private int count;

        Sink(byte[] bytes, int capacity) {
            this.bytes = bytes;
            this.capacity = capacity;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > capacity - count) {
                throw new IOException("azure download returned more bytes than the block asked for");
            }
            if (len > bytes.length - count) {
                int grown = bytes.length;
                while (grown < count + len) {
                    grown = (int) Math.min(capacity, 2L * grown);
                }
                bytes = Arrays.copyOf(bytes, grown);
            }
            System.arraycopy(b, off, bytes, count, len);
            count += len;
        }
    }
}
