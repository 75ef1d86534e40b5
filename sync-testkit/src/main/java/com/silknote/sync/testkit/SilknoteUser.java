package com.silknote.sync.testkit;

import com.silknote.sync.core.model.AuthoredDocument;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;

/**
 * Changes a ledger's documents the way Silknote itself (its users, its backend) does, not through the sync: for
 * the Silknote side of bi-directional sync (issue 14). Content goes into the blob store separately; these calls
 * change only the document rows. Every call is one committed change of the Silknote side (it gets a change
 * position), except {@link #replaceContentLater}, whose change commits only when the test says so.
 */
public interface SilknoteUser {

    /** Creates a document not linked to any VSRX file (its content already stored under its hash). */
    void create(AuthoredDocument document);

    /** Replaces a document's content (linked or not); its {@code updatedAt} becomes now. */
    void replaceContent(DocumentUuid uuid, ContentHash hash, long size, String mimeType);

    /** Sets a linked document's {@code groupingStatus} (a metadata-only change). */
    void group(DocumentUuid uuid, String groupingStatus);

    /** Removes a document (only its row: a linked document's mapping stays). */
    void remove(DocumentUuid uuid);

    /**
     * Starts replacing a document's content in a transaction of its own that stays open until
     * {@link Pending#commit()}: a Silknote writer whose change commits late.
     */
    Pending replaceContentLater(DocumentUuid uuid, ContentHash hash, long size, String mimeType);

    /** A change in flight. */
    interface Pending {
        /** Commits the change. */
        void commit();
    }
}
