package com.silknote.sync.azure;

import static java.util.Objects.requireNonNull;

import com.azure.storage.blob.models.ParallelTransferOptions;
import java.time.Duration;

/**
 * Transfer settings of an {@link AzureBlobStore}.
 *
 * <p>Peak heap per upload is about {@code maxConcurrency × blockSizeBytes} for large content and
 * {@code maxSingleUploadBytes} for content small enough to go in one request; it never depends on the
 * content's size. Uploads run concurrently (the engine's {@code fileConcurrency}, default 8), so the bound
 * for the store as a whole is about {@code fileConcurrency × max(maxSingleUploadBytes,
 * maxConcurrency × blockSizeBytes)}: 8 × 16 MiB = 128 MiB with the defaults. Raising
 * {@code maxSingleUploadBytes} sends more files in one request (fewer requests per byte) at the price of
 * {@code fileConcurrency × maxSingleUploadBytes} of buffers.
 *
 * @param blockSizeBytes       size of each staged block (1 B .. 256 MiB); also the size of each ranged read of {@code open}
 * @param maxConcurrency       blocks of one upload staged in parallel (1..32)
 * @param maxSingleUploadBytes content up to this size is buffered, verified and sent in one request
 *                             (0 .. 256 MiB)
 * @param operationTimeout     timeout of each service call (one block, one commit, one property read)
 */
public record AzureBlobStoreConfig(long blockSizeBytes, int maxConcurrency, long maxSingleUploadBytes,
        Duration operationTimeout) {

    /** Largest block or single-request buffer this adapter allocates. */
    public static final long MAX_BUFFER_BYTES = 256L * 1024 * 1024;

    /**
     * @throws IllegalArgumentException when a value is out of range
     * @throws NullPointerException     when {@code operationTimeout} is null
     */
    public AzureBlobStoreConfig {
        if (blockSizeBytes < 1 || blockSizeBytes > MAX_BUFFER_BYTES) {
            throw new IllegalArgumentException("blockSizeBytes must be in 1.." + MAX_BUFFER_BYTES + ", was "
                    + blockSizeBytes);
        }
        if (maxConcurrency < 1 || maxConcurrency > 32) {
            throw new IllegalArgumentException("maxConcurrency must be in 1..32, was " + maxConcurrency);
        }
        if (maxSingleUploadBytes < 0 || maxSingleUploadBytes > MAX_BUFFER_BYTES) {
            throw new IllegalArgumentException("maxSingleUploadBytes must be in 0.." + MAX_BUFFER_BYTES + ", was "
                    + maxSingleUploadBytes);
        }
        requireNonNull(operationTimeout, "operationTimeout");
        if (operationTimeout.isNegative() || operationTimeout.isZero()) {
            throw new IllegalArgumentException("operationTimeout must be positive");
        }
    }

    /**
     * 4 MiB blocks, 4 in parallel, single request up to 8 MiB, 60 s per call. A single request of up to
     * 8 MiB needs no more buffer than one staged upload (4 × 4 MiB), so the store's bound stays
     * {@code fileConcurrency × 16 MiB}, and content of 4..8 MiB takes one request instead of three.
     */
    public static AzureBlobStoreConfig defaults() {
        return new AzureBlobStoreConfig(4L * 1024 * 1024, 4, 8L * 1024 * 1024, Duration.ofSeconds(60));
    }

    /**
     * A copy taking block size, maximum concurrency and maximum single-upload size from the SDK's options
     * where they are set (the progress listener is not used).
     *
     * @throws IllegalArgumentException when a value is out of range
     */
    public AzureBlobStoreConfig withParallelTransferOptions(ParallelTransferOptions options) {
        requireNonNull(options, "options");
        long block = options.getBlockSizeLong() != null ? options.getBlockSizeLong() : blockSizeBytes;
        int concurrency = options.getMaxConcurrency() != null ? options.getMaxConcurrency() : maxConcurrency;
        long single = options.getMaxSingleUploadSizeLong() != null
                ? options.getMaxSingleUploadSizeLong() : maxSingleUploadBytes;
        return new AzureBlobStoreConfig(block, concurrency, single, operationTimeout);
    }

    /** A copy with another per-call timeout. @throws IllegalArgumentException when not positive */
    public AzureBlobStoreConfig withOperationTimeout(Duration timeout) {
        return new AzureBlobStoreConfig(blockSizeBytes, maxConcurrency, maxSingleUploadBytes, timeout);
    }
}
