package com.silknote.sync.micrometer.archfixture;

import com.silknote.sync.jdbc.archfixture.JdbcThing;

/** Test fixture: the metrics module depending on another adapter. */
public final class MicrometerUsesJdbc {
    public int use() {
        return new JdbcThing().hashCode();
    }
}
