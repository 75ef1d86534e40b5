package com.silknote.sync.core.model;

/** Which way content flows (docs/bidirectional.md §1). */
public enum SyncDirection {
    /** One-way, the default: VSRX is the source, nothing is ever written to VSRX. */
    VSRX_TO_SILKNOTE,
    /** Both ways: Silknote-side creates, content changes and (when enabled) deletes are written to VSRX. */
    BIDIRECTIONAL
}
