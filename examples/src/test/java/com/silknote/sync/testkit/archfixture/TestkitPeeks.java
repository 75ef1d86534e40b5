package com.silknote.sync.testkit.archfixture;

import com.silknote.sync.jdbc.internal.archfixture.JdbcSecret;

/** Test fixture: another module reaching into the JDBC module's internals. */
public final class TestkitPeeks {
    public int peek() {
        return JdbcSecret.value();
    }
}
