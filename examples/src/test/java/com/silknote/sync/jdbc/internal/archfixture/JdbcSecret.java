package com.silknote.sync.jdbc.internal.archfixture;

/** Test fixture: internal to the JDBC module. */
public final class JdbcSecret {
    public static int value() {
        return 7;
    }
}
