package com.silknote.sync.core.port;

import java.io.IOException;
import java.io.InputStream;

/**
 * Opens a document's content from its first byte, for {@link DocumentProcessor#process(
 * com.silknote.sync.core.model.SilknoteDocument, ContentSource)}. Each call gives a new stream the caller
 * closes. The bytes are the document's content as its {@code contentHash} names it: either the copy the sync
 * downloaded and checked in the same run (no request to the blob store), or the stored blob.
 */
@FunctionalInterface
public interface ContentSource {

    /**
     * A new stream over the content.
     *
     * @throws IOException when the content cannot be read
     * @throws com.silknote.sync.core.exception.SyncException when the blob store fails
     */
    InputStream open() throws IOException;
}
