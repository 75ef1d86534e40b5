package com.silknote.sync.azure;

import static java.util.Objects.requireNonNull;

import com.azure.core.http.rest.PagedResponse;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.models.ParallelTransferOptions;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import com.silknote.sync.core.exception.ContentRejectedException;
import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.SyncException;
import com.silknote.sync.core.exception.TransientSyncException;
import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobKey;
import com.silknote.sync.core.model.BlobPutResult;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.port.BlobStore;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The content-addressed {@link BlobStore} on Azure Blob Storage (block blobs).
 *
 * <p><b>Layout.</b> The blob of hash {@code h} is named {@link BlobKey#of(ContentHash) sha256/ab/cd/<h>};
 * its {@code Content-MD5} property is the MD5 of the whole content. No metadata, no content type (the
 * ledger holds the verified type): a blob carries nothing but its bytes, and names carry no patient data.
 *
 * <p><b>Verified, invisible until verified.</b> Content up to {@link AzureBlobStoreConfig#maxSingleUploadBytes()}
 * goes in one {@code Put Blob} sent through the container client's own pipeline (no blob client per blob)
 * with {@code Content-MD5}: the MD5 that {@link BlobUpload#md5()} carries from the spooling pass (the
 * service then refuses bytes that changed since they were hashed, so they are not hashed again here), or,
 * for an upload without one, an MD5 computed after its SHA-256 was checked. Larger content is read once in
 * blocks of {@link AzureBlobStoreConfig#blockSizeBytes()}, each staged with its own MD5 (checked by the
 * service) under an id derived from its index and MD5; SHA-256 and size are computed while reading and the
 * block list is committed only when the whole content matched its declared hash and size. A rejected upload
 * never becomes visible under the blob's name (a refused {@code Put Blob} stores nothing; staged blocks stay
 * uncommitted and the service discards them).
 *
 * <p><b>Conditions.</b> {@link #putIfAbsent} and {@link #putNewIfAbsent} create with
 * {@code If-None-Match: *}: of two uploaders of the same content one creates, the other gets the existing
 * blob. {@code putIfAbsent} reads the blob's properties first and does not read the source of an existing
 * blob; {@code putNewIfAbsent} sends the content at once (one request for new content that fits a single
 * request, and the ETag of the answer: nothing is read back) and reads the properties only when the
 * service refuses (409/412). {@link #overwrite} writes unconditionally, which gives a new ETag.
 * {@link #deleteIfMatch} deletes with {@code If-Match}.
 *
 * <p><b>Retries.</b> Exactly one retry layer: the engine's. The host builds the {@link BlobContainerClient}
 * (credentials, proxy, HTTP client, SDK options) and should give it {@link #recommendedRetryOptions(Duration)}
 * (one try per call). Throttling (429, 503, 500 with {@code Retry-After}), timeouts and I/O errors become
 * {@link TransientSyncException} carrying the service's {@code Retry-After}; 401/403 and other client
 * errors {@link PermanentSyncException} with the status code.
 *
 * <p>Thread-safe and immutable. Staging threads are daemon threads shared by all instances.
 */
public final class AzureBlobStore implements BlobStore {

    private static final Logger log = LoggerFactory.getLogger(AzureBlobStore.class);

    /** Prefix of every content blob; {@link #list} lists only under it. */
    static final String LAYOUT_PREFIX = "sha256/";
    private static final Pattern LAYOUT = Pattern.compile("sha256/([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})");
    private static final int MAX_LIMIT = 1000;

    private final BlobContainerClient container;
    private final AzureBlobStoreConfig config;
    private final Clock clock;
    private final SingleRequestUpload single;
    private final StagedBlockUpload staged;

    /**
     * @param container the container holding the blobs, built by the host (see the class documentation on
     *                  retries)
     * @param config    transfer settings
     * @param clock     reads {@code Retry-After} dates
     */
    @Inject
    public AzureBlobStore(BlobContainerClient container, AzureBlobStoreConfig config, Clock clock) {
        this.container = requireNonNull(container, "container");
        this.config = requireNonNull(config, "config");
        this.clock = requireNonNull(clock, "clock");
        this.single = new SingleRequestUpload(container, config.operationTimeout());
        this.staged = new StagedBlockUpload(container, config, clock);
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder pre-filled with this store's settings. */
    public Builder newBuilder() {
        Builder b = new Builder().container(container).clock(clock);
        b.config = config;
        return b;
    }

    /**
     * The retry options this adapter expects on the host's client: a single try per call with the given
     * per-try timeout, because the engine retries (with backoff, jitter and {@code Retry-After}) and two
     * layers would multiply attempts. Pass it to {@code BlobServiceClientBuilder.retryOptions(...)} or
     * {@code BlobContainerClientBuilder.retryOptions(...)}.
     *
     * @param tryTimeout timeout of one try (whole seconds, at least one)
     * @throws IllegalArgumentException when {@code tryTimeout} is shorter than a second
     */
    public static RequestRetryOptions recommendedRetryOptions(Duration tryTimeout) {
        requireNonNull(tryTimeout, "tryTimeout");
        if (tryTimeout.getSeconds() < 1) {
            throw new IllegalArgumentException("tryTimeout must be at least one second");
        }
        return new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, 1, tryTimeout, null, null, null);
    }

    /** The transfer settings in use. */
    public AzureBlobStoreConfig config() {
        return config;
    }

    /**
     * {@inheritDoc}
     *
     * @throws ContentRejectedException with {@code SIZE_MISMATCH} or {@code CHECKSUM_MISMATCH}; nothing is
     *     committed then
     * @throws TransientSyncException on throttling, timeouts, I/O errors or a source that cannot be read
     * @throws PermanentSyncException on other service errors
     */
    @Override
    public BlobPutResult putIfAbsent(BlobUpload upload) {
        requireNonNull(upload, "upload");
        Optional<BlobInfo> existing = stat(upload.hash());
        if (existing.isPresent()) {
            log.debug("blob exists hash={}", upload.hash().shortHex());
            return new BlobPutResult(existing.get(), false);
        }
        return create(upload);
    }

    /** {@code true}: the upload's MD5 is sent as {@code Content-MD5}, so the spooling pass computes it. */
    @Override
    public boolean usesContentMd5() {
        return true;
    }

    /**
     * {@inheritDoc} Sends the content at once with {@code If-None-Match: *} and reads the blob's properties
     * only when the service refuses (409/412: the blob exists): one request for new content that fits
     * {@link AzureBlobStoreConfig#maxSingleUploadBytes()}, no property read and no not-found error. The
     * content is still checked (by the service against the carried MD5, or here) by the request that makes it
     * visible; an existing blob is never touched.
     *
     * @throws ContentRejectedException with {@code SIZE_MISMATCH} or {@code CHECKSUM_MISMATCH}; nothing is
     *     committed then
     * @throws TransientSyncException on throttling, timeouts, I/O errors or a source that cannot be read
     * @throws PermanentSyncException on other service errors
     */
    @Override
    public BlobPutResult putNewIfAbsent(BlobUpload upload) {
        requireNonNull(upload, "upload");
        return create(upload);
    }

    /** Conditional create; a refusal answers the stored blob. */
    private BlobPutResult create(BlobUpload upload) {
        try {
            BlobInfo info = write(upload, true);
            log.debug("put hash={} size={} created=true", upload.hash().shortHex(), upload.size());
            return new BlobPutResult(info, true);
        } catch (RuntimeException e) {
            if (e instanceof SyncException) {
                throw e;
            }
            int status = AzureErrors.status(e);
            boolean lostRace = status == 409 || status == 412 || AzureErrors.hasCode(e, BlobErrorCode.INVALID_BLOCK_LIST);
            if (!lostRace) {
                throw AzureErrors.translate(e, "put blob", clock);
            }
            Optional<BlobInfo> winner = stat(upload.hash());
            if (winner.isEmpty()) {
                throw new TransientSyncException("blob " + upload.hash()
                        + " was created and removed concurrently; retry", e);
            }
            log.debug("put hash={} created=false (concurrent writer)", upload.hash().shortHex());
            return new BlobPutResult(winner.get(), false);
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws ContentRejectedException with {@code SIZE_MISMATCH} or {@code CHECKSUM_MISMATCH}; the stored
     *     blob, if any, is left untouched then
     * @throws TransientSyncException on throttling, timeouts, I/O errors, a source that cannot be read, or
     *     when a concurrent delete discarded the staged blocks
     * @throws PermanentSyncException on other service errors
     */
    @Override
    public BlobInfo overwrite(BlobUpload upload) {
        requireNonNull(upload, "upload");
        try {
            BlobInfo info = write(upload, false);
            log.debug("overwrite hash={} size={}", upload.hash().shortHex(), upload.size());
            return info;
        } catch (RuntimeException e) {
            if (e instanceof SyncException) {
                throw e;
            }
            if (AzureErrors.hasCode(e, BlobErrorCode.INVALID_BLOCK_LIST)) {
                throw new TransientSyncException("staged blocks of " + upload.hash()
                        + " were discarded by a concurrent change; retry", e);
            }
            throw AzureErrors.translate(e, "overwrite blob", clock);
        }
    }

    /** {@inheritDoc} @throws SyncException translated as described on the class */
    @Override
    public Optional<BlobInfo> stat(ContentHash hash) {
        requireNonNull(hash, "hash");
        try {
            BlobProperties p = blob(hash).getPropertiesWithResponse(null, config.operationTimeout(), Context.NONE)
                    .getValue();
            return Optional.of(new BlobInfo(hash, p.getBlobSize(), p.getETag(), p.getLastModified().toInstant()));
        } catch (RuntimeException e) {
            if (AzureErrors.status(e) == 404) {
                return Optional.empty();
            }
            throw AzureErrors.translate(e, "get blob properties", clock);
        }
    }

    /**
     * {@inheritDoc} The stream downloads {@link AzureBlobStoreConfig#blockSizeBytes()} at a time, one ranged
     * request per block into one buffer it keeps (the heap an open stream needs is one block); the first block
     * is read here. It does not pin the ETag: the name is content-addressed, so a concurrent overwrite stores
     * the same bytes. Failures while reading surface as {@link IOException} from the stream.
     *
     * @throws PermanentSyncException with status 404 when absent, or on other service errors
     * @throws TransientSyncException on throttling, timeouts and I/O errors
     */
    @Override
    public InputStream open(ContentHash hash) {
        requireNonNull(hash, "hash");
        try {
            return BlockDownloadStream.open(blob(hash), (int) config.blockSizeBytes(), config.operationTimeout(),
                    clock);
        } catch (RuntimeException e) {
            if (AzureErrors.status(e) == 404) {
                throw new PermanentSyncException("blob " + hash + " does not exist", 404, e);
            }
            throw AzureErrors.translate(e, "open blob", clock);
        }
    }

    /** {@inheritDoc} @throws SyncException translated as described on the class */
    @Override
    public boolean deleteIfMatch(ContentHash hash, String etag) {
        requireNonNull(hash, "hash");
        requireNonNull(etag, "etag");
        try {
            blob(hash).deleteWithResponse(null, new BlobRequestConditions().setIfMatch(etag),
                    config.operationTimeout(), Context.NONE);
            log.debug("deleted hash={}", hash.shortHex());
            return true;
        } catch (RuntimeException e) {
            int status = AzureErrors.status(e);
            if (status == 404 || status == 412) {
                log.debug("delete refused hash={} status={}", hash.shortHex(), status);
                return false;
            }
            throw AzureErrors.translate(e, "delete blob", clock);
        }
    }

    /**
     * {@inheritDoc} Only names of the {@code sha256/} layout are listed; the cursor is the service's
     * continuation marker. A page may hold fewer than {@code limit} items and still have a next cursor.
     *
     * @throws IllegalArgumentException when {@code limit} is outside 1..1000
     * @throws SyncException translated as described on the class
     */
    @Override
    public Page<BlobInfo> list(Optional<String> cursor, int limit) {
        requireNonNull(cursor, "cursor");
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be in 1.." + MAX_LIMIT + ", was " + limit);
        }
        try {
            ListBlobsOptions options = new ListBlobsOptions().setPrefix(LAYOUT_PREFIX).setMaxResultsPerPage(limit);
            Iterator<PagedResponse<BlobItem>> pages = container
                    .listBlobs(options, cursor.orElse(null), config.operationTimeout())
                    .iterableByPage(limit).iterator();
            if (!pages.hasNext()) {
                return Page.last(List.of());
            }
            try (PagedResponse<BlobItem> page = pages.next()) {
                List<BlobInfo> items = new ArrayList<>();
                for (BlobItem item : page.getValue()) {
                    Matcher m = LAYOUT.matcher(item.getName());
                    if (!m.matches() || !m.group(3).startsWith(m.group(1) + m.group(2))) {
                        continue;
                    }
                    var p = item.getProperties();
                    items.add(new BlobInfo(ContentHash.ofHex(m.group(3)), p.getContentLength(), p.getETag(),
                            p.getLastModified().toInstant()));
                }
                String next = page.getContinuationToken();
                return new Page<>(items, next == null || next.isEmpty() ? Optional.empty() : Optional.of(next));
            } catch (IOException e) {
                throw new TransientSyncException("closing a blob listing page failed", e);
            }
        } catch (RuntimeException e) {
            throw AzureErrors.translate(e, "list blobs", clock);
        }
    }

    private BlobClient blob(ContentHash hash) {
        return container.getBlobClient(BlobKey.of(hash).value());
    }

    // ---------------------------------------------------------------------------------------------- upload

    /** Uploads and verifies; SDK exceptions of the final request are left to the caller to classify. */
    private BlobInfo write(BlobUpload upload, boolean ifNoneMatch) {
        try {
            if (upload.size() <= config.maxSingleUploadBytes()) {
                return single.put(upload, ifNoneMatch);
            }
            return staged.put(upload, ifNoneMatch ? new BlobRequestConditions().setIfNoneMatch("*") : null);
        } catch (IOException e) {
            throw new TransientSyncException("reading the upload source of " + upload.hash() + " failed", e);
        }
    }

    static InputStream openSource(BlobUpload upload) {
        try {
            return requireNonNull(upload.source().open(), "source stream");
        } catch (IOException e) {
            throw new TransientSyncException("opening the upload source of " + upload.hash() + " failed", e);
        }
    }

    static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Builds an {@link AzureBlobStore}. Not thread-safe. */
    public static final class Builder {
        private BlobContainerClient container;
        private AzureBlobStoreConfig config = AzureBlobStoreConfig.defaults();
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** The host's container client (required); see the class documentation on retries. */
        public Builder container(BlobContainerClient container) {
            this.container = requireNonNull(container, "container");
            return this;
        }

        /**
         * Block size, maximum concurrency and maximum single-upload size, from the SDK's options (unset
         * fields keep their defaults: 4 MiB, 4, 8 MiB).
         *
         * @throws IllegalArgumentException when a value is out of the ranges of {@link AzureBlobStoreConfig}
         */
        public Builder parallelTransferOptions(ParallelTransferOptions options) {
            this.config = config.withParallelTransferOptions(options);
            return this;
        }

        /** Timeout of each service call; default 60 s. @throws IllegalArgumentException when not positive */
        public Builder operationTimeout(Duration timeout) {
            this.config = config.withOperationTimeout(timeout);
            return this;
        }

        /** Clock for {@code Retry-After} dates; default the system UTC clock. */
        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /** Builds the store. @throws IllegalStateException when no container was set */
        public AzureBlobStore build() {
            if (container == null) {
                throw new IllegalStateException("container is required");
            }
            return new AzureBlobStore(container, config, clock);
        }
    }
}
