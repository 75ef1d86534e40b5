/**
 * Engine internals: run loop, fileset pipeline, spooling, retries, outbox drain, blob collector.
 * Not public API: no compatibility promise; do not use from outside {@code com.silknote.sync.core}.
 *
 * <h2>How a run works</h2>
 * <ol>
 *   <li>{@link com.silknote.sync.core.internal.SyncEngine} takes the {@code vsrx-sync} lease (refused: nothing
 *       is touched), drains outbox entries a crashed run left, loads the resume state and lists filesets page
 *       by page in id order. Up to {@code filesetConcurrency} filesets run at once; their reports are collected
 *       in listing order.</li>
 *   <li>{@link com.silknote.sync.core.internal.FilesetSync} lists the fileset's files, plans them with the
 *       diff engine, checks the mass-delete guard, then downloads what the plan needs on a pool of
 *       {@code fileConcurrency} threads shared by all filesets: spool to a temp file while hashing and
 *       counting, check size, checksum and type, decide dedup, ensure the blob ({@code putNewIfAbsent}).</li>
 *   <li>After the lease is verified, one unit of work commits documents, mappings, reference counts, skips,
 *       outbox entries and the resume state. A commit is never retried within the run: its answer may have
 *       been lost after it happened, and reference counts are not idempotent. The fileset fails and the next
 *       run re-plans from what is stored.</li>
 *   <li>After the commit, content that was found already stored is checked again (another process may
 *       have collected it before the reference committed) and the fileset's outbox entries are worked off:
 *       processing, vector purges, blob collection.</li>
 * </ol>
 *
 * <h2>Blob collection</h2>
 * {@link com.silknote.sync.core.internal.BlobCollector} follows the ETag protocol of
 * {@link com.silknote.sync.core.model.BlobRef}. Within a process, a
 * {@link com.silknote.sync.core.internal.ContentRegistry} keeps the collector away from content a fileset is
 * about to reference; across processes the ETag protocol plus the post-commit check keep referenced blobs.
 *
 * <h2>Resume state</h2>
 * Filesets without changes commit nothing; the resume state of the run is saved with each fileset commit,
 * with each failure (a state-only unit of work) and at the end. {@code lastCompleteSync} moves to the run's
 * start only when a run that did not resume an interrupted one completes every fileset: a resumed run did
 * not look at the filesets the interrupted run had processed, so it keeps the older mark (incremental runs
 * may then re-check more filesets, never miss a change).
 */
package com.silknote.sync.core.internal;
