package com.silknote.sync.examples;

import com.silknote.sync.azure.Azurite;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.contract.CleanupInterleavingScenario;
import com.silknote.sync.testkit.contract.ConsistencyScenario;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.Nested;

/**
 * DESIGN rule 14 and §4, issue 11: the cleanup/sync interleavings and the check-and-repair damage scenarios on
 * PostgreSQL (the embedded default's server) with file-system blobs and with Azure blobs (Azurite), and the
 * JDBC lease lock. This module is the only one that sees the JDBC and blob adapters together.
 */
class OperationsScenariosOnRealBackendsTest {

    /** Azurite stamps blobs with its own clock: a world's clock starts near it. */
    private static TestClock nearNow() {
        return TestClock.at(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    }

    @Nested
    class CleanupOnPostgresAndFileSystem extends CleanupInterleavingScenario {
        private final RealBackends backends = new RealBackends(RealBackends.Blobs.FILE_SYSTEM);

        @Override protected DocumentStore newDocumentStore(Clock clock) { return backends.newDocumentStore(clock); }
        @Override protected BlobStore newBlobStore(Clock clock) { return backends.newBlobStore(clock); }
        @Override protected SyncLock newLock(Clock clock) { return backends.newLock(); }
        @Override protected void forceExpiry(String name) { backends.forceExpiry(name); }
        @Override protected long[] seeds() { return new long[] {21}; }
        @Override protected int maxStepsPerDirection() { return 8; }
    }

    @Nested
    class CleanupOnPostgresAndAzurite extends CleanupInterleavingScenario {
        private final RealBackends backends = new RealBackends(RealBackends.Blobs.AZURITE);

        @Override protected TestClock newClock() { return nearNow(); }
        @Override protected DocumentStore newDocumentStore(Clock clock) { return backends.newDocumentStore(clock); }
        @Override protected BlobStore newBlobStore(Clock clock) { return backends.newBlobStore(clock); }
        @Override protected SyncLock newLock(Clock clock) { return backends.newLock(); }
        @Override protected void forceExpiry(String name) { backends.forceExpiry(name); }
        @Override protected long[] seeds() { return new long[] {22}; }
        @Override protected int maxStepsPerDirection() { return 6; }
    }

    /** The damage of the consistency scenario done behind PostgreSQL's back. */
    abstract static class OnPostgres extends ConsistencyScenario {
        final RealBackends backends;

        OnPostgres(RealBackends.Blobs blobs) {
            backends = new RealBackends(blobs);
        }

        @Override protected DocumentStore newDocumentStore(Clock clock) { return backends.newDocumentStore(clock); }
        @Override protected BlobStore newBlobStore(Clock clock) { return backends.newBlobStore(clock); }
        @Override protected SyncLock newLock(Clock clock) { return backends.newLock(); }

        @Override
        protected void setRefCountBehindTheSync(ContentHash hash, long count) {
            RealBackends.update("UPDATE vsrx_sync_blob_ref SET ref_count = ? WHERE content_hash = ?", count,
                    hash.hex());
        }

        @Override
        protected void removeMappingBehindTheSync(VsrxFileId fileId) {
            RealBackends.update("DELETE FROM vsrx_sync_mapping WHERE vsrx_file_id = ?", fileId.value());
        }

        @Override
        protected void removeDocumentBehindTheSync(DocumentUuid document) {
            RealBackends.update("DELETE FROM vsrx_sync_document WHERE uuid = ?", (UUID) document.value());
        }

        @Override
        protected void corruptBlob(ContentHash hash, byte[] bytes) {
            backends.corruptBlob(hash, bytes);
        }
    }

    @Nested
    class CheckOnPostgresAndFileSystem extends OnPostgres {
        CheckOnPostgresAndFileSystem() {
            super(RealBackends.Blobs.FILE_SYSTEM);
        }
    }

    @Nested
    class CheckOnPostgresAndAzurite extends OnPostgres {
        CheckOnPostgresAndAzurite() {
            super(RealBackends.Blobs.AZURITE);
        }

        @Override
        protected TestClock newClock() {
            return nearNow();
        }
    }
}
