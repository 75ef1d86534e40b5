/**
 * A content-addressed {@link com.silknote.sync.core.port.BlobStore} on a local directory
 * ({@link com.silknote.sync.fs.FileSystemBlobStore}), the embedded default for hosts without Azure.
 *
 * <p>Nullness: no parameter or return value is {@code null}; absence is {@link java.util.Optional}.
 */
package com.silknote.sync.fs;
