package com.silknote.sync.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementExceptions;

/** Creates the adapter's Jdbi instances and holds small column helpers. */
final class Jdbis {
    private Jdbis() {
    }

    /** A Jdbi whose exception messages never carry SQL text or bound values (STYLE §4). */
    static Jdbi create(DataSource dataSource) {
        Jdbi jdbi = Jdbi.create(dataSource);
        jdbi.getConfig(StatementExceptions.class).setMessageRendering(StatementExceptions.MessageRendering.NONE);
        return jdbi;
    }

    static OffsetDateTime utc(Instant instant) {
        // PostgreSQL keeps microseconds and would round the rest; truncate so the stored second is exact
        return instant.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
