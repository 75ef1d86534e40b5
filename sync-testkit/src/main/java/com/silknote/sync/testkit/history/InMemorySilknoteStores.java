package com.silknote.sync.testkit.history;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.FilesetClaims;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.testkit.InMemoryBlobStore;
import com.silknote.sync.testkit.InMemoryDocumentStore;
import com.silknote.sync.testkit.InMemorySyncLock;
import com.silknote.sync.testkit.InMemoryVectorStore;
import com.silknote.sync.testkit.SilknoteUser;
import com.silknote.sync.testkit.TestClock;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** {@link SilknoteStores} on the testkit's in-memory fakes, all on one {@link TestClock}. */
public final class InMemorySilknoteStores implements SilknoteStores {
    private final InMemoryDocumentStore documents;
    private final InMemoryBlobStore blobs;
    private final InMemoryVectorStore vectors;
    private final InMemorySyncLock lockTable;

    /** Fresh, empty stores on {@code clock}. */
    public InMemorySilknoteStores(TestClock clock) {
        requireNonNull(clock, "clock");
        this.documents = new InMemoryDocumentStore(clock);
        this.blobs = new InMemoryBlobStore(clock);
        this.vectors = new InMemoryVectorStore();
        this.lockTable = new InMemorySyncLock(clock, "table");
    }

    @Override
    public InMemoryDocumentStore documents() {
        return documents;
    }

    @Override
    public InMemoryBlobStore blobs() {
        return blobs;
    }

    @Override
    public InMemoryVectorStore vectors() {
        return vectors;
    }

    @Override
    public SyncLock lock(String holderId) {
        return lockTable.newHolder(holderId);
    }

    @Override
    public void forceLeaseExpiry(String lockName) {
        lockTable.forceExpiry(lockName);
    }

    @Override
    public Optional<FilesetClaims> claims() {
        return Optional.of(documents.filesetClaims());
    }

    @Override
    public void forceClaimsExpiry() {
        documents.filesetClaims().forceExpiryOfAll();
    }

    @Override
    public void editDocumentAsUser(DocumentUuid uuid, UnaryOperator<SilknoteDocument> edit) {
        documents.editDocumentAsSilknoteUser(uuid, edit);
    }

    @Override
    public void removeDocumentRow(DocumentUuid uuid) {
        documents.removeDocumentAsSilknoteUser(uuid);
    }

    @Override
    public void removeMappingRow(VsrxFileId fileId) {
        documents.removeMappingRow(fileId);
    }

    @Override
    public void removeBlobRefRow(ContentHash hash) {
        documents.removeBlobRefRow(hash);
    }

    @Override
    public void removeFilesetRecord(FilesetId fileset) {
        documents.removeFilesetAsSilknoteUser(fileset);
    }

    @Override
    public int removeVectorEntries(DocumentUuid document) {
        return vectors.removeAsSilknote(document);
    }

    @Override
    public SilknoteUser silknoteUser() {
        return documents.silknoteUser();
    }
}
