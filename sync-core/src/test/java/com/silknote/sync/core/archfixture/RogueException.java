package com.silknote.sync.core.archfixture;

/** A public throwable outside the SyncException hierarchy. */
public final class RogueException extends RuntimeException {
    private static final long serialVersionUID = 1L;
}
