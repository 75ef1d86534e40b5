package com.silknote.sync.core.archfixture.internal;

/** Internal to archfixture. */
public final class Secret {
    public static int value() {
        return 1;
    }
}
