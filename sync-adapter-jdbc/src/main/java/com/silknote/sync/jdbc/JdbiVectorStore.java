package com.silknote.sync.jdbc;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.VectorEntry;
import com.silknote.sync.core.port.VectorStore;
import jakarta.inject.Inject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.PGConnection;

/**
 * A {@link VectorStore} in the table {@code vsrx_sync_vector} (one row per entry, the embedding as
 * {@code real[]}), for hosts without a vector database. It stores and lists; it does not search. Entries
 * are written inside one transaction per document, from a list or streamed from an iterator in bounded
 * buffers: by a binary {@code COPY} on pgjdbc's connections (also behind a pool whose connections unwrap to
 * them), in insert batches on others. Every write is fenced in its transaction against the database's
 * high-water mark, the one the ledger's {@link JdbiDocumentStore} keeps when both use one database
 * ({@code vsrx_sync_fence}). Thread-safe.
 */
public final class JdbiVectorStore implements VectorStore {
    /**
     * Rows per insert batch on connections that are not pgjdbc's: what {@link #replace(FencingToken, DocumentUuid,
     * Iterator)} holds at most there.
     */
    static final int BATCH_ROWS = 1000;
    /**
     * Positional, for a plain JDBC batch: the embedding is bound as a {@code float[]}, which the PostgreSQL driver
     * sends as a binary {@code real[]} (no decimal formatting of every float, no array literal to escape and
     * parse), and no per-row named-argument binding (issue 12: this batch was the stand-in processor's main cost).
     */
    private static final String INSERT = """
            INSERT INTO vsrx_sync_vector (document_uuid, ordinal, content_hash, embedding)
            VALUES (?, ?, ?, ?)""";

    /**
     * The transaction-scoped advisory lock of one document's entries ({@code ?} or a named parameter in place of
     * the document's uuid text): every writer of a document's entries takes it, so replaces and deletes of one
     * document queue instead of interleaving. One expression for every statement that takes it.
     */
    private static String documentLock(String uuidText) {
        return "pg_advisory_xact_lock(hashtextextended(" + uuidText + ", 7201))";
    }

    /**
     * The fence check of the mark's holder, the document's lock and the delete: three statements that pgjdbc
     * sends in one round trip. The mark row is locked only when it holds the token (see
     * {@link #currentFenceLockAndDelete}); the lock is {@link #lockDocument}'s.
     */
    private static final String PROLOGUE = """
            SELECT high_water FROM vsrx_sync_fence WHERE name = ? AND high_water = ? FOR SHARE;
            SELECT 1 FROM %s;
            DELETE FROM vsrx_sync_vector WHERE document_uuid = ?""".formatted(documentLock("?"));

    private final Jdbi jdbi;

    /**
     * A vector store on a migrated database.
     *
     * @throws NullPointerException when {@code dataSource} is null
     */
    @Inject
    public JdbiVectorStore(DataSource dataSource) {
        this(Jdbis.create(requireNonNull(dataSource, "dataSource")));
    }

    JdbiVectorStore(Jdbi jdbi) {
        this.jdbi = requireNonNull(jdbi, "jdbi");
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@inheritDoc}
     *
     * @throws com.silknote.sync.core.exception.SyncException when the database failed
     */
    @Override
    public void fence(FencingToken token) {
        requireNonNull(token, "token");
        SqlErrors.run("fence vector store", () -> jdbi.useTransaction(h -> Fence.check(h, token, Optional.empty())));
    }

    /**
     * {@inheritDoc} Written like {@link #replace(FencingToken, DocumentUuid, Iterator)}, in ordinal order.
     *
     * @throws IllegalArgumentException when an entry belongs to another document or two share an ordinal
     * @throws com.silknote.sync.core.exception.SyncException when the database failed; nothing changed
     */
    @Override
    public void replace(FencingToken token, DocumentUuid document, List<VectorEntry> entries) {
        requireNonNull(document, "document");
        List<VectorEntry> sorted = new ArrayList<>(requireNonNull(entries, "entries"));
        sorted.sort(Comparator.comparingInt(VectorEntry::ordinal));
        replace(token, document, sorted.iterator());
    }

    /**
     * {@inheritDoc} One transaction: the document's rows are deleted, then the entries written as the iterator
     * yields them; memory does not grow with the number of entries. A failure of the iterator, a check or the
     * database rolls everything back.
     *
     * <p>On pgjdbc's connections (also behind a pool that unwraps to them) the fence check, the document's lock
     * and the delete go to the server in one round trip, and the rows in one binary {@code COPY} fed from a
     * buffer of {@value VectorCopy#BUFFER_BYTES} bytes; on other connections, one statement each and the rows
     * in batches of {@value #BATCH_ROWS}.
     *
     * @throws IllegalArgumentException when an entry belongs to another document or its ordinal is not
     *     above the previous one's; nothing changed
     * @throws com.silknote.sync.core.exception.SyncException when the database failed; nothing changed
     */
    @Override
    public void replace(FencingToken token, DocumentUuid document, Iterator<VectorEntry> entries) {
        requireNonNull(token, "token");
        requireNonNull(document, "document");
        requireNonNull(entries, "entries");
        SqlErrors.run("replace vector entries", () -> {
            boolean written = jdbi.inTransaction(h -> {
                if (pgjdbc(h).isPresent()) {
                    if (currentFenceLockAndDelete(h, token, document).isEmpty()) {
                        return false; // rolled back before the iterator was touched
                    }
                } else {
                    fencedDelete(h, token, document);
                }
                write(h, document, entries);
                return true;
            });
            if (!written) {
                jdbi.useTransaction(h -> {
                    fencedDelete(h, token, document);
                    write(h, document, entries);
                });
            }
        });
    }

    /**
     * {@inheritDoc} When the document has no rows and {@code token} is the store's mark, one read answers 0
     * without a transaction of its own (no row lock, no commit to flush): the outbox drain calls this before
     * every document's processing, and a document processed for the first time has no rows.
     *
     * @throws com.silknote.sync.core.exception.SyncException when the database failed
     */
    @Override
    public int deleteByDocument(FencingToken token, DocumentUuid document) {
        requireNonNull(token, "token");
        requireNonNull(document, "document");
        return SqlErrors.translate("delete vector entries", () -> {
            if (nothingToDelete(token, document)) {
                return 0;
            }
            Optional<Integer> deleted = jdbi.inTransaction(h -> pgjdbc(h).isPresent()
                    ? currentFenceLockAndDelete(h, token, document)
                    : Optional.of(fencedDelete(h, token, document)));
            return deleted.orElseGet(() -> jdbi.inTransaction(h -> fencedDelete(h, token, document)));
        });
    }

    /**
     * {@inheritDoc} All in one transaction: the documents' locks taken in uuid order, one delete.
     *
     * @throws com.silknote.sync.core.exception.SyncException when the database failed
     */
    @Override
    public int deleteByDocuments(FencingToken token, Collection<DocumentUuid> documents) {
        requireNonNull(token, "token");
        requireNonNull(documents, "documents");
        List<String> ids = documents.stream().map(d -> requireNonNull(d, "document").value().toString()).distinct()
                .sorted().toList();
        if (ids.isEmpty()) {
            return 0;
        }
        return SqlErrors.translate("delete vector entries", () -> jdbi.inTransaction(h -> {
            Fence.check(h, token, Optional.empty());
            // the locks of lockDocument, for all of them in one statement, in uuid order
            h.createQuery("""
                    SELECT count(*) FROM (SELECT %s
                    FROM (SELECT d FROM unnest(CAST(:docs AS text[])) AS t(d) ORDER BY d) AS sorted) AS locked"""
                    .formatted(documentLock("d")))
                    .bindArray("docs", String.class, ids).mapTo(Long.class).one();
            return h.createUpdate("DELETE FROM vsrx_sync_vector WHERE document_uuid = ANY(CAST(:docs AS uuid[]))")
                    .bindArray("docs", String.class, ids).execute();
        }));
    }

    /**
     * {@inheritDoc}
     *
     * @throws com.silknote.sync.core.exception.SyncException when the database failed
     */
    @Override
    public List<VectorEntry> entries(DocumentUuid document) {
        requireNonNull(document, "document");
        return SqlErrors.translate("read vector entries", () -> jdbi.withHandle(h -> h.createQuery("""
                SELECT ordinal, content_hash, embedding FROM vsrx_sync_vector
                WHERE document_uuid = :doc ORDER BY ordinal""")
                .bind("doc", document.value())
                .map((rs, ctx) -> new VectorEntry(document, rs.getInt("ordinal"),
                        ContentHash.ofHex(rs.getString("content_hash")), floats(rs.getArray("embedding"))))
                .list()));
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when {@code limit} is not in 1..1000 or the cursor is malformed
     * @throws com.silknote.sync.core.exception.SyncException when the database failed
     */
    @Override
    public Page<DocumentUuid> documents(Optional<String> cursor, int limit) {
        requireNonNull(cursor, "cursor");
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be in 1..1000, was " + limit);
        }
        UUID after = cursor.map(UUID::fromString).orElse(null);
        List<UUID> rows = SqlErrors.translate("list vector documents", () -> jdbi.withHandle(h -> h.createQuery("""
                SELECT DISTINCT document_uuid FROM vsrx_sync_vector
                WHERE CAST(:after AS uuid) IS NULL OR document_uuid > CAST(:after AS uuid)
                ORDER BY document_uuid LIMIT :limit""")
                .bind("after", after).bind("limit", limit + 1).mapTo(UUID.class).list()));
        boolean more = rows.size() > limit;
        List<DocumentUuid> page = rows.stream().limit(limit).map(DocumentUuid::new).toList();
        return new Page<>(page, more ? Optional.of(page.get(page.size() - 1).value().toString()) : Optional.empty());
    }

    /**
     * {@inheritDoc} One query over the rows' hashes, no embedding read.
     *
     * @throws com.silknote.sync.core.exception.SyncException when the database failed
     */
    @Override
    public Map<DocumentUuid, Set<ContentHash>> contentHashes(Collection<DocumentUuid> documents) {
        requireNonNull(documents, "documents");
        List<String> ids = documents.stream().map(d -> requireNonNull(d, "document").value().toString()).distinct()
                .sorted().toList();
        Map<DocumentUuid, Set<ContentHash>> out = new LinkedHashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        SqlErrors.translate("read vector content hashes", () -> jdbi.withHandle(h -> h.createQuery("""
                SELECT DISTINCT document_uuid, content_hash FROM vsrx_sync_vector
                WHERE document_uuid = ANY(CAST(:docs AS uuid[])) ORDER BY document_uuid, content_hash""")
                .bindArray("docs", String.class, ids)
                .map((rs, ctx) -> {
                    out.computeIfAbsent(new DocumentUuid(rs.getObject("document_uuid", UUID.class)),
                            k -> new LinkedHashSet<>()).add(ContentHash.ofHex(rs.getString("content_hash")));
                    return 0;
                })
                .list()));
        return out;
    }

    /**
     * True when {@code token} is the store's mark and the document has no rows, both read in one snapshot: a
     * delete then removes nothing, and answering at that snapshot is what a fenced delete would answer had it
     * run there (a newer holder's raise or a concurrent write not committed by then comes after it).
     *
     * @throws StaleFencingTokenException when a newer token is the mark
     */
    private boolean nothingToDelete(FencingToken token, DocumentUuid document) {
        Object[] row = jdbi.withHandle(h -> h.createQuery("""
                SELECT (SELECT high_water FROM vsrx_sync_fence WHERE name = :name) AS mark,
                       EXISTS (SELECT 1 FROM vsrx_sync_vector WHERE document_uuid = :doc) AS has_rows""")
                .bind("name", Fence.LEDGER).bind("doc", document.value())
                .map((rs, ctx) -> new Object[] {rs.getObject("mark", Long.class), rs.getBoolean("has_rows")}).one());
        Long mark = (Long) row[0];
        if (mark != null && mark > token.value()) {
            throw new StaleFencingTokenException("write refused: a newer fencing token has written to the store");
        }
        return mark != null && mark == token.value() && !(Boolean) row[1];
    }

    /**
     * The fenced prologue of a write on pgjdbc, in one round trip: locks the mark row for share when it holds
     * {@code token} (as {@link Fence#check} does for the holder of the mark), takes the document's lock and
     * deletes its rows. Returns the rows deleted; empty, after rolling the transaction back, when the mark is not
     * {@code token}: the caller then runs {@link Fence#check} in a new transaction (which raises the mark or
     * refuses the token) before it locks and deletes again, so no writer waits for the mark row while it holds
     * a document's lock.
     */
    private static Optional<Integer> currentFenceLockAndDelete(Handle h, FencingToken token, DocumentUuid document) {
        try (PreparedStatement s = h.getConnection().prepareStatement(PROLOGUE)) {
            s.setString(1, Fence.LEDGER);
            s.setLong(2, token.value());
            s.setString(3, document.value().toString());
            s.setObject(4, document.value());
            if (!s.execute()) {
                throw new SQLException("expected the fence's rows");
            }
            boolean current;
            try (ResultSet fence = s.getResultSet()) {
                current = fence.next();
            }
            if (!s.getMoreResults()) {
                throw new SQLException("expected the lock's result");
            }
            if (s.getMoreResults() || s.getUpdateCount() < 0) {
                throw new SQLException("expected the delete's count");
            }
            int deleted = s.getUpdateCount();
            if (!current) {
                h.rollback();
                return Optional.empty();
            }
            return Optional.of(deleted);
        } catch (SQLException e) {
            throw new StatementFailure(e);
        }
    }

    /** Writes the entries: one binary COPY on pgjdbc, batches of inserts elsewhere. */
    private static void write(Handle h, DocumentUuid document, Iterator<VectorEntry> entries) {
        Optional<PGConnection> pg = pgjdbc(h);
        if (pg.isEmpty()) {
            insertInBatches(h, document, entries);
            return;
        }
        try {
            new VectorCopy().copy(pg.get(), document, entries);
        } catch (SQLException e) {
            throw new StatementFailure(e);
        }
    }

    private static void insertInBatches(Handle h, DocumentUuid document, Iterator<VectorEntry> entries) {
        int previous = -1;
        try (PreparedStatement insert = h.getConnection().prepareStatement(INSERT)) {
            int rows = 0;
            while (entries.hasNext()) {
                VectorEntry e = entries.next();
                previous = VectorCopy.checkedOrdinal(document, e, previous);
                insert.setObject(1, document.value());
                insert.setInt(2, e.ordinal());
                insert.setString(3, e.contentHash().hex());
                insert.setObject(4, e.embedding());
                insert.addBatch();
                if (++rows == BATCH_ROWS) {
                    insert.executeBatch();
                    rows = 0;
                }
            }
            if (rows > 0) {
                insert.executeBatch();
            }
        } catch (SQLException e) {
            throw new StatementFailure(e);
        }
    }

    private static int delete(Handle h, DocumentUuid document) {
        return h.createUpdate("DELETE FROM vsrx_sync_vector WHERE document_uuid = :doc").bind("doc", document.value())
                .execute();
    }

    /** The connection's pgjdbc connection, when it is one or unwraps to one. */
    private static Optional<PGConnection> pgjdbc(Handle h) {
        Connection c = h.getConnection();
        if (c instanceof PGConnection pg) {
            return Optional.of(pg);
        }
        try {
            return c.isWrapperFor(PGConnection.class) ? Optional.of(c.unwrap(PGConnection.class)) : Optional.empty();
        } catch (SQLException e) {
            throw new StatementFailure(e);
        }
    }

    /**
     * Serialises writers of one document for the rest of the transaction, so concurrent replaces never
     * interleave their delete and insert (a transaction-scoped advisory lock keyed by the uuid).
     */
    /**
     * The fence check, the document's lock and the delete as separate statements: the path of connections that
     * are not pgjdbc's, and the retry after {@link #currentFenceLockAndDelete} found the mark not yet the token's.
     *
     * @return the rows deleted
     */
    private static int fencedDelete(Handle h, FencingToken token, DocumentUuid document) {
        Fence.check(h, token, Optional.empty());
        lockDocument(h, document);
        return delete(h, document);
    }

    private static void lockDocument(Handle h, DocumentUuid document) {
        h.createQuery("SELECT 1 FROM " + documentLock(":doc"))
                .bind("doc", document.value().toString()).mapTo(Integer.class).one();
    }

    /** A failed statement or copy, carrying its {@link SQLException} to {@link SqlErrors} for classification. */
    private static final class StatementFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StatementFailure(SQLException cause) {
            super("writing vector entries failed", cause);
        }
    }

    private static float[] floats(Array array) throws SQLException {
        Object[] values = (Object[]) array.getArray();
        float[] result = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = ((Number) values[i]).floatValue();
        }
        return result;
    }

    /** Builds a {@link JdbiVectorStore}. */
    public static final class Builder {
        private DataSource dataSource;

        private Builder() {
        }

        /** Connections to a migrated database (required). @return this builder */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = requireNonNull(dataSource, "dataSource");
            return this;
        }

        /**
         * The store.
         *
         * @throws IllegalStateException when no data source was given
         */
        public JdbiVectorStore build() {
            if (dataSource == null) {
                throw new IllegalStateException("dataSource is required");
            }
            return new JdbiVectorStore(dataSource);
        }
    }
}
