package com.silknote.sync.core.port.archfixture;

import com.silknote.sync.azure.archfixture.AzureUsesJdbc;

/** Test fixture: core depending on an adapter. */
public final class PortUsesAzure {
    public int use() {
        return new AzureUsesJdbc().use();
    }
}
