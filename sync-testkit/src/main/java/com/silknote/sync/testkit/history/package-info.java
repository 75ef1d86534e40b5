/**
 * Seeded randomized histories (issue 9): {@link com.silknote.sync.testkit.history.RandomHistoryScenario} plays
 * random {@link com.silknote.sync.testkit.history.Step}s against a scripted VSRX
 * ({@link com.silknote.sync.testkit.history.HistoryVsrx}) and the Silknote stores an adapter supplies
 * ({@link com.silknote.sync.testkit.history.SilknoteStores}), and after every run checks the
 * {@link com.silknote.sync.testkit.history.Invariant}s against a reference model.
 *
 * <h2>How a history is judged</h2>
 * The model never reads the engine's code or asks it what it decided. It knows every state each VSRX file had
 * (so it knows which bytes the engine could have seen: a change that keeps the ETag, or modification time and
 * size, is invisible to metadata change detection, and an edit during a run may land in this run or the next),
 * what Silknote users and operators changed behind the engine's back, and what each run reported. A file the
 * run reported as {@code CONFLICT}, or {@code SKIPPED} for a reason its listing or bytes really show, or whose
 * fileset failed for a cause the history made (an outage, a mass delete, a lost lease) is not held against
 * the engine in that run. Rows and blobs removed behind the engine's back exempt the damaged content from the
 * reference-count check until the ledger is consistent again; nothing else is exempt.
 *
 * <h2>Where the rules leave a choice</h2>
 * The decisions of issue 9: a document removed in Silknote while its mapping stays is a {@code CONFLICT} and
 * is not re-created; a file id listed in another fileset than the one owning its document is a
 * {@code CONFLICT} and that document stays untouched; a relinked fileset's untouched documents move to the
 * new patient (reported {@code METADATA_ONLY} or {@code UPDATED} with a {@code FILESET_RELINKED} alert) while
 * user-changed ones stay and are {@code CONFLICT}; a fileset no longer listed is {@code VANISHED} with its
 * documents kept; {@code deleted=true} with the document row gone releases the mapping and its reference;
 * the listing's {@code sha256} never decides "unchanged".
 *
 * <h2>Bi-directional histories</h2>
 * {@link com.silknote.sync.testkit.history.BidiHistoryScenario} plays histories with Silknote users creating,
 * replacing, grouping and removing documents under bi-directional sync (issue 14) and checks the
 * {@link com.silknote.sync.testkit.history.BidiInvariant}s, written from docs/bidirectional.md: no version a user
 * wrote is lost, a Silknote-created document reaches VSRX at most once (exactly once after quiescence), no loop,
 * no VSRX delete without {@code deletes} or past the guard, and a quiet run writes nothing.
 */
package com.silknote.sync.testkit.history;
