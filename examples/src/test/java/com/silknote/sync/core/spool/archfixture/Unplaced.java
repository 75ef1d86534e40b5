package com.silknote.sync.core.spool.archfixture;

/** Test fixture: a core package that sits in no layer. */
public final class Unplaced {
}
