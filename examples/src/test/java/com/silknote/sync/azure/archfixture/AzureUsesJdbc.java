package com.silknote.sync.azure.archfixture;

import com.silknote.sync.jdbc.archfixture.JdbcThing;

/** Test fixture: an adapter that depends on another adapter. */
public final class AzureUsesJdbc {
    public int use() {
        return new JdbcThing().hashCode();
    }
}
