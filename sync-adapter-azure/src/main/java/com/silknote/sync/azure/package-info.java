/**
 * Azure Blob Storage adapters: the content-addressed {@link com.silknote.sync.azure.AzureBlobStore} and the
 * lease-based {@link com.silknote.sync.azure.AzureBlobLeaseLock}. Both take a ready
 * {@link com.azure.storage.blob.BlobContainerClient} built by the host, which owns credentials, proxy and
 * SDK options; configure it with one try per call
 * ({@link com.silknote.sync.azure.AzureBlobStore#recommendedRetryOptions(java.time.Duration)}), since the
 * engine retries. {@link com.silknote.sync.azure.UrlConnectionAzureHttpClient} is an SDK transport a host may
 * give that client (the embedded default does): each request runs on the calling thread, with no thread
 * hand-off per request.
 *
 * <p>Nullness: no parameter or return value is {@code null}; absence is {@link java.util.Optional}.
 */
package com.silknote.sync.azure;
