package com.silknote.sync.examples;

import com.silknote.sync.azure.Azurite;
import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.silknote.sync.azure.AzureBlobStore;
import com.silknote.sync.core.model.BlobKey;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.fs.FileSystemBlobStore;
import com.silknote.sync.jdbc.JdbcLedger;
import com.silknote.sync.jdbc.JdbiDocumentStore;
import com.silknote.sync.jdbc.JdbiSyncLock;
import com.silknote.sync.testkit.TempFolders;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real backends of the operations' scenarios (issue 11): one embedded PostgreSQL per test JVM, emptied for
 * every world, with file-system blobs in a fresh folder or Azure blobs in a fresh Azurite container. Damage
 * the ports cannot do is done behind their backs (SQL, files, the Azure SDK).
 */
final class RealBackends {
    private static JdbcLedger ledger;
    private static final AtomicInteger SEQ = new AtomicInteger();

    enum Blobs { FILE_SYSTEM, AZURITE }

    private final Blobs kind;
    private Path folder;
    private BlobContainerClient container;

    RealBackends(Blobs kind) {
        this.kind = kind;
    }

    static synchronized JdbcLedger ledger() {
        if (ledger == null) {
            Path dir;
            try {
                dir = Files.createTempDirectory("vsrx-sync-operations");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            ledger = JdbcLedger.embedded(dir.resolve("pg"));
            JdbcLedger started = ledger;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close(); // the server may be stopping already, from its own exit hook
                } finally {
                    TempFolders.deleteWhenStopped(dir, dir.resolve("pg/postmaster.pid"), Duration.ofSeconds(20));
                }
            }));
        }
        return ledger;
    }

    /** The ledger emptied, as a store fenced by its lock table, stamping times with {@code clock}. */
    DocumentStore newDocumentStore(Clock clock) {
        update("""
                TRUNCATE vsrx_sync_fileset, vsrx_sync_document, vsrx_sync_mapping, vsrx_sync_blob_ref,
                    vsrx_sync_skip, vsrx_sync_outbox, vsrx_sync_state, vsrx_sync_run, vsrx_sync_fence,
                    vsrx_sync_lock, vsrx_sync_vector, vsrx_sync_claim, vsrx_sync_audit RESTART IDENTITY""");
        return JdbiDocumentStore.builder().dataSource(ledger().dataSource()).clock(clock)
                .fencedByLock(SyncConfig.LOCK_NAME).build();
    }

    BlobStore newBlobStore(Clock clock) {
        int n = SEQ.incrementAndGet();
        if (kind == Blobs.FILE_SYSTEM) {
            folder = TempFolders.create("vsrx-sync-blobs-" + n);
            return new FileSystemBlobStore(folder, clock);
        }
        container = Azurite.shared().service().getBlobContainerClient("ops-" + ProcessHandle.current().pid() + "-" + n);
        container.create();
        return AzureBlobStore.builder().container(container).clock(clock).build();
    }

    SyncLock newLock() {
        return JdbiSyncLock.builder().dataSource(ledger().dataSource()).holderId("host-" + SEQ.incrementAndGet())
                .build();
    }

    void forceExpiry(String name) {
        update("UPDATE vsrx_sync_lock SET expires_at = now() - interval '1 second' WHERE name = ?", name);
    }

    void corruptBlob(ContentHash hash, byte[] bytes) {
        String key = BlobKey.of(hash).value();
        if (kind == Blobs.FILE_SYSTEM) {
            try {
                Path file = folder.resolve(key);
                file.toFile().setWritable(true);
                Files.write(file, bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            container.getBlobClient(key).upload(BinaryData.fromBytes(bytes), true);
        }
    }

    static void update(String sql, Object... params) {
        try (Connection c = ledger().dataSource().getConnection()) {
            if (params.length == 0) {
                try (Statement s = c.createStatement()) {
                    s.execute(sql);
                }
                return;
            }
            try (PreparedStatement s = c.prepareStatement(sql)) {
                for (int i = 0; i < params.length; i++) {
                    s.setObject(i + 1, params[i]);
                }
                s.executeUpdate();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("test update failed", e);
        }
    }
}
