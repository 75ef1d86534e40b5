package com.silknote.sync.jdbc.archfixture;

import com.silknote.sync.azure.archfixture.AzureUsesJdbc;

/** Test fixture: depends back on the azure fixture, closing a cycle between modules. */
public final class JdbcThing {
    public Object back() {
        return AzureUsesJdbc.class;
    }
}
