package com.silknote.sync.jdbc;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.VectorEntry;
import com.silknote.sync.core.port.VectorStore;
import jakarta.inject.Inject;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * A {@link VectorStore} in the table {@code vsrx_sync_vector} (one row per entry, the embedding as
 * {@code real[]}), for hosts without a vector database. It stores and lists; it does not search. Entries
 * are written in bounded batches inside one transaction per document, from a list or streamed from an
 * iterator. Every write is fenced in its transaction against the database's high-water mark, the one the
 * ledger's {@link JdbiDocumentStore} keeps when both use one database ({@code vsrx_sync_fence}).
 * Thread-safe.
 */
public final class JdbiVectorStore implements VectorStore {
    /** Rows per insert batch: what {@link #replace(FencingToken, DocumentUuid, Iterator)} holds at most. */
    static final int BATCH_ROWS = 1000;
    /**
     * Positional, for a plain JDBC batch: the embedding is bound as a {@code float[]}, which the PostgreSQL driver
     * sends as a binary {@code real[]} (no decimal formatting of every float, no array literal to escape and
     * parse), and no per-row named-argument binding (issue 12: this batch was the stand-in processor's main cost).
     */
    private static final String INSERT = """
            INSERT INTO vsrx_sync_vector (document_uuid, ordinal, content_hash, embedding)
            VALUES (?, ?, ?, ?)""";

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
     * {@inheritDoc} One transaction: the document's rows are deleted, then the entries inserted in batches
     * of {@value #BATCH_ROWS} rows as the iterator yields them; nothing but one batch is held, so memory
     * does not grow with the number of entries. A failure of the iterator, a check or the database rolls
     * everything back.
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
        SqlErrors.run("replace vector entries", () -> jdbi.useTransaction(h -> {
            Fence.check(h, token, Optional.empty());
            lockDocument(h, document);
            h.createUpdate("DELETE FROM vsrx_sync_vector WHERE document_uuid = :doc").bind("doc", document.value())
                    .execute();
            int previous = -1;
            try (PreparedStatement insert = h.getConnection().prepareStatement(INSERT)) {
                int rows = 0;
                while (entries.hasNext()) {
                    VectorEntry e = entries.next();
                    if (!e.document().equals(document)) {
                        throw new IllegalArgumentException("entry belongs to another document");
                    }
                    if (e.ordinal() <= previous) {
                        throw new IllegalArgumentException(e.ordinal() == previous ? "duplicate ordinal " + previous
                                : "ordinals must increase: " + e.ordinal() + " after " + previous);
                    }
                    previous = e.ordinal();
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
                throw new BatchFailure(e);
            }
        }));
    }

    /**
     * {@inheritDoc}
     *
     * @throws com.silknote.sync.core.exception.SyncException when the database failed
     */
    @Override
    public int deleteByDocument(FencingToken token, DocumentUuid document) {
        requireNonNull(token, "token");
        requireNonNull(document, "document");
        return SqlErrors.translate("delete vector entries", () -> jdbi.inTransaction(h -> {
            Fence.check(h, token, Optional.empty());
            lockDocument(h, document);
            return h.createUpdate("DELETE FROM vsrx_sync_vector WHERE document_uuid = :doc")
                    .bind("doc", document.value()).execute();
        }));
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
                    SELECT count(*) FROM (SELECT pg_advisory_xact_lock(hashtextextended(d, 7201))
                    FROM (SELECT d FROM unnest(CAST(:docs AS text[])) AS t(d) ORDER BY d) AS sorted) AS locked""")
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
     * Serialises writers of one document for the rest of the transaction, so concurrent replaces never
     * interleave their delete and insert (a transaction-scoped advisory lock keyed by the uuid).
     */
    private static void lockDocument(Handle h, DocumentUuid document) {
        h.createQuery("SELECT 1 FROM pg_advisory_xact_lock(hashtextextended(:doc, 7201))")
                .bind("doc", document.value().toString()).mapTo(Integer.class).one();
    }

    /** A failed insert batch, carrying its {@link SQLException} to {@link SqlErrors} for classification. */
    private static final class BatchFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BatchFailure(SQLException cause) {
            super("inserting vector entries failed", cause);
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
