/**
 * The Silknote ledger on PostgreSQL through Jdbi: {@link com.silknote.sync.jdbc.JdbcLedger} connects (a
 * host's data source, a JDBC URL pooled by HikariCP, or the embedded default
 * {@link com.silknote.sync.jdbc.EmbeddedPostgresServer}), migrates with Flyway and hands out
 * {@link com.silknote.sync.jdbc.JdbiDocumentStore}, {@link com.silknote.sync.jdbc.JdbiSyncLock},
 * {@link com.silknote.sync.jdbc.JdbiVectorStore} and {@link com.silknote.sync.jdbc.JdbiFilesetClaims}.
 * {@link com.silknote.sync.jdbc.SchemaMapping} points documents and mappings at an existing schema. The
 * tables are described in {@code docs/schema.md}.
 *
 * <p>Nullness: no parameter or return value is {@code null}; absence is {@link java.util.Optional}. Every
 * SQL failure crossing a port becomes a {@link com.silknote.sync.core.exception.SyncException} whose message
 * names only the operation and the SQLState. Everything not listed above is package-private.
 */
package com.silknote.sync.jdbc;
