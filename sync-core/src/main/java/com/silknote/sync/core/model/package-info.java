/**
 * The domain model of vsrx-sync: immutable records, ids and configuration.
 *
 * <p>Nullness: no parameter, component or return value is {@code null}; absence is {@link java.util.Optional}.
 * Records that hold patient data (paths, patient ids, metadata) redact it in {@code toString()}.
 */
package com.silknote.sync.core.model;
