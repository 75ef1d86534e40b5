package com.silknote.sync.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;

/** Test hooks that act on the lease table directly. */
final class LockTestSupport {
    private LockTestSupport() {
    }

    /** Expires a lease inside the database: moves {@code expires_at} into the database's past. */
    static void forceExpiry(DataSource dataSource, String name) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "UPDATE vsrx_sync_lock SET expires_at = now() - interval '1 second' WHERE name = ?")) {
            s.setString(1, name);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("could not expire the lease", e);
        }
    }
}
