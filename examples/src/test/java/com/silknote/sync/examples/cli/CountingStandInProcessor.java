package com.silknote.sync.examples.cli;

import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.VectorEntry;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.ContentSource;
import com.silknote.sync.core.port.DocumentProcessor;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.examples.embedded.HashEmbeddingDocumentProcessor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * The stand-in processor, unchanged, over a vector store that counts the entries it is handed and writes the
 * count of the last replacement to the file named by {@code -Dvsrx.test.vectorCount}: lets
 * {@link LargeFileHeapTest} check, from outside the child JVM, that the processor really read the whole
 * content. Chosen by its class name through the {@code processor} key.
 */
public final class CountingStandInProcessor implements DocumentProcessor {
    private final HashEmbeddingDocumentProcessor standIn;

    /** The stand-in over a counting view of {@code vectors}. */
    public CountingStandInProcessor(BlobStore blobs, VectorStore vectors) {
        this.standIn = new HashEmbeddingDocumentProcessor(blobs, new Counting(vectors));
    }

    @Override
    public void process(SilknoteDocument document, FencingToken token) {
        standIn.process(document, token);
    }

    @Override
    public void process(SilknoteDocument document, FencingToken token, ContentSource content) {
        standIn.process(document, token, content);
    }

    private static final class Counting implements VectorStore {
        private final VectorStore delegate;

        Counting(VectorStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public void fence(FencingToken token) {
            delegate.fence(token);
        }

        @Override
        public void replace(FencingToken token, DocumentUuid document, List<VectorEntry> entries) {
            delegate.replace(token, document, entries);
            written(entries.size());
        }

        @Override
        public void replace(FencingToken token, DocumentUuid document, Iterator<VectorEntry> entries) {
            long[] n = {0};
            delegate.replace(token, document, new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return entries.hasNext();
                }

                @Override
                public VectorEntry next() {
                    n[0]++;
                    return entries.next();
                }
            });
            written(n[0]);
        }

        private static void written(long n) {
            try {
                Files.writeString(Path.of(System.getProperty("vsrx.test.vectorCount")), Long.toString(n));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public int deleteByDocument(FencingToken token, DocumentUuid document) {
            return delegate.deleteByDocument(token, document);
        }

        @Override
        public List<VectorEntry> entries(DocumentUuid document) {
            return delegate.entries(document);
        }

        @Override
        public Page<DocumentUuid> documents(Optional<String> cursor, int limit) {
            return delegate.documents(cursor, limit);
        }
    }
}
