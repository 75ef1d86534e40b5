package com.silknote.sync.azure;

import static java.util.Objects.requireNonNull;

import com.azure.core.http.rest.Response;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlockBlobItem;
import com.azure.storage.blob.options.BlockBlobCommitBlockListOptions;
import com.azure.storage.blob.options.BlockBlobStageBlockOptions;
import com.azure.storage.blob.specialized.BlockBlobClient;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobKey;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentMd5;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Content larger than one request: read once in blocks of {@link AzureBlobStoreConfig#blockSizeBytes()},
 * each block staged ({@code Put Block}) with its own MD5, which the service checks, up to
 * {@link AzureBlobStoreConfig#maxConcurrency()} at a time from pooled buffers; the whole SHA-256 and size
 * are computed while reading, and the block list is committed ({@code Put Block List}) only when they match
 * the declaration. Two digests per byte: the block MD5 and the whole SHA-256 (plus the whole MD5 when the
 * upload does not carry one). Thread-safe.
 *
 * <p>Block ids: base64 of the block's index (4 bytes), its MD5 (16 bytes) and 16 zero bytes. Derived from
 * the content, so concurrent writers of one name can only stage identical bytes under one id (a damaged
 * writer's block gets another id and never enters an honest writer's commit); 36 bytes long like the ids of
 * earlier versions, because the service refuses a block whose id length differs from the uncommitted
 * blocks already staged under the name.
 */
final class StagedBlockUpload {
    private static final Logger log = LoggerFactory.getLogger(StagedBlockUpload.class);

    private static final ExecutorService STAGING = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30,
            TimeUnit.SECONDS, new SynchronousQueue<>(), AzureBlobStore.daemonThreads("vsrx-sync-azure-stage-"));

    private final BlobContainerClient container;
    private final AzureBlobStoreConfig config;
    private final Clock clock;

    StagedBlockUpload(BlobContainerClient container, AzureBlobStoreConfig config, Clock clock) {
        this.container = requireNonNull(container, "container");
        this.config = requireNonNull(config, "config");
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * Stages and commits.
     *
     * @param conditions of the commit ({@code If-None-Match: *} for a create), or null
     * @throws com.silknote.sync.core.exception.ContentRejectedException with {@code SIZE_MISMATCH} or
     *     {@code CHECKSUM_MISMATCH}; nothing is committed then
     * @throws IOException when the source cannot be read
     * @throws RuntimeException from the SDK's commit, for the caller to classify
     */
    BlobInfo put(BlobUpload upload, BlobRequestConditions conditions) throws IOException {
        BlockBlobClient block = container.getBlobClient(BlobKey.of(upload.hash()).value()).getBlockBlobClient();
        int blockSize = (int) config.blockSizeBytes();
        int parallel = config.maxConcurrency();
        BlockingQueue<byte[]> pool = new ArrayBlockingQueue<>(parallel);
        int allocated = 0;
        List<Future<?>> inFlight = new ArrayList<>();
        List<String> blockIds = new ArrayList<>();
        var whole = Digests.sha256();
        var wholeMd5 = upload.md5().isPresent() ? null : Digests.md5();
        long total = 0;
        try (InputStream in = AzureBlobStore.openSource(upload)) {
            while (true) {
                byte[] buffer;
                if (allocated < parallel) {
                    buffer = new byte[blockSize];
                    allocated++;
                } else {
                    buffer = pool.take();
                }
                failFast(inFlight);
                int n = SingleRequestUpload.readFully(in, buffer, blockSize);
                if (n == 0) {
                    pool.add(buffer);
                    break;
                }
                total += n;
                if (total > upload.size()) {
                    throw Digests.longer(upload);
                }
                whole.update(buffer, 0, n);
                if (wholeMd5 != null) {
                    wholeMd5.update(buffer, 0, n);
                }
                var partMd5 = Digests.md5();
                partMd5.update(buffer, 0, n);
                byte[] md5 = partMd5.digest();
                String id = blockId(blockIds.size(), md5);
                blockIds.add(id);
                byte[] pooled = buffer;
                // A byte array is sent in small slices; a ByteBuffer would go to the socket whole and make
                // the JDK cache a block-sized direct buffer per writing thread.
                byte[] body = n == blockSize ? buffer : Arrays.copyOf(buffer, n);
                inFlight.add(STAGING.submit(() -> {
                    try {
                        block.stageBlockWithResponse(new BlockBlobStageBlockOptions(id, BinaryData.fromBytes(body))
                                .setContentMd5(md5), config.operationTimeout(), Context.NONE);
                    } finally {
                        pool.add(pooled);
                    }
                    return null;
                }));
                if (n < blockSize) {
                    break;
                }
            }
            awaitAll(inFlight);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancelAll(inFlight);
            throw new TransientSyncException("upload of " + upload.hash() + " interrupted", e);
        } catch (RuntimeException | IOException e) {
            cancelAll(inFlight);
            throw e;
        }
        if (total != upload.size()) {
            throw Digests.sizeMismatch(upload, total);
        }
        Digests.verifyHash(upload, whole.digest());
        ContentMd5 md5 = upload.md5().orElseGet(() -> ContentMd5.ofBytes(wholeMd5.digest()));
        Response<BlockBlobItem> r = block.commitBlockListWithResponse(new BlockBlobCommitBlockListOptions(blockIds)
                .setHeaders(new BlobHttpHeaders().setContentMd5(md5.bytes())).setRequestConditions(conditions),
                config.operationTimeout(), Context.NONE);
        log.debug("committed hash={} blocks={}", upload.hash().shortHex(), blockIds.size());
        BlockBlobItem item = r.getValue();
        return new BlobInfo(upload.hash(), upload.size(), item.getETag(), item.getLastModified().toInstant());
    }

    /** Rethrows the failure of a finished staging call, so a failing upload stops reading early. */
    private void failFast(List<Future<?>> inFlight) throws InterruptedException {
        for (Future<?> f : inFlight) {
            if (f.isDone()) {
                get(f);
            }
        }
    }

    private void awaitAll(List<Future<?>> inFlight) throws InterruptedException {
        for (Future<?> f : inFlight) {
            get(f);
        }
    }

    private void get(Future<?> f) throws InterruptedException {
        try {
            f.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw AzureErrors.translate(re, "stage block", clock);
            }
            throw new PermanentSyncException("stage block failed: " + cause.getClass().getSimpleName(), cause);
        }
    }

    /** Stops queued staging calls and waits for running ones, so nothing is staged after we return. */
    private static void cancelAll(List<Future<?>> inFlight) {
        for (Future<?> f : inFlight) {
            f.cancel(false);
        }
        for (Future<?> f : inFlight) {
            try {
                if (!f.isCancelled()) {
                    f.get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | RuntimeException ignored) {
                // the first failure is what the caller reports
            }
        }
    }

    /** Base64 of index (4 bytes), block MD5 (16) and 16 zero bytes: 36 bytes for every block. */
    static String blockId(int index, byte[] md5) {
        byte[] raw = ByteBuffer.allocate(36).putInt(index).put(md5).array();
        return Base64.getEncoder().encodeToString(raw);
    }
}
