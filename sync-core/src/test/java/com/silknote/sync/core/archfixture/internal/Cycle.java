package com.silknote.sync.core.archfixture.internal;

import com.silknote.sync.core.archintruder.Intruder;

/** Depends back on archintruder: a package cycle. */
public final class Cycle {
    public static int back() {
        return new Intruder().hashCode();
    }
}
