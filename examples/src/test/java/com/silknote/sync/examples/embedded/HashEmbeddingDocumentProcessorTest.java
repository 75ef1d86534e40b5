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
        com.silknote.sync.core.port.VectorStore streamingOnly = new EntrySink() {
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
        };

        new HashEmbeddingDocumentProcessor(blobs, streamingOnly).process(doc, TOKEN);

        assertThat(streamed).hasValue(301);
    }

    /**
     * Issue 12 (the stand-in processor made cheap without changing its output): the entries of a few contents,
     * pinned bit for bit as the processor wrote them before it reused its digest, so vectors written by an
     * older version stay what a newer one writes for the same content.
     */
    @Test
    @org.junit.jupiter.api.DisplayName("issue 12: the stand-in processor's embeddings stay bit for bit what they were")
    void embeddingsArePinnedBitForBit() {
        assertThat(embeddingBits(stored("pin-empty", new byte[0]))).containsExactly(
                new int[] {0xbe6279de, 0xbf4e07c8, 0xbf4a0816, 0xbf4d208e, 0x3e9eb908, 0x3f493727, 0xbf36d4ce, 0x3f70a571});
        assertThat(embeddingBits(stored("pin-abc", "abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII))))
                .containsExactly(new int[] {0xbf0b0fd3, 0xbf61fc60, 0x3f028282, 0x3f3b5c44, 0xbf1ff93d, 0xbf53d10b,
                    0xbf17de01, 0xbddffea5});
        int[] firstChunk = {0xbf77e4ff, 0x3f5e7c9d, 0xbeb54480, 0xbf25f454, 0x3f76dd9e, 0xbe46b042, 0x3e6b89ca,
            0x3f47e402};
        assertThat(embeddingBits(stored("pin-pattern", pattern(2 * HashEmbeddingDocumentProcessor.CHUNK_BYTES + 100))))
                .containsExactly(firstChunk,
                        new int[] {0x3e86beeb, 0xbe59586b, 0x3e36337d, 0x3ec265ed, 0xbf61cdf0, 0xbe9ecd31, 0xbf162fa5,
                            0xbf5be462},
                        new int[] {0xbe9f8f2b, 0x3f68eae9, 0x3f59790a, 0x3e8ebcf5, 0x3e9654ad, 0x3ea36a53, 0xbf611a6a,
                            0xbf370291});
        assertThat(embeddingBits(stored("pin-exact", pattern(HashEmbeddingDocumentProcessor.CHUNK_BYTES))))
                .containsExactly(firstChunk);
    }

    /** Bytes that differ between chunks: {@code (i * 131 + i / 256) mod 256}. */
    private static byte[] pattern(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 131 + (i >> 8));
        }
        return b;
    }

    /** The raw bits of every float of every entry the processor writes for {@code doc}, by ordinal. */
    private List<int[]> embeddingBits(SilknoteDocument doc) {
        processor.process(doc, TOKEN);
        return vectors.entries(doc.uuid()).stream().map(e -> {
            float[] v = e.embedding();
            int[] bits = new int[v.length];
            for (int i = 0; i < v.length; i++) {
                bits[i] = Float.floatToRawIntBits(v[i]);
            }
            return bits;
        }).toList();
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
