package com.silknote.sync.testkit;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.AuthoredDocument;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * A {@link SilknoteUser} that writes a SQL document table the way the Silknote backend does: plain statements in
 * their own transactions, not through the sync (so the table's change-sequence triggers record them). Column
 * names are those of the JDBC adapter's {@code vsrx_sync_document}; a host table with the same columns under
 * another name works too. Times of changes come from the given clock.
 */
public final class SqlSilknoteUser implements SilknoteUser {
    private static final Pattern TABLE = Pattern.compile("[a-z_][a-z0-9_]{0,62}(\\.[a-z_][a-z0-9_]{0,62})?");

    private final DataSource dataSource;
    private final String table;
    private final Clock clock;

    /**
     * @param dataSource connections to the database (the ledger's current schema)
     * @param table      the document table, a plain lower-case name
     * @param clock      time of {@code updated_at}
     * @throws IllegalArgumentException when the table name is not a plain identifier
     */
    public SqlSilknoteUser(DataSource dataSource, String table, Clock clock) {
        this.dataSource = requireNonNull(dataSource, "dataSource");
        this.table = requireNonNull(table, "table");
        this.clock = requireNonNull(clock, "clock");
        if (!TABLE.matcher(table).matches()) {
            throw new IllegalArgumentException("table must be a plain lower-case name");
        }
    }

    @Override
    public void create(AuthoredDocument d) {
        requireNonNull(d, "document");
        StringBuilder meta = new StringBuilder("{\"sourceSystem\":").append(json(d.sourceSystem()))
                .append(",\"groupingStatus\":").append(json(d.groupingStatus()));
        d.title().ifPresent(t -> meta.append(",\"title\":").append(json(t)));
        meta.append('}');
        update("INSERT INTO " + table + " (uuid, patient_uuid, fileset_id, client_file_id, content_hash, size,"
                + " mime_type, metadata, updated_at) VALUES (CAST(? AS uuid), CAST(? AS uuid), ?, NULL, ?, ?, ?,"
                + " CAST(? AS jsonb), ?)", s -> {
                    s.setString(1, d.uuid().value().toString());
                    s.setString(2, d.patientUuid().value().toString());
                    s.setString(3, d.filesetId().map(f -> f.value()).orElse(null));
                    s.setString(4, d.contentHash().hex());
                    s.setLong(5, d.size());
                    s.setString(6, d.mimeType());
                    s.setString(7, meta.toString());
                    s.setObject(8, utc(d.updatedAt()));
                });
    }

    @Override
    public void replaceContent(DocumentUuid uuid, ContentHash hash, long size, String mimeType) {
        update(replaceSql(), s -> bindReplace(s, uuid, hash, size, mimeType));
    }

    @Override
    public void group(DocumentUuid uuid, String groupingStatus) {
        requireNonNull(groupingStatus, "groupingStatus");
        update("UPDATE " + table + " SET metadata = metadata || jsonb_build_object('groupingStatus', ?::text),"
                + " updated_at = ? WHERE uuid = CAST(? AS uuid)", s -> {
                    s.setString(1, groupingStatus);
                    s.setObject(2, utc(clock.instant()));
                    s.setString(3, uuid.value().toString());
                });
    }

    @Override
    public void remove(DocumentUuid uuid) {
        update("DELETE FROM " + table + " WHERE uuid = CAST(? AS uuid)", s -> s.setString(1, uuid.value().toString()));
    }

    /** Runs the update in a transaction that commits only on {@link Pending#commit()}. */
    @Override
    public Pending replaceContentLater(DocumentUuid uuid, ContentHash hash, long size, String mimeType) {
        try {
            Connection c = dataSource.getConnection();
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement(replaceSql())) {
                bindReplace(s, uuid, hash, size, mimeType);
                s.executeUpdate();
            }
            return () -> {
                try (c) {
                    c.commit();
                } catch (SQLException e) {
                    throw new IllegalStateException("committing a Silknote change failed", e);
                }
            };
        } catch (SQLException e) {
            throw new IllegalStateException("a Silknote change failed", e);
        }
    }

    private String replaceSql() {
        return "UPDATE " + table + " SET content_hash = ?, size = ?, mime_type = ?, updated_at = ?"
                + " WHERE uuid = CAST(? AS uuid)";
    }

    private void bindReplace(PreparedStatement s, DocumentUuid uuid, ContentHash hash, long size, String mimeType)
            throws SQLException {
        s.setString(1, hash.hex());
        s.setLong(2, size);
        s.setString(3, mimeType);
        s.setObject(4, utc(clock.instant()));
        s.setString(5, uuid.value().toString());
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement s) throws SQLException;
    }

    private void update(String sql, Binder binder) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            binder.bind(s);
            if (s.executeUpdate() != 1) {
                throw new IllegalArgumentException("no such document");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("a Silknote change failed", e);
        }
    }

    private static OffsetDateTime utc(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    private static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
