package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

/**
 * The answer of a VSRX write.
 *
 * @param file     the file as the write left it (new ETag, size, SHA-256, {@code deleted} for a delete); for a
 *                 repeated key, as the first write with that key left it
 * @param replayed {@code true} when the key had been used before and nothing was changed now
 */
public record VsrxWriteResult(VsrxFile file, boolean replayed) {
    public VsrxWriteResult {
        requireNonNull(file, "file");
    }
}
