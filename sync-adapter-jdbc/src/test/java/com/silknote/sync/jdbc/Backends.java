package com.silknote.sync.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * The PostgreSQL setups every contract runs on: a throwaway zonky server, the library's embedded
 * default (persistent data directory in a temp folder) and, when {@value PostgresFixture#EXTERNAL_URL_ENV}
 * is set, an external server. Each test starts on emptied tables.
 */
enum Backends {
    THROWAWAY, EMBEDDED_DEFAULT, EXTERNAL;

    private static JdbcLedger external;

    /** The migrated data source of this setup, emptied. */
    DataSource freshDataSource() {
        DataSource ds = ledger().dataSource();
        PostgresFixture.truncate(ds);
        return ds;
    }

    JdbcLedger ledger() {
        return switch (this) {
            case THROWAWAY -> PostgresFixture.sharedThrowawayLedger();
            case EMBEDDED_DEFAULT -> PostgresFixture.embeddedDefault();
            case EXTERNAL -> externalLedger();
        };
    }

    private static synchronized JdbcLedger externalLedger() {
        if (external == null) {
            external = PostgresFixture.externalLedger(java.time.Clock.systemUTC());
        }
        return external;
    }

    /** Runs an update with one string parameter per {@code ?}. */
    static void update(DataSource ds, String sql, String... params) {
        try (Connection c = ds.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setString(i + 1, params[i]);
            }
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("test update failed", e);
        }
    }
}
