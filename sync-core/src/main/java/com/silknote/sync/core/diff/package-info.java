/**
 * The diff engine: decides, from listings and Silknote's ledger alone, what a run does with each file.
 * Pure and linear in the number of files; performs no I/O.
 *
 * <p>Nullness: no parameter or return value is {@code null}; absence is {@link java.util.Optional}.
 */
package com.silknote.sync.core.diff;
