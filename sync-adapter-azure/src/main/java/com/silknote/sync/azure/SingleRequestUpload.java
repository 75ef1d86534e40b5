package com.silknote.sync.azure;

import static java.util.Objects.requireNonNull;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.core.util.DateTimeRfc1123;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.BlockBlobItem;
import com.azure.storage.blob.options.BlockBlobSimpleUploadOptions;
import com.azure.storage.blob.specialized.BlockBlobClient;
import com.silknote.sync.core.exception.ContentRejectedException;
import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobKey;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentMd5;
import com.silknote.sync.core.model.SkipReason;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;

/**
 * Content that fits one request, sent as one {@code Put Blob} through the container client's own
 * {@link HttpPipeline} (the host's credentials, retry options, HTTP client and policies): no blob client is
 * built per blob, and the request carries only what the service needs beyond the raw SDK upload's headers,
 * {@code Content-MD5} (the service refuses a body that does not match it) and, for a create,
 * {@code If-None-Match: *}.
 *
 * <p>The bytes are read into one exact-size array (a byte array is sent in small slices, see
 * {@code docs/azure.md}). An upload that carries the MD5 of its spooling pass is not hashed again: the service
 * checks the bytes against it. Without one, SHA-256 is verified here and MD5 computed, before sending.
 *
 * <p>A container client with a customer-provided key or an encryption scope adds headers of its own to
 * every request it builds; for such a client the upload goes through the SDK's block blob client instead,
 * with the same checksum and condition, so the host's encryption settings always apply. Thread-safe.
 */
final class SingleRequestUpload {
    private static final HttpHeaderName X_MS_VERSION = HttpHeaderName.fromString("x-ms-version");
    private static final HttpHeaderName X_MS_BLOB_TYPE = HttpHeaderName.fromString("x-ms-blob-type");
    /** Error bodies are small XML documents; anything longer is not read (the connection is dropped). */
    private static final int MAX_ERROR_BODY = 64 * 1024;
    private static final int READ_CHUNK = 64 * 1024;

    private final BlobContainerClient container;
    private final HttpPipeline pipeline;
    private final String containerUrl;
    private final String serviceVersion;
    private final Duration timeout;
    private final boolean viaSdk;

    SingleRequestUpload(BlobContainerClient container, Duration timeout) {
        this.container = requireNonNull(container, "container");
        this.pipeline = container.getHttpPipeline();
        this.containerUrl = container.getBlobContainerUrl();
        this.serviceVersion = container.getServiceVersion().getVersion();
        this.timeout = requireNonNull(timeout, "timeout");
        this.viaSdk = container.getCustomerProvidedKey() != null || container.getEncryptionScope() != null;
    }

    /**
     * Sends the content in one request.
     *
     * @param ifNoneMatch create only (409/412 when the blob exists), else overwrite
     * @throws ContentRejectedException with {@code SIZE_MISMATCH} or {@code CHECKSUM_MISMATCH}; nothing is
     *     stored then
     * @throws IOException           when the source cannot be read
     * @throws BlobStorageException  when the service refuses (the caller classifies it)
     * @throws RuntimeException      from the pipeline (I/O, timeout), for the caller to classify
     */
    BlobInfo put(BlobUpload upload, boolean ifNoneMatch) throws IOException {
        byte[] data = readExactly(upload);
        ContentMd5 md5 = upload.md5().isPresent() ? upload.md5().get() : Digests.verified(upload, data, data.length);
        if (viaSdk) {
            return putWithSdkClient(upload, data, md5, ifNoneMatch);
        }
        HttpRequest request = new HttpRequest(HttpMethod.PUT, containerUrl + "/" + BlobKey.of(upload.hash()).value());
        request.setHeader(X_MS_VERSION, serviceVersion);
        request.setHeader(X_MS_BLOB_TYPE, "BlockBlob");
        request.setHeader(HttpHeaderName.CONTENT_LENGTH, Integer.toString(data.length));
        request.setHeader(HttpHeaderName.CONTENT_MD5, md5.base64());
        if (ifNoneMatch) {
            request.setHeader(HttpHeaderName.IF_NONE_MATCH, "*");
        }
        request.setBody(BinaryData.fromBytes(data));
        HttpResponse response = pipeline.send(request, Context.NONE).block(timeout);
        if (response == null) {
            throw new IllegalStateException("the pipeline answered nothing");
        }
        try (response) {
            int status = response.getStatusCode();
            if (status == 201) {
                String etag = response.getHeaderValue(HttpHeaderName.ETAG);
                if (etag == null) {
                    throw new IllegalStateException("Put Blob answered without an ETag");
                }
                return new BlobInfo(upload.hash(), upload.size(), etag,
                        lastModified(response.getHeaderValue(HttpHeaderName.LAST_MODIFIED)));
            }
            BlobStorageException refused = new BlobStorageException("Status code " + status, drained(response), null);
            if (status == 400 && BlobErrorCode.MD5MISMATCH.equals(refused.getErrorCode())) {
                throw new ContentRejectedException(SkipReason.CHECKSUM_MISMATCH,
                        "content of " + upload.hash() + " does not match its MD5 (changed since it was hashed)");
            }
            throw refused;
        }
    }

    /** The same request built by the SDK's block blob client, which adds the client's encryption headers. */
    private BlobInfo putWithSdkClient(BlobUpload upload, byte[] data, ContentMd5 md5, boolean ifNoneMatch) {
        BlockBlobClient client = container.getBlobClient(BlobKey.of(upload.hash()).value()).getBlockBlobClient();
        try {
            BlockBlobItem item = client.uploadWithResponse(new BlockBlobSimpleUploadOptions(BinaryData.fromBytes(data))
                    .setContentMd5(md5.bytes())
                    .setRequestConditions(ifNoneMatch ? new BlobRequestConditions().setIfNoneMatch("*") : null),
                    timeout, Context.NONE).getValue();
            return new BlobInfo(upload.hash(), upload.size(), item.getETag(), item.getLastModified().toInstant());
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 400 && BlobErrorCode.MD5MISMATCH.equals(e.getErrorCode())) {
                throw new ContentRejectedException(SkipReason.CHECKSUM_MISMATCH,
                        "content of " + upload.hash() + " does not match its MD5 (changed since it was hashed)");
            }
            throw e;
        }
    }

    /** The whole content, exactly {@code upload.size()} bytes; anything else is {@code SIZE_MISMATCH}. */
    private static byte[] readExactly(BlobUpload upload) throws IOException {
        byte[] data = new byte[(int) upload.size()];
        try (InputStream in = AzureBlobStore.openSource(upload)) {
            int n = readFully(in, data, data.length);
            if (n < data.length) {
                throw Digests.sizeMismatch(upload, n);
            }
            if (in.read() != -1) {
                throw Digests.longer(upload);
            }
        }
        return data;
    }

    /**
     * Reads up to {@code length} bytes into {@code buffer}, at most {@value #READ_CHUNK} per call: a file
     * channel reads a larger heap array through a temporary direct buffer of the same size, which the JDK
     * caches per thread and reallocates whenever a larger one is needed.
     *
     * @return the bytes read; less than {@code length} only at the end of the stream
     */
    static int readFully(InputStream in, byte[] buffer, int length) throws IOException {
        int off = 0;
        while (off < length) {
            int n = in.read(buffer, off, Math.min(READ_CHUNK, length - off));
            if (n < 0) {
                break;
            }
            off += n;
        }
        return off;
    }

    /** A buffered copy of a refusal (status, headers, a bounded body), so the connection can be reused. */
    private static HttpResponse drained(HttpResponse response) {
        try (InputStream body = response.getBodyAsBinaryData().toStream()) {
            body.readNBytes(MAX_ERROR_BODY);
        } catch (IOException | UncheckedIOException | IllegalStateException ignored) {
            // only status and headers are used
        }
        return response;
    }

    private static Instant lastModified(String header) {
        if (header == null) {
            throw new IllegalStateException("Put Blob answered without Last-Modified");
        }
        try {
            // The SDK's own RFC 1123 parser: java.time's formatter costs more than the rest of the request.
            return new DateTimeRfc1123(header).getDateTime().toInstant();
        } catch (RuntimeException e) {
            throw new IllegalStateException("Put Blob answered an unreadable Last-Modified", e);
        }
    }
}
