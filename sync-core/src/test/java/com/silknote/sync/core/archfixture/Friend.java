package com.silknote.sync.core.archfixture;

import com.silknote.sync.core.archfixture.internal.Secret;

/** Inside the parent of the internal package: allowed. */
public final class Friend {
    int use() {
        return Secret.value();
    }
}
