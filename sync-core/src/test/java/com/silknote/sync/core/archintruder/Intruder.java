package com.silknote.sync.core.archintruder;

import com.silknote.sync.core.archfixture.internal.Secret;

/** Outside the parent of the internal package: violation. Also closes a cycle with Cycle. */
public final class Intruder {
    int use() {
        return Secret.value() + com.silknote.sync.core.archfixture.internal.Cycle.back();
    }
}
