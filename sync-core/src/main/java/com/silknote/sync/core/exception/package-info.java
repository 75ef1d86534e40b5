/**
 * The one unchecked exception hierarchy of vsrx-sync, rooted at {@link com.silknote.sync.core.exception.SyncException}.
 * Adapters translate backend failures (SQL, HTTP, Azure, I/O) into these types at the port boundary and keep
 * the cause. Messages never contain patient data.
 */
package com.silknote.sync.core.exception;
