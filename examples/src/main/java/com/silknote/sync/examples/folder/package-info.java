/** A VSRX source over a folder, for VSRX-side hosts and {@code vsrx-sync serve-vsrx --folder}. */
package com.silknote.sync.examples.folder;
