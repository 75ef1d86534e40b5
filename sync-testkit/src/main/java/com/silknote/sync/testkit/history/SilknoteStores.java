package com.silknote.sync.testkit.history;

import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.FilesetClaims;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.testkit.SilknoteUser;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The Silknote side a {@link RandomHistoryScenario} plays against: the stores the engine writes through its
 * ports, plus the few changes Silknote itself (a user, an operator, a restore) makes behind the engine's
 * back. Everything else the scenario reads and changes through the ports (blobs are removed with
 * {@link BlobStore#deleteIfMatch}), so an adapter only implements these hooks.
 *
 * <p>Time: the stores and the lock judge time by the {@code TestClock} the factory was given, or, where the
 * backend has its own clock (database time, blob leases), {@link #forceLeaseExpiry} makes a lease expire.
 */
public interface SilknoteStores {

    /** The ledger the engine writes. */
    DocumentStore documents();

    /** The content-addressed blob store. */
    BlobStore blobs();

    /** The vector store. */
    VectorStore vectors();

    /**
     * One host's view of the shared lock table: locks of different {@code holderId}s compete for the same
     * lease, as two processes would.
     */
    SyncLock lock(String holderId);

    /** Expires the current lease of {@code lockName} inside the backend at once (its holder keeps its token). */
    void forceLeaseExpiry(String lockName);

    /**
     * Scale-out (DESIGN §6): the fileset claims of this ledger, which {@link #documents()}' units of work check;
     * empty when the backend has none (the scale-out step then does nothing).
     */
    default Optional<FilesetClaims> claims() {
        return Optional.empty();
    }

    /**
     * Expires every claim held now, inside the backend at once, as if its worker had stalled past the ttl (the
     * worker keeps its claim's token and goes on when it resumes).
     */
    default void forceClaimsExpiry() {
        throw new UnsupportedOperationException("these stores have no fileset claims");
    }

    /**
     * Changes a document the way a Silknote user does (e.g. groups it). The edit keeps uuid and
     * clientFileId.
     */
    void editDocumentAsUser(DocumentUuid uuid, UnaryOperator<SilknoteDocument> edit);

    /** Deletes only the document row, the way a Silknote user does; its mapping and blob reference stay. */
    void removeDocumentRow(DocumentUuid uuid);

    /** Deletes only the mapping row of a file (a restore, a manual fix); the document stays. */
    void removeMappingRow(VsrxFileId fileId);

    /** Deletes only the reference-count row of a blob; documents, mappings and the blob stay. */
    void removeBlobRefRow(ContentHash hash);

    /** Deletes only Silknote's record of a patient fileset; its documents and mappings stay. */
    void removeFilesetRecord(FilesetId fileset);

    /**
     * Deletes a document's vector entries the way Silknote itself would (outside the sync's fencing).
     *
     * @return how many were removed
     */
    int removeVectorEntries(DocumentUuid document);

    /**
     * Silknote users writing documents the way the Silknote backend does (created, content replaced, grouped,
     * removed), so the change sequence records them: the Silknote side of bi-directional histories
     * ({@link BidiHistoryScenario}). Their content goes into {@link #blobs()} first.
     */
    SilknoteUser silknoteUser();
}
