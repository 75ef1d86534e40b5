/**
 * Micrometer binding: {@link com.silknote.sync.micrometer.MicrometerSyncListener} turns each finished run's
 * report into meters (the figures of DESIGN rule 15, per-outcome and per-action counters, and the alert
 * levels the core evaluated). Meter names, tags and units: {@code docs/metrics.md}.
 *
 * <p>Nullness: no parameter or return value is {@code null}; absence is {@link java.util.Optional}.
 */
package com.silknote.sync.micrometer;
