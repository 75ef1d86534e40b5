/**
 * The facades of vsrx-sync, each with its builder and one {@code @Inject} constructor:
 * {@link com.silknote.sync.core.VsrxSync} (the sync), and the operations beside it:
 * {@link com.silknote.sync.core.OrphanCleanup} (DESIGN rule 14), {@link com.silknote.sync.core.ConsistencyCheck}
 * (check and repair) and {@link com.silknote.sync.core.RebookingMigration} (DESIGN rule 13). Everything else of
 * the engine lives in {@code internal} and carries no compatibility promise.
 */
package com.silknote.sync.core;
