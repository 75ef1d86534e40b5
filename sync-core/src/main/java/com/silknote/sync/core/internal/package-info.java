/**
 * Engine internals: run loop, fileset pipeline, spooling, retries, outbox drain, blob collector.
 * Not public API: no compatibility promise; do not use from outside {@code com.silknote.sync.core}.
 *
 * <h2>How a run works</h2>
 * <ol>
 *   <li>{@link com.silknote.sync.core.internal.SyncEngine} takes the {@code vsrx-sync} lease with one request
 *       id for every retry (refused: nothing is touched, unless a scale-out run is open under the holder's token,
 *       which the call then joins as a worker), fences the store with its token before reading anything, records
 *       the run's start, drains outbox entries a crashed run left, loads the resume state and lists filesets
 *       page by page in id order (the first page's server time is the run's watermark). The
 *       {@link com.silknote.sync.core.internal.Dispatcher} runs up to {@code filesetConcurrency} filesets at once
 *       and, as each finishes, records its report in the run history, adds it to the
 *       {@link com.silknote.sync.core.internal.RunTally} (totals, metrics, a bounded selection) and tells the
 *       listener: nothing is kept per finished fileset. Before a fileset starts the run checks for a stop request
 *       and its budget ({@link com.silknote.sync.core.internal.RunMeter}); either ends it at that boundary
 *       ({@code STOPPED}). A full listing is then compared with the filesets Silknote holds ({@code VANISHED});
 *       an incremental one is followed by the failed filesets it did not return. Downloads pass through the
 *       {@link com.silknote.sync.core.internal.DownloadThrottle} when a bandwidth cap is set.</li>
 *   <li>{@link com.silknote.sync.core.internal.FilesetSync} lists the fileset's files, reads its record,
 *       mappings and documents, asks {@link com.silknote.sync.core.internal.HistoryChecks} for records other
 *       filesets hold of its ids, plans them with the diff engine, checks the mass-delete guard, then downloads
 *       what the plan needs on a pool of {@code fileConcurrency} threads shared by all filesets: spool to a
 *       temp file while hashing and counting, check size, checksum and type, decide dedup, ensure the blob
 *       ({@code putNewIfAbsent}; {@code putIfAbsent} for content the run already saw stored,
 *       {@link com.silknote.sync.core.internal.StoredContentHints}).</li>
 *   <li>After the lease is verified, one unit of work commits documents, mappings, reference counts, skips,
 *       outbox entries and the resume state, on condition that the record, mappings and documents it was
 *       planned from are unchanged (its expectations). A commit is never retried within the run: its answer
 *       may have been lost after it happened, and reference counts are not idempotent. The fileset fails and
 *       the next run re-plans from what is stored.</li>
 *   <li>After the commit, content that was found already stored is checked again (another process may
 *       have collected it before the reference committed) and the fileset's outbox entries are worked off:
 *       processing, vector purges, blob collection.</li>
 *   <li>The run drains the outbox (paged by id), collects blobs whose grace period is over, records its
 *       summary with its status, applies the history's retention, waits for its threads to stop and releases the
 *       lease.</li>
 * </ol>
 *
 * <h2>Scale-out</h2>
 * {@link com.silknote.sync.core.internal.ScaleOut} holds the two roles: the coordinator (holds the lease) opens
 * its run to workers, offers the listed filesets, works on them too, follows the finished claims to keep the
 * resume state, and reads the run's fileset reports back for its report; a worker claims filesets and syncs them
 * under the coordinator's token, each unit of work expecting its claim and each report finishing it. See
 * {@code docs/architecture.md}, "Scale-out".
 *
 * <h2>Blob collection</h2>
 * {@link com.silknote.sync.core.internal.BlobCollector} follows the ETag protocol of
 * {@link com.silknote.sync.core.model.BlobRef}. Within a process, a
 * {@link com.silknote.sync.core.internal.ContentRegistry} keeps the collector away from content a fileset is
 * about to reference; across processes the ETag protocol plus the post-commit check keep referenced blobs.
 *
 * <h2>Resume state</h2>
 * {@link com.silknote.sync.core.internal.RunProgress} keeps the notes' state. Filesets without changes commit
 * nothing; every fileset commit and every failure saves the state with a {@code resumeFromFileset}, so a run
 * that stops (crash, lost lease, interrupt, a listing that fails part-way, a stop request, a budget) leaves a
 * state the next run resumes: it skips the filesets committed so far and retries the failed ones. Filesets are
 * queued in id order, so every fileset before {@code resumeFromFileset} was committed or failed, and the saved
 * state lists only the committed filesets from it on: it stays small however many filesets the run has. A run that attempted every
 * fileset is complete, however many failed: it saves no processed filesets, its failures, no
 * {@code resumeFromFileset}, and moves {@code lastCompleteSync} (a resumed run keeps the older mark). The next
 * run then looks at every fileset again, and an incremental one also fetches the failed filesets its
 * listing does not return, so a failure never holds back the others and is never lost by the watermark.
 *
 * <h2>Operations beside the sync</h2>
 * {@link com.silknote.sync.core.internal.Cleanup}, {@link com.silknote.sync.core.internal.Check} and
 * {@link com.silknote.sync.core.internal.Migration} share an {@link com.silknote.sync.core.internal.OperationRunner}:
 * run ids, the retry layer, and writing like a run (take the {@code vsrx-sync} lease, fence the store, write only
 * with that token in conditional, audited units of work). The cleanup and the check walk reference tallies and
 * the blob listing side by side in hash order ({@code HashMerge}, {@code Paged}), one page of each at a time.
 * Blobs the cleanup collects go through the collector protocol, the mark decided at commit under the row's lock
 * against the references then stored; the repair recounts the same way. The migration moves a fileset's
 * documents in one unit of work and marks them {@code migratedFrom}; {@code HistoryChecks} finds them again for
 * the old fileset's sync.
 */
package com.silknote.sync.core.internal;
