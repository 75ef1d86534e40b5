/**
 * Content addressing and deduplication: streaming SHA-256 while spooling a download to a temporary file
 * (never the whole file in memory), size limits enforced while streaming, and the dedup decision.
 *
 * <p>Nullness: no parameter or return value is {@code null}; absence is {@link java.util.Optional}.
 */
package com.silknote.sync.core.dedup;
