package com.silknote.sync.examples.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentMetadata;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.VectorEntry;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.InMemoryBlobStore;
import com.silknote.sync.testkit.InMemoryVectorStore;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.TestHashes;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HashEmbeddingDocumentProcessorTest {
    private static final FencingToken TOKEN = FencingToken.of(1);
    private final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
    private final InMemoryBlobStore blobs = new InMemoryBlobStore(clock);
    private final InMemoryVectorStore vectors = new InMemoryVectorStore();
    private final HashEmbeddingDocumentProcessor processor = new HashEmbeddingDocumentProcessor(blobs, vectors);

    @Test
    void writesOneEntryPerChunkDeterministicallyAndIdempotently() {
        byte[] content = new byte[HashEmbeddingDocumentProcessor.CHUNK_BYTES * 2 + 100];
        new SplittableRandom(7).nextBytes(content);
        SilknoteDocument doc = stored("file-1", content);

        processor.process(doc, TOKEN);
        List<VectorEntry> first = vectors.entries(doc.uuid());
        processor.process(doc, TOKEN);

        assertThat(first).hasSize(3);
        assertThat(first).extracting(VectorEntry::ordinal).containsExactly(0, 1, 2);
        assertThat(first).allSatisfy(e -> {
            assertThat(e.contentHash()).isEqualTo(doc.contentHash());
            assertThat(e.embedding()).hasSize(HashEmbeddingDocumentProcessor.DIMENSIONS);
        });
        assertThat(vectors.entries(doc.uuid())).isEqualTo(first);
        assertThat(first.get(0).embedding()).isNotEqualTo(first.get(1).embedding());
    }

    @Test
    @org.junit.jupiter.api.DisplayName("issue 12.3: content handed over by the engine gives the entries the blob gives, without reading it")
    void handedOverContentIsProcessedWithoutTheBlobStore() {
        byte[] content = new byte[HashEmbeddingDocumentProcessor.CHUNK_BYTES * 3 + 7];
        new SplittableRandom(9).nextBytes(content);
        SilknoteDocument doc = stored("file-5", content);
        processor.process(doc, TOKEN);
        List<VectorEntry> fromBlob = vectors.entries(doc.uuid());
        vectors.deleteByDocument(TOKEN, doc.uuid());
        long opens = blobs.opens();

        processor.process(doc, TOKEN, () -> new ByteArrayInputStream(content));

        assertThat(blobs.opens()).isEqualTo(opens);
        assertThat(vectors.entries(doc.uuid())).isEqualTo(fromBlob);
        // handed-over bytes of the wrong size are refused as the blob's are
        assertThatThrownBy(() -> processor.process(doc, TOKEN, () -> new ByteArrayInputStream(new byte[5])))
                .isInstanceOf(PermanentSyncException.class);
    }

    @Test
    void emptyContentGetsOneEntry() {
        SilknoteDocument doc = stored("file-2", new byte[0]);
        processor.process(doc, TOKEN);
        assertThat(vectors.entries(doc.uuid())).hasSize(1);
    }

    @Test
    void aBlobOfTheWrongSizeIsRefused() {
        SilknoteDocument doc = stored("file-3", new byte[10]);
        SilknoteDocument lying = new SilknoteDocument(doc.uuid(), doc.patientUuid(), doc.filesetId(),
                doc.clientFileId(), doc.contentHash(), 11, doc.mimeType(), doc.metadata(), doc.updatedAt());
        assertThatThrownBy(() -> processor.process(lying, TOKEN)).isInstanceOf(PermanentSyncException.class);
        assertThat(vectors.entries(doc.uuid())).isEmpty();
    }

    /** Issue 12 (constant heap): entries go to the vector store as the blob streams, never as one list. */
    @Test
    void entriesAreStreamedToTheVectorStore() {
        byte[] content = new byte[HashEmbeddingDocumentProcessor.CHUNK_BYTES * 300 + 1];
        new SplittableRandom(8).nextBytes(content);
        SilknoteDocument doc = stored("file-4", content);
        java.util.concurrent.atomic.AtomicInteger streamed = new java.util.concurrent.atomic.AtomicInteger();
        com.silknote.sync.core.port.VectorStore streamingOnly = new com.silknote.sync.core.port.VectorStore() {
            @Override
            public void fence(FencingToken token) {
            }

            @Override
            public void replace(FencingToken token, DocumentUuid document, List<VectorEntry> entries) {
                throw new AssertionError("entries were collected into a list");
            }

            @Override
            public void replace(FencingToken token, DocumentUuid document, java.util.Iterator<VectorEntry> entries) {
                int expected = 0;
                while (entries.hasNext()) {
                    assertThat(entries.next().ordinal()).isEqualTo(expected++);
                }
                streamed.set(expected);
            }

            @Override
            public int deleteByDocument(FencingToken token, DocumentUuid document) {
                return 0;
            }

            @Override
            public List<VectorEntry> entries(DocumentUuid document) {
                return List.of();
            }

            @Override
            public com.silknote.sync.core.model.Page<DocumentUuid> documents(java.util.Optional<String> cursor, int limit) {
                return com.silknote.sync.core.model.Page.last(List.of());
            }
        };

        new HashEmbeddingDocumentProcessor(blobs, streamingOnly).process(doc, TOKEN);

        assertThat(streamed).hasValue(301);
    }

    private SilknoteDocument stored(String fileId, byte[] content) {
        ContentHash hash = TestHashes.sha256(content);
        blobs.putIfAbsent(new BlobUpload(hash, content.length, "application/pdf", () -> new ByteArrayInputStream(content)));
        VsrxFileId id = VsrxFileId.of(fileId);
        return new SilknoteDocument(DocumentUuid.forVsrxFile(id), PatientUuid.of("00000000-0000-0000-0000-000000000001"),
                FilesetId.of("fs-1"), id, hash, content.length, "application/pdf",
                DocumentMetadata.synced(id, "notes/a.pdf", List.of()), clock.instant());
    }
}
