/**
 * The embedded default: an embedded PostgreSQL ledger and file-system blobs when nothing is configured,
 * an external PostgreSQL and Azure Blob Storage by configuration
 * ({@link com.silknote.sync.examples.embedded.EmbeddedDefault}), and a stand-in document processor.
 */
package com.silknote.sync.examples.embedded;
