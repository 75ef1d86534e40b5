/**
 * The facade of vsrx-sync: {@link com.silknote.sync.core.VsrxSync} and its builder. Everything else of the
 * engine lives in {@code internal} and carries no compatibility promise.
 */
package com.silknote.sync.core;
